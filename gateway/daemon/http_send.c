/*
 * http_send — POST /v1/messages. The JSON object becomes the text of a
 * spool file (one header a member, the text as the body) and goes through
 * spool_submit(): the parser, checks, opt-out and Id: idempotency of a
 * file dropped into outgoing/, so the API and the spool cannot disagree
 * about what is valid. The 202 is queued after the commit.
 */
#include "http_priv.h"
#include "http_json_spool.h"
#include "log.h"
#include "spool.h"
#include "store.h"
#include "store_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *http_send_state(enum outbox_add_result res)
{
	return res == OUTBOX_ADDED_QUEUED     ? "queued"
	       : res == OUTBOX_ADDED_DEFERRED ? "deferred"
					      : "suppressed";
}

struct http_send_ctx {
	json_t *messages;
	struct http_json_spool_error e;
};

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
	const struct store_bind b[] = { STORE_INT(file_id) };
	struct store_rows *s =
		store_query_open(st, STORE_Q_FILE_MESSAGES, b, 1);

	if (!s)
		return;
	while (store_rows_next(s) == 1)
		json_array_append_new(
			c->messages,
			json_pack("{s:I, s:s, s:s}", "id",
				  (json_int_t)store_rows_int(s, 0),
				  "recipient", store_rows_text(s, 1),
				  "state", store_rows_text(s, 2)));
	store_rows_close(s);
}

static enum MHD_Result http_send_refused(struct http_req *r,
					 const struct spool_error *e,
					 size_t nto)
{
	char field[32];

	http_json_spool_field(e, nto, field, sizeof(field));
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
	text = http_json_spool(req, &c.e, &len);
	to = json_object_get(req, "to");
	if (!text)
		rc = c.e.why[0] ? http_problem(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
					       "value", "The message cannot be "
					       "accepted", c.e.why,
					       json_pack("{s:s}", "field",
							 c.e.field))
			      : MHD_NO;
	else
		rc = http_send_submit(r, &c, text, len,
				      json_is_array(to) ? json_array_size(to) : 1);
	free(text);
	json_decref(req);
	json_decref(c.messages);
	return rc;
}
