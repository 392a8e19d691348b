/*
 * inbound — from a modem's PDU to a committed inbox row; see
 * include/inbound.h. What a keyword asks for is inbound_act.c.
 *
 * The PDU is decoded here and handed to the store as one operation
 * (store_op_inbound(), include/store_ops.h): its raw row (keyed by SIM
 * card and PDU, so a message read twice is stored once), the fragment and
 * reassembly, the inbox row and the keyword's actions commit together.
 * The modem's delete or acknowledgement is sent from the operation's
 * done, after the commit — whenever the store answers.
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
#include "store_ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void inbound_emit(struct inbound *ib, const char *event,
			 const char *hook,
			 const struct store_inbound_delivered *d)
{
	struct inbound_event e = {
		.event = event, .hook = hook, .id = d->id, .sender = d->sender,
		.recipient = d->sim->number[0] ? d->sim->number : NULL,
		.body = d->body, .sim = d->sim->name, .keyword = d->keyword,
		.parts = d->parts, .partial = d->partial,
	};

	if (ib->listener)
		ib->listener(&e, ib->listener_ud);
}

/* After the commit: tell the scheduler and the hooks. */
static void inbound_after_commit(struct inbound *ib,
				 const struct store_inbound_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		const struct store_inbound_delivered *d = &o->msgs[i];

		log_info("inbound: message %lld from %s on %s%s%s%s",
			 (long long)d->id, d->sender, d->sim->name,
			 d->keyword ? " (keyword " : "",
			 d->keyword ? d->keyword : "", d->keyword ? ")" : "");
		if (d->kick)
			outbound_kick(ib->ob);
		inbound_emit(ib, "received", NULL, d);
		if (d->hook)
			inbound_emit(ib, "rule", d->hook, d);
	}
}

/* The next reassembly timeout: of the oldest fragment still waiting. */
static void inbound_arm_timer(struct inbound *ib, int64_t oldest,
			      int64_t now)
{
	if (!oldest) {
		loop_timer_disarm(&ib->timer);
		return;
	}
	loop_timer_arm(&ib->timer, oldest + ib->ro.timeout_ms - now);
}

/* The sender as we store it: E.164 where it can be. */
static void inbound_sender(const struct inbound *ib, const struct sms_addr *a,
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
 * A message the database would not take (disk full, a lock) is kept here
 * and tried again on a backoff, 1 s doubling to a minute, instead of
 * waiting on the modem for the next health check. The modem still has it
 * (not acked), so a restart loses nothing either.
 */
#define INBOUND_RETRY_FIRST_MS 1000
#define INBOUND_RETRY_MAX_MS 60000
#define INBOUND_RETRY_KEPT 256

/* The wait before the next retry: 1 s doubling to a minute. */
static int64_t inbound_retry_ms(const struct inbound *ib)
{
	return backoff_ms(ib->retry_round, INBOUND_RETRY_FIRST_MS,
			  INBOUND_RETRY_MAX_MS);
}

struct inbound_retry {
	struct inbound_retry *next;
	struct sim *sim;
	struct modem_ack *ack;
	char pdu[];
};

static void inbound_keep(struct inbound *ib, struct sim *sim,
			 const char *pdu_hex, struct modem_ack *ack)
{
	size_t len = strlen(pdu_hex);
	struct inbound_retry *r, **pp = &ib->retry;
	size_t n = 0;

	for (; *pp; pp = &(*pp)->next)
		n++;
	if (n >= INBOUND_RETRY_KEPT)
		return;		/* the modem's next import brings it */
	r = malloc(sizeof(*r) + len + 1);
	if (!r)
		return;
	r->next = NULL;
	r->sim = sim;
	r->ack = ack;
	memcpy(r->pdu, pdu_hex, len + 1);
	*pp = r;
	if (!loop_timer_armed(&ib->retry_timer) && !ib->retry_out)
		loop_timer_arm(&ib->retry_timer, inbound_retry_ms(ib));
}

/* One received PDU while the store has it. */
struct inbound_rx {
	struct inbound *ib;
	struct sim *sim;
	struct modem_ack *ack;
	bool retry;		/* the head of ib->retry */
	char *pdu_hex;
	struct sms_pdu pdu;
	char error[256];
	char sender[SMS_ADDR_MAX];
	char scts[32];
	struct store_inbound req;
	struct store_inbound_out out;
};

static void inbound_rx_free(struct inbound_rx *rx)
{
	store_inbound_out_free(&rx->out);
	free(rx->pdu_hex);
	free(rx);
}

/* Decodes pdu_hex into the store's request (the store keeps a PDU that
 * does not decode raw, with the reason). */
static struct inbound_rx *inbound_rx_new(struct inbound *ib, struct sim *sim,
					 const char *pdu_hex,
					 struct modem_ack *ack)
{
	struct inbound_rx *rx = calloc(1, sizeof(*rx));
	bool ok;

	if (!rx || !(rx->pdu_hex = strdup(pdu_hex))) {
		free(rx);
		return NULL;
	}
	rx->ib = ib;
	rx->sim = sim;
	rx->ack = ack;
	ok = sms_pdu_decode(pdu_hex, strlen(pdu_hex), &rx->pdu, rx->error,
			    sizeof(rx->error)) &&
	     rx->pdu.type == SMS_PDU_DELIVER;
	if (!ok && !rx->error[0])
		snprintf(rx->error, sizeof(rx->error), "not an SMS-DELIVER");
	if (ok) {
		inbound_sender(ib, &rx->pdu.deliver.sender, rx->sender,
			       sizeof(rx->sender));
		sms_time_format(&rx->pdu.deliver.scts, rx->scts,
				sizeof(rx->scts));
	}
	rx->req = (struct store_inbound){
		.sim = sim, .pdu_hex = rx->pdu_hex,
		.pdu = ok ? &rx->pdu : NULL, .error = rx->error,
		.sender = rx->sender, .scts = rx->scts, .now = store_now_ms(),
		.ro = &ib->ro, .reply_expire_ms = ib->cfg->expire_after_ms,
		.classify = inbound_classify, .classify_ud = ib,
	};
	return rx;
}

/* A kept message's answer: the next one, or a longer wait. */
static void inbound_retried(struct inbound *ib, bool stored)
{
	struct inbound_retry *r = ib->retry;

	ib->retry_out = false;
	if (!stored) {
		ib->retry_round++;
		log_warn("inbound: database still refuses; next try in %lld s",
			 (long long)inbound_retry_ms(ib) / 1000);
		loop_timer_arm(&ib->retry_timer, inbound_retry_ms(ib));
		return;
	}
	log_notice("inbound: message on %s stored on a retry", r->sim->name);
	ib->retry = r->next;
	free(r);
	if (ib->retry)
		loop_timer_arm(&ib->retry_timer, 0);
	else
		ib->retry_round = 0;
}

/* The store's answer for one PDU: acknowledge it only now. */
static void inbound_stored(int rc, void *ud)
{
	struct inbound_rx *rx = ud;
	struct inbound *ib = rx->ib;

	if (rc < 0) {
		if (rx->retry) {
			inbound_retried(ib, false);
		} else {
			log_error("inbound: message on %s not stored; kept "
				  "with the modem and tried again",
				  rx->sim->name);
			inbound_keep(ib, rx->sim, rx->pdu_hex, rx->ack);
		}
		inbound_rx_free(rx);
		return;
	}
	ib->ack(rx->ack);
	inbound_after_commit(ib, &rx->out);
	inbound_arm_timer(ib, rx->out.oldest_waiting, rx->req.now);
	if (rx->retry)
		inbound_retried(ib, true);
	inbound_rx_free(rx);
}

static int64_t inbound_on_retry(struct loop_timer *t, void *ud)
{
	struct inbound *ib = ud;
	struct inbound_rx *rx;

	(void)t;
	if (!ib->retry || ib->retry_out)
		return LOOP_TIMER_DONE;
	rx = inbound_rx_new(ib, ib->retry->sim, ib->retry->pdu,
			    ib->retry->ack);
	if (!rx)
		return inbound_retry_ms(ib);
	rx->retry = true;
	ib->retry_out = true;
	store_op_inbound(ib->store, &rx->req, &rx->out, inbound_stored, rx);
	return LOOP_TIMER_DONE;
}

void inbound_sms(struct inbound *ib, struct sim *sim, const char *pdu_hex,
		 struct modem_ack *ack)
{
	struct inbound_rx *rx;

	/* Behind earlier ones that wait: the order of arrival is kept. */
	if (ib->retry) {
		inbound_keep(ib, sim, pdu_hex, ack);
		return;
	}
	rx = inbound_rx_new(ib, sim, pdu_hex, ack);
	if (!rx) {
		log_error("inbound: message on %s not stored; kept with the "
			  "modem and tried again", sim->name);
		inbound_keep(ib, sim, pdu_hex, ack);
		return;
	}
	/* The modem's +CNMA or delete follows the commit (inbound_stored),
	 * never precedes it. */
	store_op_inbound(ib->store, &rx->req, &rx->out, inbound_stored, rx);
}

struct inbound_report {
	struct inbound *ib;
	struct modem_ack *ack;
	char sim[80];
};

static void inbound_report_done(int rc, void *ud)
{
	struct inbound_report *r = ud;

	if (rc < 0)
		log_error("inbound: status report on %s not stored; left in "
			  "the modem", r->sim);
	else
		r->ib->ack(r->ack);
	free(r);
}

void inbound_status_report(struct inbound *ib, struct sim *sim,
			   const char *pdu_hex, struct modem_ack *ack)
{
	struct inbound_report *r = calloc(1, sizeof(*r));

	if (!r) {
		log_error("inbound: status report on %s not stored", sim->name);
		return;
	}
	r->ib = ib;
	r->ack = ack;
	snprintf(r->sim, sizeof(r->sim), "%s", sim->name);
	/* Malformed reports are logged and dropped (and acknowledged):
	 * asking for them again would not make them better. */
	if (outbound_status_report(ib->ob, sim, pdu_hex, inbound_report_done,
				   r) == -EINVAL)
		inbound_report_done(0, r);
}

/* ---- reassembly timeouts ---- */

static void inbound_timeout_done(int rc, void *ud)
{
	struct inbound *ib = ud;

	(void)rc;
	ib->timeout_out = false;
	inbound_after_commit(ib, &ib->timeout_res);
	inbound_arm_timer(ib, ib->timeout_res.oldest_waiting,
			  ib->timeout_req.now);
	store_inbound_out_free(&ib->timeout_res);
	/* Whatever a pass could not settle (a database error) waits a
	 * second rather than spinning. */
	if (loop_timer_armed(&ib->timer) && ib->timer.due <= loop_clock_ms())
		loop_timer_arm(&ib->timer, 1000);
}

static int64_t inbound_on_reassembly_timer(struct loop_timer *t, void *ud)
{
	struct inbound *ib = ud;

	(void)t;
	if (ib->timeout_out)
		return LOOP_TIMER_DONE;	/* its answer arms the next */
	ib->timeout_out = true;
	ib->timeout_req = (struct store_inbound_timeout){
		.reg = ib->reg, .now = store_now_ms(), .ro = &ib->ro,
		.reply_expire_ms = ib->cfg->expire_after_ms,
		.classify = inbound_classify, .classify_ud = ib,
	};
	store_op_inbound_timeout(ib->store, &ib->timeout_req, &ib->timeout_res,
				 inbound_timeout_done, ib);
	return LOOP_TIMER_DONE;
}

/* ---- life cycle ---- */

static int inbound_build_keywords(struct inbound *ib, const struct config *cfg,
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
	rc = inbound_build_keywords(ib, cfg, err, errsize);
	if (rc < 0) {
		free(ib);
		return rc;
	}
	loop_timer_init(loop, &ib->timer, inbound_on_reassembly_timer, ib);
	loop_timer_init(loop, &ib->retry_timer, inbound_on_retry, ib);
	/* Fragments that waited through a restart still time out: the
	 * first pass (at once) finds them and arms the next. */
	loop_timer_arm(&ib->timer, 0);
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
	return inbound_build_keywords(ib, cfg, err, errsize);
}
