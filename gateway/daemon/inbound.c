/*
 * inbound — from a modem's PDU to a committed inbox row; see
 * include/inbound.h. Keyword actions are in inbound_act.c.
 *
 * Every received PDU is recorded raw first (keyed by SIM card and PDU, so a
 * message read twice is stored once), decoded, and either delivered at once
 * (single part) or stored as a fragment and handed to reasm. One
 * transaction covers all of it; the modem's delete or acknowledgement comes
 * after the commit.
 */
#include "inbound_priv.h"
#include "backoff.h"
#include "config.h"
#include "log.h"
#include "number.h"
#include "outbound.h"
#include "sim.h"
#include "sms.h"
#include "store.h"
#include "store_inbox.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void arm_reassembly_timer(struct inbound *ib, int64_t now);

static void emit(struct inbound *ib, const char *event, const char *hook,
		 const struct inbound_msg *m, const struct inbound_after *a)
{
	struct inbound_event e = {
		.event = event, .hook = hook, .id = a->id, .sender = m->sender,
		.recipient = m->sim->number[0] ? m->sim->number : NULL,
		.body = m->body, .sim = m->sim->name, .keyword = a->keyword,
		.parts = m->parts, .partial = m->partial,
	};

	if (ib->listener)
		ib->listener(&e, ib->listener_ud);
}

/* After the commit: tell the scheduler and the hooks. */
static void after_commit(struct inbound *ib, const struct inbound_msg *m,
			 struct inbound_after *a)
{
	log_info("inbound: message %lld from %s on %s%s%s%s",
		 (long long)a->id, m->sender, m->sim->name,
		 a->keyword ? " (keyword " : "", a->keyword ? a->keyword : "",
		 a->keyword ? ")" : "");
	if (a->kick)
		outbound_kick(ib->ob);
	emit(ib, "received", NULL, m, a);
	if (a->hook)
		emit(ib, "rule", a->hook, m, a);
}

/* The sender as we store it: E.164 where it can be. */
static void sender_number(const struct inbound *ib, const struct sms_addr *a,
			  char *out, size_t size)
{
	struct number_rules r = {
		.default_country = ib->cfg->default_country,
		.trunk_prefix = ib->cfg->trunk_prefix,
	};
	char norm[NUMBER_MAX], err[96];
	enum number_kind kind;

	if (a->type == SMS_ADDR_NATIONAL &&
	    number_normalise(a->text, strlen(a->text), &r, norm, &kind, err,
			     sizeof(err)) &&
	    kind == NUMBER_KIND_E164) {
		snprintf(out, size, "%s", norm);
		return;
	}
	snprintf(out, size, "%s", a->text);
}

/*
 * A UCS-2 fragment as UTF-8, keeping an unpaired surrogate in its 3-byte
 * form (WTF-8) instead of U+FFFD: some phones split an emoji's surrogate
 * pair across two parts, and only the assembled text can join it again.
 */
static void ucs2_fragment_text(const uint8_t *in, size_t n, char *out,
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
static void join_split_surrogates(char *s)
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

/*
 * Reassembly result → the inbox. WAIT, DUPLICATE and ORPHAN stop here. The
 * assembled text is moved into *body (the caller frees it), as m keeps
 * pointing at it until the hooks ran.
 */
static int reasm_outcome(struct inbound *ib, struct inbound_msg *m,
			 struct reasm_result *r, int32_t ref, int64_t now,
			 struct inbound_after *a, bool *delivered, char **body)
{
	*delivered = false;
	switch (r->verdict) {
	case REASM_VERDICT_COMPLETE:
	case REASM_VERDICT_PARTIAL:
		join_split_surrogates(r->text);
		*body = r->text;
		r->text = NULL;
		m->body = *body;
		m->parts = r->present;
		m->total = r->total;
		m->partial = r->partial;
		if (inbound_deliver(ib, m, now, a) < 0)
			return -EIO;
		*delivered = true;
		return store_inbox_assign_parts(ib->store, m->sim->id, m->sender,
						ref, r->total, a->id);
	case REASM_VERDICT_AMEND:
		/* A late part completes or fills a partial message: the same
		 * row, never a second message. */
		join_split_surrogates(r->text);
		return store_inbox_amend(ib->store, r->message_id, r->text,
					 r->present, r->partial, now);
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

/* One received PDU on its way through; lives until the hooks ran. */
struct inbound_rx {
	struct sms_pdu pdu;
	char sender[SMS_ADDR_MAX];
	char scts[32];
	char *body;		/* assembled multipart text */
	struct inbound_msg m;
	struct inbound_after after;
	bool delivered;
	/* Group commit: acknowledged once the turn's batch is durable. */
	struct store_done done;
	struct inbound *ib;
	struct sim *sim;
	struct modem_ack *ack;
	char *pdu_hex;		/* kept for a retry should the commit fail */
	int64_t now;
};

static int fragment(struct inbound *ib, struct inbound_rx *rx,
		    int64_t raw_id, int64_t now)
{
	const struct sms_deliver *d = &rx->pdu.deliver;
	struct inbound_msg *m = &rx->m;
	const struct sms_concat *c = &d->ud.concat;
	int32_t ref = reasm_key_ref(c->ref, c->ref16);
	char ucs2_text[SMS_TEXT_MAX];
	struct reasm_part np = {
		.received_at = now, .total = c->total, .seq = c->seq,
		.text = d->ud.text,
	};
	struct inbox_parts have;
	struct reasm_result r;
	int rc;

	if (d->ud.encoding == SMS_ENCODING_UCS2) {
		ucs2_fragment_text(d->ud.data, d->ud.data_len, ucs2_text,
				   sizeof(ucs2_text));
		np.text = ucs2_text;
	}
	if (store_inbox_parts(ib->store, m->sim->id, m->sender, ref, c->total,
			      now - ib->ro.amend_ms, &have) < 0)
		return -EIO;
	if (!reasm_add(have.parts, have.n, &np, &ib->ro, &r)) {
		store_inbox_parts_free(&have);
		return -ENOMEM;
	}
	store_inbox_parts_free(&have);
	rc = 0;
	if (r.verdict != REASM_VERDICT_DUPLICATE)
		rc = store_inbox_add_part(ib->store, m->sim->id, m->sender, ref,
					  c->total, c->seq, np.text, raw_id,
					  r.new_state, r.message_id,
					  r.reason[0] ? r.reason : NULL, now);
	m->concat_ref = ref;
	if (rc == 0)
		rc = reasm_outcome(ib, m, &r, ref, now, &rx->after,
				   &rx->delivered, &rx->body);
	reasm_result_free(&r);
	return rc;
}

static int receive(struct inbound *ib, struct sim *sim, const char *pdu_hex,
		   int64_t now, struct inbound_rx *rx)
{
	struct sms_pdu *p = &rx->pdu;
	char err[256] = "";
	int64_t raw_id;
	int rc;

	rc = store_inbox_raw(ib->store, sim->id, sim->iccid, pdu_hex, now,
			     &raw_id);
	if (rc <= 0)
		return rc; /* 0: this card gave us exactly this PDU before */
	if (!sms_pdu_decode(pdu_hex, strlen(pdu_hex), p, err, sizeof(err)) ||
	    p->type != SMS_PDU_DELIVER) {
		if (!err[0])
			snprintf(err, sizeof(err), "not an SMS-DELIVER");
		log_warn("inbound: PDU on %s kept raw: %s", sim->name, err);
		store_event(ib->store, STORE_EVENT_WARNING, "inbound",
			    "PDU on %s could not be decoded (%s); kept in "
			    "raw_pdu %lld", sim->name, err, (long long)raw_id);
		return store_inbox_raw_error(ib->store, raw_id, err);
	}
	sender_number(ib, &p->deliver.sender, rx->sender, sizeof(rx->sender));
	sms_time_format(&p->deliver.scts, rx->scts, sizeof(rx->scts));
	rx->m = (struct inbound_msg){
		.sim = sim, .sender = rx->sender,
		.sender_type = sms_addr_type_name(p->deliver.sender.type),
		.body = p->deliver.ud.text, .parts = 1, .total = 1,
		.scts = rx->scts, .concat_ref = -1,
	};
	if (p->deliver.ud.concat.total > 1)
		return fragment(ib, rx, raw_id, now);
	rx->delivered = true;
	return inbound_deliver(ib, &rx->m, now, &rx->after);
}

static void rx_free(struct inbound_rx *rx)
{
	inbound_after_free(&rx->after);
	free(rx->body);
	free(rx->pdu_hex);
	free(rx);
}

/* Stores one SMS and acks it: 0, or -errno when it was not committed
 * (the caller keeps it for a retry; the ack token stays valid). */
static int store_sms(struct inbound *ib, struct sim *sim, const char *pdu_hex,
		     struct modem_ack *ack)
{
	struct inbound_rx *rx = calloc(1, sizeof(*rx));
	int64_t now = store_now_ms();
	int rc = -ENOMEM;

	/* A retry commits on its own: the ack follows at once. */
	if (rx && store_begin(ib->store) == 0) {
		rc = receive(ib, sim, pdu_hex, now, rx);
		if (rc < 0)
			store_rollback(ib->store);
		else
			rc = store_commit(ib->store);
	} else if (rx) {
		rc = -EIO;
	}
	if (rc < 0) {
		if (rx)
			rx_free(rx);
		return rc;
	}
	ib->ack(ack);
	if (rx->delivered)
		after_commit(ib, &rx->m, &rx->after);
	arm_reassembly_timer(ib, now);
	rx_free(rx);
	return 0;
}

/*
 * A message the database would not take (disk full, a lock) is kept here
 * and tried again on a backoff, 1 s doubling to a minute, instead of
 * waiting on the modem for the next health check. The modem still has it
 * (not acked), so a restart loses nothing either.
 */
#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 60000
#define RETRY_KEPT 256

struct inbound_retry {
	struct inbound_retry *next;
	struct sim *sim;
	struct modem_ack *ack;
	char pdu[];
};

static void keep_for_retry(struct inbound *ib, struct sim *sim,
			   const char *pdu_hex, struct modem_ack *ack)
{
	size_t len = strlen(pdu_hex);
	struct inbound_retry *r, **pp = &ib->retry;
	size_t n = 0;

	for (; *pp; pp = &(*pp)->next)
		n++;
	if (n >= RETRY_KEPT)
		return;		/* the modem's next import brings it */
	r = malloc(sizeof(*r) + len + 1);
	if (!r)
		return;
	r->next = NULL;
	r->sim = sim;
	r->ack = ack;
	memcpy(r->pdu, pdu_hex, len + 1);
	*pp = r;
	if (!loop_timer_armed(&ib->retry_timer))
		loop_timer_arm(&ib->retry_timer,
			       backoff_ms(ib->retry_round, RETRY_FIRST_MS,
					  RETRY_MAX_MS));
}

static int64_t on_retry(struct loop_timer *t, void *ud)
{
	struct inbound *ib = ud;

	(void)t;
	while (ib->retry) {
		struct inbound_retry *r = ib->retry;

		if (store_sms(ib, r->sim, r->pdu, r->ack) < 0) {
			int64_t ms = backoff_ms(++ib->retry_round,
						RETRY_FIRST_MS, RETRY_MAX_MS);

			log_warn("inbound: database still refuses; next try "
				 "in %lld s", (long long)ms / 1000);
			return ms;
		}
		log_notice("inbound: message on %s stored on a retry",
			   r->sim->name);
		ib->retry = r->next;
		free(r);
	}
	ib->retry_round = 0;
	return LOOP_TIMER_DONE;
}

/* Group commit: the batch holding rx is durable (rc 0) or not. */
static void rx_committed(struct store_done *d, int rc)
{
	struct inbound_rx *rx = d->ud;
	struct inbound *ib = rx->ib;

	if (rc < 0) {
		log_error("inbound: message on %s not stored; kept with the "
			  "modem and tried again", rx->sim->name);
		keep_for_retry(ib, rx->sim, rx->pdu_hex, rx->ack);
		rx_free(rx);
		return;
	}
	ib->ack(rx->ack);
	if (rx->delivered)
		after_commit(ib, &rx->m, &rx->after);
	arm_reassembly_timer(ib, rx->now);
	rx_free(rx);
}

void inbound_sms(struct inbound *ib, struct sim *sim, const char *pdu_hex,
		 struct modem_ack *ack)
{
	struct inbound_rx *rx;
	int64_t now = store_now_ms();
	int rc = -ENOMEM;

	/* Behind earlier ones that wait: the order of arrival is kept. */
	if (ib->retry)
		goto keep;
	/* In the turn's batch; the modem's +CNMA or delete follows the
	 * commit (rx_committed), never precedes it. */
	rx = calloc(1, sizeof(*rx));
	if (rx && (rx->pdu_hex = strdup(pdu_hex)) &&
	    store_batch_begin(ib->store) == 0) {
		rx->ib = ib;
		rx->sim = sim;
		rx->ack = ack;
		rx->now = now;
		store_done_init(&rx->done, rx_committed, rx);
		rc = receive(ib, sim, pdu_hex, now, rx);
		if (rc < 0)
			store_rollback(ib->store);
		else
			rc = store_batch_commit(ib->store, &rx->done);
	}
	if (rc == 0)
		return;
	if (rx)
		rx_free(rx);
	log_error("inbound: message on %s not stored; kept with the modem "
		  "and tried again", sim->name);
keep:
	keep_for_retry(ib, sim, pdu_hex, ack);
}

struct report_rx {
	struct store_done done;
	struct inbound *ib;
	struct modem_ack *ack;
};

static void report_committed(struct store_done *d, int rc)
{
	struct report_rx *r = d->ud;

	if (rc < 0)
		log_error("inbound: a status report not committed; left in "
			  "the modem");
	else
		r->ib->ack(r->ack);
	free(r);
}

void inbound_status_report(struct inbound *ib, struct sim *sim,
			   const char *pdu_hex, struct modem_ack *ack)
{
	struct report_rx *r = calloc(1, sizeof(*r));

	if (!r || store_batch_begin(ib->store) < 0) {
		log_error("inbound: status report on %s not stored", sim->name);
		free(r);
		return;
	}
	/* Malformed reports are logged and dropped (and acknowledged):
	 * asking for them again would not make them better. */
	if (outbound_status_report(ib->ob, sim, pdu_hex) == -EIO) {
		store_rollback(ib->store);
		log_error("inbound: status report on %s not stored", sim->name);
		free(r);
		return;
	}
	r->ib = ib;
	r->ack = ack;
	store_done_init(&r->done, report_committed, r);
	if (store_batch_commit(ib->store, &r->done) < 0) {
		log_error("inbound: status report on %s not stored", sim->name);
		free(r);
	}
}

/* ---- reassembly timeouts ---- */

static void release_key(struct inbound *ib, const struct inbox_key *k,
			int64_t now)
{
	struct sim *sim = NULL;
	struct inbox_parts have;
	struct reasm_result r;
	struct inbound_after a = { 0 };
	struct inbound_msg m = { 0 };
	bool delivered = false;
	char *body = NULL;

	for (size_t i = 0; i < ib->reg->nsims; i++)
		if (ib->reg->sims[i].id == k->sim_id)
			sim = &ib->reg->sims[i];
	if (!sim) {
		/* Its SIM left the configuration: keep the text, stop waiting. */
		store_inbox_orphan_key(ib->store, k->sim_id, k->sender, k->ref,
				       k->total, "its SIM is no longer configured");
		return;
	}
	/* Every part of the key, however old: an open group outlived a
	 * restart longer than the amendment window too. */
	if (store_inbox_parts(ib->store, k->sim_id, k->sender, k->ref,
			      k->total, 0, &have) < 0)
		return;
	if (!reasm_expired(have.parts, have.n, now, &ib->ro, &r)) {
		store_inbox_parts_free(&have);
		return;
	}
	m = (struct inbound_msg){ .sim = sim, .sender = k->sender,
				  .concat_ref = k->ref };
	if (r.verdict != REASM_VERDICT_PARTIAL)
		store_inbox_orphan_key(ib->store, k->sim_id, k->sender, k->ref,
				       k->total, "timed out without a release");
	else if (store_begin(ib->store) == 0) {
		if (reasm_outcome(ib, &m, &r, k->ref, now, &a, &delivered,
				  &body) < 0 ||
		    store_commit(ib->store) < 0) {
			store_rollback(ib->store);
			delivered = false;
		}
		if (delivered)
			after_commit(ib, &m, &a);
	}
	inbound_after_free(&a);
	free(body);
	reasm_result_free(&r);
	store_inbox_parts_free(&have);
}

static int64_t on_reassembly_timer(struct loop_timer *t, void *ud)
{
	struct inbound *ib = ud;
	int64_t now = store_now_ms();
	struct inbox_key *keys;
	size_t n;

	(void)t;
	if (store_inbox_open_keys(ib->store, now - ib->ro.timeout_ms, &keys,
				  &n) == 0) {
		for (size_t i = 0; i < n; i++)
			release_key(ib, &keys[i], now);
		free(keys);
	}
	arm_reassembly_timer(ib, now);
	/* Whatever a pass could not settle (a database error) waits a
	 * second rather than spinning. */
	if (loop_timer_armed(&ib->timer) && ib->timer.due <= loop_clock_ms())
		loop_timer_arm(&ib->timer, 1000);
	return LOOP_TIMER_DONE;
}

static void arm_reassembly_timer(struct inbound *ib, int64_t now)
{
	int64_t oldest = store_inbox_oldest_waiting(ib->store);

	if (!oldest) {
		loop_timer_disarm(&ib->timer);
		return;
	}
	loop_timer_arm(&ib->timer, oldest + ib->ro.timeout_ms - now);
}

/* ---- life cycle ---- */

static int build_keywords(struct inbound *ib, const struct config *cfg,
			  char *err, size_t errsize)
{
	struct keyword_set *ks = keyword_set_new(cfg, 0, err, errsize);

	if (!ks)
		return -EINVAL;
	keyword_set_free(ib->ks);
	ib->ks = ks;
	ib->cfg = cfg;
	reasm_opts_init(&ib->ro);
	ib->ro.timeout_ms = cfg->reassembly_timeout_ms;
	return 0;
}

int inbound_new(struct loop *loop, struct store *store,
		const struct config *cfg, struct sim_registry *reg,
		struct outbound *ob, inbound_ack_fn ack, struct inbound **out,
		char *err, size_t errsize)
{
	struct inbound *ib = calloc(1, sizeof(*ib));
	int rc;

	if (!ib)
		return -ENOMEM;
	ib->loop = loop;
	ib->store = store;
	ib->reg = reg;
	ib->ob = ob;
	ib->ack = ack;
	rc = build_keywords(ib, cfg, err, errsize);
	if (rc < 0) {
		free(ib);
		return rc;
	}
	loop_timer_init(loop, &ib->timer, on_reassembly_timer, ib);
	loop_timer_init(loop, &ib->retry_timer, on_retry, ib);
	/* Fragments that waited through a restart still time out. */
	arm_reassembly_timer(ib, store_now_ms());
	*out = ib;
	return 0;
}

void inbound_free(struct inbound *ib)
{
	if (!ib)
		return;
	loop_timer_disarm(&ib->timer);
	loop_timer_disarm(&ib->retry_timer);
	while (ib->retry) {
		struct inbound_retry *r = ib->retry;

		ib->retry = r->next;
		free(r);
	}
	keyword_set_free(ib->ks);
	free(ib);
}

void inbound_set_listener(struct inbound *ib, inbound_event_fn fn, void *ud)
{
	ib->listener = fn;
	ib->listener_ud = ud;
}

int inbound_set_config(struct inbound *ib, const struct config *cfg,
		       char *err, size_t errsize)
{
	return build_keywords(ib, cfg, err, errsize);
}
