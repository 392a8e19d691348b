/*
 * modem_call — incoming voice calls. A SIM whose number is published gets
 * called: the modem says RING (V.250 §6.3.4) or +CRING: (TS 27.007 §6.11)
 * every few seconds, with +CLIP: "<number>",<type> (§6.9) when caller ID
 * is on. Left alone, the call holds the modem's radio on some firmware
 * while sends wait; it is rejected with AT+CHUP (§6.5), or ATH (V.250
 * §6.3.6) where +CHUP is unknown, and who called is an event row.
 */
#include "modem_priv.h"
#include "modem_call.h"
#include "at_result.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

/* RING repeats every ~5 s while the call lasts: one hang-up per ring, and
 * one event per caller and call. */
#define MODEM_CALL_HANGUP_GAP_MS 2000
#define MODEM_CALL_NOTE_GAP_MS 60000

static void modem_call_hangup_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;

	if (r->status != AT_CHAT_STATUS_ERROR || !m->port.chat ||
	    strcmp(r->command, "AT+CHUP") != 0)
		return;
	at_chat_send(m->port.chat, "ATH", NULL, modem_call_hangup_cb, m);
}

static void modem_call_hangup(struct modem *m)
{
	int64_t now = loop_now(m->loop);

	if (!m->port.chat || (m->call.hung_up_at &&
			 now - m->call.hung_up_at < MODEM_CALL_HANGUP_GAP_MS))
		return;
	m->call.hung_up_at = now;
	at_chat_send(m->port.chat, "AT+CHUP", NULL, modem_call_hangup_cb, m);
}

/* +CLIP: "<number>",<type>[,...]: the caller, once per call. */
static void modem_call_caller(struct modem *m, const char *line)
{
	struct at_result_iter it;
	char number[40] = "";
	int64_t now = loop_now(m->loop);

	if (!at_result_iter_prefix(&it, line, "+CLIP:") ||
	    !at_result_next_string(&it, number, sizeof(number)))
		number[0] = 0;
	if (!strcmp(number, m->call.caller) && m->call.noted_at &&
	    now - m->call.noted_at < MODEM_CALL_NOTE_GAP_MS)
		return;
	snprintf(m->call.caller, sizeof(m->call.caller), "%s", number);
	m->call.noted_at = now;
	modem_event(m, MODEM_EVENT_INFO,
		    "SIM %s: incoming call from %s rejected",
		    modem_active_sim(m)->name,
		    number[0] ? number : "a withheld number");
}

void modem_call_urc(struct modem *m, const char *line)
{
	if (!strncmp(line, "+CLIP:", 6))
		modem_call_caller(m, line);
	modem_call_hangup(m);
}
