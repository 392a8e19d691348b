/*
 * http_send — POST /v1/messages. The JSON object becomes the text of a
 * spool file (one header a member, the text as the body) and goes through
 * spool_accept_text(): the parser, checks, opt-out and Id: idempotency of a
 * file dropped into outgoing/, so the API and the spool cannot disagree
 * about what is valid. The 202 is queued after the commit: with a store
 * that answers later (PostgreSQL) the connection waits suspended.
 */
#include "http_priv.h"
#include "http_json_spool.h"
#include "log.h"
#include "spool.h"
#include "store.h"
#include "store_pg_http.h"
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

/*
 * One POST while the store has it. The store answers through
 * http_send_accepted(): at once (SQLite: inside the group commit, so the
 * 202 waits for it) or later from the loop (PostgreSQL, and SQLite under
 * SMSGW_TEST_STORE_LATE): then the connection waits suspended.
 */
struct http_send_ctx {
	struct http_wait w;		/* first: http_wait_*() */
	json_t *messages;
	struct http_json_spool_error e;
	size_t nto;
	bool in_call, answered;
	int rc;				/* spool_accept_text()'s */
	struct spool_error err;
	int64_t file_id;
};

static void http_send_free(void *ud)
{
	struct http_send_ctx *c = ud;

	json_decref(c->messages);
	free(c);
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

static void http_send_row(struct http_send_ctx *c, json_int_t id,
			  const char *recipient, const char *state)
{
	json_array_append_new(c->messages,
			      json_pack("{s:I, s:s, s:s}", "id", id,
					"recipient", recipient, "state",
					state));
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
		http_send_row(c, store_rows_int(s, 0), store_rows_text(s, 1),
			      store_rows_text(s, 2));
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

/* The answer to the store's rc: 202 with the messages (batched: once the
 * group commit is done), 422 refused, 503 the store failed. */
static enum MHD_Result http_send_answer(struct http_req *r,
					struct http_send_ctx *c, bool batched)
{
	json_t *v;

	if (c->rc == -1)
		return http_send_refused(r, &c->err, c->nto);
	if (c->rc < 0)
		return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database",
				    "Not accepted", "the database failed; "
				    "nothing was queued, try again", NULL);
	v = json_pack("{s:O, s:b}", "messages", c->messages, "duplicate",
		      c->rc == 0);
	/* Committed already, or answered once the batch is. */
	if (batched)
		return http_json_after_commit(r, MHD_HTTP_ACCEPTED, v);
	return http_json(r, MHD_HTTP_ACCEPTED, v);
}

static enum MHD_Result http_send_resumed(struct http_req *r)
{
	struct http_send_ctx *c = r->later_ctx;
	enum MHD_Result rc;

	r->later_ctx = NULL;
	rc = http_send_answer(r, c, false);
	http_send_free(c);
	return rc;
}

static void http_send_wake(struct http_req *r, struct http_send_ctx *c)
{
	r->later_ctx = c;
	r->later_free = http_send_free;
	http_wait_resume(r, http_send_resumed);
}

/* PostgreSQL: the file's rows, with their ids and states as stored (its
 * add() answered before the database did: include/store_pg.h). */
static void http_send_rows(int rc, json_t *rows, void *ud)
{
	struct http_send_ctx *c = ud;
	struct http_req *r = http_wait_end(&c->w);
	size_t i;
	json_t *o;

	if (!r) {
		json_decref(rows);
		http_send_free(c);
		return;
	}
	if (rc < 0) {
		/* Committed, but unreadable now: the rows as add() said. */
		log_warn("http: messages of file %lld accepted, but not read "
			 "back", (long long)c->file_id);
	} else {
		json_array_clear(c->messages);
		for (i = 0; i < json_array_size(rows); i++) {
			o = json_array_get(rows, i);
			http_send_row(c,
				json_integer_value(json_object_get(o, "id")),
				json_string_value(json_object_get(o, "recipient")),
				json_string_value(json_object_get(o, "state")));
		}
	}
	json_decref(rows);
	http_send_wake(r, c);
}

static void http_send_accepted(int rc, const struct spool_error *err,
			       int64_t file_id, void *ud)
{
	struct http_send_ctx *c = ud;
	struct http_req *r;

	c->rc = rc;
	c->err = *err;
	c->file_id = file_id;
	if (c->in_call) {
		c->answered = true;
		return;
	}
	r = c->w.r;
	if (r && rc == 1 && r->h->deps.kick)
		r->h->deps.kick(r->h->deps.ud);
	if (r && rc >= 0 && http_is_pg(r->h) && http_pg(r->h)) {
		const struct store_bind b[] = { STORE_INT(file_id) };

		/* Still waiting, for the rows now. */
		pg_store_query_json(http_pg(r->h), STORE_Q_FILE_MESSAGES, b, 1,
				    http_send_rows, c);
		return;
	}
	r = http_wait_end(&c->w);
	if (!r) {
		http_send_free(c);
		return;
	}
	/* PostgreSQL stopping: the rows as add() said. */
	if (rc == 0 && !http_is_pg(r->h)) {
		json_array_clear(c->messages);
		http_send_replay(c, r->h->deps.store, file_id);
	}
	http_send_wake(r, c);
}

static enum MHD_Result http_send_submit(struct http_req *r,
					struct http_send_ctx *c,
					const char *text, size_t len)
{
	char name[96];
	bool batched;
	enum MHD_Result rc;

	snprintf(name, sizeof(name), "http:%s", r->token);
	/* SQLite joins the group commit of this MHD_run(); PostgreSQL
	 * commits each acceptance on its own. */
	batched = !http_is_pg(r->h) && http_txn_join(r) == 0;
	c->in_call = true;
	spool_accept_text(r->h->deps.store, r->h->cfg, r->h->deps.reg,
			  &(struct spool_text){
				  .name = name, .text = text, .len = len,
				  .origin = "spool", .added = http_send_added,
				  .added_ud = c },
			  http_send_accepted, c);
	c->in_call = false;
	if (!c->answered) {
		http_wait_start(r, &c->w);
		return MHD_YES;
	}
	if (c->rc == 1 && r->h->deps.kick)
		r->h->deps.kick(r->h->deps.ud);
	if (c->rc == 0 && !http_is_pg(r->h)) {
		json_array_clear(c->messages);
		http_send_replay(c, r->h->deps.store, c->file_id);
	}
	rc = http_send_answer(r, c, batched);
	http_send_free(c);
	return rc;
}

enum MHD_Result http_send(struct http_req *r)
{
	struct http_send_ctx *c = calloc(1, sizeof(*c));
	json_error_t jerr;
	enum MHD_Result rc;
	json_t *req, *to;
	size_t len = 0;
	char *text;

	if (!c || !(c->messages = json_array())) {
		free(c);
		return MHD_NO;
	}
	req = json_loadb(r->body ? r->body : "", r->len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!req || !json_is_object(req)) {
		char why[256];

		snprintf(why, sizeof(why), "%s (line %d, column %d)",
			 req ? "the body must be a JSON object" : jerr.text,
			 jerr.line, jerr.column);
		json_decref(req);
		http_send_free(c);
		return http_problem(r, MHD_HTTP_BAD_REQUEST, "bad-json",
				    "The body is not a JSON object", why, NULL);
	}
	text = http_json_spool(req, &c->e, &len);
	to = json_object_get(req, "to");
	c->nto = json_is_array(to) ? json_array_size(to) : 1;
	if (!text) {
		rc = c->e.why[0] ? http_problem(r, MHD_HTTP_UNPROCESSABLE_CONTENT,
						"value", "The message cannot be "
						"accepted", c->e.why,
						json_pack("{s:s}", "field",
							  c->e.field))
				 : MHD_NO;
		http_send_free(c);
	} else {
		/* c is the store's now: freed by whoever answers. */
		rc = http_send_submit(r, c, text, len);
	}
	free(text);
	json_decref(req);
	return rc;
}
