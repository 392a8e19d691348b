/*
 * spool_submit — text in the spool format that arrives in memory: the
 * HTTP API's POST /v1/messages (http_send.c) and INSERT INTO outbox
 * (sqlin.c) share one acceptance, spool_accept_text(): the same two
 * passes, rules, preparation, rows and events as a file in outgoing/
 * (spool_accept.c), committed by the store (store_op_accept()), without a
 * file. See spool.h.
 */
#include "spool_priv.h"
#include "spool_parse.h"
#include "store.h"
#include "store_ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One text while the store has it: everything the request borrowed. */
struct spool_texting {
	struct accept_ctx c;
	struct spool_rules rules;
	struct spool_parser *p;
	struct spool_text t;
	char *text;
	char name[96];
	struct store_accept req;
	struct spool_error err;
	int64_t file_id;
	spool_text_done_fn done;
	void *ud;
};

static void spool_texting_free(struct spool_texting *x)
{
	spool_parse_free(x->p);
	free(x->text);
	free(x);
}

/* Why the text is refused: the parser's error, else the check's reason. */
static void spool_text_refusal(struct spool_texting *x)
{
	const struct spool_error *pe = spool_parse_error(x->p);

	if (pe->code != SPOOL_ERROR_NONE && pe->code != SPOOL_ERROR_ABORTED) {
		x->err = *pe;
	} else {
		x->err.code = SPOOL_ERROR_VALUE;
		snprintf(x->err.text, sizeof(x->err.text), "%.199s", x->c.why);
	}
	if (x->t.no_lines)
		x->err.line = 0;
}

/* Pass 2 for the store (store_ops.h produce): the rows of the text. */
static int spool_text_produce(store_add_fn add, void *ctx, void *ud)
{
	struct spool_texting *x = ud;
	bool ok;

	x->c.add = add;
	x->c.add_ctx = ctx;
	ok = spool_parse_rewind(x->p, spool_add_recipient, &x->c) &&
	     spool_parse_feed(x->p, x->text, x->t.len) &&
	     spool_parse_finish(x->p);
	x->c.add = NULL;
	if (ok)
		return 0;
	return x->c.db_failed ? -EIO : -EBADMSG;
}

/* The store's answer: 1 committed, 0 a repeated Id:, -1 refused, -EIO. */
static void spool_text_answer(int rc, void *ud)
{
	struct spool_texting *x = ud;

	if (rc == 0) {
		rc = 1;
		if (!x->t.quiet)
			spool_accepted(x->c.store, x->name, &x->c);
	} else if (rc == 1) {
		rc = 0;
	} else if (rc == -EBADMSG) {
		spool_text_refusal(x);
		rc = -1;
	} else {
		rc = -EIO;
	}
	x->done(rc, &x->err, x->file_id, x->ud);
	spool_texting_free(x);
}

void spool_accept_text(struct store *st, const struct config *cfg,
		       struct sim_registry *reg, const struct spool_text *req,
		       spool_text_done_fn done, void *ud)
{
	struct spool_texting *x = calloc(1, sizeof(*x));
	const struct spool_message *msg;

	if (!x || !(x->text = malloc(req->len ? req->len : 1))) {
		free(x);
		done(-ENOMEM, &(struct spool_error){ 0 }, 0, ud);
		return;
	}
	memcpy(x->text, req->text, req->len);
	x->t = *req;
	x->t.text = x->text;
	snprintf(x->name, sizeof(x->name), "%s", req->name);
	x->t.name = x->name;
	x->done = done;
	x->ud = ud;
	x->c = (struct accept_ctx){ .store = st, .cfg = cfg, .reg = reg,
				    .origin = req->origin,
				    .no_lines = req->no_lines,
				    .now = store_now_ms(),
				    .added = req->added,
				    .added_ud = req->added_ud };
	spool_rules_init(&x->rules, cfg);
	x->rules.strict_headers = x->rules.strict_headers ||
				  req->strict_headers;
	x->p = spool_parse_new(&x->rules);
	if (!x->p) {
		spool_texting_free(x);
		done(-ENOMEM, &(struct spool_error){ 0 }, 0, ud);
		return;
	}
	/* Pass 1: parse and check; nothing is stored for a refusal. */
	if (!spool_parse_feed(x->p, x->text, x->t.len) ||
	    !spool_parse_finish(x->p)) {
		spool_text_answer(-EBADMSG, x);
		return;
	}
	x->c.msg = msg = spool_parse_message(x->p);
	if (!spool_prepare(&x->c)) {
		spool_text_answer(-EBADMSG, x);
		return;
	}
	x->req = (struct store_accept){
		.name = x->name, .hash = msg->hash, .idem_key = msg->id,
		.campaign = msg->campaign, .now = x->c.now,
		.intake_seq = req->intake_seq,
		.produce = spool_text_produce, .produce_ud = x,
		.recipients = (long)msg->recipients,
		.duplicates = (long)msg->duplicates,
	};
	store_op_accept(st, &x->req, &x->file_id, spool_text_answer, x);
}
