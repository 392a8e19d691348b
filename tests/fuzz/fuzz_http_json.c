/*
 * Fuzz target for the body of POST /v1/messages: jansson's parse, our
 * translation into spool text (http_json_spool.h) and the spool parser on
 * that text. Besides the sanitizers it checks what must hold for any
 * input:
 *   - a translation refused names a member and a reason;
 *   - the text's header block has only the headers we write, one "To:"
 *     line per recipient given, and exactly one blank line before the
 *     body: no member can smuggle in a header or end the headers early;
 *   - the spool parser accepts the text or refuses it with a reason, and
 *     the refusal maps to a member of the request.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_json_spool.h"
#include "spool_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const allowed[] = {
	"To: ", "Campaign: ", "Kind: ", "Priority: ", "Send-At: ",
	"Validity: ", "Pool: ", "SIM: ", "Report: ", "Flash: ", "Id: ",
	"Alphabet: UTF-8",
};

static void check_headers(const char *text, size_t len, size_t nto)
{
	const char *p = text, *end = text + len;
	size_t to = 0;

	while (p < end && *p != '\n') {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t i;

		if (!nl)
			abort();
		for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			if (strncmp(p, allowed[i], strlen(allowed[i])) == 0)
				break;
		if (i == sizeof(allowed) / sizeof(allowed[0]) ||
		    memchr(p, '\r', (size_t)(nl - p)))
			abort();
		to += i == 0;
		p = nl + 1;
	}
	if (p >= end || to != nto)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_json_spool_error e;
	struct spool_rules rules;
	struct spool_error err;
	json_t *req, *to;
	size_t len = 0, nto;
	char *text, field[32];

	req = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!req)
		return 0;
	if (!json_is_object(req)) {
		json_decref(req);
		return 0;
	}
	text = http_json_spool(req, &e, &len);
	if (!text) {
		if (!e.why[0] || !e.field[0])
			abort();
		json_decref(req);
		return 0;
	}
	to = json_object_get(req, "to");
	nto = json_is_array(to) ? json_array_size(to) : 1;
	if (strlen(text) != len)
		abort();
	check_headers(text, len, nto);
	spool_rules_init(&rules, NULL);
	rules.numbers.default_country = "1";
	if (!spool_parse_buffer(&rules, text, len, NULL, NULL, NULL, &err)) {
		if (err.code == SPOOL_ERROR_NONE || !err.text[0])
			abort();
		http_json_spool_field(&err, nto, field, sizeof(field));
		if (!field[0])
			abort();
	}
	free(text);
	json_decref(req);
	return 0;
}
