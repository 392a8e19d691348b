/*
 * outbound — scheduling over SIMs; see include/outbound.h.
 *
 * Pools: a message with Pool: P goes to SIMs of pool P; one pinned with
 * SIM: goes to that SIM only; one without either goes to the SIMs of the
 * pool "default", or to every SIM when no SIM is in the pool "default".
 * So unlabelled traffic stays off SIMs set aside for something else, and a
 * config without pools just works.
 */
#include "outbound_priv.h"
#include "backoff.h"
#include "store_ops.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "quiet.h"
#include "sim.h"
#include "sim_state.h"
#include "store.h"
#include "store_pgd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t ob_now(const struct outbound *ob)
{
	(void)ob;
	return clock_now_ms();
}

void ob_emit(struct outbound *ob, const char *event, int64_t id,
	     const char *recipient, const char *body, const struct sim *sim,
	     const char *state, const char *error)
{
	struct outbound_event e = {
		.event = event, .id = id, .recipient = recipient, .body = body,
		.sim = sim ? sim->name : NULL, .state = state, .error = error,
	};

	if (ob->listener)
		ob->listener(&e, ob->listener_ud);
}

static bool outbound_any_default_pool(const struct outbound *ob)
{
	for (size_t i = 0; i < ob->reg->nsims; i++)
		if (strcmp(ob->reg->sims[i].cfg->pool, "default") == 0)
			return true;
	return false;
}

static bool outbound_takes_unpooled(const struct outbound *ob, const struct sim *sim)
{
	return strcmp(sim->cfg->pool, "default") == 0 ||
	       !outbound_any_default_pool(ob);
}

/* ---- quotas ---- */

static void outbound_usage_key(struct ob_sim *os)
{
	char key[sizeof(os->usage_key)];

	if (os->sim->iccid[0])
		snprintf(key, sizeof(key), "%s", os->sim->iccid);
	else
		snprintf(key, sizeof(key), "sim:%lld", (long long)os->sim->id);
	/* A different card in the slot brings its own counters. */
	if (strcmp(key, os->usage_key) != 0) {
		snprintf(os->usage_key, sizeof(os->usage_key), "%s", key);
		ob_usage_load(os);
	}
}

int ob_quota_left(struct ob_sim *os, int64_t now)
{
	const struct config_sim *c = os->sim->cfg;
	char day[11], month[8];
	long left = INT32_MAX;
	bool exhausted;

	outbound_usage_key(os);
	store_outbox_local_day(now, day, month);
	if (strcmp(day, os->usage.day) != 0) {
		snprintf(os->usage.day, sizeof(os->usage.day), "%s", day);
		os->usage.sent_day = 0;
	}
	if (strcmp(month, os->usage.month) != 0) {
		snprintf(os->usage.month, sizeof(os->usage.month), "%s", month);
		os->usage.sent_month = 0;
	}
	if (c->daily_limit && c->daily_limit - os->usage.sent_day < left)
		left = c->daily_limit - os->usage.sent_day;
	if (c->monthly_limit && c->monthly_limit - os->usage.sent_month < left)
		left = c->monthly_limit - os->usage.sent_month;
	exhausted = left <= 0;
	if (exhausted != os->sim->quota_exhausted) {
		os->sim->quota_exhausted = exhausted;
		log_notice("outbound: SIM %s %s", os->sim->name,
			   exhausted ? "reached its quota" : "has quota again");
		store_event(os->ob->store, STORE_EVENT_INFO, "outbound",
			    "SIM %s %s (%d today, %d this month)", os->sim->name,
			    exhausted ? "reached its quota" : "has quota again",
			    os->usage.sent_day, os->usage.sent_month);
		sim_update_at(os->ob->reg, os->sim, now);
	}
	return left < 0 ? 0 : (int)left;
}

void ob_count_part(struct ob_sim *os, int64_t now)
{
	ob_quota_left(os, now);
	os->usage.sent_day++;
	os->usage.sent_month++;
	os->usage.last_send_at = now;
}

/* The next local midnight (or month start for a monthly quota). */
static int64_t outbound_next_reset(int64_t now, bool monthly)
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	if (monthly) {
		tm.tm_mday = 1;
		tm.tm_mon++;
	} else {
		tm.tm_mday++;
	}
	return (int64_t)mktime(&tm) * 1000;
}

static int64_t outbound_reset_time(const struct ob_sim *os, int64_t now)
{
	const struct config_sim *c = os->sim->cfg;
	bool monthly = c->monthly_limit &&
		       os->usage.sent_month >= c->monthly_limit;

	return outbound_next_reset(now, monthly);
}

/* True when a SIM before sims[i] has the same pool. */
static bool outbound_pool_seen(const struct outbound *ob, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(ob->reg->sims[j].cfg->pool,
			   ob->reg->sims[i].cfg->pool) == 0)
			return true;
	return false;
}

/*
 * Bulk that no SIM with quota left can take waits until the quotas reset
 * ("deferred"), rather than sitting in the queue looking stuck.
 */
/* Rows deferred: the next due time is to be read again. */
static void outbound_deferred(int rc, void *ud)
{
	struct outbound *ob = ud;

	if (rc > 0) {
		ob->due_known = false;
		if (!ob->dispatching)
			loop_defer(&ob->kick);
	}
}

static void outbound_defer_exhausted(struct outbound *ob, int64_t now)
{
	size_t n = ob->reg->nsims;

	for (size_t i = 0; i <= n; i++) {
		/* Keys: every pool once, then the unpooled queue. */
		const char *key = i < n ? ob->reg->sims[i].cfg->pool : "";
		int64_t until = 0;
		bool served = false, open = false;

		if (i < n && outbound_pool_seen(ob, i))
			continue;
		for (size_t j = 0; j < n && !open; j++) {
			struct sim *s = &ob->reg->sims[j];
			int64_t reset;

			if (!s->cfg->send ||
			    (i < n ? strcmp(s->cfg->pool, key) != 0
				   : !outbound_takes_unpooled(ob, s)))
				continue;
			served = true;
			if (!s->quota_exhausted) {
				open = true;
				continue;
			}
			reset = outbound_reset_time(&ob->sims[j], now);
			if (!until || reset < until)
				until = reset;
		}
		if (served && !open)
			store_op_defer_pool(ob->store, key, until,
					    "every SIM of its pool reached "
					    "its quota", now, outbound_deferred, ob);
	}
}

/* ---- dispatch ---- */

static bool outbound_quiet_hold(const char *recipient, int64_t now, int64_t *until,
				void *ud)
{
	struct outbound *ob = ud;

	if (!quiet_now(&ob->quiet, recipient, now, NULL, until))
		return false;
	/* The claim defers the row until then: the timer must know. */
	ob->due_known = false;
	return true;
}

bool ob_other_sim_ready(const struct outbound *ob, const struct sim *sim,
			int64_t now)
{
	for (size_t i = 0; i < ob->reg->nsims; i++) {
		const struct sim *o = &ob->reg->sims[i];

		if (o == sim || !o->cfg->send || o->link != SIM_STATE_READY ||
		    o->paused_until > now || o->quota_exhausted ||
		    ob->sims[i].gap_until > now + 5000)
			continue;
		return true;
	}
	return false;
}

/* Parts the SIM may take now; 0 when it cannot send at all, which needs
 * no transaction to find out. */
static int outbound_claimable(struct ob_sim *os, int64_t now)
{
	struct sim *sim = os->sim;
	int quota;

	if (sim->sending || os->recording || os->gap_until > now)
		return 0;
	/* PostgreSQL: not before the SIM has its row and its card's
	 * counters, nor while the database is away. */
	if (!sim->id || os->usage_loading || !store_ready(os->ob->store))
		return 0;
	quota = ob_quota_left(os, now);
	if (!sim_state_can_send(sim, now) || quota <= 0 ||
	    !sim_state_modem_free(os->ob->reg, sim, now))
		return 0;
	return quota;
}

bool ob_claim_request(struct ob_sim *os, int64_t now, struct outbox_claim *c)
{
	struct outbound *ob = os->ob;
	struct sim *sim = os->sim;
	int quota = outbound_claimable(os, now);

	if (!quota)
		return false;
	*c = (struct outbox_claim){
		.sim_id = sim->id,
		.pool = sim->cfg->pool,
		.takes_unpooled = outbound_takes_unpooled(ob, sim),
		.allow_bulk = true,
		.quota_left = quota,
		.now = now,
		.sticky_cutoff = now - ob->cfg->sticky_ttl_ms,
		.alone = !ob_other_sim_ready(ob, sim, now),
		.hold = ob->has_quiet ? outbound_quiet_hold : NULL,
		.hold_ud = ob,
	};
	return true;
}

/* The store answered ob_try_sim()'s claim. */
static void outbound_claimed(int rc, void *ud)
{
	struct ob_sim *os = ud;
	struct outbound *ob = os->ob;

	if (rc > 0) {
		ob_send_start(os);
		return;
	}
	os->sim->sending = false;
	/* The SIM's row, written meanwhile (a signal, a number: the claim
	 * answers after the turn's commit), says busy: ready again. Only
	 * then, or every empty claim would kick the next. */
	if (os->sim->written != os->written_at_claim)
		sim_update_at(ob->reg, os->sim, ob_now(ob));
	/* A store that failed is not asked again at once: with the database
	 * locked, each try waits out busy_timeout, and the loop has serial
	 * ports and inbound messages to serve. The next event or timer
	 * comes back. */
	if (rc == -EIO)
		log_error("outbound: cannot commit a claim on %s",
			  os->sim->name);
	if (rc == -EAGAIN)
		loop_defer(&ob->kick);
}

bool ob_try_sim(struct ob_sim *os, int64_t now)
{
	struct outbound *ob = os->ob;
	struct outbox_claim c;

	if (!ob_claim_request(os, now, &c))
		return false;
	/* The SIM is taken while its claim is out, so no second claim
	 * starts for it before the store answers. The claim and the SIM's
	 * busy row are one commit (one fsync); the PDU goes out, from
	 * outbound_claimed(), only once both are durable. */
	os->sim->sending = true;
	os->written_at_claim = os->sim->written;
	store_op_claim(ob->store, &c, ob->reg, os->sim, &os->msg, outbound_claimed,
		       os);
	return true;
}

static int outbound_compare_load(const void *a, const void *b)
{
	const struct ob_sim *x = *(const struct ob_sim *const *)a;
	const struct ob_sim *y = *(const struct ob_sim *const *)b;

	if (x->usage.sent_day != y->usage.sent_day)
		return x->usage.sent_day < y->usage.sent_day ? -1 : 1;
	if (x->usage.last_send_at != y->usage.last_send_at)
		return x->usage.last_send_at < y->usage.last_send_at ? -1 : 1;
	return x->sim->index < y->sim->index ? -1 : 1;
}

static void outbound_promoted(int rc, void *ud)
{
	struct outbound *ob = ud;

	(void)rc;	/* rows a pass could not move wait for the next */
	ob->promote_out = false;
	ob->next_due = ob->promote_next;
	ob->due_known = true;
	/* Answered after the dispatch that asked: the rows it queued and
	 * the next due time need another one. */
	if (!ob->dispatching)
		loop_defer(&ob->kick);
}

static void outbound_promote_due(struct outbound *ob, int64_t now)
{
	if (ob->due_known && (!ob->next_due || ob->next_due > now))
		return;
	if (ob->promote_out)
		return;		/* its answer says when next */
	if (!store_ready(ob->store))
		return;		/* PostgreSQL away: a connect kicks us */
	ob->promote_out = true;
	store_op_promote(ob->store, now, &ob->promote_next, outbound_promoted, ob);
}

static void outbound_arm_timer(struct outbound *ob, int64_t now)
{
	int64_t due = ob->next_due;

	for (size_t i = 0; i < ob->reg->nsims; i++) {
		struct ob_sim *os = &ob->sims[i];
		int64_t t = 0;

		if (os->gap_until > now)
			t = os->gap_until;
		if (os->sim->paused_until > now &&
		    (!t || os->sim->paused_until < t))
			t = os->sim->paused_until;
		if (os->sim->quota_exhausted &&
		    (!t || outbound_reset_time(os, now) < t))
			t = outbound_reset_time(os, now);
		if (t && (!due || t < due))
			due = t;
	}
	if (!due)
		loop_timer_disarm(&ob->timer);
	else
		loop_timer_arm(&ob->timer, due > now ? due - now : 0);
}

static void outbound_dispatch(struct loop_deferred *d, void *ud)
{
	struct outbound *ob = ud;
	struct ob_sim **order = ob->order;
	int64_t now = ob_now(ob);
	size_t n = 0;

	(void)d;
	ob->dispatching = true;
	outbound_promote_due(ob, now);
	for (size_t i = 0; i < ob->reg->nsims; i++) {
		struct ob_sim *os = &ob->sims[i];

		/* A SIM that is sending refreshes its quota when its send
		 * ends (ob_count_part, the next claim): in a burst nearly
		 * all are, and this runs after every commit. */
		if (os->sim->sending)
			continue;
		ob_quota_left(os, now);
		order[n++] = os;
	}
	/* Least-loaded first: today's sends, then the longest idle. */
	qsort(order, n, sizeof(order[0]), outbound_compare_load);
	for (size_t i = 0; i < n; i++)
		ob_try_sim(order[i], now);
	outbound_defer_exhausted(ob, now);
	if (!ob->due_known)
		outbound_promote_due(ob, now);
	outbound_arm_timer(ob, now);
	ob->dispatching = false;
}

static int64_t outbound_on_timer(struct loop_timer *t, void *ud)
{
	struct outbound *ob = ud;

	(void)t;
	ob->due_known = false;
	loop_defer(&ob->kick);
	return LOOP_TIMER_DONE;
}

void outbound_kick(struct outbound *ob)
{
	/* New or changed rows may be due earlier than we thought. */
	ob->due_known = false;
	loop_defer(&ob->kick);
}

void outbound_clock_stepped(struct outbound *ob)
{
	store_event(ob->store, STORE_EVENT_INFO, "outbound",
		    "the wall clock was set; schedules re-evaluated");
	/* The next dispatch reads clock_now_ms() afresh: promote_due() finds
	 * what is due by the new date, ob_quota_left() sees a new day or
	 * month, quiet hours are asked again at claim time and arm_timer()
	 * re-arms for the earliest due time from the new now. */
	outbound_kick(ob);
}

void outbound_sim_changed(struct outbound *ob, struct sim *sim)
{
	(void)sim;
	loop_defer(&ob->kick);
}

void outbound_set_listener(struct outbound *ob, outbound_event_fn fn, void *ud)
{
	ob->listener = fn;
	ob->listener_ud = ud;
}

void outbound_set_config(struct outbound *ob, const struct config *cfg)
{
	ob->cfg = cfg;
	ob->has_quiet = quiet_parse(cfg->quiet_hours, &ob->quiet);
	outbound_kick(ob);
}

static int64_t outbound_on_unsaved(struct loop_timer *t, void *ud)
{
	struct outbound *ob = ud;

	(void)t;
	if (ob_save_unsaved(ob))
		return LOOP_TIMER_DONE;
	return backoff_ms(++ob->unsaved_round, OB_UNSAVED_FIRST_MS,
			  OB_UNSAVED_MAX_MS);
}

int outbound_new(struct loop *loop, struct store *store,
		 const struct config *cfg, struct sim_registry *reg,
		 const struct outbound_ops *ops, struct outbound **out)
{
	struct outbound *ob = calloc(1, sizeof(*ob));
	int n;

	if (!ob)
		return -ENOMEM;
	ob->sims = calloc(reg->nsims ? reg->nsims : 1, sizeof(*ob->sims));
	ob->order = calloc(reg->nsims ? reg->nsims : 1, sizeof(*ob->order));
	if (!ob->sims || !ob->order) {
		free(ob->sims);
		free(ob->order);
		free(ob);
		return -ENOMEM;
	}
	ob->loop = loop;
	ob->store = store;
	ob->cfg = cfg;
	ob->reg = reg;
	ob->ops.send = ops->send;
	ob->rand_state = (unsigned)clock_now_ms();
	ob->has_quiet = quiet_parse(cfg->quiet_hours, &ob->quiet);
	for (size_t i = 0; i < reg->nsims; i++) {
		ob->sims[i].ob = ob;
		ob->sims[i].sim = &reg->sims[i];
		reg->sims[i].outbound = &ob->sims[i];
		loop_timer_init(loop, &ob->sims[i].renew, NULL, NULL);
		outbound_usage_key(&ob->sims[i]);
	}
	loop_deferred_init(loop, &ob->kick, outbound_dispatch, ob);
	loop_timer_init(loop, &ob->timer, outbound_on_timer, ob);
	loop_timer_init(loop, &ob->unsaved_timer, outbound_on_unsaved, ob);
	/* PostgreSQL: leases replace it (a lapsed one is unknown or queued
	 * again at the next claim by any box). */
	n = store_is_pg(store) ? 0
	    : store_outbox_recover(store, cfg->resend_unknown_direct,
				   cfg->resend_unknown_bulk, clock_now_ms());
	if (n > 0)
		store_event(store, STORE_EVENT_WARNING, "outbound",
			    "%d message%s were being sent when smsgwd stopped:"
			    " outcome unknown (resend_unknown_direct=%s,"
			    " resend_unknown_bulk=%s)", n, n == 1 ? "" : "s",
			    cfg->resend_unknown_direct ? "yes" : "no",
			    cfg->resend_unknown_bulk ? "yes" : "no");
	outbound_kick(ob);
	*out = ob;
	return 0;
}

/* A status report while the store has it. */
struct ob_report {
	struct outbound *ob;
	struct sim *sim;
	char recipient[SMS_ADDR_MAX];
	int mr, status;
	int64_t id;
	const char *state;
	outbound_report_fn done;
	void *ud;
};

/* The store's answer: the message's event, after the commit. */
static void outbound_report_recorded(int rc, void *ud)
{
	struct ob_report *r = ud;

	if (rc < 0) {
		/* Not stored: the modem keeps it (the caller's done). */
	} else if (!r->id) {
		log_info("outbound: status report on %s for MR %d to %s "
			 "matches no message", r->sim->name, r->mr,
			 r->recipient);
	} else {
		log_debug("outbound: status report for message %lld: status %d",
			  (long long)r->id, r->status);
		if (r->state)
			ob_emit(r->ob, r->state, r->id, r->recipient, NULL,
				r->sim, r->state,
				strcmp(r->state,
				       msg_to_name(MSG_EVENT_REPORT_FAIL)) == 0
					? "delivery failed (status report)"
					: NULL);
	}
	if (r->done)
		r->done(rc < 0 ? -EIO : 0, r->ud);
	free(r);
}

int outbound_status_report(struct outbound *ob, struct sim *sim,
			   const char *pdu_hex, outbound_report_fn done,
			   void *ud)
{
	struct ob_report *r;
	struct sms_pdu pdu;
	char err[200];
	bool ok = sms_pdu_decode(pdu_hex, strlen(pdu_hex), &pdu, err,
				 sizeof(err));

	/* A PDU that does not decode says why in err; one that decodes to
	 * another type is the only one that is "not a status report". */
	if (ok && pdu.type != SMS_PDU_STATUS_REPORT) {
		snprintf(err, sizeof(err), "not a status report (%s)",
			 pdu.type == SMS_PDU_DELIVER ? "an SMS-DELIVER"
						     : "an SMS-SUBMIT");
		ok = false;
	}
	if (!ok) {
		log_warn("outbound: status report on %s not understood: %s",
			 sim->name, err);
		store_event(ob->store, STORE_EVENT_WARNING, "outbound",
			    "status report on %s not understood (%s): %s",
			    sim->name, err, pdu_hex);
		return -EINVAL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		if (done)
			done(-EIO, ud);
		return 0;
	}
	*r = (struct ob_report){ .ob = ob, .sim = sim, .mr = pdu.report.mr,
				 .status = pdu.report.status, .done = done,
				 .ud = ud };
	snprintf(r->recipient, sizeof(r->recipient), "%s",
		 pdu.report.recipient.text);
	store_op_report(ob->store, &(struct store_report){
		.sim_id = sim->id, .mr = r->mr, .recipient = r->recipient,
		.status = r->status, .now = ob_now(ob),
		.window_ms = ob->cfg->report_window_ms, .pdu_hex = pdu_hex },
		&r->id, &r->state, outbound_report_recorded, r);
	return 0;
}

void outbound_free(struct outbound *ob)
{
	if (!ob)
		return;
	for (size_t i = 0; i < ob->reg->nsims; i++) {
		ob_lease_stop(&ob->sims[i]);
		ob_send_abandon(&ob->sims[i]);
		ob->reg->sims[i].outbound = NULL;
	}
	loop_deferred_cancel(&ob->kick);
	loop_timer_disarm(&ob->timer);
	loop_timer_disarm(&ob->unsaved_timer);
	if (!ob_save_unsaved(ob))
		log_error("outbound: %zu sent message%s still recorded as "
			  "\"sending\"", ob->nunsaved,
			  ob->nunsaved == 1 ? "" : "s");
	free(ob->sims);
	free(ob->order);
	free(ob);
}
