/*
 * modem_ussd — USSD (TS 27.007 §7.15, +CUSD): a code such as *100# sent
 * with AT+CUSD=1,"<code>",15; the network's answer arrives later as
 * "+CUSD: <m>[,<str>[,<dcs>]]" and becomes an event row, "USSD <token>
 * <code>: <text>", which `smsgw ussd` waits for. <str> is decoded by its
 * <dcs> (TS 23.038 §5): the GSM alphabets come in the TE character set
 * (+CSCS, IRA), UCS2 as hex (4 digits a character). <m> 1 means the
 * network waits for a reply: a second `smsgw ussd` answers it.
 */
#include "modem_priv.h"
#include "modem_ussd.h"
#include "at_result.h"
#include "config.h"
#include "hex.h"
#include "log.h"
#include "ucs2.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Operators answer within seconds; some menus take longer. */
#define MODEM_USSD_TIMEOUT_MS 30000

/* Whether dcs says UCS2 (TS 23.038 §5: 0x11, 01xx10xx, 1001 10xx). */
static bool modem_ussd_dcs_ucs2(int dcs)
{
	return dcs == 0x11 || (dcs & 0xcc) == 0x48 || (dcs & 0xfc) == 0x98;
}

/* str decoded into out: UCS2 hex to UTF-8, else as the modem gave it. */
/* <str> by its <dcs> (TS 23.038 §5) into out. */
static void modem_ussd_decode(const char *str, int dcs, char *out, size_t size)
{
	uint8_t raw[256];
	size_t n = strlen(str), k;

	if (modem_ussd_dcs_ucs2(dcs) && n % 4 == 0 && n / 2 <= sizeof(raw)) {
		for (k = 0; k < n / 2; k++) {
			int hi = hex_digit(str[2 * k]),
			    lo = hex_digit(str[2 * k + 1]);

			if (hi < 0 || lo < 0)
				break;
			raw[k] = (uint8_t)(hi << 4 | lo);
		}
		if (k == n / 2 && ucs2_to_utf8(raw, k, out, size))
			return;
	}
	snprintf(out, size, "%s", str);
}

static void modem_ussd_end(struct modem *m)
{
	m->ussd.pending = false;
	loop_timer_disarm(&m->ussd.timer);
}

static void modem_ussd_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;

	if (!m->ussd.pending || r->id != m->ussd.cmd_id)
		return;
	if (r->status == AT_CHAT_STATUS_OK) {
		loop_timer_arm(&m->ussd.timer, MODEM_USSD_TIMEOUT_MS);
		return;
	}
	modem_event(m, MODEM_EVENT_WARNING, "USSD %s %s: refused: %s",
		    m->ussd.token, m->ussd.code,
		    r->final ? r->final : "no answer");
	modem_ussd_end(m);
}

static int64_t modem_ussd_timer_cb(struct loop_timer *t, void *ud)
{
	struct modem *m = ud;

	(void)t;
	if (m->ussd.pending) {
		modem_event(m, MODEM_EVENT_WARNING, "USSD %s %s: no answer",
			    m->ussd.token, m->ussd.code);
		m->ussd.pending = false;
	}
	return LOOP_TIMER_DONE;
}

static bool modem_ussd_word(const char *s, const char *allowed, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(allowed, *s))
			return false;
	return true;
}

int modem_ussd(struct sim *sim, const char *code, const char *token)
{
	struct modem *m = sim ? sim->modem : NULL;
	char cmd[CONFIG_USSD_MAX + 24];
	int id;

	if (!code || !token ||
	    !modem_ussd_word(code, "*#+", CONFIG_USSD_MAX) ||
	    !modem_ussd_word(token, "-", 16) || strspn(code, "0123456789*#+")
	    != strlen(code))
		return -EINVAL;
	if (!m || !m->port.chat || m->fsm.state != MODEM_STATE_READY)
		return -ENODEV;
	/* The network answers the SIM in use; another slot would need a
	 * switch in the middle of sending. */
	if (modem_active_sim(m) != sim || m->ussd.pending)
		return -EBUSY;
	snprintf(cmd, sizeof(cmd), "AT+CUSD=1,\"%s\",15", code);
	id = at_chat_send(m->port.chat, cmd, NULL, modem_ussd_cb, m);
	if (id < 0)
		return id;
	m->ussd.pending = true;
	m->ussd.cmd_id = id;
	snprintf(m->ussd.token, sizeof(m->ussd.token), "%s", token);
	snprintf(m->ussd.code, sizeof(m->ussd.code), "%s", code);
	return 0;
}

/* The token of the code that asks the SIM's own number (config
 * number_ussd, when AT+CNUM is empty). */
#define MODEM_USSD_NUMBER "own-number"

/* The first phone number in text ("Your number is +491701234567"): a +
 * or a digit, then 6 to 15 digits in all. */
static bool modem_ussd_number(const char *text, char *out, size_t size)
{
	for (const char *p = text; *p; p++) {
		const char *d = *p == '+' ? p + 1 : p;
		size_t n = strspn(d, "0123456789");

		if (n >= 6 && n <= 15 && (p == text || !isdigit((unsigned char)
							       p[-1]))) {
			snprintf(out, size, "%s%.*s", *p == '+' ? "+" : "",
				 (int)n, d);
			return true;
		}
	}
	return false;
}

static void modem_ussd_own_number(struct modem *m, const char *text)
{
	struct sim *s = modem_active_sim(m);
	char number[24];

	if (!modem_ussd_number(text, number, sizeof(number))) {
		modem_event(m, MODEM_EVENT_WARNING,
			    "SIM %s: no number in the answer to %s: %s",
			    s->name, m->ussd.code, text);
		return;
	}
	snprintf(s->number, sizeof(s->number), "%s", number);
	modem_sim_changed(m, s);
	modem_event(m, MODEM_EVENT_INFO, "SIM %s: number %s (USSD %s)",
		    s->name, number, m->ussd.code);
}

void modem_ussd_want_number(struct modem *m)
{
	struct sim *s = modem_active_sim(m);

	if (s->cfg->number || s->number[0] || !s->cfg->number_ussd)
		return;
	m->ussd.want_number = true;
}

void modem_ussd_kick(struct modem *m)
{
	struct sim *s = modem_active_sim(m);

	if (!m->ussd.want_number || m->ussd.pending)
		return;
	m->ussd.want_number = false;
	if (s->cfg->number_ussd &&
	    modem_ussd(s, s->cfg->number_ussd, MODEM_USSD_NUMBER) < 0)
		log_warn("%s: USSD %s for the own number not sent", m->source,
			 s->cfg->number_ussd);
}

/* "+CUSD: <m>[,<str>[,<dcs>]]" (§7.15). */
void modem_ussd_urc(struct modem *m, const char *line)
{
	struct at_result_iter it;
	char str[512] = "", text[512];
	int mode = -1, dcs = 15;

	if (!at_result_iter_prefix(&it, line, "+CUSD:") ||
	    !at_result_next_number(&it, &mode))
		return;
	if (!at_result_at_end(&it) &&
	    at_result_next_string(&it, str, sizeof(str)) &&
	    !at_result_at_end(&it))
		at_result_next_number(&it, &dcs);
	modem_ussd_decode(str, dcs, text, sizeof(text));
	if (!m->ussd.pending) {
		modem_event(m, MODEM_EVENT_INFO, "USSD from the network: %s",
			    text);
		return;
	}
	if (!strcmp(m->ussd.token, MODEM_USSD_NUMBER) && mode <= 1) {
		modem_ussd_own_number(m, text);
		modem_ussd_end(m);
		return;
	}
	/* <m> 2: the network ended the session; 4, 5: not supported. */
	modem_event(m, mode <= 1 ? MODEM_EVENT_INFO : MODEM_EVENT_WARNING,
		    "USSD %s %s: %s%s", m->ussd.token, m->ussd.code,
		    mode <= 1 ? text : "ended by the network",
		    mode == 1 ? " (a reply is expected)" : "");
	modem_ussd_end(m);
}

void modem_ussd_init(struct modem *m)
{
	loop_timer_init(m->loop, &m->ussd.timer, modem_ussd_timer_cb, m);
}

void modem_ussd_stop(struct modem *m)
{
	modem_ussd_end(m);
}
