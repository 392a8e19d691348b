/*
 * modem_fsm — the modem's life cycle (include/modem_fsm.h): the one table
 * of (state x event) transitions, the one function that assigns a state,
 * the start of init, and the recovery ladder (doc/modem-lifecycle.md,
 * doc/reliability.md, "Recovery ladder and device disappearance").
 *
 * A command that times out means the modem may be hung; each failure
 * climbs one step: ESC and AT, the whole init again, the driver's soft
 * reset (AT+CFUN=1,1: the tty may vanish and come back), closing and
 * reopening the tty, out of service with a retry every 5 minutes (and,
 * with hub_port set, a power cycle of the modem's USB hub port by
 * uhubctl: modem_hub.c). Every
 * step is an event row. Only this modem's timers run it: the other modems
 * carry on.
 *
 * Capabilities report what they saw with modem_fsm_event(); an event the
 * table has no cell for in the current state is ignored (a late timeout
 * of a read while init runs again, a +CPIN: READY during a slot switch).
 */
#include "modem_priv.h"
#include "modem_health.h"
#include "modem_hub.h"
#include "modem_init.h"
#include "modem_recv.h"
#include "backoff.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

typedef void (*modem_fsm_fn)(struct modem *m, const struct modem_fsm_arg *a);

static const char *const modem_fsm_state_names[MODEM_STATE_COUNT] = {
	[MODEM_STATE_CLOSED] = "closed",
	[MODEM_STATE_ABSENT] = "absent",
	[MODEM_STATE_OPENING] = "opening",
	[MODEM_STATE_INIT] = "init",
	[MODEM_STATE_READY] = "ready",
	[MODEM_STATE_RECOVERING] = "recovering",
	[MODEM_STATE_RESETTING] = "resetting",
	[MODEM_STATE_BLOCKED] = "blocked",
	[MODEM_STATE_OUT_OF_SERVICE] = "out of service",
};

static const char *const modem_fsm_event_names[MODEM_EV_COUNT] = {
	[MODEM_EV_TIMER] = "timer",
	[MODEM_EV_APPEARED] = "appeared",
	[MODEM_EV_GONE] = "gone",
	[MODEM_EV_INIT_DONE] = "init done",
	[MODEM_EV_BLOCKED] = "blocked",
	[MODEM_EV_FAILED] = "failed",
	[MODEM_EV_TIMEOUT] = "timeout",
	[MODEM_EV_ANSWERED] = "answered",
	[MODEM_EV_RESET_SENT] = "reset sent",
	[MODEM_EV_BOOTED] = "booted",
	[MODEM_EV_RESTARTED] = "restarted",
	[MODEM_EV_SIM_LOST] = "SIM lost",
	[MODEM_EV_RECONFIG] = "reconfigured",
	[MODEM_EV_NEW_PIN] = "new PIN",
	[MODEM_EV_HEALTHY] = "healthy",
};

static unsigned modem_fsm_counts[MODEM_STATE_COUNT][MODEM_EV_COUNT];

const char *modem_fsm_state_name(enum modem_state s)
{
	return s < MODEM_STATE_COUNT ? modem_fsm_state_names[s] : "?";
}

const char *modem_fsm_event_name(enum modem_fsm_event ev)
{
	return ev < MODEM_EV_COUNT ? modem_fsm_event_names[ev] : "?";
}

/* The one place a modem's state is assigned; the SIMs' links follow. */
static void modem_fsm_enter(struct modem *m, enum modem_state s)
{
	if (m->fsm.state != s)
		log_debug("%s: %s -> %s", m->source,
			  modem_fsm_state_name(m->fsm.state),
			  modem_fsm_state_name(s));
	m->fsm.state = s;
	modem_links(m);
}

static void modem_fsm_retry(struct modem *m, int64_t delay_ms)
{
	loop_timer_arm(&m->fsm.retry, delay_ms);
}

/* ---- init ---- */

static void modem_fsm_start_init(struct modem *m)
{
	m->fsm.inited = false;
	modem_init_reset(m);
	modem_fsm_enter(m, MODEM_STATE_INIT);
	modem_seq_start(m, &modem_prog_init);
}

/* ---- the ladder's own programs ---- */

static enum modem_step_rc modem_fsm_escape_step(struct modem *m,
						const struct at_response *r)
{
	struct at_request req = { .command = "AT", .escape_first = true,
				  .timeout_ms = MODEM_WAKE_TIMEOUT_MS };

	return modem_seq_one(m, r, &req);
}

/* A ladder program ended: its outcome is an event; a program cut short
 * (the port went, or another began) has reported already. */
static void modem_fsm_prog_done(struct modem *m, int err,
				enum modem_fsm_event ok)
{
	struct modem_fsm_arg a = { .err = err };

	if (err == -ENODEV || err == -ECANCELED)
		return;
	modem_fsm_event(m, err ? MODEM_EV_FAILED : ok, &a);
}

static void modem_fsm_escaped(struct modem *m, int err)
{
	modem_fsm_prog_done(m, err, MODEM_EV_ANSWERED);
}

static const modem_step_fn modem_fsm_escape_steps[] = {
	modem_fsm_escape_step,
	NULL,
};

static const struct modem_prog modem_prog_escape = {
	.name = "recovery: ESC and AT",
	.steps = modem_fsm_escape_steps,
	.done = modem_fsm_escaped,
};

static enum modem_step_rc modem_fsm_reset_step(struct modem *m,
					       const struct at_response *r)
{
	struct at_request req = { .command = m->drv.reset,
				  .escape_first = true,
				  .timeout_ms = 10000 };

	return modem_seq_one(m, r, &req);
}

static void modem_fsm_reset_done(struct modem *m, int err)
{
	modem_fsm_prog_done(m, err, MODEM_EV_RESET_SENT);
}

static const modem_step_fn modem_fsm_reset_steps[] = {
	modem_fsm_reset_step,
	NULL,
};

static const struct modem_prog modem_prog_reset = {
	.name = "recovery: soft reset",
	.steps = modem_fsm_reset_steps,
	.done = modem_fsm_reset_done,
};

/* ---- actions: one per table cell kind ---- */

/* Climbs one step of the ladder; what says why. */
static void modem_fsm_climb(struct modem *m, const char *what)
{
	struct modem_fsm *f = &m->fsm;

	f->ladder = modem_logic_ladder_next(f->ladder);
	modem_event(m, MODEM_EVENT_WARNING, "%s: recovery step %d: %s", what,
		    (int)f->ladder, modem_logic_ladder_name(f->ladder));
	modem_seq_cancel(m);
	loop_timer_disarm(&f->retry);
	modem_health_stop(m);
	/* Whatever waits in the queue would answer late or not at all. */
	if (m->port.chat && f->ladder <= MODEM_LADDER_RESET)
		at_chat_abort(m->port.chat);
	switch (f->ladder) {
	case MODEM_LADDER_NONE:
	case MODEM_LADDER_ESCAPE:
		modem_fsm_enter(m, MODEM_STATE_RECOVERING);
		modem_seq_start(m, &modem_prog_escape);
		break;
	case MODEM_LADDER_REINIT:
		modem_fsm_start_init(m);
		break;
	case MODEM_LADDER_RESET:
		modem_fsm_enter(m, MODEM_STATE_RECOVERING);
		modem_seq_start(m, &modem_prog_reset);
		break;
	case MODEM_LADDER_REOPEN:
		modem_close(m);
		modem_fsm_enter(m, MODEM_STATE_OPENING);
		modem_fsm_retry(m, 1000);
		break;
	case MODEM_LADDER_OUT_OF_SERVICE:
		modem_close(m);
		modem_fsm_enter(m, MODEM_STATE_OUT_OF_SERVICE);
		modem_fsm_retry(m, MODEM_OUT_OF_SERVICE_RETRY_MS);
		/* Where the operator allows it (hub_port), the ladder ends
		 * by taking the modem's power away (modem_hub.c); its end
		 * comes back as APPEARED. */
		modem_hub_cycle(m);
		break;
	}
}

/* TIMEOUT: a command timed out while ready. */
static void modem_fsm_on_timeout(struct modem *m, const struct modem_fsm_arg *a)
{
	if (!m->port.chat)
		return;
	modem_fsm_climb(m, a && a->what ? a->what : "no answer");
}

/* FAILED: init or a ladder step failed. */
static void modem_fsm_on_failed(struct modem *m, const struct modem_fsm_arg *a)
{
	modem_fsm_climb(m, a && a->err == -ETIMEDOUT ? "no answer"
						     : "init failed");
}

static void modem_fsm_open_failed(struct modem *m, int rc)
{
	struct modem_fsm *f = &m->fsm;

	if (rc == -ENOENT || rc == -ENODEV || rc == -ENXIO) {
		if (f->state != MODEM_STATE_ABSENT)
			modem_event(m, MODEM_EVENT_WARNING,
				    "%s is not there: waiting for it",
				    m->mcfg->device);
		modem_fsm_enter(m, MODEM_STATE_ABSENT);
		return;
	}
	if (rc != f->last_open_error)
		modem_event(m, MODEM_EVENT_ERROR, "cannot open %s: %s",
			    m->mcfg->device, strerror(-rc));
	f->last_open_error = rc;
	if (f->state != MODEM_STATE_OUT_OF_SERVICE)
		modem_fsm_enter(m, MODEM_STATE_ABSENT);
	modem_fsm_retry(m, backoff_ms(f->open_failures++,
				       MODEM_OPEN_BACKOFF_FIRST_MS,
				       MODEM_OPEN_BACKOFF_MAX_MS));
}

/* TIMER while closed: open the port, then init. */
static void modem_fsm_open(struct modem *m, const struct modem_fsm_arg *a)
{
	int rc;

	(void)a;
	if (m->port.chat)
		return;
	rc = modem_port_open(m);
	if (rc < 0) {
		modem_fsm_open_failed(m, rc);
		return;
	}
	m->fsm.open_failures = 0;
	m->fsm.last_open_error = 0;
	modem_fsm_start_init(m);
}

/* TIMER while resetting: the boot notice never came; a modem on a UART
 * keeps its port (init it), a USB one re-enumerated (open it). */
static void modem_fsm_reset_waited(struct modem *m,
				   const struct modem_fsm_arg *a)
{
	if (m->port.chat)
		modem_fsm_start_init(m);
	else
		modem_fsm_open(m, a);
}

/* APPEARED: a burst (create, then chmod by udev) ends in one try. */
static void modem_fsm_appeared(struct modem *m, const struct modem_fsm_arg *a)
{
	(void)a;
	log_debug("%s: %s appeared", m->source, m->mcfg->device);
	modem_fsm_retry(m, 50);
}

static void modem_fsm_gone(struct modem *m, const struct modem_fsm_arg *a)
{
	modem_event(m, MODEM_EVENT_WARNING, "%s went away (%s)",
		    m->mcfg->device, strerror(a ? -a->err : ENODEV));
	modem_seq_cancel(m);
	modem_close(m);
	modem_fsm_enter(m, MODEM_STATE_ABSENT);
	/* The name may still be there for a moment (udev removes it after
	 * the kernel); inotify tells when it comes back. */
	if (access(m->mcfg->device, F_OK) == 0)
		modem_fsm_retry(m, 500);
}

/* INIT_DONE: what the init learned is complete; the ladder is reset. */
static void modem_fsm_ready(struct modem *m, const struct modem_fsm_arg *a)
{
	bool recovered = m->fsm.ladder != MODEM_LADDER_NONE;

	(void)a;
	m->fsm.ladder = MODEM_LADDER_NONE;
	m->fsm.inited = true;
	m->fsm.ready_at = loop_now(m->loop);
	modem_health_set_registered(m);
	modem_fsm_enter(m, MODEM_STATE_READY);
	modem_ready_event(m, recovered);
	modem_recv_want_import(m, true);
	modem_health_note_echoes(m);
	modem_health_arm(m);
	modem_kick(m);
}

/* Gives up on this device until a person acts (retry false: a PIN we must
 * not try again) or for a while (no SIM, another modem's IMEI). */
static void modem_fsm_blocked(struct modem *m, const struct modem_fsm_arg *a)
{
	modem_seq_cancel(m);
	m->fsm.blocked_link = a->link;
	modem_close(m);
	modem_fsm_enter(m, MODEM_STATE_BLOCKED);
	if (a->retry)
		modem_fsm_retry(m, MODEM_BLOCKED_RETRY_MS);
}

/* ANSWERED: ladder step 1 worked. What the hang swallowed (a +CMTI, a
 * delete) is found by listing storage; the health check that follows
 * resets the ladder, or climbs on. A modem whose init never completed
 * (a Wavecom that times out AT+CPIN? during init) finishes init first:
 * listing and deleting before +CMGF=0 and +CPMS is how a modem left in
 * text mode loses messages. */
static void modem_fsm_answered(struct modem *m, const struct modem_fsm_arg *a)
{
	(void)a;
	if (!m->fsm.inited) {
		modem_event(m, MODEM_EVENT_INFO,
			    "answering again; init was not complete: init");
		modem_fsm_start_init(m);
		return;
	}
	modem_fsm_enter(m, MODEM_STATE_READY);
	modem_recv_want_import(m, true);
	modem_health_want(m);
}

/* RESET_SENT: a USB modem re-enumerates: its tty goes away (GONE) and
 * comes back (APPEARED). One on a UART stays: init after its boot. */
static void modem_fsm_reset_sent(struct modem *m,
				 const struct modem_fsm_arg *a)
{
	(void)a;
	modem_fsm_enter(m, MODEM_STATE_RESETTING);
	modem_fsm_retry(m, m->drv.reset_wait_ms);
}

/* BOOTED while resetting: the boot we waited for. */
static void modem_fsm_booted(struct modem *m, const struct modem_fsm_arg *a)
{
	(void)a;
	loop_timer_disarm(&m->fsm.retry);
	modem_fsm_start_init(m);
}

/* Init again from ready: the modem forgot our settings (+CNMI, echo),
 * or the SIM went. what: the event row's text, if any. */
static void modem_fsm_reinit(struct modem *m, const struct modem_fsm_arg *a)
{
	if (a && a->what)
		modem_event(m, MODEM_EVENT_WARNING, "%s", a->what);
	modem_fsm_start_init(m);
}

/* BOOTED while ready: a SIM announces itself (+CPIN: READY too) only when
 * it starts, so the modem restarted; during a slot switch that is the new
 * slot's SIM. A +CPIN: READY soon after init completed is the SIM
 * finishing the start init already saw (a modem opened while booting):
 * no second init. A boot notice (RDY, ^SYSSTART) always inits. */
static void modem_fsm_ready_booted(struct modem *m,
				   const struct modem_fsm_arg *a)
{
	struct modem_fsm_arg w = { 0 };
	char why[320];

	if (m->slot.switching)
		return;
	if (a && a->sim_ready &&
	    loop_now(m->loop) - m->fsm.ready_at < MODEM_BOOT_SETTLE_MS) {
		log_info("%s: %s just after init: nothing to do", m->source,
			 a->what ? a->what : "+CPIN: READY");
		return;
	}
	snprintf(why, sizeof(why), "%s: the modem restarted or its SIM "
		 "changed: init again", a && a->what ? a->what : "?");
	w.what = why;
	modem_fsm_reinit(m, &w);
}

/* NEW_PIN while blocked: it may be tried once, like the first. */
static void modem_fsm_new_pin(struct modem *m, const struct modem_fsm_arg *a)
{
	(void)a;
	modem_init_new_pin(m);
	modem_fsm_retry(m, 0);
}

static void modem_fsm_healthy(struct modem *m, const struct modem_fsm_arg *a)
{
	(void)a;
	if (m->fsm.ladder != MODEM_LADDER_ESCAPE)
		return;
	m->fsm.ladder = MODEM_LADDER_NONE;
	modem_event(m, MODEM_EVENT_INFO, "recovered: answering again");
}

/* ---- the table ---- */

#define CLOSED_LIKE(s)                                                      \
	[s][MODEM_EV_TIMER] = modem_fsm_open,                               \
	[s][MODEM_EV_APPEARED] = modem_fsm_appeared

#define PORT_OPEN(s) [s][MODEM_EV_GONE] = modem_fsm_gone

static const modem_fsm_fn modem_fsm_table[MODEM_STATE_COUNT][MODEM_EV_COUNT] = {
	[MODEM_STATE_CLOSED][MODEM_EV_TIMER] = modem_fsm_open,
	CLOSED_LIKE(MODEM_STATE_ABSENT),
	CLOSED_LIKE(MODEM_STATE_BLOCKED),
	[MODEM_STATE_BLOCKED][MODEM_EV_NEW_PIN] = modem_fsm_new_pin,
	CLOSED_LIKE(MODEM_STATE_OUT_OF_SERVICE),
	[MODEM_STATE_OPENING][MODEM_EV_TIMER] = modem_fsm_open,

	PORT_OPEN(MODEM_STATE_INIT),
	[MODEM_STATE_INIT][MODEM_EV_INIT_DONE] = modem_fsm_ready,
	[MODEM_STATE_INIT][MODEM_EV_BLOCKED] = modem_fsm_blocked,
	[MODEM_STATE_INIT][MODEM_EV_FAILED] = modem_fsm_on_failed,

	PORT_OPEN(MODEM_STATE_READY),
	[MODEM_STATE_READY][MODEM_EV_TIMEOUT] = modem_fsm_on_timeout,
	[MODEM_STATE_READY][MODEM_EV_BOOTED] = modem_fsm_ready_booted,
	[MODEM_STATE_READY][MODEM_EV_RESTARTED] = modem_fsm_reinit,
	[MODEM_STATE_READY][MODEM_EV_SIM_LOST] = modem_fsm_reinit,
	[MODEM_STATE_READY][MODEM_EV_RECONFIG] = modem_fsm_reinit,
	[MODEM_STATE_READY][MODEM_EV_HEALTHY] = modem_fsm_healthy,

	PORT_OPEN(MODEM_STATE_RECOVERING),
	[MODEM_STATE_RECOVERING][MODEM_EV_FAILED] = modem_fsm_on_failed,
	[MODEM_STATE_RECOVERING][MODEM_EV_ANSWERED] = modem_fsm_answered,
	[MODEM_STATE_RECOVERING][MODEM_EV_RESET_SENT] = modem_fsm_reset_sent,

	PORT_OPEN(MODEM_STATE_RESETTING),
	[MODEM_STATE_RESETTING][MODEM_EV_TIMER] = modem_fsm_reset_waited,
	[MODEM_STATE_RESETTING][MODEM_EV_BOOTED] = modem_fsm_booted,
};

bool modem_fsm_legal(enum modem_state s, enum modem_fsm_event ev)
{
	return s < MODEM_STATE_COUNT && ev < MODEM_EV_COUNT &&
	       modem_fsm_table[s][ev] != NULL;
}

unsigned modem_fsm_taken(enum modem_state s, enum modem_fsm_event ev)
{
	return modem_fsm_legal(s, ev) ? modem_fsm_counts[s][ev] : 0;
}

void modem_fsm_event(struct modem *m, enum modem_fsm_event ev,
		     const struct modem_fsm_arg *a)
{
	enum modem_state s = m->fsm.state;

	if (!modem_fsm_legal(s, ev)) {
		log_debug("%s: %s ignored while %s", m->source,
			  modem_fsm_event_name(ev), modem_fsm_state_name(s));
		return;
	}
	modem_fsm_counts[s][ev]++;
	modem_fsm_table[s][ev](m, a);
}

void modem_fsm_report(struct modem *m, enum modem_fsm_event ev,
		      const char *what)
{
	struct modem_fsm_arg a = { .what = what };

	modem_fsm_event(m, ev, &a);
}

/* ---- the retry timer ---- */

static int64_t modem_fsm_timer_cb(struct loop_timer *t, void *ud)
{
	(void)t;
	modem_fsm_event(ud, MODEM_EV_TIMER, NULL);
	return LOOP_TIMER_DONE;
}

void modem_fsm_init(struct modem *m)
{
	/* calloc: CLOSED, on no ladder step. */
	loop_timer_init(m->loop, &m->fsm.retry, modem_fsm_timer_cb, m);
	modem_fsm_retry(m, 0);
}

void modem_fsm_stop(struct modem *m)
{
	loop_timer_disarm(&m->fsm.retry);
}
