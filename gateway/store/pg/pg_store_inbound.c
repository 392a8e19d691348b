/*
 * pg_store_inbound — the PostgreSQL twin of store_op_inbound()
 * (include/store_pg.h; the fragments' reading and the reassembly timeout
 * are in pg_store_reasm.c): one received PDU with everything it causes,
 * in one transaction (smsgw_inbound_pdu(), pg_ops.sql), and done 0 only
 * once it committed: the modem deletes or acknowledges the PDU from done.
 *
 * The decisions stay in C, as in SQLite (store_ops_inbound.c): reassembly
 * (codec/reasm.h) and the daemon's classify. A single-part message is one
 * round trip: decided, then written. A fragment needs the key's stored
 * parts first; pg_conn runs one statement at a time but another
 * operation's may come between the read and the write (another PDU of
 * the same message answered first, or another box), so the write names
 * what the read saw (smsgw_parts_mark()) and, under a lock on the key,
 * stores nothing and answers 'stale' when it changed: the fragment is
 * decided again from a fresh read. No transaction stays open across the
 * loop, and a box that restarts between two fragments finds the first
 * one in the table.
 */
#include "pg_inbound_priv.h"
#include "log.h"
#include "sim.h"
#include "sms.h"
#include "utf8.h"
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the operation's life ---- */

/* Forgets the decision (a stale answer, the next key). */
void pg_ib_reset(struct pg_ib *x)
{
	store_inbound_actions_free(&x->a);
	free(x->body);
	x->body = NULL;
	x->m.body = x->text;
	x->m.parts = x->m.total = 1;
	x->m.partial = false;
	x->fstate = NULL;
	x->verdict = "none";
	x->freason[0] = '\0';
	x->fmsg = 0;
}

void pg_ib_finish(struct pg_ib *x, int rc)
{
	pg_ib_reset(x);
	free(x->pdu_hex);
	free(x->error);
	free(x->sender);
	free(x->scts);
	free(x->text);
	free(x->fbody);
	free(x->fwtf8);
	free(x->keys);
	if (rc < 0)
		store_inbound_out_free(x->out);
	pg_op_finish(&x->op, rc);
}

/* Why an automatic reply to m's sender is not sent, as far as the
 * sender alone tells (the database counts the earlier replies). */
static const char *pg_ib_no_reply(const struct store_inbound_msg *m)
{
	const char *p = m->sender;
	int digits = 0;

	if (m->sender_type && strcmp(m->sender_type, "alphanumeric") == 0)
		return "an alphanumeric sender cannot be answered";
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return "the sender is not a phone number";
		digits++;
	}
	return digits < PG_IB_SHORT_CODE_DIGITS ? "the sender is a short code"
						: NULL;
}

/* The parts an automatic text takes; 0 when it cannot be encoded (then
 * it is not queued, as in SQLite). */
static int pg_ib_parts(const char *to, const char *text, const char *origin)
{
	struct sms_encode_opts o;
	struct sms_preview p;
	char err[128];

	sms_encode_opts_init(&o);
	if (!sms_preview(text, strlen(text), &o, &p, err, sizeof(err))) {
		log_error("inbound: %s to %s cannot be encoded: %s", origin, to,
			  err);
		return 0;
	}
	return p.parts;
}

static void pg_ib_written(int rc, PGresult *res, const char *err, void *ud);

/* Writes the decision (smsgw_inbound_pdu()). */
void pg_ib_write(struct pg_ib *x)
{
	const struct store_inbound_msg *m = &x->m;
	const struct store_inbound_actions *a = &x->a;
	static const char *const acts[] = {
		[STORE_INBOUND_KEEP] = "keep",
		[STORE_INBOUND_OPT_OUT] = "optout",
		[STORE_INBOUND_OPT_IN] = "optin",
		[STORE_INBOUND_REPLY] = "reply",
		[STORE_INBOUND_FORWARD] = "forward",
	};
	bool deliver = strcmp(x->verdict, "deliver") == 0;
	int reply_parts = 0, forward_parts = 0;
	struct pg_params p = { .n = 0 };
	char card[32];
	const char *reply = NULL, *fwd = NULL;

	if (deliver && a->act == STORE_INBOUND_FORWARD &&
	    (!a->forward_to || !a->forward_text)) {
		pg_ib_finish(x, -EIO);
		return;
	}
	if (deliver && a->reply &&
	    (reply_parts = pg_ib_parts(m->sender, a->reply, a->reply_origin)))
		reply = a->reply;
	if (deliver && a->act == STORE_INBOUND_FORWARD &&
	    (forward_parts = pg_ib_parts(a->forward_to, a->forward_text,
					 "forward")))
		fwd = a->forward_to;
	/* Without an ICCID the card is unknown; the SIM row stands for it. */
	if (x->sim->iccid[0])
		snprintf(card, sizeof(card), "%s", x->sim->iccid);
	else
		snprintf(card, sizeof(card), "sim:%" PRId64, x->sim->id);
	pg_param_text(&p, x->op.ps->box);
	pg_param_int(&p, x->sim->id);
	pg_param_text(&p, x->sim->name);
	pg_param_text(&p, card);
	pg_param_text(&p, x->pdu_hex);
	pg_param_text(&p, x->error);
	pg_param_int(&p, x->now);
	if (x->fragment) {
		pg_param_int(&p, x->ref);
		pg_param_int(&p, x->ftotal);
		pg_param_int(&p, x->seq);
	} else {
		pg_param_text(&p, NULL);
		pg_param_text(&p, NULL);
		pg_param_text(&p, NULL);
	}
	pg_param_text(&p, x->fstate ? x->fbody : NULL);
	pg_param_text(&p, x->fstate ? x->fwtf8 : NULL);
	pg_param_text(&p, x->fstate);
	pg_param_int(&p, x->fmsg);
	pg_param_text(&p, x->freason[0] ? x->freason : NULL);
	pg_param_text(&p, x->mark);
	pg_param_int(&p, x->since);
	pg_param_text(&p, x->verdict);
	pg_param_text(&p, x->sender);
	pg_param_text(&p, m->sender_type);
	pg_param_text(&p, x->sim->number);
	/* Only an assembled or single text: a fragment's may be WTF-8. */
	pg_param_text(&p, strcmp(x->verdict, "none") && m->body ? m->body
							       : "");
	pg_param_int(&p, m->parts);
	pg_param_int(&p, m->total);
	pg_param_bool(&p, m->partial);
	pg_param_text(&p, m->scts);
	pg_param_bool(&p, x->sim->cfg && x->sim->cfg->send);
	pg_param_text(&p, a->keyword);
	pg_param_text(&p, acts[a->act]);
	pg_param_text(&p, a->matched);
	pg_param_text(&p, a->how);
	pg_param_text(&p, reply);
	pg_param_text(&p, a->reply_origin);
	pg_param_int(&p, reply_parts);
	pg_param_bool(&p, a->reply_failed);
	pg_param_text(&p, deliver ? pg_ib_no_reply(m) : NULL);
	if (x->sim->cfg && x->sim->cfg->send)
		pg_param_int(&p, x->sim->id);
	else
		pg_param_text(&p, NULL);
	pg_param_text(&p, fwd);
	pg_param_text(&p, fwd ? a->forward_text : NULL);
	pg_param_int(&p, forward_parts);
	pg_param_int(&p, x->reply_expire_ms);
	pg_store_send(x->op.ps, "SELECT * FROM smsgw_inbound_pdu($1, $2, $3,"
		      " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
		      " $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26,"
		      " $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37,"
		      " $38, $39, $40, $41)", &p, pg_ib_written, &x->op);
}

/* m classified into x->a and the decision to deliver it. */
int pg_ib_classify(struct pg_ib *x)
{
	x->verdict = "deliver";
	if (x->classify(&x->m, &x->a, x->classify_ud) < 0) {
		store_inbound_actions_free(&x->a);
		return -EIO;
	}
	return 0;
}

/* Remembers the delivered message for the caller's after-commit work. */
static int pg_ib_delivered(struct pg_ib *x, int64_t id)
{
	struct store_inbound_out *o = x->out;
	struct store_inbound_delivered *d;

	d = realloc(o->msgs, (o->n + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	o->msgs = d;
	d = &o->msgs[o->n];
	*d = (struct store_inbound_delivered){
		.id = id, .sim = x->m.sim, .sender = strdup(x->m.sender),
		.body = strdup(x->m.body), .keyword = x->a.keyword,
		.hook = x->a.hook, .parts = x->m.parts,
		.partial = x->m.partial, .kick = x->a.kick,
	};
	x->a.keyword = x->a.hook = NULL;	/* d's now */
	o->n++;
	return d->sender && d->body ? 0 : -ENOMEM;
}

static void pg_ib_written(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_ib *x = ud;
	const char *status = "";

	rc = pg_rc(rc, "storing an inbound message", err);
	if (rc == 0 && PQntuples(res) == 1 && PQnfields(res) == 4)
		status = PQgetvalue(res, 0, 0);
	else if (rc == 0)
		rc = -EIO;
	if (rc == 0 && strcmp(status, "stale") == 0) {
		/* Another PDU of the key was stored since the read. */
		pg_ib_reset(x);
		if (x->reg) {
			pg_ib_next_key(x);	/* the next timeout takes it */
		} else if (++x->tries < PG_IB_TRIES) {
			pg_ib_read(x);
		} else {
			log_warn("inbound: fragment from %s on %s: its key kept"
				 " changing; the modem keeps it", x->sender,
				 x->sim->name);
			pg_ib_finish(x, -EIO);
		}
		return;
	}
	if (rc == 0 && strcmp(status, "ok") == 0 &&
	    strcmp(x->verdict, "deliver") == 0) {
		if (!PQgetisnull(res, 0, 2))
			log_notice("inbound: no %s to %s: %s",
				   x->a.reply_origin, x->sender,
				   PQgetvalue(res, 0, 2));
		rc = pg_ib_delivered(x, strtoll(PQgetvalue(res, 0, 1), NULL,
						   10));
	}
	if (rc == 0 && x->error)
		log_warn("inbound: PDU on %s kept raw: %s", x->sim->name,
			 x->error);
	if (rc == 0)
		x->out->oldest_waiting = strtoll(PQgetvalue(res, 0, 3), NULL,
						 10);
	if (x->reg) {
		pg_ib_reset(x);
		pg_ib_next_key(x);	/* a failed key waits for the next */
		return;
	}
	pg_ib_finish(x, rc);
}

struct pg_ib *pg_ib_new(struct pg_store *ps,
			       struct store_inbound_out *out,
			       store_done_fn done, void *ud)
{
	struct pg_ib *x = calloc(1, sizeof(*x));

	memset(out, 0, sizeof(*out));
	if (!x) {
		done(-ENOMEM, ud);
		return NULL;
	}
	x->op = (struct pg_op){ .ps = ps, .done = done, .ud = ud };
	x->out = out;
	x->verdict = "none";
	return x;
}

static char *pg_ib_dup(const char *s, bool *fail)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*fail = true;
	return d;
}

void pg_store_op_inbound_pdu(struct pg_store *ps,
			     const struct store_inbound *req,
			     struct store_inbound_out *out,
			     store_done_fn done, void *ud)
{
	struct pg_ib *x = pg_ib_new(ps, out, done, ud);
	const struct sms_deliver *d = req->pdu ? &req->pdu->deliver : NULL;
	char ucs2_text[SMS_TEXT_MAX];
	bool fail = false;

	if (!x)
		return;
	x->sim = req->sim;
	x->now = req->now;
	x->ro = *req->ro;
	x->reply_expire_ms = req->reply_expire_ms;
	x->classify = req->classify;
	x->classify_ud = req->classify_ud;
	x->pdu_hex = pg_ib_dup(req->pdu_hex, &fail);
	x->sender = pg_ib_dup(req->sender ? req->sender : "", &fail);
	x->scts = pg_ib_dup(req->scts, &fail);
	if (!d) {
		x->error = pg_ib_dup(req->error ? req->error : "not an "
				     "SMS-DELIVER", &fail);
	} else if (d->ud.concat.total > 1) {
		const struct sms_concat *c = &d->ud.concat;

		x->fragment = true;
		x->ref = reasm_key_ref(c->ref, c->ref16);
		x->ftotal = c->total;
		x->seq = c->seq;
		x->since = req->now - req->ro->amend_ms;
		if (d->ud.encoding == SMS_ENCODING_UCS2) {
			pg_ib_ucs2_fragment(d->ud.data, d->ud.data_len,
					    ucs2_text, sizeof(ucs2_text));
			x->text = pg_ib_dup(ucs2_text, &fail);
		} else {
			x->text = pg_ib_dup(d->ud.text, &fail);
		}
	} else {
		x->text = pg_ib_dup(d->ud.text, &fail);
	}
	x->m = (struct store_inbound_msg){
		.sim = x->sim, .sender = x->sender,
		.sender_type = d ? sms_addr_type_name(d->sender.type) : NULL,
		.body = x->text, .parts = 1, .total = 1, .scts = x->scts,
		.concat_ref = x->fragment ? x->ref : -1,
	};
	if (fail) {
		pg_ib_finish(x, -ENOMEM);
		return;
	}
	if (x->fragment) {
		/* The text column cannot hold a lone surrogate: the exact
		 * bytes go to wtf8. */
		x->fbody = pg_ib_fragment_text(x->text, &x->fwtf8);
		if (!x->fbody) {
			pg_ib_finish(x, -ENOMEM);
			return;
		}
		pg_ib_read(x);
		return;
	}
	if (d && pg_ib_classify(x) < 0) {
		pg_ib_finish(x, -EIO);
		return;
	}
	pg_ib_write(x);
}

