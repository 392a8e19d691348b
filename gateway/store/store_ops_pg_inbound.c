/*
 * store_ops_pg_inbound — inbound on PostgreSQL until pgops'
 * pg_store_op_inbound_pdu() lands (issue 17): an interim over
 * pg_store_op_inbound(). A single-part SMS-DELIVER is classified here
 * (the request's classify), its inbox row and its opt-out or opt-in
 * written in one transaction (smsgw_inbound()), and then its automatic
 * reply or forward queued (a second transaction, through the spool's
 * acceptance, pg_store_op_accept()). done (the modem's acknowledgement)
 * runs after the inbox row committed.
 *
 * Not yet (the interim's limits, doc/postgresql.md): a fragment of a
 * concatenated message and a PDU that does not decode are not stored —
 * done gets -EIO, so the modem keeps them and inbound.c tries again;
 * raw PDUs are not kept; the replies are not bounded per sender beyond
 * the alphanumeric and short-code checks, and every STOP is confirmed
 * (not only the first).
 */
#include "store_ops_pg.h"
#include "config.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_pg.h"
#include "store_pgd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fewer digits than this is a short code (as store_ops_inbound.c). */
#define STORE_OPS_PG_SHORT_CODE 7

struct store_ops_pg_ib {
	struct pg_store *ps;
	struct store_inbound_out *out;
	store_done_fn done;
	void *ud;
	const struct sim *sim;
	struct store_inbound_actions a;
	char *sender, *body;
	bool alphanumeric;
	int64_t id, now, reply_expire_ms, file_id;
};

static void store_ops_pg_ib_free(struct store_ops_pg_ib *x)
{
	free(x->a.keyword);
	free(x->a.matched);
	free(x->a.reply);
	free(x->a.forward_to);
	free(x->a.forward_text);
	free(x->a.hook);
	free(x->sender);
	free(x->body);
	free(x);
}

static void store_ops_pg_ib_finish(struct store_ops_pg_ib *x, int rc)
{
	store_done_fn done = x->done;
	void *ud = x->ud;

	if (rc < 0)
		store_inbound_out_free(x->out);
	store_ops_pg_ib_free(x);
	done(rc, ud);
}

/* Why the sender gets no automatic reply, or NULL. */
static const char *store_ops_pg_ib_no_reply(const struct store_ops_pg_ib *x)
{
	const char *p = x->sender;
	int digits = 0;

	if (x->alphanumeric)
		return "an alphanumeric sender cannot be answered";
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return "the sender is not a phone number";
		digits++;
	}
	return digits < STORE_OPS_PG_SHORT_CODE ? "the sender is a short code"
						: NULL;
}

static int store_ops_pg_ib_produce(store_add_fn add, void *ctx, void *ud)
{
	enum outbox_add_result res;
	int64_t id;

	return add(ud, &id, &res, ctx);
}

static void store_ops_pg_ib_queued(int rc, void *ud)
{
	struct store_ops_pg_ib *x = ud;

	/* The inbox row is committed: the modem may let go of it. */
	if (rc < 0)
		log_error("inbound: the automatic message to %s was not "
			  "queued", x->sender);
	store_ops_pg_ib_finish(x, 0);
}

/* The reply or forward the classification asked for; false: none. */
static bool store_ops_pg_ib_queue(struct store_ops_pg_ib *x)
{
	const struct store_inbound_actions *a = &x->a;
	bool forward = a->act == STORE_INBOUND_FORWARD;
	const char *to = forward ? a->forward_to : x->sender;
	const char *text = forward ? a->forward_text : a->reply;
	const char *origin = forward ? "forward" : a->reply_origin;
	struct outbox_new m = {
		.recipient = to, .body = text, .kind = MSG_KIND_DIRECT,
		.priority = MSG_PRIORITY_HIGH, .validity_minutes = -1,
		.origin = origin, .in_reply_to = x->id,
		.expires_at = x->now + x->reply_expire_ms,
	};
	struct sms_encode_opts o;
	struct sms_preview p;
	const char *why;
	char err[128];

	if (a->act == STORE_INBOUND_KEEP || !to || !text)
		return false;
	if (!forward && (why = store_ops_pg_ib_no_reply(x))) {
		log_notice("inbound: no %s to %s: %s", origin, to, why);
		return false;
	}
	sms_encode_opts_init(&o);
	if (!sms_preview(text, strlen(text), &o, &p, err, sizeof(err))) {
		log_error("inbound: %s to %s cannot be encoded: %s", origin, to,
			  err);
		return false;
	}
	m.parts = p.parts;
	if (x->sim->cfg->send && !forward)
		m.pin_sim_id = x->sim->id;
	pg_store_op_accept(x->ps, &(struct store_accept){
		.name = origin, .hash = "", .now = x->now,
		.produce = store_ops_pg_ib_produce, .produce_ud = &m,
		.recipients = 1 }, &x->file_id, store_ops_pg_ib_queued, x);
	return true;
}

/* The inbox row (and its opt-out or opt-in) committed. */
static void store_ops_pg_ib_stored(int rc, void *ud)
{
	struct store_ops_pg_ib *x = ud;
	struct store_inbound_out *o = x->out;
	struct store_inbound_delivered *d;

	if (rc < 0) {
		store_ops_pg_ib_finish(x, -EIO);
		return;
	}
	d = calloc(1, sizeof(*d));
	if (d) {
		*d = (struct store_inbound_delivered){
			.id = x->id, .sim = x->sim, .sender = x->sender,
			.body = x->body, .keyword = x->a.keyword,
			.hook = x->a.hook, .parts = 1, .kick = x->a.kick };
		x->sender = strdup(x->sender);
		x->body = NULL;
		x->a.keyword = x->a.hook = NULL;
		o->msgs = d;
		o->n = 1;
	}
	if (!x->sender || !store_ops_pg_ib_queue(x))
		store_ops_pg_ib_finish(x, 0);
}

void store_ops_pg_inbound(struct store *st, const struct store_inbound *req,
			  struct store_inbound_out *out, store_done_fn done,
			  void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);
	const struct sms_deliver *d;
	struct store_ops_pg_ib *x;
	struct store_inbound_msg m;
	struct inbox_new row;
	bool opt;

	memset(out, 0, sizeof(*out));
	if (!ps)
		return;
	/* pgops: pg_store_op_inbound_pdu(ps, req, out, done, ud) */
	if (!req->pdu) {
		store_ops_pg_missing("keeping a PDU that does not decode",
				     done, ud);
		return;
	}
	d = &req->pdu->deliver;
	if (d->ud.concat.total > 1) {
		store_ops_pg_missing("a concatenated inbound message", done,
				     ud);
		return;
	}
	x = calloc(1, sizeof(*x));
	if (!x || !(x->sender = strdup(req->sender)) ||
	    !(x->body = strdup(d->ud.text))) {
		if (x)
			store_ops_pg_ib_free(x);
		store_ops_answer(done, -EIO, ud);
		return;
	}
	*x = (struct store_ops_pg_ib){ .ps = ps, .out = out, .done = done,
				       .ud = ud, .sim = req->sim,
				       .sender = x->sender, .body = x->body,
				       .now = req->now,
				       .reply_expire_ms = req->reply_expire_ms };
	m = (struct store_inbound_msg){
		.sim = req->sim, .sender = req->sender,
		.sender_type = sms_addr_type_name(d->sender.type),
		.body = d->ud.text, .parts = 1, .total = 1, .scts = req->scts,
		.concat_ref = -1,
	};
	x->alphanumeric = strcmp(m.sender_type, "alphanumeric") == 0;
	opt = false;
	if (req->classify(&m, &x->a, req->classify_ud) < 0 ||
	    (x->a.reply_failed && !x->a.reply &&
	     x->a.act != STORE_INBOUND_KEEP &&
	     x->a.act != STORE_INBOUND_FORWARD)) {
		store_ops_pg_ib_free(x);
		store_ops_answer(done, -EIO, ud);
		return;
	}
	opt = x->a.act == STORE_INBOUND_OPT_OUT ||
	      x->a.act == STORE_INBOUND_OPT_IN;
	row = (struct inbox_new){
		.sender = m.sender, .sender_type = m.sender_type,
		.recipient = req->sim->number[0] ? req->sim->number : NULL,
		.sim_id = req->sim->id, .body = m.body, .parts = 1,
		.total = 1, .scts = m.scts, .concat_ref = -1,
		/* smsgw_inbound() acts on these two words. */
		.keyword = !opt ? x->a.keyword
			   : x->a.act == STORE_INBOUND_OPT_OUT ? "optout"
							       : "optin",
	};
	pg_store_op_inbound(ps, &row, req->now, &x->id,
			    store_ops_pg_ib_stored, x);
}

void store_ops_pg_inbound_timeout(struct store *st,
				  const struct store_inbound_timeout *req,
				  struct store_inbound_out *out,
				  store_done_fn done, void *ud)
{
	(void)req;
	memset(out, 0, sizeof(*out));
	/* pgops: pg_store_op_inbound_timeout(ps, req, out, done, ud); the
	 * interim stores no fragments, so none wait. */
	if (store_ops_pg_backend(st, done, ud))
		store_ops_answer(done, 0, ud);
}
