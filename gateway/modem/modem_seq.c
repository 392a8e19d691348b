/*
 * modem_seq — runs a program: steps that each submit a command and read
 * its answer, one after the other, with pauses while the SIM says it is
 * busy. One program runs per modem at a time; other commands (a send, a
 * read after +CMTI) go through the same chat in between.
 */
#include "modem_priv.h"
#include "log.h"

#include <errno.h>
#include <string.h>

static void modem_seq_handle(struct modem *m, enum modem_step_rc rc);

/* Starts step afresh: no candidate tried, no pause taken. */
static void modem_seq_goto(struct modem *m, size_t step)
{
	m->seq.step = step;
	m->seq.sub = m->seq.cand = 0;
	m->seq.tries = 0;
	m->seq.own_timeout = false;
	m->seq.own_cancel = false;
}

static void modem_seq_end(struct modem *m, int err)
{
	const struct modem_prog *prog = m->seq.prog;

	modem_seq_cancel(m);
	if (prog && prog->done)
		prog->done(m, err);
	if (!m->seq.prog)
		modem_kick(m);
}

static enum modem_step_rc modem_seq_call(struct modem *m,
					 const struct at_response *r)
{
	return m->seq.prog->steps[m->seq.step](m, r);
}

static void modem_seq_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;
	bool own_cancel;

	/* A command of a program that was cancelled meanwhile. */
	if (!m->seq.prog || r->id != m->seq.cmd_id)
		return;
	m->seq.cmd_id = 0;
	own_cancel = m->seq.own_cancel && m->port.chat;
	m->seq.own_cancel = false;
	switch (r->status) {
	case AT_CHAT_STATUS_GONE:
		modem_seq_end(m, -ENODEV);
		return;
	case AT_CHAT_STATUS_CANCELLED:
		if (own_cancel)
			break;
		modem_seq_end(m, -ECANCELED);
		return;
	case AT_CHAT_STATUS_TIMEOUT:
		if (!m->seq.own_timeout) {
			log_warn("%s: %s: %s timed out", m->source,
				 m->seq.prog->name, r->command);
			modem_seq_end(m, -ETIMEDOUT);
			return;
		}
		break;
	default:
		break;
	}
	modem_seq_handle(m, modem_seq_call(m, r));
}

static void modem_seq_handle(struct modem *m, enum modem_step_rc rc)
{
	for (;;) {
		switch (rc) {
		case MODEM_STEP_WAIT:
			return;
		case MODEM_STEP_LATER:
			m->seq.tries++;
			loop_timer_arm(&m->seq.timer, MODEM_BUSY_RETRY_MS);
			return;
		case MODEM_STEP_FAIL:
			modem_seq_end(m, -EIO);
			return;
		case MODEM_STEP_TIMEOUT:
			modem_seq_end(m, -ETIMEDOUT);
			return;
		case MODEM_STEP_STOP:
			modem_seq_end(m, 0);
			return;
		case MODEM_STEP_NEXT:
			break;
		}
		modem_seq_goto(m, m->seq.step + 1);
		if (!m->seq.prog->steps[m->seq.step]) {
			modem_seq_end(m, 0);
			return;
		}
		rc = modem_seq_call(m, NULL);
	}
}

static int64_t modem_seq_timer_cb(struct loop_timer *t, void *ud)
{
	struct modem *m = ud;

	(void)t;
	if (m->seq.prog)
		modem_seq_handle(m, modem_seq_call(m, NULL));
	return LOOP_TIMER_DONE;
}

static void modem_seq_run_cb(struct loop_deferred *d, void *ud)
{
	struct modem *m = ud;

	(void)d;
	if (!m->seq.prog)
		return;
	if (!m->seq.prog->steps[0]) {
		modem_seq_end(m, 0);
		return;
	}
	modem_seq_handle(m, modem_seq_call(m, NULL));
}

void modem_seq_init(struct modem *m)
{
	loop_timer_init(m->loop, &m->seq.timer, modem_seq_timer_cb, m);
	loop_deferred_init(m->loop, &m->seq.run, modem_seq_run_cb, m);
}

void modem_seq_start(struct modem *m, const struct modem_prog *prog)
{
	modem_seq_cancel(m);
	m->seq.prog = prog;
	modem_seq_goto(m, 0);
	log_debug("%s: %s", m->source, prog->name);
	loop_defer(&m->seq.run);
}

void modem_seq_cancel(struct modem *m)
{
	m->seq.prog = NULL;
	m->seq.cmd_id = 0;
	m->seq.own_cancel = false;
	loop_timer_disarm(&m->seq.timer);
	loop_deferred_cancel(&m->seq.run);
}

bool modem_seq_running(const struct modem *m)
{
	return m->seq.prog != NULL;
}

enum modem_step_rc modem_seq_cmd(struct modem *m,
				 const struct at_request *req)
{
	struct at_request r = *req;
	int id;

	if (!m->port.chat)
		return MODEM_STEP_FAIL;
	r.cb = modem_seq_cb;
	r.ud = m;
	id = at_chat_submit(m->port.chat, &r);
	if (id < 0) {
		log_error("%s: %s: %s", m->source, req->command,
			  strerror(-id));
		return MODEM_STEP_FAIL;
	}
	m->seq.cmd_id = id;
	return MODEM_STEP_WAIT;
}

void modem_seq_bind(struct modem *m, struct at_request *req)
{
	req->cb = modem_seq_cb;
	req->ud = m;
}

enum modem_step_rc modem_seq_wait(struct modem *m, int id)
{
	m->seq.cmd_id = id;
	m->seq.own_cancel = true;
	return MODEM_STEP_WAIT;
}

enum modem_step_rc modem_seq_send(struct modem *m, const char *command,
				  const char *prefix)
{
	const char *prefixes[] = { prefix, NULL };
	struct at_request req = { .command = command,
				  .prefixes = prefix ? prefixes : NULL };

	return modem_seq_cmd(m, &req);
}

enum modem_step_rc modem_seq_one(struct modem *m, const struct at_response *r,
				 const struct at_request *req)
{
	if (!r)
		return modem_seq_cmd(m, req);
	return r->status == AT_CHAT_STATUS_OK ? MODEM_STEP_NEXT
					      : MODEM_STEP_FAIL;
}

bool modem_seq_advance(struct modem *m, const struct at_response *r)
{
	if (modem_seq_busy(m, r, MODEM_STEP_NEXT) == MODEM_STEP_LATER)
		return false;
	m->seq.cand++;
	return true;
}

enum modem_step_rc modem_seq_busy(struct modem *m,
				  const struct at_response *r,
				  enum modem_step_rc rc)
{
	if (r && r->status == AT_CHAT_STATUS_ERROR &&
	    modem_logic_busy_error(r->final) &&
	    m->seq.tries < MODEM_BUSY_TRIES)
		return MODEM_STEP_LATER;
	return rc;
}

enum modem_step_rc modem_seq_steps(struct modem *m,
				   const struct driver_step *list,
				   const struct at_response *r)
{
	const struct driver_step *e;
	struct at_request req = { 0 };

	if (r && r->status == AT_CHAT_STATUS_OK) {
		m->seq.sub++;
		m->seq.cand = 0;
		m->seq.tries = 0;
	} else if (r) {
		if (!modem_seq_advance(m, r))
			return MODEM_STEP_LATER;
		e = &list[m->seq.sub];
		if (e->candidates[m->seq.cand] == NULL) {
			if (!e->optional) {
				modem_event(m, MODEM_EVENT_ERROR,
					    "%s failed: %s", r->command,
					    r->final ? r->final : "no answer");
				return MODEM_STEP_FAIL;
			}
			log_info("%s: %s: %s (optional, skipped)", m->source,
				 r->command, r->final ? r->final : "?");
			m->seq.sub++;
			m->seq.cand = 0;
		}
	}
	if (!list || !list[m->seq.sub].candidates)
		return MODEM_STEP_NEXT;
	e = &list[m->seq.sub];
	req.command = e->candidates[m->seq.cand];
	req.raw_lines = true;
	req.timeout_ms = e->timeout_ms;
	return modem_seq_cmd(m, &req);
}

void modem_seq_nudge(struct modem *m)
{
	if (loop_timer_armed(&m->seq.timer))
		loop_timer_arm(&m->seq.timer, 0);
}
