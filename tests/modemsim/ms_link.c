/*
 * ms_link — the SMS relay link between the modem and the network, and
 * AT+CMMS "More Messages to Send" (TS 27.005 §3.5.6).
 *
 * With knob link_setup_ms > 0 every send pays that set-up on top of its
 * latency, unless the link is still open: +CMMS mode 1 or 2 keeps it for
 * link_keep_ms (the spec says 1–5 s, the exact time is the modem's) after
 * the previous send's answer. When that time passes without a send the
 * link closes and mode 1 falls back to 0 by itself; mode 2 stays. Mode 0
 * closes it at once. Personalities without +CMMS (and knob no_cmms)
 * answer ERROR. Set-ups and kept-link sends are in the modem's status.
 */
#include "ms.h"

#include <stdio.h>

static bool ms_link_supported(const struct ms_modem *m)
{
	return m->pers->cmms && !m->knobs.no_cmms;
}

/* Closes the link if its time is up (mode 1 then falls back to 0). */
static void ms_link_expire(struct ms_modem *m)
{
	if (m->link_until && loop_now(m->ms->loop) > m->link_until) {
		m->link_until = 0;
		if (m->set.cmms == 1)
			m->set.cmms = 0;
	}
}

bool ms_link_open(struct ms_modem *m)
{
	ms_link_expire(m);
	return m->link_until != 0;
}

int64_t ms_link_send_cost(struct ms_modem *m)
{
	if (!m->knobs.link_setup_ms)
		return 0;
	if (ms_link_open(m) && m->set.cmms) {
		m->link_kept++;
		/* Busy sending: the keep timer starts again at the answer. */
		m->link_until = INT64_MAX;
		return 0;
	}
	m->link_setups++;
	m->link_until = INT64_MAX;	/* open during the send */
	return m->knobs.link_setup_ms;
}

void ms_link_answered(struct ms_modem *m)
{
	if (!m->knobs.link_setup_ms)
		return;
	/* Without +CMMS the network releases the link after the answer. */
	m->link_until = m->set.cmms
		? loop_now(m->ms->loop) + m->knobs.link_keep_ms : 0;
}

static enum ms_res ms_link_cmms(struct ms_modem *m, enum ms_form f,
				const char *a)
{
	int v;

	if (!ms_link_supported(m))
		return MS_RES_ERROR;
	switch (f) {
	case MS_FORM_TEST:
		ms_modem_info(m, "+CMMS: (0-2)");
		return MS_RES_OK;
	case MS_FORM_READ:
		ms_link_expire(m);
		ms_modem_info(m, "+CMMS: %d", m->set.cmms);
		return MS_RES_OK;
	case MS_FORM_SET:
		if (!ms_at_int(a, 0, 2, &v)) {
			m->err = 303;
			return MS_RES_CMS;
		}
		m->set.cmms = v;
		if (!v)
			m->link_until = 0;
		return MS_RES_OK;
	default:
		return MS_RES_ERROR;
	}
}

const struct ms_cmd ms_link_cmds[] = {
	{ "+CMMS", ms_link_cmms },
	{ NULL, NULL },
};
