/*
 * modem_setup — init steps about SMS and the SIM, shared by the init
 * program (modem_init.c) and the slot switch (modem_send.c): +CNMI and
 * +CPMS candidates, the SMSC, the configuration's init commands, the SIM
 * slot, the SIM's identity, URC reporting, waiting for the network.
 */
#include "modem_priv.h"
#include "modem_health.h"
#include "modem_init.h"
#include "modem_recv.h"
#include "modem_setup.h"
#include "modem_smsready.h"
#include "modem_ussd.h"
#include "at_parse_sms.h"
#include "at_result.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool modem_setup_wants_direct(const struct modem *m)
{
	return m->mcfg->delivery == CONFIG_DELIVERY_DIRECT && m->sms.receive;
}

/* delivery = direct, and stored it is: said once, with why, until direct
 * works again. */
static void modem_setup_not_direct(struct modem *m, const char *why)
{
	if (m->sms.direct_warned)
		return;
	m->sms.direct_warned = true;
	modem_event(m, MODEM_EVENT_WARNING,
		    "delivery = direct not possible: %s; SMS are stored on "
		    "the SIM (+CMTI) and read with AT+CMGR instead", why);
}

/* sub 0: AT+CNMI=? asked; the candidates follow from its answer. With
 * delivery = direct, <mt> 2 first (modem_logic_cnmi_direct()), but only
 * with +CSMS=1: without +CNMA a +CMT is the modem's to forget once
 * printed, and a crash before the commit would lose it. */
static void modem_setup_cnmi_ranges(struct modem *m,
				    const struct at_response *r)
{
	struct driver_cnmi direct[MODEM_CNMI_MAX];
	const struct driver_cnmi *list = m->drv.cnmi;
	struct at_cnmi_ranges rg;
	const char *ranges = NULL;
	bool have = false;

	for (size_t i = 0; r->status == AT_CHAT_STATUS_OK && i < r->nlines;
	     i++)
		if (at_parse_sms_cnmi_ranges(r->lines[i], &rg)) {
			have = true;
			ranges = r->lines[i];
		}
	m->sms.direct_why[0] = 0;
	if (modem_setup_wants_direct(m) && !m->sms.csms1)
		modem_setup_not_direct(m, "the modem refused AT+CSMS=1 (TS "
				       "27.005 §3.2.1), so no +CNMA: a +CMT "
				       "would be gone from the modem before "
				       "the inbox row commits, and lost on a "
				       "crash");
	else if (modem_setup_wants_direct(m) &&
		 modem_logic_cnmi_direct(m->drv.cnmi, direct,
					 MODEM_CNMI_MAX) > 0)
		list = direct;
	modem_logic_cnmi_fit(have ? &rg : NULL, list, m->sms.cnmi,
			     MODEM_CNMI_MAX);
	if (list == direct && m->sms.cnmi[0].mt != 2)
		snprintf(m->sms.direct_why, sizeof(m->sms.direct_why),
			 "AT+CNMI=? offers no <mt> 2 (%s)",
			 ranges ? ranges : "?");
	m->seq.sub = 1;
	m->seq.cand = 0;
	m->seq.tries = 0;
}

/* The setting m->sms.cnmi[m->seq.cand] was taken. */
static void modem_setup_cnmi_taken(struct modem *m)
{
	const struct driver_cnmi *c = &m->sms.cnmi[m->seq.cand];

	m->sms.direct = c->mt == 2 && m->sms.receive && m->sms.csms1;
	if (m->sms.direct)
		m->sms.direct_warned = false;
	else if (modem_setup_wants_direct(m) && m->sms.csms1)
		modem_setup_not_direct(m, m->sms.direct_why[0]
						  ? m->sms.direct_why
						  : "no +CNMI setting with "
						    "<mt> 2 known");
	/* <mt> 0 is all a modem may allow: no indications. */
	modem_recv_indications(m, c->mt != 0 || !m->sms.receive);
}

enum modem_step_rc modem_setup_cnmi(struct modem *m,
				    const struct at_response *r)
{
	char cmd[64];
	struct at_request req = { .command = cmd };

	if (!r && m->sms.deferred)
		return MODEM_STEP_NEXT;
	if (!r && m->seq.sub == 0)
		return modem_seq_send(m, "AT+CNMI=?", "+CNMI:");
	if (r && m->seq.sub == 0) {
		modem_setup_cnmi_ranges(m, r);
		r = NULL;
	}
	if (r && r->status == AT_CHAT_STATUS_OK) {
		log_info("%s: %s", m->source, r->command);
		modem_setup_cnmi_taken(m);
		return MODEM_STEP_NEXT;
	}
	if (r && m->sms.cnmi[m->seq.cand].mt == 2 &&
	    modem_seq_busy(m, r, MODEM_STEP_NEXT) == MODEM_STEP_NEXT)
		snprintf(m->sms.direct_why, sizeof(m->sms.direct_why),
			 "the modem refused %s (%s)", r->command,
			 r->final ? r->final : "no answer");
	if (r && !modem_seq_advance(m, r))
		return MODEM_STEP_LATER;
	if (!modem_logic_cnmi(&m->sms.cnmi[m->seq.cand], m->sms.receive, cmd,
			      sizeof(cmd))) {
		modem_event(m, MODEM_EVENT_WARNING,
			    "the modem refused every +CNMI setting: stored SMS "
			    "are listed every few seconds instead");
		m->sms.direct = false;
		modem_recv_indications(m, false);
		return MODEM_STEP_NEXT;
	}
	return modem_seq_cmd(m, &req);
}

/* sub 0: AT+CPMS=? asked; the commands follow from its answer. */
static void modem_setup_cpms_ranges(struct modem *m,
				    const struct at_response *r)
{
	struct at_cpms_ranges rg;
	bool have = false;

	for (size_t i = 0; r->status == AT_CHAT_STATUS_OK && i < r->nlines;
	     i++)
		if (at_parse_sms_cpms_ranges(r->lines[i], &rg))
			have = true;
	/* Where messages may be read: the other memories are listed too
	 * (modem_recv_mem.c). */
	m->sms.nmems = 0;
	for (int i = 0; have && i < rg.nmem[0] && i < MODEM_MEMS_MAX; i++)
		memcpy(m->sms.mems[m->sms.nmems++], rg.mem[0][i], 4);
	m->sms.ncpms = modem_logic_cpms_fit(have ? &rg : NULL, m->drv.cpms,
					    m->sms.cpms, MODEM_CPMS_MAX);
	m->seq.sub = 1;
	m->seq.cand = 0;
	m->seq.tries = 0;
}

enum modem_step_rc modem_setup_cpms(struct modem *m,
				    const struct at_response *r)
{
	struct at_cpms c;

	if (!r && m->sms.deferred)
		return MODEM_STEP_NEXT;
	if (!r && m->seq.sub == 0)
		return modem_seq_send(m, "AT+CPMS=?", "+CPMS:");
	if (r && m->seq.sub == 0) {
		modem_setup_cpms_ranges(m, r);
		r = NULL;
	}
	if (r && r->status == AT_CHAT_STATUS_OK) {
		/* Storage selected: SMS commands work (modem_smsready.c). */
		m->sms.ready = true;
		modem_recv_mem_taken(m, m->sms.cpms[m->seq.cand]);
		for (size_t i = 0; i < r->nlines; i++)
			if (at_parse_sms_cpms(r->lines[i], &c) &&
			    modem_logic_storage_full(&c))
				modem_recv_storage_full(m, r->lines[i]);
		return MODEM_STEP_NEXT;
	}
	if (r && !modem_seq_advance(m, r))
		return MODEM_STEP_LATER;
	if (m->seq.cand >= m->sms.ncpms) {
		/* Refused every form: SMS is not ready yet (Quectel before
		 * +QIND: SMS DONE), or storage cannot be selected. */
		log_warn("%s: no +CPMS setting accepted: SMS not ready yet",
			 m->source);
		modem_sms_set_ready(m, false);
		return MODEM_STEP_NEXT;
	}
	return modem_seq_send(m, m->sms.cpms[m->seq.cand], "+CPMS:");
}

/* TS 27.005 §3.3.1: set the SMSC from the configuration, then check that
 * there is one (without it every send ends in +CMS ERROR: 330). */
enum modem_step_rc modem_setup_csca(struct modem *m,
					   const struct at_response *r)
{
	struct at_csca c = { 0 };
	char cmd[64];
	struct at_request req = { .command = cmd };

	if (!r && m->mcfg->smsc) {
		snprintf(cmd, sizeof(cmd), "AT+CSCA=\"%s\",%d", m->mcfg->smsc,
			 m->mcfg->smsc[0] == '+' ? 145 : 129);
		return modem_seq_cmd(m, &req);
	}
	if (r && modem_seq_busy(m, r, MODEM_STEP_NEXT) == MODEM_STEP_LATER)
		return MODEM_STEP_LATER;
	if (r && strncmp(r->command, "AT+CSCA=", 8) == 0) {
		if (r->status != AT_CHAT_STATUS_OK)
			modem_event(m, MODEM_EVENT_WARNING,
				    "the modem refused the SMSC %s: %s",
				    m->mcfg->smsc, r->final ? r->final : "?");
		r = NULL;
	}
	if (!r)
		return modem_seq_send(m, "AT+CSCA?", "+CSCA:");
	for (size_t i = 0; i < r->nlines; i++)
		if (at_parse_sms_csca(r->lines[i], &c) && c.number[0])
			return MODEM_STEP_NEXT;
	modem_event(m, MODEM_EVENT_WARNING,
		    "no SMSC address on the SIM: sends will fail with +CMS "
		    "ERROR: 330 (set smsc in the modem section)");
	return MODEM_STEP_NEXT;
}

enum modem_step_rc modem_setup_user(struct modem *m,
					   const struct at_response *r)
{
	struct at_request req = { .raw_lines = true };

	if (r && r->status != AT_CHAT_STATUS_OK)
		modem_event(m, MODEM_EVENT_WARNING, "init command %s: %s",
			    r->command, r->final ? r->final : "no answer");
	if (r)
		m->seq.sub++;
	if (m->seq.sub >= m->mcfg->ninit)
		return MODEM_STEP_NEXT;
	req.command = m->mcfg->init[m->seq.sub];
	return modem_seq_cmd(m, &req);
}

static bool modem_setup_slot_line(struct modem *m, const char *line,
				  size_t *slot)
{
	struct at_result_iter it;
	int n;

	if (!at_result_iter_prefix(&it, line, m->drv.slot_prefix) ||
	    !at_result_next_number(&it, &n))
		return false;
	n -= m->drv.slot_base;
	if (n < 0 || (size_t)n >= m->slot.n)
		return false;
	*slot = (size_t)n;
	return true;
}

/* Which slot is in use: the modem's own answer, or slot 1 selected. sub
 * 0: asked, 1: selecting. */
enum modem_step_rc modem_setup_slot(struct modem *m,
				    const struct at_response *r)
{
	char cmd[64];
	struct at_request req = { .command = cmd };

	m->slot.active = 0;
	if (m->slot.n <= 1)
		return MODEM_STEP_NEXT;
	if (!m->drv.slot_select) {
		for (size_t i = 1; i < m->slot.n; i++)
			m->slot.fault[i] = SIM_STATE_ERROR;
		modem_event(m, MODEM_EVENT_WARNING,
			    "driver %s cannot switch SIM slots: only the "
			    "first is used", m->drv.name);
		return MODEM_STEP_NEXT;
	}
	if (!r && m->drv.slot_query)
		return modem_seq_send(m, m->drv.slot_query,
				      m->drv.slot_prefix);
	if (r && m->seq.sub == 1)
		return modem_seq_busy(m, r, MODEM_STEP_NEXT);
	for (size_t i = 0; r && i < r->nlines; i++)
		if (r->status == AT_CHAT_STATUS_OK &&
		    modem_setup_slot_line(m, r->lines[i], &m->slot.active))
			return MODEM_STEP_NEXT;
	m->seq.sub = 1;
	driver_command(cmd, sizeof(cmd), m->drv.slot_select, m->drv.slot_base);
	return modem_seq_cmd(m, &req);
}

/* ICCIDs compare without the F filler some modems print (ITU-T E.118). */
static bool modem_setup_same_iccid(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na && (a[na - 1] == 'F' || a[na - 1] == 'f'))
		na--;
	if (nb && (b[nb - 1] == 'F' || b[nb - 1] == 'f'))
		nb--;
	return na == nb && strncasecmp(a, b, na) == 0;
}

enum modem_step_rc modem_setup_imsi(struct modem *m,
				    const struct at_response *r)
{
	struct sim *s = modem_active_sim(m);

	return modem_init_ident(m, r, m->drv.imsi, at_parse_imsi, s->imsi,
				sizeof(s->imsi));
}

enum modem_step_rc modem_setup_iccid(struct modem *m,
				     const struct at_response *r)
{
	struct sim *s = modem_active_sim(m);
	char iccid[sizeof(s->iccid)] = "";
	enum modem_step_rc rc;

	rc = modem_init_ident(m, r, m->drv.iccid, at_parse_iccid, iccid,
			      sizeof(iccid));
	if (rc != MODEM_STEP_NEXT || !iccid[0])
		return rc;
	if (s->cfg->iccid && !modem_setup_same_iccid(s->cfg->iccid, iccid)) {
		m->slot.fault[m->slot.active] = SIM_STATE_ERROR;
		modem_event(m, MODEM_EVENT_ERROR,
			    "SIM %s holds ICCID %s, not %s as configured: "
			    "not used", s->name, iccid, s->cfg->iccid);
	} else if (s->iccid[0] && !modem_setup_same_iccid(s->iccid, iccid)) {
		modem_event(m, MODEM_EVENT_WARNING,
			    "SIM %s: another card, ICCID %s (was %s)", s->name,
			    iccid, s->iccid);
	}
	snprintf(s->iccid, sizeof(s->iccid), "%s", iccid);
	return MODEM_STEP_NEXT;
}

/* TS 27.007 §7.1, when the configuration does not give the number. */
enum modem_step_rc modem_setup_cnum(struct modem *m,
				    const struct at_response *r)
{
	struct sim *s = modem_active_sim(m);
	struct at_cnum c;

	if (s->cfg->number)
		return MODEM_STEP_NEXT;
	if (!r)
		return modem_seq_send(m, m->drv.own_number, "+CNUM:");
	if (modem_seq_busy(m, r, MODEM_STEP_NEXT) == MODEM_STEP_LATER)
		return MODEM_STEP_LATER;
	for (size_t i = 0; i < r->nlines; i++)
		if (at_parse_cnum(r->lines[i], &c) && c.number[0]) {
			snprintf(s->number, sizeof(s->number), "%s%.22s",
				 c.type == 145 && c.number[0] != '+' ? "+"
								     : "",
				 c.number);
			break;
		}
	modem_ussd_want_number(m);
	return MODEM_STEP_NEXT;
}

enum modem_step_rc modem_setup_reporting(struct modem *m,
					 const struct at_response *r)
{
	return modem_seq_steps(m, m->drv.reporting, r);
}

/* How long a step has paused so far. */
static int64_t modem_setup_waited(const struct modem *m)
{
	return (int64_t)m->seq.tries * MODEM_BUSY_RETRY_MS;
}

/* A new slot's SIM starts like a new card: ask +CPIN? until READY. */
enum modem_step_rc modem_setup_sim_ready(struct modem *m,
					 const struct at_response *r)
{
	enum at_cpin code = AT_CPIN_OTHER;

	if (!r)
		return modem_seq_send(m, "AT+CPIN?", "+CPIN:");
	for (size_t i = 0; r->status == AT_CHAT_STATUS_OK && i < r->nlines;
	     i++)
		if (at_parse_cpin(r->lines[i], &code))
			break;
	if (code == AT_CPIN_READY)
		return MODEM_STEP_NEXT;
	if (modem_setup_waited(m) < m->drv.slot_timeout_ms &&
	    (r->status == AT_CHAT_STATUS_OK ||
	     modem_seq_busy(m, r, MODEM_STEP_FAIL) == MODEM_STEP_LATER))
		return MODEM_STEP_LATER;
	m->slot.fault[m->slot.active] = r->status == AT_CHAT_STATUS_OK
					   ? SIM_STATE_BLOCKED
					   : SIM_STATE_ABSENT;
	modem_event(m, MODEM_EVENT_ERROR, "SIM %s not usable: %s",
		    modem_active_sim(m)->name,
		    r->status == AT_CHAT_STATUS_OK && r->nlines ? r->lines[0]
		    : r->final ? r->final : "no answer");
	return MODEM_STEP_FAIL;
}

/* Before a send on a new slot: wait for the network (sending before it
 * only earns +CMS ERROR: 331). */
enum modem_step_rc modem_setup_wait_network(struct modem *m,
					    const struct at_response *r)
{
	enum modem_step_rc rc = modem_health_registration(m, r);

	if (rc != MODEM_STEP_NEXT ||
	    modem_logic_registered(m->net.stat, MODEM_REG_MAX))
		return rc;
	if (modem_setup_waited(m) >= m->drv.slot_timeout_ms)
		return MODEM_STEP_NEXT;
	m->seq.sub = m->seq.cand = 0;
	return MODEM_STEP_LATER;
}
