/*
 * ms_modem_out — what a simulated modem writes: the output queue (with the
 * slow-output knob), the trace log, information lines, final results,
 * URCs and +CNMI buffering, and URC noise.
 */
#include "ms.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the modem wrote in one loop iteration becomes one trace line. */
void ms_modem_trace_flush(struct ms_modem *m)
{
	if (!m->trlen)
		return;
	ms_util_trace(m->log, m->name, '<', m->tr, m->trlen);
	m->trlen = 0;
}

void ms_modem_trace_cb(struct loop_deferred *d, void *ud)
{
	(void)d;
	ms_modem_trace_flush(ud);
}

static void ms_modem_trace_out(struct ms_modem *m, const void *buf,
			       size_t len)
{
	if (m->trlen + len > m->trcap) {
		size_t cap = m->trcap ? m->trcap * 2 : 1024;
		char *p;

		while (cap < m->trlen + len)
			cap *= 2;
		p = realloc(m->tr, cap);
		if (!p) {
			ms_util_trace(m->log, m->name, '<', buf, len);
			return;
		}
		m->tr = p;
		m->trcap = cap;
	}
	memcpy(m->tr + m->trlen, buf, len);
	m->trlen += len;
	loop_defer(&m->trace_defer);
}

void ms_modem_flush(struct ms_modem *m)
{
	while (m->outlen && m->master >= 0) {
		size_t n = m->knobs.slow_ms ? 1 : m->outlen;
		ssize_t w = write(m->master, m->out, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		memmove(m->out, m->out + w, m->outlen - (size_t)w);
		m->outlen -= (size_t)w;
		if (m->knobs.slow_ms)
			break;
	}
	if (m->master < 0)
		return;
	if (m->knobs.slow_ms && m->outlen) {
		if (!loop_timer_armed(&m->slow_timer))
			loop_timer_arm(&m->slow_timer, m->knobs.slow_ms);
		return;
	}
	if ((m->outlen != 0) != m->want_out) {
		m->want_out = m->outlen != 0;
		loop_watch_set(&m->watch,
			       EPOLLIN | (m->want_out ? EPOLLOUT : 0));
	}
}

int64_t ms_modem_slow_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;

	(void)t;
	ms_modem_flush(m);
	return LOOP_TIMER_DONE;
}

void ms_modem_write(struct ms_modem *m, const void *buf, size_t len)
{
	if (m->power == MS_POWER_OFF || m->master < 0 || m->hung || !len)
		return;
	ms_modem_trace_out(m, buf, len);
	/* A port nobody reads fills up; a real modem drops it too. */
	if (m->outlen + len > MS_OUT_MAX)
		return;
	if (m->outlen + len > m->outcap) {
		size_t cap = m->outcap ? m->outcap : 1024;
		char *p;

		while (cap < m->outlen + len)
			cap *= 2;
		p = realloc(m->out, cap);
		if (!p)
			return;
		m->out = p;
		m->outcap = cap;
	}
	memcpy(m->out + m->outlen, buf, len);
	m->outlen += len;
	if (!loop_timer_armed(&m->slow_timer))
		ms_modem_flush(m);
}

void ms_modem_puts(struct ms_modem *m, const char *s)
{
	ms_modem_write(m, s, strlen(s));
}

void ms_modem_noise_line(struct ms_modem *m, char *buf, size_t size)
{
	const char *const *n = m->pers->noise;
	int count = 0;

	while (n && n[count])
		count++;
	if (!count) {
		snprintf(buf, size, "RING");
		return;
	}
	const char *line = n[ms_util_rand(&m->rng) % (uint64_t)count];
	const char *p = strstr(line, "{rssi}");

	if (p)
		snprintf(buf, size, "%.*s%d%s", (int)(p - line), line,
			 m->knobs.rssi, p + 6);
	else
		snprintf(buf, size, "%s", line);
}

void ms_modem_urc_now(struct ms_modem *m, const char *line)
{
	char buf[MS_LINE_MAX + 8];

	snprintf(buf, sizeof(buf), "\r\n%s\r\n", line);
	ms_modem_puts(m, buf);
}

/*
 * Whether a URC goes out now. TS 27.005 §3.4.1 <mode>: 0 keeps indications
 * in the TA; 1 drops them while the link is busy; 2 holds them until the
 * command is done; 3 forwards them "directly to the TE", in-band, also
 * while a command runs (SIMCom, Quectel list mode (0-3)) — but never into
 * the "> " text or PDU entry: the TE is writing then, and a real TA holds
 * them until the Ctrl-Z or ESC. Lines are whole: every write here is one.
 */
static bool ms_modem_urc_may(const struct ms_modem *m)
{
	int mode = m->set.cnmi[0];

	if (mode == 0)
		return false;
	if (!m->busy)
		return true;
	return mode == 3 && m->input == MS_INPUT_COMMAND;
}

void ms_modem_urc(struct ms_modem *m, const char *line)
{
	if (m->set.cnmi[0] == 1 && m->busy)
		return;
	if (ms_modem_urc_may(m)) {
		ms_modem_urc_now(m, line);
		return;
	}
	if (m->nurc == MS_URCQ_MAX)
		return;
	m->urcq[m->nurc] = strdup(line);
	if (m->urcq[m->nurc])
		m->nurc++;
}

void ms_modem_urc_flush(struct ms_modem *m)
{
	if (!ms_modem_urc_may(m))
		return;
	for (int i = 0; i < m->nurc; i++) {
		ms_modem_urc_now(m, m->urcq[i]);
		free(m->urcq[i]);
	}
	m->nurc = 0;
}

void ms_modem_urc_clear(struct ms_modem *m)
{
	for (int i = 0; i < m->nurc; i++)
		free(m->urcq[i]);
	m->nurc = 0;
}

void ms_modem_info(struct ms_modem *m, const char *fmt, ...)
{
	char line[MS_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Noise goes before a header line, never between it and its PDU. */
	if ((line[0] == '+' || line[0] == '^') &&
	    m->knobs.noise_in_response > 0 &&
	    ms_modem_random(m) < m->knobs.noise_in_response) {
		char noise[128];

		ms_modem_noise_line(m, noise, sizeof(noise));
		if (m->resp_started)
			ms_modem_puts(m, "\r\n");
		ms_modem_urc_now(m, noise);
		m->resp_started = false;
	}
	ms_modem_puts(m, m->resp_started ? "" : "\r\n");
	ms_modem_puts(m, line);
	ms_modem_puts(m, "\r\n");
	m->resp_started = true;
}

static const char *ms_modem_cme_text(int code)
{
	switch (code) {
	case 3: return "operation not allowed";
	case 4: return "operation not supported";
	case 10: return "SIM not inserted";
	case 11: return "SIM PIN required";
	case 12: return "SIM PUK required";
	case 14: return "SIM busy";
	case 16: return "incorrect password";
	case 30: return "no network service";
	case 50: return "incorrect parameters";
	case 100: return "unknown";
	default: return "unknown error";
	}
}

static const char *ms_modem_cms_text(int code)
{
	switch (code) {
	case 21: return "Short message transfer rejected";
	case 38: return "Network out of order";
	case 42: return "Congestion";
	case 302: return "operation not allowed";
	case 303: return "operation not supported";
	case 304: return "invalid PDU mode parameter";
	case 305: return "invalid text mode parameter";
	case 310: return "SIM not inserted";
	case 311: return "SIM PIN required";
	case 314: return "SIM busy";
	case 321: return "invalid memory index";
	case 322: return "SIM memory full";
	case 330: return "SMSC address unknown";
	case 331: return "no network service";
	case 332: return "network timeout";
	case 340: return "no +CNMA acknowledgement expected";
	case 500: return "unknown error";
	default: return "unknown error";
	}
}

void ms_modem_final(struct ms_modem *m, enum ms_res res)
{
	char buf[128];

	switch (res) {
	case MS_RES_OK:
		ms_modem_puts(m, "\r\nOK\r\n");
		return;
	case MS_RES_ERROR:
		ms_modem_puts(m, "\r\nERROR\r\n");
		return;
	case MS_RES_CME:
	case MS_RES_CMS:
		/* TS 27.007 §9.1: +CMEE 0 says ERROR, 1 a number, 2 text. */
		if (m->set.cmee == 0)
			snprintf(buf, sizeof(buf), "\r\nERROR\r\n");
		else if (m->set.cmee == 2)
			snprintf(buf, sizeof(buf), "\r\n+CM%c ERROR: %s\r\n",
				 res == MS_RES_CME ? 'E' : 'S',
				 res == MS_RES_CME ? ms_modem_cme_text(m->err)
						   : ms_modem_cms_text(m->err));
		else
			snprintf(buf, sizeof(buf), "\r\n+CM%c ERROR: %d\r\n",
				 res == MS_RES_CME ? 'E' : 'S', m->err);
		ms_modem_puts(m, buf);
		return;
	default:
		return;
	}
}

