/*
 * http_send — POST /v1/messages. The JSON object becomes the text of a
 * spool file (one header a member, the text as the body) and goes through
 * spool_submit(): the parser, checks, opt-out and Id: idempotency of a
 * file dropped into outgoing/, so the API and the spool cannot disagree
 * about what is valid. The 202 is queued after the commit.
 */
#include "http_priv.h"
#include "log.h"
#include "spool.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON member → spool header. Order is the order of the headers. */
static const struct {
	const char *member;
	const char *header;
} http_send_fields[] = {
	{ "campaign", "Campaign" }, { "kind", "Kind" },
	{ "priority", "Priority" }, { "send_at", "Send-At" },
	{ "validity", "Validity" }, { "pool", "Pool" },
	{ "sim", "SIM" },	    { "report", "Report" },
	{ "flash", "Flash" },	    { "id", "Id" },
};

#define HTTP_SEND_NFIELDS (sizeof(http_send_fields) / sizeof(http_send_fields[0]))

struct http_send_ctx {
	json_t *messages;
	char field[32];		/* the member at fault */
	char why[200];
};

/* A header value must be one line: a newline would be a header of its own. */
static bool http_send_one_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* A member's value as header text: strings, integers, booleans. */
static bool http_send_value(const json_t *v, char *buf, size_t size)
{
	if (json_is_string(v)) {
		if (!http_send_one_line(json_string_value(v)) ||
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

static bool http_send_fail(struct http_send_ctx *c, const char *field,
			   const char *why)
{
	snprintf(c->field, sizeof(c->field), "%s", field);
	snprintf(c->why, sizeof(c->why), "%s", why);
	return false;
}

/* To: lines first, so that line N is recipient N-1. */
static bool http_send_to(struct http_send_ctx *c, json_t *to, FILE *f)
{
	char v[1024];
	size_t i;
	json_t *x;

	if (json_is_string(to)) {
		if (!http_send_value(to, v, sizeof(v)) || strchr(v, ',') ||
		    strchr(v, ';'))
			return http_send_fail(c, "to", "must be one phone number");
		fprintf(f, "To: %s\n", v);
		return true;
	}
	if (!json_is_array(to) || !json_array_size(to))
		return http_send_fail(c, "to", "must be a number or a non-empty "
				      "array of numbers");
	json_array_foreach(to, i, x) {
		if (!json_is_string(x) || !http_send_value(x, v, sizeof(v)) ||
		    strchr(v, ',') || strchr(v, ';'))
			return http_send_fail(c, "to", "every item must be one "
					      "phone number");
		fprintf(f, "To: %s\n", v);
	}
	return true;
}

/* The spool text of the request body, or NULL with c->field/why. */
static char *http_send_text(struct http_send_ctx *c, json_t *req, size_t *len)
{
	const char *key;
	char *text = NULL, v[1024];
	json_t *x;
	FILE *f;

	json_object_foreach(req, key, x) {
		size_t i;

		for (i = 0; i < HTTP_SEND_NFIELDS; i++)
			if (strcmp(key, http_send_fields[i].member) == 0)
				break;
		if (i == HTTP_SEND_NFIELDS && strcmp(key, "to") &&
		    strcmp(key, "text"))
			return http_send_fail(c, key, "is not a member of a "
					      "message"), NULL;
	}
	if (!json_is_string(json_object_get(req, "text")))
		return http_send_fail(c, "text", "is required (a string)"), NULL;
	f = open_memstream(&text, len);
	if (!f)
		return NULL;
	if (!http_send_to(c, json_object_get(req, "to"), f))
		goto fail;
	for (size_t i = 0; i < HTTP_SEND_NFIELDS; i++) {
		x = json_object_get(req, http_send_fields[i].member);
		if (!x || json_is_null(x))
			continue;
		if (!http_send_value(x, v, sizeof(v))) {
			http_send_fail(c, http_send_fields[i].member,
				       "must be one line of text");
			goto fail;
		}
		fprintf(f, "%s: %s\n", http_send_fields[i].header, v);
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

static const char *http_send_state(enum outbox_add_result res)
{
	return res == OUTBOX_ADDED_QUEUED     ? "queued"
	       : res == OUTBOX_ADDED_DEFERRED ? "deferred"
					      : "suppressed";
}

static void http_send_added(void *ud, int64_t id, const char *recipient,
			    enum outbox_add_result res)
{
	struct http_send_ctx *c = ud;

	json_array_append_new(c->messages,
			      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id,
					"recipient", recipient, "state",
					http_send_state(res)));
}

/* A repeated id: the messages of the first request, as they are now. */
static void http_send_replay(struct http_send_ctx *c, struct store *st,
			     int64_t file_id)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, recipient, state FROM"
					    " message WHERE file_id = ?"
					    " ORDER BY id");

	if (!s)
		return;
	sqlite3_bind_int64(s, 1, file_id);
	while (sqlite3_step(s) == SQLITE_ROW)
		json_array_append_new(
			c->messages,
			json_pack("{s:I, s:s, s:s}", "id",
				  (json_int_t)sqlite3_column_int64(s, 0),
				  "recipient", sqlite3_column_text(s, 1),
				  "state", sqlite3_column_text(s, 2)));
	sqlite3_reset(s);
}

/* The member a spool error is about: line N of the text is to[N-1]. */
static void http_send_field(const struct spool_error *e, size_t nto,
			    char *buf, size_t size)
{
	if (strcasecmp(e->header, "To") == 0 && e->line >= 1 && e->line <= nto) {
		snprintf(buf, size, "to[%u]", e->line - 1);
		return;
	}
	for (size_t i = 0; i < HTTP_SEND_NFIELDS; i++)
		if (e->header[0] && strcasecmp(e->header,
					       http_send_fields[i].header) == 0) {
			snprintf(buf, size, "%s", http_send_fields[i].member);
			return;
		}
	snprintf(buf, size, "%s", e->code == SPOOL_ERROR_RECIPIENT ||
				  e->code == SPOOL_ERROR_NO_RECIPIENT ? "to"
								       : "text");
}

static enum MHD_Result http_send_refused(struct http_req *r,
					 const struct spool_error *e,
					 size_t nto)
{
	char field[32];

	http_send_field(e, nto, field, sizeof(field));
	return http_problem(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
			    spool_error_code_name(e->code),
			    "The message cannot be accepted", e->text,
			    json_pack("{s:s}", "field", field));
}

static enum MHD_Result http_send_submit(struct http_req *r,
					struct http_send_ctx *c,
					const char *text, size_t len,
					size_t nto)
{
	struct spool_error e;
	char name[96];
	int64_t file_id = 0;
	bool batched;
	json_t *v;
	int rc;

	snprintf(name, sizeof(name), "http:%s", r->token);
	batched = http_txn_join(r) == 0;
	rc = spool_submit(r->h->deps.spool, name, text, len, http_send_added,
			  c, &e, &file_id);
	if (rc == -1)
		return http_send_refused(r, &e, nto);
	if (rc < 0)
		return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database",
				    "Not accepted", "the database failed; "
				    "nothing was queued, try again", NULL);
	if (rc == 0) {
		json_array_clear(c->messages);
		http_send_replay(c, r->h->deps.store, file_id);
	}
	v = json_pack("{s:O, s:b}", "messages", c->messages, "duplicate",
		      rc == 0);
	/* Committed already, or answered once the batch is. */
	if (batched)
		return http_json_after_commit(r, MHD_HTTP_ACCEPTED, v);
	return http_json(r, MHD_HTTP_ACCEPTED, v);
}

enum MHD_Result http_send(struct http_req *r)
{
	struct http_send_ctx c = { .messages = json_array() };
	json_error_t jerr;
	enum MHD_Result rc;
	json_t *req, *to;
	size_t len = 0;
	char *text;

	req = json_loadb(r->body ? r->body : "", r->len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!req || !json_is_object(req)) {
		char why[256];

		snprintf(why, sizeof(why), "%s (line %d, column %d)",
			 req ? "the body must be a JSON object" : jerr.text,
			 jerr.line, jerr.column);
		json_decref(req);
		json_decref(c.messages);
		return http_problem(r, MHD_HTTP_BAD_REQUEST, "bad-json",
				    "The body is not a JSON object", why, NULL);
	}
	text = http_send_text(&c, req, &len);
	to = json_object_get(req, "to");
	if (!text)
		rc = c.why[0] ? http_problem(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
					     "value", "The message cannot be "
					     "accepted", c.why,
					     json_pack("{s:s}", "field", c.field))
			      : MHD_NO;
	else
		rc = http_send_submit(r, &c, text, len,
				      json_is_array(to) ? json_array_size(to) : 1);
	free(text);
	json_decref(req);
	json_decref(c.messages);
	return rc;
}
