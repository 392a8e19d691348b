/* http_json_spool — POST /v1/messages as spool text; see http_json_spool.h. */
#include "http_json_spool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* JSON member → spool header. Order is the order of the headers. */
static const struct {
	const char *member;
	const char *header;
} http_json_spool_fields[] = {
	{ "campaign", "Campaign" }, { "kind", "Kind" },
	{ "priority", "Priority" }, { "send_at", "Send-At" },
	{ "validity", "Validity" }, { "pool", "Pool" },
	{ "sim", "SIM" },	    { "report", "Report" },
	{ "flash", "Flash" },	    { "id", "Id" },
};

#define HTTP_JSON_SPOOL_NFIELDS \
	(sizeof(http_json_spool_fields) / sizeof(http_json_spool_fields[0]))

/* A header value must be one line: a newline would be a header of its own. */
static bool http_json_spool_one_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A member's value as header text: strings, integers, booleans. */
static bool http_json_spool_value(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v)) {
		if (!http_json_spool_one_line(json_string_value(v)) ||
		    json_string_length(v) >= size)
			return false;
		snprintf(buf, size, "%s", json_string_value(v));
	} else if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
	} else if (json_is_boolean(v)) {
		snprintf(buf, size, "%s", json_is_true(v) ? "yes" : "no");
	} else {
		return false;
	}
	return true;
}

static bool http_json_spool_fail(struct http_json_spool_error *e,
				 const char *field, const char *why)
{
	snprintf(e->field, sizeof(e->field), "%s", field);
	snprintf(e->why, sizeof(e->why), "%s", why);
	return false;
}

/* To: lines first, so that line N is recipient N-1. */
static bool http_json_spool_to(struct http_json_spool_error *e, json_t *to,
			      FILE *f)
{
	char v[1024];
	size_t i;
	json_t *x;

	if (json_is_string(to)) {
		if (!http_json_spool_value(to, v, sizeof(v)) || strchr(v, ',') ||
		    strchr(v, ';'))
			return http_json_spool_fail(e, "to", "must be one phone number");
		fprintf(f, "To: %s\n", v);
		return true;
	}
	if (!json_is_array(to) || !json_array_size(to))
		return http_json_spool_fail(e, "to", "must be a number or a non-empty "
				      "array of numbers");
	json_array_foreach(to, i, x) {
		if (!json_is_string(x) || !http_json_spool_value(x, v, sizeof(v)) ||
		    strchr(v, ',') || strchr(v, ';'))
			return http_json_spool_fail(e, "to", "every item must be one "
					      "phone number");
		fprintf(f, "To: %s\n", v);
	}
	return true;
}

char *http_json_spool(json_t *req, struct http_json_spool_error *e,
		      size_t *len)
{
	const char *key;
	char *text = NULL, v[1024];
	json_t *x;
	FILE *f;

	memset(e, 0, sizeof(*e));
	json_object_foreach(req, key, x) {
		size_t i;

		for (i = 0; i < HTTP_JSON_SPOOL_NFIELDS; i++)
			if (strcmp(key, http_json_spool_fields[i].member) == 0)
				break;
		if (i == HTTP_JSON_SPOOL_NFIELDS && strcmp(key, "to") &&
		    strcmp(key, "text"))
			/* An empty name is shown as "" so that the
			 * problem still names a member. */
			return http_json_spool_fail(e, key[0] ? key : "\"\"",
						    "is not a member of a "
						    "message"), NULL;
	}
	if (!json_is_string(json_object_get(req, "text")))
		return http_json_spool_fail(e, "text", "is required (a string)"), NULL;
	f = open_memstream(&text, len);
	if (!f)
		return NULL;
	if (!http_json_spool_to(e, json_object_get(req, "to"), f))
		goto fail;
	for (size_t i = 0; i < HTTP_JSON_SPOOL_NFIELDS; i++) {
		x = json_object_get(req, http_json_spool_fields[i].member);
		if (!x || json_is_null(x))
			continue;
		if (!http_json_spool_value(x, v, sizeof(v))) {
			http_json_spool_fail(e, http_json_spool_fields[i].member,
				       "must be one line of text");
			goto fail;
		}
		fprintf(f, "%s: %s\n", http_json_spool_fields[i].header, v);
	}
	/* JSON text is UTF-8, never smstools3's ISO-8859-15 guess. */
	fprintf(f, "Alphabet: UTF-8\n\n");
	fwrite(json_string_value(json_object_get(req, "text")), 1,
	       json_string_length(json_object_get(req, "text")), f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
fail:
	fclose(f);
	free(text);
	return NULL;
}

/* The member a spool error is about: line N of the text is to[N-1]. */
void http_json_spool_field(const struct spool_error *e, size_t nto,
			    char *buf, size_t size)
{
	if (strcasecmp(e->header, "To") == 0 && e->line >= 1 && e->line <= nto) {
		snprintf(buf, size, "to[%u]", e->line - 1);
		return;
	}
	for (size_t i = 0; i < HTTP_JSON_SPOOL_NFIELDS; i++)
		if (e->header[0] && strcasecmp(e->header,
					       http_json_spool_fields[i].header) == 0) {
			snprintf(buf, size, "%s", http_json_spool_fields[i].member);
			return;
		}
	snprintf(buf, size, "%s", e->code == SPOOL_ERROR_RECIPIENT ||
				  e->code == SPOOL_ERROR_NO_RECIPIENT ? "to"
								       : "text");
}

