/*
 * msg_state — the outgoing message's states and transitions; see
 * include/msg_state.h.
 */
#include "msg_state.h"

#include <stddef.h>
#include <string.h>

static const char *const msg_state_names[MSG_STATE_COUNT] = {
	[MSG_QUEUED] = "queued",	[MSG_DEFERRED] = "deferred",
	[MSG_SENDING] = "sending",	[MSG_SENT] = "sent",
	[MSG_DELIVERED] = "delivered",	[MSG_FAILED] = "failed",
	[MSG_EXPIRED] = "expired",	[MSG_SUPPRESSED] = "suppressed",
	[MSG_UNKNOWN] = "unknown",	[MSG_CANCELLED] = "cancelled",
};

#define WAITING (MSG_BIT(MSG_QUEUED) | MSG_BIT(MSG_DEFERRED))
#define REPORTABLE (MSG_BIT(MSG_SENT) | MSG_BIT(MSG_UNKNOWN))

/* The one table: (event, from-states, to-state). */
static const struct msg_transition {
	const char *name;
	unsigned from;
	enum msg_state to;
} msg_transitions[MSG_EVENT_COUNT] = {
	[MSG_EV_ACCEPT] = { "accept", 0, MSG_QUEUED },
	[MSG_EV_ACCEPT_LATER] = { "accept-later", 0, MSG_DEFERRED },
	[MSG_EV_ACCEPT_OPTED_OUT] = { "accept-opted-out", 0, MSG_SUPPRESSED },
	[MSG_EV_DUE] = { "due", MSG_BIT(MSG_DEFERRED), MSG_QUEUED },
	[MSG_EV_HOLD] = { "hold", WAITING, MSG_DEFERRED },
	[MSG_EV_RESUME_NOW] = { "resume", MSG_BIT(MSG_DEFERRED), MSG_QUEUED },
	[MSG_EV_CLAIM] = { "claim", MSG_BIT(MSG_QUEUED), MSG_SENDING },
	[MSG_EV_SENT] = { "sent", MSG_BIT(MSG_SENDING), MSG_SENT },
	[MSG_EV_RETRY_NOW] = { "retry", MSG_BIT(MSG_SENDING), MSG_QUEUED },
	[MSG_EV_RETRY_LATER] = { "retry-later", MSG_BIT(MSG_SENDING),
				 MSG_DEFERRED },
	[MSG_EV_FAIL] = { "fail", MSG_BIT(MSG_SENDING), MSG_FAILED },
	[MSG_EV_NO_ANSWER] = { "no-answer", MSG_BIT(MSG_SENDING), MSG_UNKNOWN },
	[MSG_EV_RESEND] = { "resend", MSG_BIT(MSG_SENDING), MSG_QUEUED },
	[MSG_EV_RESTART] = { "restart", MSG_BIT(MSG_SENDING), MSG_UNKNOWN },
	[MSG_EV_RESTART_RESEND] = { "restart-resend", MSG_BIT(MSG_SENDING),
				    MSG_QUEUED },
	/* Claiming re-checks opt-out and expiry of the row it picked, so
	 * those two also leave sending. */
	[MSG_EV_OPT_OUT] = { "opt-out", WAITING | MSG_BIT(MSG_SENDING),
			     MSG_SUPPRESSED },
	[MSG_EV_EXPIRE] = { "expire", WAITING | MSG_BIT(MSG_SENDING),
			    MSG_EXPIRED },
	[MSG_EV_REPORT_OK] = { "report-delivered", REPORTABLE, MSG_DELIVERED },
	[MSG_EV_REPORT_FAIL] = { "report-failed", REPORTABLE, MSG_FAILED },
	[MSG_EV_CANCEL] = { "cancel", WAITING, MSG_CANCELLED },
};

const char *msg_state_name(enum msg_state s)
{
	return (unsigned)s < MSG_STATE_COUNT ? msg_state_names[s] : NULL;
}

bool msg_state_parse(const char *name, enum msg_state *s)
{
	for (int i = 0; i < MSG_STATE_COUNT; i++) {
		if (strcmp(name, msg_state_names[i]) == 0) {
			*s = (enum msg_state)i;
			return true;
		}
	}
	return false;
}

bool msg_state_final(enum msg_state s)
{
	for (int i = 0; i < MSG_EVENT_COUNT; i++)
		if (msg_transitions[i].from & MSG_BIT(s))
			return false;
	return true;
}

enum msg_state msg_to(enum msg_event ev)
{
	return msg_transitions[ev].to;
}

unsigned msg_from(enum msg_event ev)
{
	return msg_transitions[ev].from;
}

const char *msg_to_name(enum msg_event ev)
{
	return msg_state_names[msg_transitions[ev].to];
}

bool msg_may(enum msg_state from, enum msg_event ev)
{
	return (unsigned)ev < MSG_EVENT_COUNT &&
	       (msg_transitions[ev].from & MSG_BIT(from));
}

const char *msg_event_name(enum msg_event ev)
{
	return (unsigned)ev < MSG_EVENT_COUNT ? msg_transitions[ev].name : NULL;
}
