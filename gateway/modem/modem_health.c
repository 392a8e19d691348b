/*
 * modem_health — signal, registration and operator: asked by a timer
 * every health_interval while the port is idle (never around a send), and
 * taken from URCs whenever the modem volunteers them. The answers go to
 * the active SIM's row; losing the network makes its link no-network.
 */
#include "modem_priv.h"
#include "modem_health.h"
#include "modem_recv.h"
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* "AT+CREG?" answers and reports with "+CREG:". */
static void modem_health_prefix(const char *cmd, char *buf, size_t size)
{
	size_t n = strcspn(cmd + 2, "?=");

	snprintf(buf, size, "%.*s:", (int)n, cmd + 2);
}

/* Reads a registration answer (query or URC form); true if it parsed. */
static bool modem_health_reg_line(struct modem *m, size_t which,
				  const char *line)
{
	char prefix[32];
	struct at_reg reg;

	modem_health_prefix(m->drv.registration[which], prefix,
			    sizeof(prefix));
	if (!at_parse_reg(line, prefix, &reg))
		return false;
	m->net.stat[which] = reg.stat;
	return true;
}

static size_t modem_health_nreg(const struct modem *m)
{
	size_t n = 0;

	while (m->drv.registration && m->drv.registration[n] &&
	       n < MODEM_REG_MAX)
		n++;
	return n;
}

/* Registration changed, or the health check ended: the links follow,
 * and the change is an event. */
static void modem_health_apply(struct modem *m)
{
	bool reg = modem_logic_registered(m->net.stat, MODEM_REG_MAX);
	struct sim *s = modem_active_sim(m);

	if (reg != m->net.registered && m->fsm.state == MODEM_STATE_READY) {
		if (reg) {
			modem_event(m, MODEM_EVENT_INFO,
				    "SIM %s registered%s%s", s->name,
				    s->operator_name[0] ? " on " : "",
				    s->operator_name);
			/* The operator's name and the signal come with a
			 * health check, soon. */
			if (!modem_seq_running(m))
				modem_health_want(m);
		} else {
			modem_event(m, MODEM_EVENT_WARNING,
				    "SIM %s not registered: no network",
				    s->name);
		}
	}
	m->net.registered = reg;
	s->registered = reg;
	modem_links(m);
	if (m->fsm.state == MODEM_STATE_READY && !reg)
		modem_health_arm(m);
}

void modem_health_urc(struct modem *m, enum driver_urc_kind kind,
		      const char *line)
{
	struct sim *s = modem_active_sim(m);
	struct at_csq csq;
	size_t n = modem_health_nreg(m);

	if (kind == DRIVER_URC_SIGNAL) {
		/* Read by the rows of the chain that registered it
		 * (modem_install_driver()). */
		if (!driver_signal_read(m->choice.table, line, &csq))
			return;
		s->signal_dbm = at_parse_rssi_dbm(csq.rssi);
		modem_sim_changed(m, s);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (modem_health_reg_line(m, i, line))
			break;
	if (m->fsm.state == MODEM_STATE_READY && !m->slot.switching)
		modem_health_apply(m);
}

enum modem_step_rc modem_health_signal(struct modem *m,
				       const struct at_response *r)
{
	struct at_csq csq;
	struct sim *s = modem_active_sim(m);

	if (!r)
		return modem_seq_send(m, m->drv.signal, "+CSQ:");
	for (size_t i = 0; r->status == AT_CHAT_STATUS_OK && i < r->nlines;
	     i++)
		if (at_parse_csq(r->lines[i], &csq))
			s->signal_dbm = at_parse_rssi_dbm(csq.rssi);
	return MODEM_STEP_NEXT;
}

/* Each registration query in turn (seq.sub); one the modem does not know
 * (an LTE query on a GSM modem) is not asked again. */
enum modem_step_rc modem_health_registration(struct modem *m,
					     const struct at_response *r)
{
	size_t n = modem_health_nreg(m);
	char prefix[32];
	bool found = false;

	if (r) {
		for (size_t i = 0; r->status == AT_CHAT_STATUS_OK &&
				   i < r->nlines; i++)
			found |= modem_health_reg_line(m, m->seq.sub,
						       r->lines[i]);
		if (r->status == AT_CHAT_STATUS_ERROR &&
		    !modem_logic_busy_error(r->final))
			m->net.unsupported[m->seq.sub] = true;
		if (!found)
			m->net.stat[m->seq.sub] = -1;
		m->seq.sub++;
	}
	while (m->seq.sub < n && m->net.unsupported[m->seq.sub])
		m->seq.sub++;
	if (m->seq.sub >= n)
		return MODEM_STEP_NEXT;
	modem_health_prefix(m->drv.registration[m->seq.sub], prefix,
			    sizeof(prefix));
	return modem_seq_send(m, m->drv.registration[m->seq.sub], prefix);
}

enum modem_step_rc modem_health_operator(struct modem *m,
					 const struct at_response *r)
{
	struct sim *s = modem_active_sim(m);
	struct at_cops c;

	if (!r)
		return modem_seq_send(m, m->drv.operator_query, "+COPS:");
	for (size_t i = 0; r->status == AT_CHAT_STATUS_OK && i < r->nlines;
	     i++)
		if (at_parse_cops(r->lines[i], &c))
			snprintf(s->operator_name, sizeof(s->operator_name),
				 "%s", c.format >= 0 ? c.oper : "");
	return MODEM_STEP_NEXT;
}

void modem_health_note_echoes(struct modem *m)
{
	struct at_chat_stats st;

	m->health.sent_since_note = false;
	if (!m->port.chat)
		return;
	at_chat_stats(m->port.chat, &st);
	m->health.echoes = st.echoes;
}

/* Echo after ATE0 means the modem restarted without a word (a UART
 * module after a brown-out) and forgot +CNMI too. Some firmware echoes
 * the PDU of a send even with ATE0 (captures/qualcomm-m7227/
 * cmgs-echo.at), so only quiet intervals count. */
static bool modem_health_restarted(struct modem *m)
{
	uint64_t before = m->health.echoes;
	bool sent = m->health.sent_since_note;

	modem_health_note_echoes(m);
	return !sent && m->health.echoes > before;
}

static void modem_health_done(struct modem *m, int err)
{
	if (err == -ETIMEDOUT) {
		modem_fsm_report(m, MODEM_EV_TIMEOUT, "health check");
		return;
	}
	if (err)
		return;
	if (modem_health_restarted(m)) {
		modem_fsm_report(m, MODEM_EV_RESTARTED,
				 "the modem echoes again: it restarted; init "
				 "again");
		return;
	}
	modem_health_apply(m);
	modem_fsm_event(m, MODEM_EV_HEALTHY, NULL);
	modem_health_arm(m);
	modem_recv_recheck(m);
}

static const modem_step_fn modem_health_steps[] = {
	modem_health_signal,
	modem_health_registration,
	modem_health_operator,
	modem_recv_sweep,
	NULL,
};

const struct modem_prog modem_prog_health = {
	.name = "health",
	.steps = modem_health_steps,
	.done = modem_health_done,
};

static int64_t modem_health_cb(struct loop_timer *t, void *ud)
{
	struct modem *m = ud;

	(void)t;
	if (m->fsm.state == MODEM_STATE_READY)
		modem_health_want(m);
	return LOOP_TIMER_DONE;
}

void modem_health_want(struct modem *m)
{
	if (!m->health.wanted)
		m->health.wanted_at = loop_now(m->loop);
	m->health.wanted = true;
	modem_kick(m);
}

void modem_health_init(struct modem *m)
{
	loop_timer_init(m->loop, &m->health.timer, modem_health_cb, m);
	for (size_t i = 0; i < MODEM_REG_MAX; i++)
		m->net.stat[i] = -1;
}

void modem_health_stop(struct modem *m)
{
	loop_timer_disarm(&m->health.timer);
	m->health.wanted = false;
}

void modem_health_set_registered(struct modem *m)
{
	m->net.registered = modem_logic_registered(m->net.stat, MODEM_REG_MAX);
	modem_active_sim(m)->registered = m->net.registered;
}

void modem_health_arm(struct modem *m)
{
	int64_t ms = m->mcfg->health_interval_ms;

	if (ms <= 0)
		ms = 30000;
	if (!m->net.registered && ms > MODEM_NO_NETWORK_POLL_MS)
		ms = MODEM_NO_NETWORK_POLL_MS;
	loop_timer_arm(&m->health.timer, ms);
}

bool modem_health_due(struct modem *m, int64_t now)
{
	if (!m->health.wanted ||
	    (m->send.active &&
	     now - m->health.wanted_at <= MODEM_HEALTH_MAX_DELAY_MS))
		return false;
	m->health.wanted = false;
	return true;
}

void modem_health_note_sent(struct modem *m)
{
	m->health.sent_since_note = true;
}

void modem_health_forget_stat(struct modem *m)
{
	for (size_t i = 0; i < MODEM_REG_MAX; i++)
		m->net.stat[i] = -1;
}

void modem_health_reset(struct modem *m)
{
	m->net.registered = false;
	modem_health_forget_stat(m);
}
