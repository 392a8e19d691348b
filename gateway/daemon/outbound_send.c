/*
 * outbound_send — one claimed message through the modem: encode, send each
 * part, and turn the modem's answer into the message's next state
 * (doc/contract.md §7). Errors are classed by include/errclass.h:
 * temporary ones back off, permanent ones fail only this message, ambiguous ones go to the
 * resend policy, modem-state ones put the message back untouched.
 */
#include "outbound_priv.h"
#include "backoff.h"
#include "config.h"
#include "errclass.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_ops.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* After a modem-side failure, give the modem layer time to notice. */
#define OB_COOLDOWN_MS 10000
/* A message that failed on one SIM waits this long before another takes it,
 * and the SIM it failed on leaves it to the others this long. */
#define OB_MOVE_MS 1000
#define OB_AVOID_MS 30000
/* Failed sends in a row that rest a SIM, and the first and longest rest. */
#define OB_STREAK 3
#define OB_REST_MS 30000
#define OB_REST_MAX_MS 600000

static void outbound_send_on_part_sent(const struct modem_send_result *r, void *ud);

/* The store answered a record of an outcome. Nothing waits for it: the
 * message's row is the store's from here on; a failure is logged, and the
 * row stays sending until the next start (the restart policy decides). */
static void outbound_send_recorded(int rc, void *ud)
{
	(void)ud;
	/* PostgreSQL: the lease lapsed and another box owns the message;
	 * its outcome is that box's to record (include/store_pg.h). */
	if (rc == -ESTALE)
		log_notice("outbound: an outcome was not recorded: another "
			   "box owns the message now");
	else if (rc < 0)
		log_error("outbound: cannot record a message's outcome: %s",
			  strerror(-rc));
}

static void outbound_send_record(struct outbound *ob, const struct store_outcome *o)
{
	store_op_record(ob->store, o, outbound_send_recorded, NULL);
}
static void outbound_send_fail_message(struct ob_sim *os, const char *error, int64_t now);

static void outbound_send_release(struct ob_sim *os, int64_t now)
{
	struct outbound *ob = os->ob;

	ob_lease_stop(os);
	sms_encoded_free(&os->enc);
	outbox_msg_clear(&os->msg);
	os->sim->sending = false;
	os->sim->last_send_ms = now;
	if (os->sim->cfg->min_gap_ms && os->gap_until < now + os->sim->cfg->min_gap_ms)
		os->gap_until = now + os->sim->cfg->min_gap_ms;
	sim_update_at(ob->reg, os->sim, now);
	loop_defer(&ob->kick);
}

static void outbound_send_send_part(struct ob_sim *os)
{
	const struct sms_encoded_part *p = &os->enc.parts[os->part];
	struct modem_send_result r = { .status = MODEM_SEND_NOT_SENT,
				       .detail = "modem not available" };
	int rc = os->ob->ops.send(os->sim, p->pdu, p->tpdu_length,
				  outbound_send_on_part_sent, os);

	if (rc == -EINVAL) {
		/* The PDU itself is refused: no modem would take it, so the
		 * message fails rather than going round the queue. */
		int64_t now = ob_now(os->ob);

		outbound_send_fail_message(os, "the encoded PDU is not one a modem takes "
					   "(empty or too long)", now);
		outbound_send_release(os, now);
	} else if (rc < 0) {
		outbound_send_on_part_sent(&r, os);
	}
}

void ob_send_start(struct ob_sim *os)
{
	struct outbound *ob = os->ob;
	struct outbox_msg *m = &os->msg;
	struct sms_encode_opts o;
	char err[256];
	int64_t now = ob_now(ob);

	sms_encode_opts_init(&o);
	o.force_ucs2 = m->ucs2;
	o.status_report = m->report;
	o.flash = m->flash;
	o.validity_minutes = m->validity_minutes;
	o.concat_ref = (uint16_t)m->concat_ref;
	o.language = (enum sms_language)m->language;
	o.smsc = m->smsc;
	o.msg_class = m->msg_class;
	o.reject_duplicates = m->pdu_flags & OUTBOX_PDU_REJECT_DUPLICATES;
	o.reply_path = m->pdu_flags & OUTBOX_PDU_REPLY_PATH;
	o.no_concat = m->autosplit == 1;
	o.pid = m->replace > 0 ? (uint8_t)(0x40 + m->replace) : 0;
	if (!sms_encode_submit(m->recipient, m->body, strlen(m->body), &o,
			       &os->enc, err, sizeof(err))) {
		/* Acceptance checked the text; only a changed codec gets here. */
		outbound_send_record(ob, &(struct store_outcome){
			.kind = STORE_OUTCOME_FINAL, .msg = m, .error = err,
			.now = now, .event = MSG_EVENT_FAIL });
		ob_emit(ob, "failed", m->id, m->recipient, m->body, os->sim,
			msg_to_name(MSG_EVENT_FAIL), err);
		outbound_send_release(os, now);
		return;
	}
	ob_lease_start(os);
	/* A resend carries on after the parts that already went out. */
	os->part = m->parts_sent < os->enc.nparts ? m->parts_sent : 0;
	log_debug("outbound: message %lld to %s on %s, %d part%s",
		  (long long)m->id, m->recipient, os->sim->name, os->enc.nparts,
		  os->enc.nparts == 1 ? "" : "s");
	outbound_send_send_part(os);
}

void ob_send_abandon(struct ob_sim *os)
{
	ob_lease_stop(os);
	sms_encoded_free(&os->enc);
	outbox_msg_clear(&os->msg);
	outbox_msg_clear(&os->next);
	os->sim->sending = false;
	os->recording = false;
}

/* The wait before a message's next try after a temporary error. */
static int64_t outbound_send_retry_delay_ms(struct outbound *ob, int attempts, int min_s)
{
	int64_t base, jitter;

	base = backoff_ms(attempts > 1 ? (unsigned)attempts - 1 : 0,
			  ob->cfg->retry_min_ms, ob->cfg->retry_max_ms);
	if (base < (int64_t)min_s * 1000)
		base = (int64_t)min_s * 1000;
	/* ±25%, so a burst of failures does not come back as a burst. */
	jitter = base / 2 ? (int64_t)(rand_r(&ob->rand_state) % (base / 2)) : 0;
	return base - base / 4 + jitter;
}

/* Counts barring and spam errors; enough of them pause the SIM. */
static void outbound_send_suspect(struct ob_sim *os, const char *what, int64_t now)
{
	const struct config *cfg = os->ob->cfg;
	struct sim *sim = os->sim;

	if (!cfg->pause_after_errors)
		return;
	if (now - os->suspect_since > cfg->pause_window_ms) {
		os->suspect = 0;
		os->suspect_since = now;
	}
	if (++os->suspect < cfg->pause_after_errors)
		return;
	os->suspect = 0;
	sim->paused_until = now + cfg->pause_for_ms;
	log_warn("outbound: SIM %s paused after %d barring/spam errors (%s)",
		 sim->name, cfg->pause_after_errors, what);
	store_event(os->ob->store, STORE_EVENT_WARNING, "outbound",
		    "SIM %s paused for %lld minutes after %d barring or spam "
		    "errors within %lld minutes (last: %s)", sim->name,
		    (long long)(cfg->pause_for_ms / 60000),
		    cfg->pause_after_errors,
		    (long long)(cfg->pause_window_ms / 60000), what);
}

static void outbound_send_fail_message(struct ob_sim *os, const char *error, int64_t now)
{
	struct outbox_msg *m = &os->msg;
	const char *state = msg_to_name(MSG_EVENT_FAIL);

	outbound_send_record(os->ob, &(struct store_outcome){
		.kind = STORE_OUTCOME_FINAL, .msg = m, .error = error,
		.now = now, .event = MSG_EVENT_FAIL });
	log_info("outbound: message %lld to %s %s: %s", (long long)m->id,
		 m->recipient, state, error);
	ob_emit(os->ob, state, m->id, m->recipient, m->body, os->sim, state,
		error);
}

/*
 * Back in the queue. A message that failed on its first try goes to
 * another SIM at once when one can send (the fault may be this SIM's);
 * after that it backs off wherever it goes, so a network-wide problem is
 * not hammered from every SIM in turn.
 */
static int outbound_send_max_attempts(const struct ob_sim *os)
{
	return os->msg.max_attempts > 0 ? os->msg.max_attempts
					: os->ob->cfg->max_attempts;
}

static void outbound_send_retry_message(struct ob_sim *os, int64_t delay, bool count,
					const char *error, int64_t now)
{
	struct outbox_msg *m = &os->msg;
	int max = outbound_send_max_attempts(os);
	/* A pinned message, or a multipart with parts out, stays here. */
	bool movable = !m->pinned && m->parts_sent == 0 && os->part == 0;
	bool elsewhere = movable && ob_other_sim_ready(os->ob, os->sim, now);

	if (count && m->attempts >= max) {
		char why[300];

		snprintf(why, sizeof(why), "gave up after %d attempts: %s",
			 m->attempts, error);
		outbound_send_fail_message(os, why, now);
		return;
	}
	if (elsewhere && m->attempts <= 1 && delay > OB_MOVE_MS)
		delay = OB_MOVE_MS;
	outbound_send_record(os->ob, &(struct store_outcome){
		.kind = STORE_OUTCOME_RETRY, .msg = m, .error = error,
		.now = now, .not_before = now + delay, .count_attempt = count,
		.avoid_sim = elsewhere ? os->sim->id : 0,
		.avoid_until = now + OB_AVOID_MS });
	os->ob->due_known = false;
}

static void outbound_send_unknown_message(struct ob_sim *os, const char *error,
					  int64_t now)
{
	const struct config *cfg = os->ob->cfg;
	struct outbox_msg *m = &os->msg;
	bool resend = m->kind == MSG_KIND_DIRECT ? cfg->resend_unknown_direct
						 : cfg->resend_unknown_bulk;

	/* Every resend may be a duplicate: max_attempts bounds them too. */
	if (m->attempts >= outbound_send_max_attempts(os))
		resend = false;

	outbound_send_record(os->ob, &(struct store_outcome){
		.kind = STORE_OUTCOME_UNKNOWN, .msg = m, .error = error,
		.now = now, .resend = resend });
	log_warn("outbound: message %lld to %s: %s; %s", (long long)m->id,
		 m->recipient, error, resend ? "sending again" : "left unknown");
	if (!resend)
		ob_emit(os->ob, "unknown", m->id, m->recipient, m->body,
			os->sim, msg_to_name(MSG_EVENT_NO_ANSWER), error);
}

/*
 * Sends that keep failing on one SIM (whatever the code) rest it, so its
 * traffic moves to the others; the rest doubles while it goes on.
 */
static void outbound_send_streak(struct ob_sim *os, const char *what, int64_t now)
{
	int64_t rest;

	if (++os->fail_streak % OB_STREAK)
		return;
	rest = backoff_ms((unsigned)(os->fail_streak / OB_STREAK - 1),
			  OB_REST_MS, OB_REST_MAX_MS);
	if (os->gap_until < now + rest)
		os->gap_until = now + rest;
	log_warn("outbound: SIM %s rests %lld s after %d failed sends in a row",
		 os->sim->name, (long long)(rest / 1000), os->fail_streak);
	store_event(os->ob->store, STORE_EVENT_WARNING, "outbound",
		    "SIM %s rests %lld s after %d failed sends in a row (last: %s)",
		    os->sim->name, (long long)(rest / 1000), os->fail_streak,
		    what);
}

static void outbound_send_classified(struct ob_sim *os, const struct modem_send_result *r,
				     int64_t now)
{
	/* The modem family's meaning of the code first (drivers/<vendor>/). */
	struct errclass_info e = errclass_driver(r->driver,
						 r->status != MODEM_SEND_CMS_ERROR,
						 r->code);
	char what[200];

	snprintf(what, sizeof(what), "+%s ERROR: %d (%s)",
		 r->status == MODEM_SEND_CMS_ERROR ? "CMS" : "CME", r->code,
		 e.text);
	if (e.flags & ERRCLASS_FLAG_SIM_SUSPECT)
		outbound_send_suspect(os, what, now);
	if (e.cls != ERRCLASS_PERMANENT)
		outbound_send_streak(os, what, now);
	switch (e.cls) {
	case ERRCLASS_PERMANENT:
		outbound_send_fail_message(os, what, now);
		break;
	case ERRCLASS_TEMPORARY:
		outbound_send_retry_message(os,
					    outbound_send_retry_delay_ms(os->ob, os->msg.attempts,
									 e.min_backoff_s),
					    true, what, now);
		break;
	case ERRCLASS_AMBIGUOUS:
		outbound_send_unknown_message(os, what, now);
		break;
	case ERRCLASS_MODEM_STATE:
		/* Not this message's fault: back in the queue, and this SIM
		 * rests until its modem sorts itself out. */
		outbound_send_retry_message(os, 0, false, what, now);
		os->gap_until = now + OB_COOLDOWN_MS;
		break;
	}
}

void ob_keep_unsaved(struct outbound *ob, const struct ob_unsaved *u)
{
	if (ob->nunsaved == OB_UNSAVED_MAX) {
		log_error("outbound: message %lld stays \"sending\" (too many "
			  "unrecorded sends)", (long long)u->id);
		return;
	}
	ob->unsaved[ob->nunsaved++] = *u;
	if (!loop_timer_armed(&ob->unsaved_timer))
		loop_timer_arm(&ob->unsaved_timer,
			       backoff_ms(ob->unsaved_round,
					  OB_UNSAVED_FIRST_MS,
					  OB_UNSAVED_MAX_MS));
}

bool ob_save_unsaved(struct outbound *ob)
{
	if (store_is_pg(ob->store))
		return ob_pg_save_unsaved(ob);
	while (ob->nunsaved) {
		const struct ob_unsaved *u = &ob->unsaved[0];
		struct outbox_msg m = { .id = u->id, .attempt_id = u->attempt_id };

		snprintf(m.recipient, sizeof(m.recipient), "%s", u->recipient);
		if (store_outbox_sent(ob->store, &m, u->sim_id, u->at) < 0)
			return false;
		log_notice("outbound: message %lld recorded as sent on a "
			   "retry", (long long)u->id);
		memmove(&ob->unsaved[0], &ob->unsaved[1],
			--ob->nunsaved * sizeof(ob->unsaved[0]));
	}
	ob->unsaved_round = 0;
	return true;
}

/* A part that is not the last went out: the next part goes. */
static void outbound_send_part_recorded(int rc, void *ud)
{
	struct ob_sim *os = ud;

	if (rc == -ESTALE) {
		/* PostgreSQL: another box owns the message now (our lease
		 * lapsed): its other parts are not ours to send. */
		log_warn("outbound: message %lld: another box owns it now; "
			 "its remaining parts are left to it",
			 (long long)os->msg.id);
		outbound_send_release(os, ob_now(os->ob));
		return;
	}
	/* A part that is not recorded is not sent again (the final "sent"
	 * sets every part), but its MR for the delivery report is lost:
	 * say so. */
	if (rc < 0)
		log_error("outbound: part %d of message %lld not recorded",
			  os->part + 1, (long long)os->msg.id);
	os->part++;
	outbound_send_send_part(os);
}

/* Inside the sent record's transaction: the SIM's row says busy when it
 * took its next message, ready when not. */
static void outbound_send_next_claimed(int rc, void *ud)
{
	struct ob_sim *os = ud;

	os->sim->sending = rc > 0;
}

/* The message is recorded sent (and the SIM's next one claimed). */
static void outbound_send_sent_recorded(int rc, void *ud)
{
	struct ob_sim *os = ud;
	struct outbound *ob = os->ob;
	struct outbox_msg *m = &os->msg;
	int64_t now = ob_now(ob);

	os->recording = false;
	if (rc == -ESTALE) {
		/* PostgreSQL: our lease lapsed and another box owns the
		 * message; what happens to it is recorded there. No retry,
		 * no event: the row is not ours. */
		log_warn("outbound: message %lld to %s went out, but another "
			 "box owns it now: not recorded as sent here",
			 (long long)m->id, m->recipient);
		outbox_msg_clear(&os->next);
		outbound_send_release(os, now);
		return;
	}
	if (rc < 0) {
		/* Disk trouble: it went out, so it is recorded as sent
		 * again on a backoff; until then the row says "sending". */
		struct ob_unsaved u = {
			.id = m->id, .attempt_id = m->attempt_id,
			.sim_id = os->sim->id, .at = now,
			.seq = os->part + 1, .mr = os->mr,
		};

		snprintf(u.recipient, sizeof(u.recipient), "%s", m->recipient);
		snprintf(u.usage_key, sizeof(u.usage_key), "%s", os->usage_key);
		log_error("outbound: cannot commit message %lld as sent; "
			  "trying again", (long long)m->id);
		ob_keep_unsaved(ob, &u);
		outbox_msg_clear(&os->next);
		outbound_send_release(os, now);
		return;
	}
	ob_emit(ob, "sent", m->id, m->recipient, m->body, os->sim,
		msg_to_name(MSG_EVENT_SENT), NULL);
	sms_encoded_free(&os->enc);
	outbox_msg_clear(m);
	if (rc > 0) {
		*m = os->next;
		memset(&os->next, 0, sizeof(os->next));
		ob_send_start(os);
		return;
	}
	ob_lease_stop(os);
	loop_defer(&ob->kick);
}

/*
 * Part os->part went out with reference mr. The last part, the sent state
 * and the SIM's next claim are one commit, so one fsync per single-part
 * message; the store answers in outbound_send_part_recorded() or
 * outbound_send_sent_recorded().
 */
static void outbound_send_record_part(struct ob_sim *os, int mr, int64_t now)
{
	struct outbound *ob = os->ob;
	struct sim *sim = os->sim;
	struct outbox_claim c;
	struct store_sent req = {
		.msg = &os->msg, .sim_id = sim->id, .usage_key = os->usage_key,
		.seq = os->part + 1, .mr = mr, .now = now,
		.last = os->part + 1 >= os->enc.nparts,
	};

	ob_count_part(os, now);
	os->mr = mr;
	if (!req.last) {
		store_op_part_sent(ob->store, &req, outbound_send_part_recorded, os);
		return;
	}
	sim->sending = false;
	sim->last_send_ms = now;
	if (sim->cfg->min_gap_ms)
		os->gap_until = now + sim->cfg->min_gap_ms;
	if (ob_claim_request(os, now, &c)) {
		req.next = &c;
		req.next_out = &os->next;
	}
	/* Taken until the store answers; outbound_send_next_claimed() says
	 * whether the SIM's row stays busy, but a dispatch before this
	 * answer must not claim into os->msg, which is still this message
	 * (outbound_claimable). */
	sim->sending = true;
	os->recording = true;
	req.claimed = outbound_send_next_claimed;
	req.reg = ob->reg;
	req.sim = sim;
	store_op_part_sent(ob->store, &req, outbound_send_sent_recorded, os);
}

static void outbound_send_on_part_sent(const struct modem_send_result *r, void *ud)
{
	struct ob_sim *os = ud;
	struct outbound *ob = os->ob;
	int64_t now = ob_now(ob);
	char what[300];

	switch (r->status) {
	case MODEM_SEND_OK:
		os->fail_streak = 0;
		outbound_send_record_part(os, r->mr, now);
		return;
	case MODEM_SEND_CMS_ERROR:
	case MODEM_SEND_CME_ERROR:
		outbound_send_classified(os, r, now);
		break;
	case MODEM_SEND_NOT_SENT:
		snprintf(what, sizeof(what), "not sent: %s",
			 r->detail ? r->detail : "modem not available");
		outbound_send_streak(os, what, now);
		outbound_send_retry_message(os, 0, false, what, now);
		os->gap_until = now + OB_COOLDOWN_MS;
		break;
	case MODEM_SEND_AMBIGUOUS:
		snprintf(what, sizeof(what), "no answer after the PDU: %s",
			 r->detail ? r->detail : "timeout");
		outbound_send_streak(os, what, now);
		outbound_send_unknown_message(os, what, now);
		break;
	}
	outbound_send_release(os, now);
}
