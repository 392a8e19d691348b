/*
 * modem_send — AT+CMGS in PDU mode (TS 27.005 §3.5.1): the command, the
 * "> " prompt, the PDU and Ctrl-Z, then +CMGS: <mr> or an error. Nothing
 * else is written around a send: two command lines per single-part
 * message. A send on a standby slot switches the modem to that slot
 * first (driver slot_select), then reads the new SIM's identity and
 * waits for its network.
 */
#include "modem_priv.h"
#include "modem_health.h"
#include "modem_init.h"
#include "modem_link.h"
#include "modem_recv.h"
#include "modem_send.h"
#include "modem_setup.h"
#include "modem_smsready.h"
#include "at_parse_sms.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The send's callback with r (status from the chat). */
static void modem_send_finish(struct modem *m,
			      const struct modem_send_result *r)
{
	modem_send_cb cb = m->send.cb;
	void *ud = m->send.ud;

	/* Cleared first: the callback may send the next part at once. */
	memset(&m->send, 0, sizeof(m->send));
	cb(r, ud);
	modem_kick(m);
}

void modem_send_fail(struct modem *m, const char *detail)
{
	struct modem_send_result r = { .status = MODEM_SEND_NOT_SENT,
				       .mr = -1, .detail = detail };

	if (m->send.active)
		modem_send_finish(m, &r);
}

/* What the response of AT+CMGS means for the message (doc/contract.md §7). */
static void modem_send_result(const struct at_response *r,
			      struct modem_send_result *out)
{
	bool submitted = r->stage == AT_CHAT_STAGE_SUBMITTED;

	out->mr = -1;
	out->code = 0;
	out->detail = r->final;
	switch (r->status) {
	case AT_CHAT_STATUS_OK:
		/* OK before the PDU was written: the modem took no
		 * message (it never prompted). */
		out->status = submitted ? MODEM_SEND_OK : MODEM_SEND_NOT_SENT;
		for (size_t i = 0; i < r->nlines; i++)
			if (at_parse_sms_cmgs(r->lines[i], &out->mr))
				break;
		return;
	case AT_CHAT_STATUS_ERROR:
		if (r->final && at_parse_sms_cms_error(r->final, &out->code))
			out->status = MODEM_SEND_CMS_ERROR;
		else if (r->final && at_parse_cme_error(r->final, &out->code))
			out->status = MODEM_SEND_CME_ERROR;
		else
			out->status = MODEM_SEND_NOT_SENT;
		return;
	case AT_CHAT_STATUS_TIMEOUT:
		out->detail = submitted ? "no answer after the PDU"
					: "no prompt";
		break;
	case AT_CHAT_STATUS_GONE:
		out->detail = "the modem went away";
		break;
	case AT_CHAT_STATUS_CANCELLED:
		out->detail = "cancelled";
		break;
	}
	out->status = submitted ? MODEM_SEND_AMBIGUOUS : MODEM_SEND_NOT_SENT;
}

/*
 * +CMS ERROR codes about the modem rather than the message (TS 27.005
 * §3.2.5): storage full, the SIM gone or locked, no network.
 */
static void modem_send_cms_state(struct modem *m, int code,
				 const char *final)
{
	if (m->fsm.state != MODEM_STATE_READY)
		return;
	if (code == 322) {
		modem_recv_storage_full(m, final);
	} else if (code >= 310 && code <= 316) {
		char why[160];

		snprintf(why, sizeof(why), "AT+CMGS: %s: init again", final);
		modem_fsm_report(m, MODEM_EV_SIM_LOST, why);
	} else if (code == 331) {
		modem_health_want(m);
	}
}

/* Refusals that mean "SMS is not up yet" rather than "not this
 * message": SIM busy (TS 27.005 §3.2.5: 314), 515 (SIMCom, Quectel:
 * init in progress), and 500 soon after init on a family that announces
 * SMS readiness and has not yet (Quectel EC2x before +QIND: SMS DONE). The send is held again until SMS is ready, and costs
 * no attempt; a few times since the last send that went out, then the
 * errors go to the caller (a storm of 500 is the network's). */
#define MODEM_SEND_NOT_READY_MAX 3
#define MODEM_SEND_EARLY_MS (2 * 60 * 1000)

static bool modem_send_not_ready(struct modem *m, int code,
				 const char *final)
{
	/* 500 is "unknown error": SMS not up only on a family that says
	 * when it is up, before it said so, and soon after init. */
	bool early = m->sms.announces && !m->sms.noticed &&
		     loop_now(m->loop) - m->fsm.ready_at < MODEM_SEND_EARLY_MS;

	if (!(code == 314 || code == 515 || (code == 500 && early)) ||
	    !modem_sms_count_refusal(m, MODEM_SEND_NOT_READY_MAX))
		return false;
	m->send.held = true;
	log_info("%s: AT+CMGS: %s: SMS not ready yet; the send waits for it",
		 m->source, final ? final : "?");
	modem_sms_set_ready(m, false);
	return true;
}

static void modem_send_cmgs_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;
	struct modem_send_result res;

	if (!m->send.active || r->id != m->send.cmd_id)
		return;
	modem_send_result(r, &res);
	res.driver = modem_driver(m);
	if (res.status == MODEM_SEND_CMS_ERROR &&
	    modem_send_not_ready(m, res.code, r->final))
		return;
	if (res.status == MODEM_SEND_OK)
		modem_sms_went_out(m);
	modem_link_answered(m);
	if (res.status == MODEM_SEND_OK && res.mr < 0)
		log_warn("%s: AT+CMGS answered OK without +CMGS: <mr>",
			 m->source);
	modem_send_finish(m, &res);
	if (res.status == MODEM_SEND_CMS_ERROR)
		modem_send_cms_state(m, res.code, r->final);
	if (r->status == AT_CHAT_STATUS_TIMEOUT)
		modem_fsm_report(m, MODEM_EV_TIMEOUT,
				 r->stage == AT_CHAT_STAGE_SUBMITTED
					 ? "AT+CMGS (after the PDU)"
					 : "AT+CMGS (no prompt)");
}

int modem_send_submit(struct modem *m)
{
	static const char *const prefixes[] = { "+CMGS:", NULL };
	char cmd[32];
	struct at_request req = {
		.command = cmd,
		.prefixes = prefixes,
		.pdu = m->send.pdu,
		.timeout_ms = m->cfg->send_timeout_ms,
		.prompt_timeout_ms = m->cfg->prompt_timeout_ms,
		.cb = modem_send_cmgs_cb,
		.ud = m,
	};
	int id;

	if (!m->port.chat)
		return -ENODEV;
	snprintf(cmd, sizeof(cmd), "AT+CMGS=%d", m->send.tpdu_len);
	modem_link_before_send(m);
	id = at_chat_submit(m->port.chat, &req);
	if (id < 0)
		return id;
	m->send.cmd_id = id;
	modem_health_note_sent(m);
	return 0;
}

static size_t modem_send_slot(const struct modem *m, const struct sim *sim)
{
	for (size_t i = 0; i < m->slot.n; i++)
		if (m->slot.sims[i] == sim)
			return i;
	return SIZE_MAX;
}

int modem_send_pdu(struct sim *sim, const char *pdu_hex, int tpdu_len,
		   modem_send_cb cb, void *ud)
{
	struct modem *m = sim ? sim->modem : NULL;
	size_t slot = m ? modem_send_slot(m, sim) : SIZE_MAX;
	int rc;

	if (!m || !m->port.chat || m->fsm.state != MODEM_STATE_READY ||
	    slot == SIZE_MAX || m->slot.fault[slot] != SIM_STATE_READY)
		return -ENODEV;
	if (m->send.active || m->slot.switching)
		return -EBUSY;
	if (!pdu_hex || strlen(pdu_hex) > AT_CHAT_MAX_PDU || tpdu_len <= 0)
		return -EINVAL;
	m->send.active = true;
	snprintf(m->send.pdu, sizeof(m->send.pdu), "%s", pdu_hex);
	m->send.tpdu_len = tpdu_len;
	m->send.cb = cb;
	m->send.ud = ud;
	if (slot != m->slot.active) {
		m->send.switching = true;
		m->slot.target = slot;
		modem_kick(m);
		return 0;
	}
	/* SMS not ready yet: held, written when it is (no attempt spent). */
	if (!m->sms.ready) {
		m->send.held = true;
		return 0;
	}
	rc = modem_send_submit(m);
	if (rc < 0)
		memset(&m->send, 0, sizeof(m->send));
	/* modem.h promises -ENODEV, -EBUSY or -EINVAL: the chat's other
	 * refusals (-ESHUTDOWN, -ENOMEM) mean this modem cannot send now. */
	return rc < 0 && rc != -EINVAL ? -ENODEV : rc;
}

/* ---- switching slots ---- */

static enum modem_step_rc modem_send_select(struct modem *m,
					    const struct at_response *r)
{
	char cmd[64];
	struct at_request req = { .command = cmd };

	if (r && r->status == AT_CHAT_STATUS_OK)
		return MODEM_STEP_NEXT;
	if (r) {
		if (modem_seq_busy(m, r, MODEM_STEP_FAIL) == MODEM_STEP_LATER)
			return MODEM_STEP_LATER;
		m->slot.fault[m->slot.target] = SIM_STATE_ERROR;
		modem_event(m, MODEM_EVENT_ERROR, "%s failed: %s", r->command,
			    r->final ? r->final : "?");
		return MODEM_STEP_FAIL;
	}
	driver_command(cmd, sizeof(cmd), m->drv.slot_select,
		       (int)m->slot.target + m->drv.slot_base);
	return modem_seq_cmd(m, &req);
}

static void modem_send_switched(struct modem *m, int err)
{
	struct sim *s = modem_active_sim(m);

	m->slot.switching = false;
	m->send.switching = false;
	if (err == -ENODEV || err == -ECANCELED)
		return;
	modem_health_set_registered(m);
	modem_links(m);
	if (err == 0 && m->slot.fault[m->slot.active] == SIM_STATE_READY) {
		modem_event(m, MODEM_EVENT_INFO,
			    "SIM %s active: ICCID %s, %s%s", s->name, s->iccid,
			    m->net.registered ? "registered on " : "not registered",
			    m->net.registered ? s->operator_name : "");
		if (modem_send_submit(m) < 0)
			modem_send_fail(m, "the modem's port closed");
		return;
	}
	modem_send_fail(m, "the SIM slot could not be used");
	if (err == -ETIMEDOUT)
		modem_fsm_report(m, MODEM_EV_TIMEOUT, "switching SIM slots");
}

static const modem_step_fn modem_send_switch_steps[] = {
	modem_send_select,
	modem_setup_sim_ready,
	modem_init_sms,
	modem_setup_cnmi,
	modem_setup_cpms,
	modem_setup_imsi,
	modem_setup_iccid,
	modem_setup_cnum,
	modem_health_signal,
	modem_setup_wait_network,
	modem_health_operator,
	NULL,
};

static const struct modem_prog modem_prog_switch = {
	.name = "switch SIM slot",
	.steps = modem_send_switch_steps,
	.done = modem_send_switched,
};

void modem_switch_start(struct modem *m)
{
	struct sim *to = m->slot.sims[m->slot.target];

	modem_event(m, MODEM_EVENT_INFO, "switching from SIM %s to SIM %s",
		    modem_active_sim(m)->name, to->name);
	m->slot.active = m->slot.target;
	m->slot.switching = true;
	modem_health_forget_stat(m);
	modem_links(m);
	modem_seq_start(m, &modem_prog_switch);
}

void modem_switch_cancel(struct modem *m)
{
	m->slot.switching = false;
}

void modem_send_release_held(struct modem *m)
{
	if (!m->send.active || !m->send.held)
		return;
	m->send.held = false;
	if (modem_send_submit(m) < 0)
		modem_send_fail(m, "the modem's port closed");
}

/* ---- the SIM slots: the n-th sim section of the modem is slot n - 1 ---- */

int modem_slots_find(struct modem *m, struct sim_registry *reg)
{
	for (size_t i = 0; i < reg->nsims; i++) {
		struct sim *s = &reg->sims[i];

		if (strcmp(s->mcfg->name, m->mcfg->name) != 0)
			continue;
		if (m->slot.n == MODEM_SLOTS_MAX) {
			log_error("%s: at most %d SIM slots", m->source,
				  MODEM_SLOTS_MAX);
			return -EINVAL;
		}
		m->slot.fault[m->slot.n] = SIM_STATE_READY;
		m->slot.sims[m->slot.n++] = s;
	}
	return m->slot.n ? 0 : -EINVAL;
}

void modem_slots_bind(struct modem *m, struct modem *to)
{
	for (size_t i = 0; i < m->slot.n; i++)
		m->slot.sims[i]->modem = to;
}
