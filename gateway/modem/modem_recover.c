/*
 * modem_recover — the recovery ladder (DESIGN.md §10,
 * research/reliability.md §3.3). A command that times out means the
 * modem may be hung; each failure climbs one step: ESC and AT, the whole
 * init again, the driver's soft reset (AT+CFUN=1,1: the tty may vanish
 * and come back), closing and reopening the tty, out of service with a
 * retry every 5 minutes. Every step is an event. Only this modem's timers
 * run it: the other modems carry on.
 */
#include "modem_priv.h"

#include <errno.h>

/* ---- step 1: ESC and AT ---- */

static enum modem_step_rc modem_recover_escape(struct modem *m,
					       const struct at_response *r)
{
	struct at_request req = { .command = "AT", .escape_first = true,
				  .timeout_ms = MODEM_WAKE_TIMEOUT_MS };

	return modem_seq_one(m, r, &req);
}

/* A ladder step's program ended: true when it failed (and the ladder
 * climbed on) or was cut short (the port went, or another began). */
static bool modem_recover_failed(struct modem *m, int err)
{
	if (err && err != -ENODEV && err != -ECANCELED)
		modem_recover_done(m, err);
	return err != 0;
}

static void modem_recover_escaped(struct modem *m, int err)
{
	if (modem_recover_failed(m, err))
		return;
	/* It answers. What the hang swallowed (a +CMTI, a delete) is found
	 * by listing storage; the health check that follows resets the
	 * ladder, or climbs on. */
	modem_set_state(m, MODEM_STATE_READY);
	m->want_import = true;
	modem_health_want(m);
}

static const modem_step_fn modem_recover_escape_steps[] = {
	modem_recover_escape,
	NULL,
};

static const struct modem_prog modem_prog_escape = {
	.name = "recovery: ESC and AT",
	.steps = modem_recover_escape_steps,
	.done = modem_recover_escaped,
};

/* ---- step 3: soft reset ---- */

static enum modem_step_rc modem_recover_reset(struct modem *m,
					      const struct at_response *r)
{
	struct at_request req = { .command = m->drv.reset,
				  .escape_first = true,
				  .timeout_ms = 10000 };

	return modem_seq_one(m, r, &req);
}

static void modem_recover_reset_done(struct modem *m, int err)
{
	if (modem_recover_failed(m, err))
		return;
	/* A USB modem re-enumerates: its tty goes away (modem_gone_cb) and
	 * comes back (inotify). One on a UART stays: init after its boot. */
	modem_set_state(m, MODEM_STATE_RESETTING);
	modem_retry(m, m->drv.reset_wait_ms);
}

static const modem_step_fn modem_recover_reset_steps[] = {
	modem_recover_reset,
	NULL,
};

static const struct modem_prog modem_prog_reset = {
	.name = "recovery: soft reset",
	.steps = modem_recover_reset_steps,
	.done = modem_recover_reset_done,
};

/* ---- the ladder ---- */

static void modem_recover_climb(struct modem *m, const char *what)
{
	m->ladder = modem_logic_ladder_next(m->ladder);
	modem_event(m, STORE_EVENT_WARNING, "%s: recovery step %d: %s", what,
		    (int)m->ladder, modem_logic_ladder_name(m->ladder));
	modem_seq_cancel(m);
	loop_timer_disarm(&m->retry_timer);
	loop_timer_disarm(&m->health_timer);
	m->want_health = false;
	/* Whatever waits in the queue would answer late or not at all. */
	if (m->chat && m->ladder <= MODEM_LADDER_RESET)
		at_chat_abort(m->chat);
	switch (m->ladder) {
	case MODEM_LADDER_NONE:
	case MODEM_LADDER_ESCAPE:
		modem_set_state(m, MODEM_STATE_RECOVERING);
		modem_seq_start(m, &modem_prog_escape);
		break;
	case MODEM_LADDER_REINIT:
		modem_init_start(m);
		break;
	case MODEM_LADDER_RESET:
		modem_set_state(m, MODEM_STATE_RECOVERING);
		modem_seq_start(m, &modem_prog_reset);
		break;
	case MODEM_LADDER_REOPEN:
		modem_close(m);
		modem_set_state(m, MODEM_STATE_OPENING);
		modem_retry(m, 1000);
		break;
	case MODEM_LADDER_OUT_OF_SERVICE:
		modem_close(m);
		modem_set_state(m, MODEM_STATE_OUT_OF_SERVICE);
		modem_retry(m, MODEM_OUT_OF_SERVICE_RETRY_MS);
		break;
	}
}

void modem_recover(struct modem *m, const char *what)
{
	/* While init or a ladder step runs, its own program notices. */
	if (m->state != MODEM_STATE_READY || !m->chat)
		return;
	modem_recover_climb(m, what);
}

void modem_recover_done(struct modem *m, int err)
{
	modem_recover_climb(m, err == -ETIMEDOUT ? "no answer"
						 : "init failed");
}

void modem_recover_timer(struct modem *m)
{
	switch (m->state) {
	case MODEM_STATE_RESETTING:
		if (m->chat) {
			modem_init_start(m);
			break;
		}
		modem_open(m);
		break;
	case MODEM_STATE_READY:
	case MODEM_STATE_INIT:
	case MODEM_STATE_RECOVERING:
		break;
	default:
		modem_open(m);
		break;
	}
}

/* RDY, "SMS Ready", +CPIN: while the lifecycle runs. */
void modem_recover_urc(struct modem *m, enum driver_urc_kind kind,
		       const char *line)
{
	/* A program pausing on "SIM busy" may go on at once. */
	if (kind != DRIVER_URC_BOOT && loop_timer_armed(&m->seq.timer))
		loop_timer_arm(&m->seq.timer, 0);
	if (m->state == MODEM_STATE_RESETTING &&
	    (kind == DRIVER_URC_BOOT || kind == DRIVER_URC_SIM)) {
		loop_timer_disarm(&m->retry_timer);
		modem_init_start(m);
		return;
	}
	if (m->state != MODEM_STATE_READY || m->switching)
		return;
	/* A SIM announces itself (+CPIN: READY too) only when it starts:
	 * the modem restarted and forgot our settings (+CNMI, echo). */
	if (kind == DRIVER_URC_BOOT || kind == DRIVER_URC_SIM) {
		modem_event(m, STORE_EVENT_WARNING,
			    "%s: the modem restarted or its SIM changed: "
			    "init again", line);
		modem_init_start(m);
	}
}
