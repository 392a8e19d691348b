/*
 * modem_smsready — SMS readiness, apart from SIM readiness. A SIM that
 * says +CPIN: READY does not mean SMS commands work: Quectel EC2x/BG96
 * answer them with +CMS ERROR: 500 (the code varies by firmware) until
 * "+QIND: SMS DONE", SIMCom until "SMS Ready" / "SMS DONE". Until then
 * the listing of stored messages waits and a send is held (accepted, not
 * written: it costs no attempt); the notice, or a probe that succeeds
 * (selecting storage, AT+CPMS, every few seconds), selects storage, lists
 * what is stored and releases the held send at once. A modem that never
 * says so is taken as ready after MODEM_SMS_WAIT_MAX_MS.
 */
#include "modem_priv.h"
#include "modem_init.h"
#include "modem_recv.h"
#include "modem_send.h"
#include "modem_setup.h"
#include "modem_smsready.h"
#include "log.h"

#include <errno.h>

#define MODEM_SMS_PROBE_MS 5000
#define MODEM_SMS_WAIT_MAX_MS 60000

void modem_sms_set_ready(struct modem *m, bool ready)
{
	bool was = m->sms.ready;

	m->sms.ready = ready;
	if (!ready) {
		if (was || !loop_timer_armed(&m->sms.probe_timer))
			m->sms.waiting_since = loop_now(m->loop);
		loop_timer_arm(&m->sms.probe_timer, MODEM_SMS_PROBE_MS);
		return;
	}
	loop_timer_disarm(&m->sms.probe_timer);
	if (was)
		return;
	if (m->fsm.state != MODEM_STATE_READY)
		return;
	modem_event(m, MODEM_EVENT_INFO, "SMS ready");
	modem_recv_want_import(m, true);
	modem_send_release_held(m);
	modem_kick(m);
}

static void modem_sms_probed(struct modem *m, int err)
{
	(void)err;
	/* modem_setup_cpms() said how it went. */
	if (m->sms.ready) {
		m->sms.ready = false;
		modem_sms_set_ready(m, true);
	}
}

/*
 * The configured init commands have the last word over the SMS setup
 * just redone (a user's own AT+CNMI=2,2,... for direct delivery would
 * otherwise be overridden by ours once +QIND: SMS DONE arrives after
 * init). Only once SMS works: a probe that found it not ready yet runs
 * again in a few seconds.
 */
static enum modem_step_rc modem_sms_probe_user(struct modem *m,
					       const struct at_response *r)
{
	if (!r && !m->sms.ready)
		return MODEM_STEP_NEXT;
	return modem_setup_user(m, r);
}

/* The SMS part of init, again: PDU mode, +CNMI, storage, then the
 * configured init commands. */
static const modem_step_fn modem_sms_probe_steps[] = {
	modem_init_sms,
	modem_setup_cnmi,
	modem_setup_cpms,
	modem_recv_mem_count,
	modem_sms_probe_user,
	NULL,
};

const struct modem_prog modem_prog_sms_probe = {
	.name = "SMS ready?",
	.steps = modem_sms_probe_steps,
	.done = modem_sms_probed,
};

void modem_sms_notice(struct modem *m, const char *line)
{
	m->sms.noticed = true;
	if (m->sms.ready || !m->port.chat)
		return;
	log_info("%s: %s: selecting storage", m->source, line);
	m->sms.want_probe = true;
	modem_kick(m);
}

static int64_t modem_sms_probe_cb(struct loop_timer *t, void *ud)
{
	struct modem *m = ud;

	(void)t;
	if (m->sms.ready || !m->port.chat)
		return LOOP_TIMER_DONE;
	if (m->fsm.state == MODEM_STATE_READY &&
	    loop_now(m->loop) - m->sms.waiting_since >=
		    MODEM_SMS_WAIT_MAX_MS) {
		modem_event(m, MODEM_EVENT_WARNING,
			    "SMS commands still refused after %d s and no "
			    "readiness notice: trying anyway",
			    MODEM_SMS_WAIT_MAX_MS / 1000);
		modem_sms_set_ready(m, true);
		return LOOP_TIMER_DONE;
	}
	m->sms.want_probe = true;
	modem_kick(m);
	return MODEM_SMS_PROBE_MS;
}

void modem_sms_init(struct modem *m)
{
	loop_timer_init(m->loop, &m->sms.probe_timer, modem_sms_probe_cb, m);
}

void modem_sms_stop(struct modem *m)
{
	loop_timer_disarm(&m->sms.probe_timer);
}

void modem_sms_announces(struct modem *m, bool announces)
{
	m->sms.announces = announces;
}

void modem_sms_set_receive(struct modem *m, bool receive)
{
	m->sms.receive = receive;
}

bool modem_sms_probe_due(struct modem *m)
{
	if (!m->sms.want_probe || m->sms.ready)
		return false;
	m->sms.want_probe = false;
	return true;
}

static const modem_step_fn modem_sms_cnmi_steps[] = {
	modem_setup_cnmi,
	NULL,
};

static void modem_sms_cnmi_done(struct modem *m, int err)
{
	if (err == -ETIMEDOUT)
		modem_fsm_report(m, MODEM_EV_TIMEOUT, "+CNMI");
}

const struct modem_prog modem_prog_cnmi = {
	.name = "+CNMI again",
	.steps = modem_sms_cnmi_steps,
	.done = modem_sms_cnmi_done,
};

void modem_sms_want_cnmi(struct modem *m)
{
	m->sms.want_cnmi = true;
	/* What came while routing was off is in storage. */
	modem_recv_want_import(m, true);
	modem_kick(m);
}

void modem_sms_delivery_changed(struct modem *m)
{
	m->sms.direct_warned = false;
	modem_sms_want_cnmi(m);
}

bool modem_sms_cnmi_due(struct modem *m)
{
	if (!m->sms.want_cnmi || !m->sms.ready)
		return false;
	m->sms.want_cnmi = false;
	return true;
}

bool modem_sms_count_refusal(struct modem *m, unsigned max)
{
	if (m->sms.refusals >= max)
		return false;
	m->sms.refusals++;
	return true;
}

void modem_sms_went_out(struct modem *m)
{
	m->sms.refusals = 0;
}
