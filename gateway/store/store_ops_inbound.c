/*
 * store_ops_inbound — the SQLite backend of the inbound operations
 * (include/store_ops_inbound.h): one received PDU as one commit (raw
 * row, fragment and reassembly, inbox row, keyword actions, automatic
 * replies), the reassembly timeouts. The daemon classifies
 * (policy/keyword.h is above the store) through the request's classify;
 * everything written is written here.
 *
 * The commit of a PDU joins the loop turn's batch (store_batch_begin in
 * store.h), so the modems' messages of one turn share one fsync, and done
 * runs once it is durable: the modem's delete or +CNMA comes from done,
 * never before (doc/reliability.md, "Inbound messages and multipart
 * reassembly").
 */
#include "store_ops_inbound.h"
#include "config.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_ops_pg.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one operation works with. */
struct store_ib {
	struct store *st;
	const struct reasm_opts *ro;
	int64_t reply_expire_ms, now;
	store_classify_fn classify;
	void *classify_ud;
	struct store_inbound_out *out;
};

void store_inbound_out_free(struct store_inbound_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		struct store_inbound_delivered *d = &o->msgs[i];

		free(d->sender);
		free(d->body);
		free(d->keyword);
		free(d->hook);
	}
	free(o->msgs);
	memset(o, 0, sizeof(*o));
}

void store_inbound_actions_free(struct store_inbound_actions *a)
{
	free(a->keyword);
	free(a->matched);
	free(a->reply);
	free(a->forward_to);
	free(a->forward_text);
	free(a->hook);
	memset(a, 0, sizeof(*a));
}

/*
 * A UCS-2 fragment as UTF-8, keeping an unpaired surrogate in its 3-byte
 * form (WTF-8) instead of U+FFFD: some phones split an emoji's surrogate
 * pair across two parts, and only the assembled text can join it again.
 */
static void store_ib_ucs2_fragment(const uint8_t *in, size_t n, char *out,
				   size_t size)
{
	size_t o = 0;

	for (size_t i = 0; i + 1 < n && o + 5 < size; i += 2) {
		uint32_t u = (uint32_t)in[i] << 8 | in[i + 1];

		if (u >= 0xd800 && u <= 0xdbff && i + 3 < n) {
			uint32_t lo = (uint32_t)in[i + 2] << 8 | in[i + 3];

			if (lo >= 0xdc00 && lo <= 0xdfff) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (u == 0)
			u = 0xfffd;
		o += utf8_encode(u, out + o);
	}
	out[o] = '\0';
}

/*
 * After assembly: a high surrogate followed by a low one (each in WTF-8)
 * becomes the character they encode; any surrogate left alone becomes
 * U+FFFD. In place: the text never grows.
 */
static void store_ib_join_surrogates(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r) {
		bool hi = r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xaf && r[2];
		bool pair = hi && r[3] == 0xed && r[4] >= 0xb0 && r[4] <= 0xbf &&
			    r[5];

		if (pair) {
			uint32_t h = 0xd000 | (r[1] & 0x3f) << 6 | (r[2] & 0x3f);
			uint32_t l = 0xd000 | (r[4] & 0x3f) << 6 | (r[5] & 0x3f);
			uint32_t cp = 0x10000 + ((h - 0xd800) << 10) + (l - 0xdc00);

			w += utf8_encode(cp, (char *)w);
			r += 6;
		} else if (r[0] == 0xed && r[1] >= 0xa0 && r[1] <= 0xbf && r[2]) {
			*w++ = 0xef, *w++ = 0xbf, *w++ = 0xbd;	/* U+FFFD */
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

/* ---- keyword actions ---- */

/*
 * Queues an automatic message. Replies leave from the SIM that received the
 * message, when it may send; origin tells the outbox (and the opt-out
 * check) what it is.
 */
static int store_ib_queue(struct store_ib *x, const struct sim *sim,
			  const char *to, const char *text, const char *origin,
			  int64_t inbox_id)
{
	struct sms_encode_opts o;
	struct sms_preview p;
	struct outbox_new m = {
		.recipient = to, .body = text, .kind = MSG_KIND_DIRECT,
		.priority = MSG_PRIORITY_HIGH, .validity_minutes = -1,
		.origin = origin, .in_reply_to = inbox_id,
		.expires_at = x->now + x->reply_expire_ms,
	};
	enum outbox_add_result res;
	char err[128];

	sms_encode_opts_init(&o);
	if (!sms_preview(text, strlen(text), &o, &p, err, sizeof(err))) {
		log_error("inbound: %s to %s cannot be encoded: %s", origin, to,
			  err);
		return 0;
	}
	m.parts = p.parts;
	if (sim && sim->cfg->send && strcmp(origin, "forward") != 0)
		m.pin_sim_id = sim->id;
	return store_outbox_add(x->st, 0, &m, false, x->now, NULL, &res);
}

/*
 * Automatic replies answer anyone who texts the SIM, so they are bounded
 * per sender: at most AUTO_BURST in AUTO_BURST_MS (two auto-responders
 * answering each other stop after a few turns) and AUTO_DAY a day.
 */
#define AUTO_BURST 3
#define AUTO_BURST_MS (10 * 60 * 1000)
#define AUTO_DAY 10
#define AUTO_DAY_MS (24 * 60 * 60 * 1000)
/* Fewer digits than this is a short code (a service, not a person). */
#define SHORT_CODE_DIGITS 7

/* Why an automatic reply to m's sender is not sent, or NULL. */
static const char *store_ib_no_reply(struct store_ib *x,
				     const struct store_inbound_msg *m)
{
	const char *p = m->sender;
	int digits = 0, n;

	if (m->sender_type && strcmp(m->sender_type, "alphanumeric") == 0)
		return "an alphanumeric sender cannot be answered";
	if (*p == '+')
		p++;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return "the sender is not a phone number";
		digits++;
	}
	if (digits < SHORT_CODE_DIGITS)
		return "the sender is a short code";
	n = store_inbox_auto_replies(x->st, m->sender, x->now - AUTO_BURST_MS);
	if (n >= AUTO_BURST)
		return "automatic replies to this number repeat (another "
		       "automatic responder?); none for a while";
	n = n < 0 ? n : store_inbox_auto_replies(x->st, m->sender,
						 x->now - AUTO_DAY_MS);
	if (n >= AUTO_DAY)
		return "the day's automatic replies to this number were sent";
	return n < 0 ? "database error" : NULL;
}

static int store_ib_reply(struct store_ib *x, const struct store_inbound_msg *m,
			  const struct store_inbound_actions *a,
			  int64_t inbox_id)
{
	const char *why = store_ib_no_reply(x, m);

	if (!a->reply)
		return a->reply_failed ? -1 : 0;	/* none configured */
	if (why) {
		log_notice("inbound: no %s to %s: %s", a->reply_origin,
			   m->sender, why);
		store_event(x->st, STORE_EVENT_WARNING, "inbound",
			    "no %s to %s: %s", a->reply_origin, m->sender, why);
		return 0;
	}
	return store_ib_queue(x, m->sim, m->sender, a->reply, a->reply_origin,
			      inbox_id);
}

static int store_ib_opt_out(struct store_ib *x,
			    const struct store_inbound_msg *m,
			    const struct store_inbound_actions *a, int64_t id)
{
	bool was_active;
	int suppressed;

	if (store_optout_add(x->st, m->sender, a->matched, m->sim->id,
			     "keyword", a->how, x->now, &was_active,
			     &suppressed) < 0)
		return -1;
	/* One confirmation per opt-out: a second STOP gets nothing. */
	if (was_active)
		return 0;
	store_event(x->st, STORE_EVENT_INFO, "inbound",
		    "%s opted out on %s (\"%s\", %s match); %d queued "
		    "message%s suppressed", m->sender, m->sim->name,
		    a->matched ? a->matched : "", a->how,
		    suppressed, suppressed == 1 ? "" : "s");
	return store_ib_reply(x, m, a, id);
}

static int store_ib_opt_in(struct store_ib *x,
			   const struct store_inbound_msg *m,
			   const struct store_inbound_actions *a, int64_t id)
{
	bool was_active;

	/* "Yes" from someone subscribed is an answer, not a request. */
	if (store_optout_remove(x->st, m->sender, x->now, &was_active) < 0)
		return -1;
	if (!was_active)
		return 0;
	store_event(x->st, STORE_EVENT_INFO, "inbound",
		    "%s opted in again on %s", m->sender, m->sim->name);
	return store_ib_reply(x, m, a, id);
}

static int store_ib_act(struct store_ib *x, const struct store_inbound_msg *m,
			const struct store_inbound_actions *a, int64_t id)
{
	switch (a->act) {
	case STORE_INBOUND_OPT_OUT:
		return store_ib_opt_out(x, m, a, id);
	case STORE_INBOUND_OPT_IN:
		return store_ib_opt_in(x, m, a, id);
	case STORE_INBOUND_REPLY:
		return store_ib_reply(x, m, a, id);
	case STORE_INBOUND_FORWARD:
		if (!a->forward_to || !a->forward_text)
			return -1;
		return store_ib_queue(x, m->sim, a->forward_to,
				      a->forward_text, "forward", id);
	case STORE_INBOUND_KEEP:
		break;
	}
	return 0;
}

/* Remembers a delivered message for the caller's after-commit work. */
static int store_ib_delivered(struct store_ib *x,
			      const struct store_inbound_msg *m,
			      struct store_inbound_actions *a, int64_t id)
{
	struct store_inbound_out *o = x->out;
	struct store_inbound_delivered *d;

	d = realloc(o->msgs, (o->n + 1) * sizeof(*d));
	if (!d)
		return -ENOMEM;
	o->msgs = d;
	d = &o->msgs[o->n];
	*d = (struct store_inbound_delivered){
		.id = id, .sim = m->sim, .sender = strdup(m->sender),
		.body = strdup(m->body), .keyword = a->keyword, .hook = a->hook,
		.parts = m->parts, .partial = m->partial, .kick = a->kick,
	};
	a->keyword = a->hook = NULL;	/* d's now */
	o->n++;
	return d->sender && d->body ? 0 : -ENOMEM;
}

/* m into the inbox, classified and acted on; *id its row. */
static int store_ib_deliver(struct store_ib *x,
			    const struct store_inbound_msg *m, int64_t *id)
{
	struct store_inbound_actions a = { 0 };
	struct inbox_new row = {
		.sender = m->sender, .sender_type = m->sender_type,
		.recipient = m->sim->number, .sim_id = m->sim->id,
		.body = m->body, .parts = m->parts, .total = m->total,
		.partial = m->partial, .scts = m->scts,
		.concat_ref = m->concat_ref,
	};
	int rc;

	if (x->classify(m, &a, x->classify_ud) < 0) {
		store_inbound_actions_free(&a);
		return -1;
	}
	row.keyword = a.keyword;
	row.in_reply_to = store_inbox_last_sent(x->st, m->sender);
	rc = store_inbox_add(x->st, &row, x->now, id);
	/* The SIM that just talked with this number answers it next, if it
	 * sends at all. */
	if (rc == 0 && m->sim->cfg->send)
		rc = store_outbox_touch_sticky(x->st, m->sender, m->sim->id,
					       x->now);
	if (rc == 0)
		rc = store_ib_act(x, m, &a, *id);
	if (rc == 0)
		rc = store_ib_delivered(x, m, &a, *id);
	store_inbound_actions_free(&a);
	return rc;
}

/* ---- reassembly ---- */

/*
 * Reassembly result → the inbox. WAIT, DUPLICATE and ORPHAN stop here.
 */
static int store_ib_outcome(struct store_ib *x, struct store_inbound_msg *m,
			    struct reasm_result *r, int32_t ref)
{
	int64_t id = 0;

	switch (r->verdict) {
	case REASM_VERDICT_COMPLETE:
	case REASM_VERDICT_PARTIAL:
		store_ib_join_surrogates(r->text);
		m->body = r->text;
		m->parts = r->present;
		m->total = r->total;
		m->partial = r->partial;
		if (store_ib_deliver(x, m, &id) < 0)
			return -EIO;
		return store_inbox_assign_parts(x->st, m->sim->id, m->sender,
						ref, r->total, id);
	case REASM_VERDICT_AMEND:
		/* A late part completes or fills a partial message: the same
		 * row, never a second message. */
		store_ib_join_surrogates(r->text);
		return store_inbox_amend(x->st, r->message_id, r->text,
					 r->present, r->partial, x->now);
	case REASM_VERDICT_ORPHAN:
		log_warn("inbound: fragment from %s on %s kept as orphan: %s",
			 m->sender, m->sim->name, r->reason);
		return 0;
	case REASM_VERDICT_WAIT:
	case REASM_VERDICT_DUPLICATE:
		return 0;
	}
	return 0;
}

static int store_ib_fragment(struct store_ib *x, const struct sms_deliver *d,
			     struct store_inbound_msg *m, int64_t raw_id)
{
	const struct sms_concat *c = &d->ud.concat;
	int32_t ref = reasm_key_ref(c->ref, c->ref16);
	char ucs2_text[SMS_TEXT_MAX];
	struct reasm_part np = {
		.received_at = x->now, .total = c->total, .seq = c->seq,
		.text = d->ud.text,
	};
	struct inbox_parts have;
	struct reasm_result r;
	int rc;

	if (d->ud.encoding == SMS_ENCODING_UCS2) {
		store_ib_ucs2_fragment(d->ud.data, d->ud.data_len, ucs2_text,
				       sizeof(ucs2_text));
		np.text = ucs2_text;
	}
	if (store_inbox_parts(x->st, m->sim->id, m->sender, ref, c->total,
			      x->now - x->ro->amend_ms, &have) < 0)
		return -EIO;
	if (!reasm_add(have.parts, have.n, &np, x->ro, &r)) {
		store_inbox_parts_free(&have);
		return -ENOMEM;
	}
	store_inbox_parts_free(&have);
	rc = 0;
	if (r.verdict != REASM_VERDICT_DUPLICATE)
		rc = store_inbox_add_part(x->st, m->sim->id, m->sender, ref,
					  c->total, c->seq, np.text, raw_id,
					  r.new_state, r.message_id,
					  r.reason[0] ? r.reason : NULL,
					  x->now);
	m->concat_ref = ref;
	if (rc == 0)
		rc = store_ib_outcome(x, m, &r, ref);
	reasm_result_free(&r);
	return rc;
}

static int store_ib_receive(struct store_ib *x, const struct store_inbound *q)
{
	const struct sim *sim = q->sim;
	const struct sms_deliver *d;
	struct store_inbound_msg m;
	int64_t raw_id, id;
	int rc;

	rc = store_inbox_raw(x->st, sim->id, sim->iccid, q->pdu_hex, x->now,
			     &raw_id);
	if (rc <= 0)
		return rc; /* 0: this card gave us exactly this PDU before */
	if (!q->pdu) {
		log_warn("inbound: PDU on %s kept raw: %s", sim->name,
			 q->error);
		store_event(x->st, STORE_EVENT_WARNING, "inbound",
			    "PDU on %s could not be decoded (%s); kept in "
			    "raw_pdu %lld", sim->name, q->error,
			    (long long)raw_id);
		return store_inbox_raw_error(x->st, raw_id, q->error);
	}
	d = &q->pdu->deliver;
	m = (struct store_inbound_msg){
		.sim = sim, .sender = q->sender,
		.sender_type = sms_addr_type_name(d->sender.type),
		.body = d->ud.text, .parts = 1, .total = 1, .scts = q->scts,
		.concat_ref = -1,
	};
	if (d->ud.concat.total > 1)
		return store_ib_fragment(x, d, &m, raw_id);
	return store_ib_deliver(x, &m, &id);
}

/* ---- the operations ---- */

/* An answer held until the turn's batch commits. */
struct store_ib_later {
	struct store_done d;
	struct store_inbound_out *out;
	store_done_fn done;
	void *ud;
};

static void store_ib_later_cb(struct store_done *d, int rc)
{
	struct store_ib_later *l = d->ud;

	if (rc < 0)
		store_inbound_out_free(l->out);
	l->done(rc < 0 ? -EIO : 0, l->ud);
	free(l);
}

void store_op_inbound(struct store *st, const struct store_inbound *req,
		      struct store_inbound_out *out, store_done_fn done,
		      void *ud)
{
	struct store_ib x = {
		.st = st, .ro = req->ro,
		.reply_expire_ms = req->reply_expire_ms,
		.now = req->now, .classify = req->classify,
		.classify_ud = req->classify_ud, .out = out,
	};
	struct store_ib_later *l = calloc(1, sizeof(*l));
	int rc;

	if (store_is_pg(st)) {
		free(l);
		store_ops_pg_inbound(st, req, out, done, ud);
		return;
	}
	memset(out, 0, sizeof(*out));
	if (!l || store_batch_begin(st) < 0) {
		free(l);
		store_ops_answer(done, -EIO, ud);
		return;
	}
	rc = store_ib_receive(&x, req);
	if (rc < 0) {
		store_rollback(st);
		store_inbound_out_free(out);
		free(l);
		store_ops_answer(done, rc, ud);
		return;
	}
	out->oldest_waiting = store_inbox_oldest_waiting(st);
	*l = (struct store_ib_later){ .out = out, .done = done, .ud = ud };
	store_done_init(&l->d, store_ib_later_cb, l);
	/* The modem's ack is in done, once the batch is durable. */
	if (store_batch_commit(st, &l->d) < 0) {
		store_inbound_out_free(out);
		free(l);
		store_ops_answer(done, -EIO, ud);
	}
}

/* One timed-out fragment group (k), in a transaction of its own. */
static void store_ib_release_key(struct store_ib *x,
				 struct sim_registry *reg,
				 const struct inbox_key *k)
{
	const struct sim *sim = NULL;
	struct inbox_parts have;
	struct reasm_result r;
	struct store_inbound_msg m;
	size_t n = x->out->n;

	for (size_t i = 0; i < reg->nsims; i++)
		if (reg->sims[i].id == k->sim_id)
			sim = &reg->sims[i];
	if (!sim) {
		/* Its SIM left the configuration: keep the text, stop
		 * waiting. */
		store_inbox_orphan_key(x->st, k->sim_id, k->sender, k->ref,
				       k->total,
				       "its SIM is no longer configured");
		return;
	}
	/* Every part of the key, however old: an open group outlived a
	 * restart longer than the amendment window too. */
	if (store_inbox_parts(x->st, k->sim_id, k->sender, k->ref, k->total, 0,
			      &have) < 0)
		return;
	if (!reasm_expired(have.parts, have.n, x->now, x->ro, &r)) {
		store_inbox_parts_free(&have);
		return;
	}
	m = (struct store_inbound_msg){ .sim = sim, .sender = k->sender,
					.concat_ref = k->ref };
	if (r.verdict != REASM_VERDICT_PARTIAL) {
		store_inbox_orphan_key(x->st, k->sim_id, k->sender, k->ref,
				       k->total, "timed out without a release");
	} else if (store_begin(x->st) == 0) {
		if (store_ib_outcome(x, &m, &r, k->ref) < 0 ||
		    store_commit(x->st) < 0) {
			store_rollback(x->st);
			/* Not delivered after all: forget what it said. */
			while (x->out->n > n) {
				struct store_inbound_delivered *d =
					&x->out->msgs[--x->out->n];

				free(d->sender);
				free(d->body);
				free(d->keyword);
				free(d->hook);
			}
		}
	}
	reasm_result_free(&r);
	store_inbox_parts_free(&have);
}

void store_op_inbound_timeout(struct store *st,
			      const struct store_inbound_timeout *req,
			      struct store_inbound_out *out,
			      store_done_fn done, void *ud)
{
	struct store_ib x = {
		.st = st, .ro = req->ro,
		.reply_expire_ms = req->reply_expire_ms,
		.now = req->now, .classify = req->classify,
		.classify_ud = req->classify_ud, .out = out,
	};
	struct inbox_key *keys;
	size_t n;

	if (store_is_pg(st)) {
		store_ops_pg_inbound_timeout(st, req, out, done, ud);
		return;
	}
	memset(out, 0, sizeof(*out));
	if (store_inbox_open_keys(st, req->now - req->ro->timeout_ms, &keys,
				  &n) == 0) {
		for (size_t i = 0; i < n; i++)
			store_ib_release_key(&x, req->reg, &keys[i]);
		free(keys);
	}
	out->oldest_waiting = store_inbox_oldest_waiting(st);
	store_ops_answer(done, 0, ud);
}
