/*
 * modem_link — keep the SMS relay link open during a burst with AT+CMMS
 * "More Messages to Send" (TS 27.005 §3.5.6).
 *
 * Without it the network sets up a relay link (TS 24.011 CP/RP) for every
 * message and releases it after the answer; with mode 1 the modem keeps
 * it while the next AT+CMGS follows the previous answer within 1–5 s (the
 * exact time is the modem's; Cinterion, u-blox SARA, Telit and Nokia
 * manuals document it), and falls back to mode 0 by itself once it has
 * closed. The outbound side already claims a SIM's next message in the
 * commit of the previous one, so the next send follows the answer by one
 * commit.
 *
 * keep_link = auto asks AT+CMMS=? once per port session; a modem that
 * answers ERROR (Huawei E3372, E1752) simply goes on without. yes sets it
 * without asking, no never. A burst is told by its second send following
 * the first one's answer within a second: AT+CMMS=1 goes before it (so a
 * lone message costs no extra line, and a burst two link set-ups); once no
 * send follows an answer for MODEM_LINK_IDLE_MS, AT+CMMS=0 closes the
 * link, so an idle SIM leaves none open. A SIM whose min_gap
 * would outlast the shortest link life gets no kept link at all.
 */
#include "modem_priv.h"
#include "modem_link.h"
#include "config.h"
#include "log.h"
#include "sim.h"

#include <string.h>

/* The shortest time a modem keeps the link (§3.5.6: 1–5 s). */
#define MODEM_LINK_LIFE_MS 1000
/* No next send this long after an answer: the burst is over. */
#define MODEM_LINK_IDLE_MS 300

static void modem_link_reset(struct modem *m)
{
	if (m->link.timer_init)
		loop_timer_disarm(&m->link.idle);
	m->link.session = m->port.session;
	m->link.support = -1;
	m->link.on = false;
	m->link.probing = false;
	m->link.answered = 0;
}

static void modem_link_probe_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;

	if (m->link.session != m->port.session)
		return;
	m->link.probing = false;
	m->link.support = r->status == AT_CHAT_STATUS_OK;
	if (!m->link.support)
		log_info("%s: no AT+CMMS; sends set up a link each", m->source);
}

static void modem_link_set_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;

	if (m->link.session != m->port.session ||
	    r->status == AT_CHAT_STATUS_OK)
		return;
	/* ERROR (or no answer): go on without. */
	m->link.on = false;
	m->link.support = 0;
}

static void modem_link_ignore_cb(const struct at_response *r, void *ud)
{
	(void)r;
	(void)ud;
}

static int64_t modem_link_idle_cb(struct loop_timer *t, void *ud)
{
	struct modem *m = ud;

	(void)t;
	if (m->send.active || !m->link.on || !m->port.chat ||
	    m->link.session != m->port.session)
		return LOOP_TIMER_DONE;
	m->link.on = false;
	at_chat_send(m->port.chat, "AT+CMMS=0", NULL, modem_link_ignore_cb, m);
	return LOOP_TIMER_DONE;
}

void modem_link_before_send(struct modem *m)
{
	struct sim *sim = modem_active_sim(m);
	int64_t now = loop_now(m->loop);

	if (!m->link.timer_init) {
		loop_timer_init(m->loop, &m->link.idle, modem_link_idle_cb, m);
		m->link.timer_init = true;
		modem_link_reset(m);
	}
	if (m->link.session != m->port.session)
		modem_link_reset(m);
	if (m->mcfg->keep_link == CONFIG_KEEP_LINK_NO || !m->port.chat ||
	    m->link.support == 0)
		return;
	/* The link would close between two sends anyway. */
	if (sim && sim->cfg->min_gap_ms + MODEM_LINK_IDLE_MS >=
			   MODEM_LINK_LIFE_MS)
		return;
	loop_timer_disarm(&m->link.idle);
	/* A burst is a send that follows the previous answer at once: a
	 * lone message costs no AT+CMMS at all. The burst's first send has
	 * paid its link already; the second sets up the one that is kept. */
	if (!m->link.answered || now - m->link.answered >= MODEM_LINK_LIFE_MS) {
		m->link.on = false;
		return;
	}
	if (m->link.on)
		return;
	if (m->link.support < 0 && m->mcfg->keep_link == CONFIG_KEEP_LINK_AUTO &&
	    !m->link.probing) {
		m->link.probing = true;
		at_chat_send(m->port.chat, "AT+CMMS=?", "+CMMS:",
			     modem_link_probe_cb, m);
	}
	/* Mode 1: should we miss the burst's end, the modem falls back to 0
	 * by itself when the link closes. */
	if (at_chat_send(m->port.chat, "AT+CMMS=1", NULL, modem_link_set_cb,
			 m) >= 0)
		m->link.on = true;
}

void modem_link_answered(struct modem *m)
{
	if (!m->link.timer_init || m->link.session != m->port.session)
		return;
	m->link.answered = loop_now(m->loop);
	if (m->link.on)
		loop_timer_arm(&m->link.idle, MODEM_LINK_IDLE_MS);
}

void modem_link_stop(struct modem *m)
{
	if (m->link.timer_init)
		loop_timer_disarm(&m->link.idle);
}
