/*
 * outbound_send — one claimed message through the modem: encode, send each
 * part, and turn the modem's answer into the message's next state
 * (DESIGN.md §7). Errors are classed by include/errclass.h: temporary ones
 * back off, permanent ones fail only this message, ambiguous ones go to the
 * resend policy, modem-state ones put the message back untouched.
 */
#include "outbound_priv.h"
#include "config.h"
#include "errclass.h"
#include "log.h"
#include "sim.h"
#include "store.h"

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

static void on_part_sent(const struct modem_send_result *r, void *ud);

static void release(struct ob_sim *os, int64_t now)
{
	struct outbound *ob = os->ob;

	sms_encoded_free(&os->enc);
	outbox_msg_clear(&os->msg);
	os->sim->sending = false;
	os->sim->last_send_ms = now;
	if (os->sim->cfg->min_gap_ms && os->gap_until < now + os->sim->cfg->min_gap_ms)
		os->gap_until = now + os->sim->cfg->min_gap_ms;
	sim_update_at(ob->reg, os->sim, now);
	loop_defer(&ob->kick);
}

static void send_part(struct ob_sim *os)
{
	const struct sms_encoded_part *p = &os->enc.parts[os->part];
	struct modem_send_result r = { .status = MODEM_SEND_NOT_SENT,
				       .detail = "modem not available" };

	if (os->ob->ops.send(os->sim, p->pdu, p->tpdu_length, on_part_sent,
			     os) < 0)
		on_part_sent(&r, os);
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
		store_outbox_fail(ob->store, m, "failed", err, now);
		ob_emit(ob, "failed", m->id, m->recipient, m->body, os->sim,
			"failed", err);
		release(os, now);
		return;
	}
	/* A resend carries on after the parts that already went out. */
	os->part = m->parts_sent < os->enc.nparts ? m->parts_sent : 0;
	log_debug("outbound: message %lld to %s on %s, %d part%s",
		  (long long)m->id, m->recipient, os->sim->name, os->enc.nparts,
		  os->enc.nparts == 1 ? "" : "s");
	send_part(os);
}

void ob_send_abandon(struct ob_sim *os)
{
	sms_encoded_free(&os->enc);
	outbox_msg_clear(&os->msg);
	os->sim->sending = false;
}

static int64_t backoff_ms(struct outbound *ob, int attempts, int min_s)
{
	int64_t base = ob->cfg->retry_min_ms, jitter;

	for (int i = 1; i < attempts && base < ob->cfg->retry_max_ms; i++)
		base *= 2;
	if (base > ob->cfg->retry_max_ms)
		base = ob->cfg->retry_max_ms;
	if (base < (int64_t)min_s * 1000)
		base = (int64_t)min_s * 1000;
	/* ±25%, so a burst of failures does not come back as a burst. */
	jitter = base / 2 ? (int64_t)(rand_r(&ob->rand_state) % (base / 2)) : 0;
	return base - base / 4 + jitter;
}

/* What a sent message's event needs after the commit. */
struct ob_sent {
	int64_t id;
	char recipient[32];
	char *body;
};

/*
 * Inside the caller's transaction: the message is sent; the SIM claims its
 * next one. Returns true when it did (start it after the commit).
 */
static bool finish_sent(struct ob_sim *os, int64_t now, struct ob_sent *done)
{
	struct outbound *ob = os->ob;
	struct outbox_msg *m = &os->msg;
	struct sim *sim = os->sim;
	bool next;

	if (store_outbox_sent(ob->store, m, sim->id, now) < 0)
		log_error("outbound: cannot record message %lld as sent",
			  (long long)m->id);
	done->id = m->id;
	snprintf(done->recipient, sizeof(done->recipient), "%s", m->recipient);
	done->body = m->body;
	m->body = NULL;
	sms_encoded_free(&os->enc);
	outbox_msg_clear(m);
	sim->sending = false;
	sim->last_send_ms = now;
	if (sim->cfg->min_gap_ms)
		os->gap_until = now + sim->cfg->min_gap_ms;
	/* The SIM's row (ready again, or busy with the next message) goes
	 * in the same commit. */
	next = ob_claim(os, now) > 0;
	if (!next) {
		sim_update_at(ob->reg, sim, now);
		loop_defer(&ob->kick);
	}
	return next;
}

/* Counts barring and spam errors; enough of them pause the SIM. */
static void suspect(struct ob_sim *os, const char *what, int64_t now)
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

static void fail_message(struct ob_sim *os, const char *state,
			 const char *error, int64_t now)
{
	struct outbox_msg *m = &os->msg;

	store_outbox_fail(os->ob->store, m, state, error, now);
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
static int max_attempts(const struct ob_sim *os)
{
	return os->msg.max_attempts > 0 ? os->msg.max_attempts
					: os->ob->cfg->max_attempts;
}

static void retry_message(struct ob_sim *os, int64_t delay, bool count,
			  const char *error, int64_t now)
{
	struct outbox_msg *m = &os->msg;
	int max = max_attempts(os);
	/* A pinned message, or a multipart with parts out, stays here. */
	bool movable = !m->pinned && m->parts_sent == 0 && os->part == 0;
	bool elsewhere = movable && ob_other_sim_ready(os->ob, os->sim, now);

	if (count && m->attempts >= max) {
		char why[300];

		snprintf(why, sizeof(why), "gave up after %d attempts: %s",
			 m->attempts, error);
		fail_message(os, "failed", why, now);
		return;
	}
	if (elsewhere && m->attempts <= 1 && delay > OB_MOVE_MS)
		delay = OB_MOVE_MS;
	store_outbox_retry(os->ob->store, m, now + delay, count,
			   elsewhere ? os->sim->id : 0, now + OB_AVOID_MS, error,
			   now);
	os->ob->due_known = false;
}

static void unknown_message(struct ob_sim *os, const char *error, int64_t now)
{
	const struct config *cfg = os->ob->cfg;
	struct outbox_msg *m = &os->msg;
	bool resend = m->kind == MSG_KIND_DIRECT ? cfg->resend_unknown_direct
						 : cfg->resend_unknown_bulk;

	/* Every resend may be a duplicate: max_attempts bounds them too. */
	if (m->attempts >= max_attempts(os))
		resend = false;

	store_outbox_unknown(os->ob->store, m, resend, error, now);
	log_warn("outbound: message %lld to %s: %s; %s", (long long)m->id,
		 m->recipient, error, resend ? "sending again" : "left unknown");
	if (!resend)
		ob_emit(os->ob, "unknown", m->id, m->recipient, m->body,
			os->sim, "unknown", error);
}

/*
 * Sends that keep failing on one SIM (whatever the code) rest it, so its
 * traffic moves to the others; the rest doubles while it goes on.
 */
static void streak(struct ob_sim *os, const char *what, int64_t now)
{
	int64_t rest = OB_REST_MS;

	if (++os->fail_streak % OB_STREAK)
		return;
	for (int i = OB_STREAK; i < os->fail_streak; i += OB_STREAK)
		if (rest < OB_REST_MAX_MS)
			rest *= 2;
	if (rest > OB_REST_MAX_MS)
		rest = OB_REST_MAX_MS;
	if (os->gap_until < now + rest)
		os->gap_until = now + rest;
	log_warn("outbound: SIM %s rests %lld s after %d failed sends in a row",
		 os->sim->name, (long long)(rest / 1000), os->fail_streak);
	store_event(os->ob->store, STORE_EVENT_WARNING, "outbound",
		    "SIM %s rests %lld s after %d failed sends in a row (last: %s)",
		    os->sim->name, (long long)(rest / 1000), os->fail_streak,
		    what);
}

static void classified(struct ob_sim *os, const struct modem_send_result *r,
		       int64_t now)
{
	struct errclass_info e = r->status == MODEM_SEND_CMS_ERROR
					 ? errclass_cms(r->code)
					 : errclass_cme(r->code);
	char what[200];

	snprintf(what, sizeof(what), "+%s ERROR: %d (%s)",
		 r->status == MODEM_SEND_CMS_ERROR ? "CMS" : "CME", r->code,
		 e.text);
	if (e.flags & ERRCLASS_FLAG_SIM_SUSPECT)
		suspect(os, what, now);
	if (e.cls != ERRCLASS_PERMANENT)
		streak(os, what, now);
	switch (e.cls) {
	case ERRCLASS_PERMANENT:
		fail_message(os, "failed", what, now);
		break;
	case ERRCLASS_TEMPORARY:
		retry_message(os, backoff_ms(os->ob, os->msg.attempts,
					     e.min_backoff_s),
			      true, what, now);
		break;
	case ERRCLASS_AMBIGUOUS:
		unknown_message(os, what, now);
		break;
	case ERRCLASS_MODEM_STATE:
		/* Not this message's fault: back in the queue, and this SIM
		 * rests until its modem sorts itself out. */
		retry_message(os, 0, false, what, now);
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
	if (!ob->unsaved_ms)
		ob->unsaved_ms = 1000;
	if (!loop_timer_armed(&ob->unsaved_timer))
		loop_timer_arm(&ob->unsaved_timer, ob->unsaved_ms);
}

bool ob_save_unsaved(struct outbound *ob)
{
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
	ob->unsaved_ms = 0;
	return true;
}

/* The last part went out (the caller's transaction is open). */
static void sent_and_next(struct ob_sim *os, int64_t now)
{
	struct outbound *ob = os->ob;
	struct ob_sent done;
	struct ob_unsaved u = {
		.id = os->msg.id, .attempt_id = os->msg.attempt_id,
		.sim_id = os->sim->id, .at = now,
	};
	bool next;

	snprintf(u.recipient, sizeof(u.recipient), "%s", os->msg.recipient);
	next = finish_sent(os, now, &done);
	if (store_commit(ob->store) < 0) {
		/* Disk trouble: it went out, so it is recorded as sent
		 * again on a backoff; until then the row says "sending". */
		log_error("outbound: cannot commit message %lld as sent; "
			  "trying again", (long long)done.id);
		ob_keep_unsaved(ob, &u);
		if (next)
			ob_unclaim(os);
		free(done.body);
		return;
	}
	ob_emit(ob, "sent", done.id, done.recipient, done.body, os->sim,
		"sent", NULL);
	free(done.body);
	if (next)
		ob_send_start(os);
}

static void on_part_sent(const struct modem_send_result *r, void *ud)
{
	struct ob_sim *os = ud;
	struct outbound *ob = os->ob;
	int64_t now = ob_now(ob);
	char what[300];

	switch (r->status) {
	case MODEM_SEND_OK:
		os->fail_streak = 0;
		/* The last part, the sent state and the next claim: one
		 * commit, so one fsync per single-part message. */
		store_begin(ob->store);
		store_outbox_part_sent(ob->store, &os->msg, os->sim->id,
				       os->usage_key, os->part + 1, r->mr, now);
		ob_count_part(os, now);
		if (++os->part < os->enc.nparts) {
			/* A part that is not recorded is not sent again
			 * (the final "sent" sets every part), but its MR
			 * for the delivery report is lost: say so. */
			if (store_commit(ob->store) < 0)
				log_error("outbound: part %d of message %lld "
					  "not recorded", os->part,
					  (long long)os->msg.id);
			send_part(os);
			return;
		}
		sent_and_next(os, now);
		return;
	case MODEM_SEND_CMS_ERROR:
	case MODEM_SEND_CME_ERROR:
		classified(os, r, now);
		break;
	case MODEM_SEND_NOT_SENT:
		snprintf(what, sizeof(what), "not sent: %s",
			 r->detail ? r->detail : "modem not available");
		streak(os, what, now);
		retry_message(os, 0, false, what, now);
		os->gap_until = now + OB_COOLDOWN_MS;
		break;
	case MODEM_SEND_AMBIGUOUS:
		snprintf(what, sizeof(what), "no answer after the PDU: %s",
			 r->detail ? r->detail : "timeout");
		streak(os, what, now);
		unknown_message(os, what, now);
		break;
	}
	release(os, now);
}
