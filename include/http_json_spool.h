/*
 * http_json_spool — the body of POST /v1/messages as the text of a spool
 * file, so that the spool's own parser and checks (spool_parse.h) decide
 * what is valid. Pure: no I/O, no logging.
 *
 * The text is one "To:" line per recipient first (line N is to[N-1]), one
 * header per member (campaign → Campaign:, send_at → Send-At:, report and
 * flash booleans → yes/no, id → Id: …), "Alphabet: UTF-8", a blank line
 * and the text. Members must be strings, integers or booleans of one line
 * (a line break would be a header of its own); unknown members and a
 * missing text are refused here, everything else by the spool parser.
 */
#ifndef SMSGW_HTTP_JSON_SPOOL_H
#define SMSGW_HTTP_JSON_SPOOL_H

#include "spool_parse.h"

#include <jansson.h>
#include <stddef.h>

struct http_json_spool_error {
	char field[32];		/* the member at fault: "to", "priority" */
	char why[200];
};

/* The spool text (malloc'd, *len bytes, NUL-terminated), or NULL with e
 * filled in (e->why empty when memory ran out). req must be an object. */
char *http_json_spool(json_t *req, struct http_json_spool_error *e,
		      size_t *len);

/* The request member a spool_error of that text is about: "to[2]",
 * "priority", else "to" or "text" by its category. nto: recipients. */
void http_json_spool_field(const struct spool_error *e, size_t nto,
			   char *buf, size_t size);

#endif
