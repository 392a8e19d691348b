/*
 * pg_store_inbound — the PostgreSQL twins of store_op_inbound() and
 * store_op_inbound_timeout() (include/store_pg.h): one received PDU with
 * everything it causes, in one transaction (smsgw_inbound_pdu(),
 * pg_ops.sql), and done 0 only once it committed: the modem deletes or
 * acknowledges the PDU from done.
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
#include "pg_store_priv.h"
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

/* Reads again after this many 'stale' answers in a row, then gives up
 * (the modem keeps the PDU and it comes back). */
#define PG_IB_TRIES 8
#define PG_IB_SHORT_CODE_DIGITS 7

struct pg_ib {
	struct pg_op op;
	struct store_inbound_out *out;
	const struct sim *sim;
	char *pdu_hex, *error, *sender, *scts, *text;
	const char *sender_type;
	int64_t now, reply_expire_ms;
	struct reasm_opts ro;
	store_classify_fn classify;
	void *classify_ud;
	/* a fragment (or the key a timeout releases) */
	bool fragment;
	int32_t ref;
	int ftotal, seq;
	int64_t since;
	char mark[64];
	int tries;
	/* the decision being written */
	const char *fstate, *verdict;
	char freason[96];
	int64_t fmsg;
	struct store_inbound_msg m;
	char *body;			/* assembled text, m.body */
	struct store_inbound_actions a;
	/* the fragment as stored: text (lone surrogates as U+FFFD) and its
	 * exact WTF-8 bytes as a bytea literal, NULL when they are the same */
	char *fbody, *fwtf8;
	/* the timeout */
	struct sim_registry *reg;
	struct inbox_key *keys;
	size_t nkeys, ki;
};

/* ---- text (as store_ops_inbound.c) ---- */

/*
 * A UCS-2 fragment as UTF-8, keeping an unpaired surrogate in its 3-byte
 * form (WTF-8) instead of U+FFFD: some phones split an emoji's surrogate
 * pair across two parts, and only the assembled text can join it again.
 */
static void pg_ib_ucs2_fragment(const uint8_t *in, size_t n, char *out,
				size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i + 1 < n && o + 5 < size; i += 2) {
		uint32_t u = (uint32_t)in[i] << 8 | in[i + 1];

		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t lo = (uint32_t)in[i + 2] << 8 | in[i + 3];

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 2;
			}
		}
		if (u == 0)
			u = 0xfffd;
		o += utf8_encode(u, out + o);
	}
	out[o] = '\0';
}

/* After assembly: a WTF-8 surrogate pair becomes the character it
 * encodes, a lone surrogate U+FFFD. In place: the text never grows. */
static void pg_ib_join_surrogates(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r) {
		bool hi = r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xaf && r[2];
		bool pair = hi && r[3] == 0xed && r[4] >= 0xb0 &&
			    r[4] <= 0xbf && r[5];

		if (pair) {
			uint32_t h = 0xd000 | (r[1] & 0x3f) << 6 | (r[2] & 0x3f);
			uint32_t l = 0xd000 | (r[4] & 0x3f) << 6 | (r[5] & 0x3f);

			w += utf8_encode(0x10000 + ((h - 0xd800) << 10) +
					 (l - 0xdc00), (char *)w);
			r += 6;
		} else if (r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xbf &&
			   r[2]) {
			*w++ = 0xef, *w++ = 0xbf, *w++ = 0xbd;
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* A fragment's text for the text column (lone surrogates as U+FFFD, same
 * length) and, when that changed it, its exact bytes as a bytea literal
 * for wtf8. */
static char *pg_ib_fragment_text(const char *wtf8, char **hex)
{
	char *t = strdup(wtf8);
	size_t n = strlen(wtf8);

	*hex = NULL;
	if (!t)
		return NULL;
	if (utf8_valid(t, n, NULL))
		return t;
	for (unsigned char *r = (unsigned char *)t; *r; r++)
		if (r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xbf && r[2]) {
			r[0] = 0xef, r[1] = 0xbf, r[2] = 0xbd;
			r += 2;
		}
	*hex = malloc(2 * n + 3);
	if (*hex) {
		memcpy(*hex, "\\x", 2);
		for (size_t i = 0; i < n; i++)
			snprintf(*hex + 2 + 2 * i, 3, "%02x",
				 (unsigned char)wtf8[i]);
	}
	return t;
}

/* ---- the operation's life ---- */

static void pg_ib_actions_free(struct store_inbound_actions *a)
{
	free(a->keyword);
	free(a->matched);
	free(a->reply);
	free(a->forward_to);
	free(a->forward_text);
	free(a->hook);
	memset(a, 0, sizeof(*a));
}

/* Forgets the decision (a stale answer, the next key). */
static void pg_ib_reset(struct pg_ib *x)
{
	pg_ib_actions_free(&x->a);
	free(x->body);
	x->body = NULL;
	x->m.body = x->text;
	x->fstate = NULL;
	x->verdict = "none";
	x->freason[0] = '\0';
	x->fmsg = 0;
}

static void pg_ib_finish(struct pg_ib *x, int rc)
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
static void pg_ib_read(struct pg_ib *x);
static void pg_ib_next_key(struct pg_ib *x);

/* Writes the decision (smsgw_inbound_pdu()). */
static void pg_ib_write(struct pg_ib *x)
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
	pg_param_text(&p, m->body ? m->body : "");
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
static int pg_ib_classify(struct pg_ib *x)
{
	x->verdict = "deliver";
	if (x->classify(&x->m, &x->a, x->classify_ud) < 0) {
		pg_ib_actions_free(&x->a);
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

/* ---- a fragment: read the key, decide with reasm ---- */

struct pg_ib_parts {
	struct reasm_part *parts;
	char **texts;
	size_t n;
};

static void pg_ib_parts_free(struct pg_ib_parts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->texts[i]);
	free(p->texts);
	free(p->parts);
}

/* The rows of the read into parts (their wtf8 bytes when stored). */
static int pg_ib_load(PGresult *res, int total, struct pg_ib_parts *p,
		      char *mark, size_t marksize)
{
	int rows = PQntuples(res);

	memset(p, 0, sizeof(*p));
	if (rows < 1 || PQnfields(res) != 8)
		return -EIO;
	snprintf(mark, marksize, "%s", PQgetvalue(res, 0, 0));
	p->parts = calloc((size_t)rows, sizeof(*p->parts));
	p->texts = calloc((size_t)rows, sizeof(*p->texts));
	if (!p->parts || !p->texts)
		return -ENOMEM;
	for (int i = 0; i < rows; i++) {
		struct reasm_part *r = &p->parts[p->n];
		enum reasm_state st = REASM_STATE_ORPHAN;
		char *t;

		if (PQgetisnull(res, i, 1))
			continue;	/* the key has no part yet */
		if (!PQgetisnull(res, i, 5)) {
			size_t len;
			unsigned char *b = PQunescapeBytea(
				(const unsigned char *)PQgetvalue(res, i, 5),
				&len);

			t = b ? malloc(len + 1) : NULL;
			if (t) {
				memcpy(t, b, len);
				t[len] = '\0';
			}
			PQfreemem(b);
		} else {
			t = strdup(PQgetvalue(res, i, 4));
		}
		if (!t)
			return -ENOMEM;
		p->texts[p->n] = t;
		reasm_state_parse(PQgetvalue(res, i, 6), &st);
		*r = (struct reasm_part){
			.id = strtoll(PQgetvalue(res, i, 1), NULL, 10),
			.received_at = strtoll(PQgetvalue(res, i, 2), NULL, 10),
			.total = total,
			.seq = atoi(PQgetvalue(res, i, 3)),
			.text = t, .state = st,
			.message_id = strtoll(PQgetvalue(res, i, 7), NULL, 10),
		};
		p->n++;
	}
	return 0;
}

/* The reasm result for the new fragment into the decision. */
static int pg_ib_decide(struct pg_ib *x, struct reasm_result *r)
{
	x->fstate = r->verdict == REASM_VERDICT_DUPLICATE
			    ? NULL : reasm_state_name(r->new_state);
	x->fmsg = r->message_id;
	snprintf(x->freason, sizeof(x->freason), "%s", r->reason);
	switch (r->verdict) {
	case REASM_VERDICT_COMPLETE:
	case REASM_VERDICT_PARTIAL:
	case REASM_VERDICT_AMEND:
		pg_ib_join_surrogates(r->text);
		x->body = r->text;
		r->text = NULL;
		x->m.body = x->body;
		x->m.parts = r->present;
		x->m.total = r->total;
		x->m.partial = r->partial;
		if (r->verdict == REASM_VERDICT_AMEND) {
			/* A late part completes or fills a partial message:
			 * the same row, never a second message. */
			x->verdict = "amend";
			return 0;
		}
		return pg_ib_classify(x);
	case REASM_VERDICT_ORPHAN:
		log_warn("inbound: fragment from %s on %s kept as orphan: %s",
			 x->sender, x->sim->name, r->reason);
		return 0;
	case REASM_VERDICT_WAIT:
	case REASM_VERDICT_DUPLICATE:
		return 0;
	}
	return 0;
}

static void pg_ib_orphan_key(struct pg_ib *x, const char *why);

/* A step of the timeout that failed: that key waits for the next run. */
static void pg_ib_fail(struct pg_ib *x, int rc)
{
	if (x->reg) {
		pg_ib_reset(x);
		pg_ib_next_key(x);
	} else {
		pg_ib_finish(x, rc);
	}
}

static void pg_ib_parts_read(int rc, PGresult *res, const char *err,
			     void *ud)
{
	struct pg_ib *x = ud;
	struct reasm_part np = {
		.received_at = x->now, .total = x->ftotal, .seq = x->seq,
		.text = x->text,
	};
	struct pg_ib_parts have = { 0 };
	struct reasm_result r;
	bool ok;

	rc = pg_rc(rc, "reading a message's fragments", err);
	if (rc == 0)
		rc = pg_ib_load(res, x->ftotal, &have, x->mark,
				sizeof(x->mark));
	if (rc < 0) {
		pg_ib_parts_free(&have);
		pg_ib_fail(x, rc);
		return;
	}
	if (x->reg)
		ok = reasm_expired(have.parts, have.n, x->now, &x->ro, &r);
	else
		ok = reasm_add(have.parts, have.n, &np, &x->ro, &r);
	pg_ib_parts_free(&have);
	if (!ok) {
		pg_ib_fail(x, -ENOMEM);
		return;
	}
	if (x->reg && r.verdict != REASM_VERDICT_PARTIAL) {
		reasm_result_free(&r);
		pg_ib_orphan_key(x, "timed out without a release");
		return;
	}
	rc = pg_ib_decide(x, &r);
	reasm_result_free(&r);
	if (x->reg)
		x->fstate = NULL;	/* no new part: the key's are there */
	if (rc < 0)
		pg_ib_fail(x, rc);
	else
		pg_ib_write(x);
}

/* Every part of the key since x->since, with the mark of what was read
 * (one statement: one snapshot). */
static void pg_ib_read(struct pg_ib *x)
{
	struct pg_params p = { .n = 0 };

	pg_param_int(&p, x->m.sim->id);
	pg_param_text(&p, x->sender);
	pg_param_int(&p, x->ref);
	pg_param_int(&p, x->ftotal);
	pg_param_int(&p, x->since);
	pg_store_send(x->op.ps, "SELECT smsgw_parts_mark($1, $2, $3, $4, $5),"
		      " p.id, p.received_at, p.seq, p.body, p.wtf8, p.state,"
		      " coalesce(p.inbound_id, 0) FROM (SELECT 1) one"
		      " LEFT JOIN inbound_part p ON p.sim_id = $1"
		      " AND p.sender = $2 AND p.ref = $3 AND p.total = $4"
		      " AND p.received_at >= $5 ORDER BY p.id", &p,
		      pg_ib_parts_read, &x->op);
}

static struct pg_ib *pg_ib_new(struct pg_store *ps,
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

/* ---- the reassembly timeout ---- */

static void pg_ib_oldest_done(int rc, PGresult *res, const char *err,
			      void *ud)
{
	struct pg_ib *x = ud;

	/* Each key committed on its own; this read only arms the timer. */
	if (pg_rc(rc, "reading the oldest fragment", err) == 0)
		x->out->oldest_waiting = pg_first_int(res);
	pg_ib_finish(x, 0);
}

static void pg_ib_orphaned(int rc, PGresult *res, const char *err, void *ud)
{
	(void)res;
	pg_rc(rc, "keeping fragments as orphans", err);
	pg_ib_next_key(ud);
}

static void pg_ib_orphan_key(struct pg_ib *x, const char *why)
{
	const struct inbox_key *k = &x->keys[x->ki - 1];
	struct pg_params p = { .n = 0 };

	pg_param_int(&p, k->sim_id);
	pg_param_text(&p, k->sender);
	pg_param_int(&p, k->ref);
	pg_param_int(&p, k->total);
	pg_param_text(&p, why);
	pg_store_send(x->op.ps, "SELECT smsgw_orphan_key($1, $2, $3, $4, $5)",
		      &p, pg_ib_orphaned, &x->op);
}

static void pg_ib_next_key(struct pg_ib *x)
{
	const struct inbox_key *k;
	struct pg_params p = { .n = 0 };
	const struct sim *sim = NULL;

	if (x->ki == x->nkeys) {
		pg_param_text(&p, x->op.ps->box);
		pg_store_send(x->op.ps, "SELECT coalesce(min(p.received_at), 0)"
			      " FROM inbound_part p JOIN sim s"
			      " ON s.id = p.sim_id WHERE p.state = 'waiting'"
			      " AND s.box = $1", &p, pg_ib_oldest_done,
			      &x->op);
		return;
	}
	k = &x->keys[x->ki++];
	for (size_t i = 0; i < x->reg->nsims; i++)
		if (x->reg->sims[i].id == k->sim_id)
			sim = &x->reg->sims[i];
	if (!sim) {
		/* Its SIM left this box's configuration: keep the text, stop
		 * waiting. */
		pg_ib_orphan_key(x, "its SIM is no longer configured");
		return;
	}
	free(x->sender);
	x->sender = strdup(k->sender);
	if (!x->sender) {
		pg_ib_finish(x, -ENOMEM);
		return;
	}
	x->sim = sim;
	x->ref = k->ref;
	x->ftotal = k->total;
	x->m = (struct store_inbound_msg){ .sim = sim, .sender = x->sender,
					   .concat_ref = k->ref };
	/* Every part of the key, however old: an open group outlived a
	 * restart longer than the amendment window too. */
	x->since = 0;
	pg_ib_read(x);
}

static void pg_ib_keys_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_ib *x = ud;
	int rows;

	rc = pg_rc(rc, "finding fragments that waited too long", err);
	rows = rc == 0 ? PQntuples(res) : 0;
	if (rows > 0 && !(x->keys = calloc((size_t)rows, sizeof(*x->keys))))
		rows = 0;
	for (int i = 0; i < rows; i++) {
		struct inbox_key *k = &x->keys[x->nkeys++];

		k->sim_id = strtoll(PQgetvalue(res, i, 0), NULL, 10);
		snprintf(k->sender, sizeof(k->sender), "%s",
			 PQgetvalue(res, i, 1));
		k->ref = (int32_t)strtol(PQgetvalue(res, i, 2), NULL, 10);
		k->total = atoi(PQgetvalue(res, i, 3));
	}
	pg_ib_next_key(x);
}

void pg_store_op_inbound_timeout(struct pg_store *ps,
				 const struct store_inbound_timeout *req,
				 struct store_inbound_out *out,
				 store_done_fn done, void *ud)
{
	struct pg_ib *x = pg_ib_new(ps, out, done, ud);
	struct pg_params p = { .n = 0 };

	if (!x)
		return;
	x->reg = req->reg;
	x->now = req->now;
	x->ro = *req->ro;
	x->reply_expire_ms = req->reply_expire_ms;
	x->classify = req->classify;
	x->classify_ud = req->classify_ud;
	x->fragment = true;
	pg_param_text(&p, ps->box);
	pg_param_int(&p, req->now - req->ro->timeout_ms);
	pg_store_send(ps, "SELECT * FROM smsgw_open_keys($1, $2)", &p,
		      pg_ib_keys_done, &x->op);
}
