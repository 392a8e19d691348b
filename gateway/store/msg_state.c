/*
 * msg_state — the outgoing message's states and transitions; see
 * include/msg_state.h.
 */
#include "msg_state.h"

#include <stddef.h>
#include <string.h>

static const char *const msg_state_names[MSG_STATE_COUNT] = {
	[MSG_STATE_QUEUED] = "queued",
	[MSG_STATE_DEFERRED] = "deferred",
	[MSG_STATE_SENDING] = "sending",
	[MSG_STATE_SENT] = "sent",
	[MSG_STATE_DELIVERED] = "delivered",
	[MSG_STATE_FAILED] = "failed",
	[MSG_STATE_EXPIRED] = "expired",
	[MSG_STATE_SUPPRESSED] = "suppressed",
	[MSG_STATE_UNKNOWN] = "unknown",
	[MSG_STATE_CANCELLED] = "cancelled",
};

#define QUEUED MSG_BIT(MSG_STATE_QUEUED)
#define DEFERRED MSG_BIT(MSG_STATE_DEFERRED)
#define SENDING MSG_BIT(MSG_STATE_SENDING)
#define WAITING (QUEUED | DEFERRED)
#define REPORTABLE (MSG_BIT(MSG_STATE_SENT) | MSG_BIT(MSG_STATE_UNKNOWN))
#define RETRYABLE (MSG_BIT(MSG_STATE_FAILED) | MSG_BIT(MSG_STATE_EXPIRED) | \
		   MSG_BIT(MSG_STATE_UNKNOWN) | MSG_BIT(MSG_STATE_CANCELLED))

/* The one table: (event, from-states, to-state). */
static const struct msg_transition {
	const char *name;
	unsigned from;
	enum msg_state to;
} msg_transitions[MSG_EVENT_COUNT] = {
#define T(ev, name, from, to) [MSG_EVENT_##ev] = { name, from, MSG_STATE_##to }
	T(ACCEPT,		"accept",		0,	    QUEUED),
	T(ACCEPT_LATER,		"accept-later",		0,	    DEFERRED),
	T(ACCEPT_OPTED_OUT,	"accept-opted-out",	0,	    SUPPRESSED),
	T(ACCEPT_REFUSED,	"accept-refused",	0,	    FAILED),
	T(DUE,			"due",			DEFERRED,   QUEUED),
	T(HOLD,			"hold",			WAITING,    DEFERRED),
	T(RESUME_NOW,		"resume",		DEFERRED,   QUEUED),
	T(CLAIM,		"claim",		QUEUED,	    SENDING),
	T(SENT,			"sent",			SENDING,    SENT),
	T(RETRY_NOW,		"retry",		SENDING,    QUEUED),
	T(RETRY_LATER,		"retry-later",		SENDING,    DEFERRED),
	T(FAIL,			"fail",			SENDING,    FAILED),
	T(NO_ANSWER,		"no-answer",		SENDING,    UNKNOWN),
	T(RESEND,		"resend",		SENDING,    QUEUED),
	T(RESTART,		"restart",		SENDING,    UNKNOWN),
	T(RESTART_RESEND,	"restart-resend",	SENDING,    QUEUED),
	/* Claiming re-checks opt-out and expiry of the row it picked, so
	 * those two also leave sending. */
	T(OPT_OUT,		"opt-out",	WAITING | SENDING,  SUPPRESSED),
	T(EXPIRE,		"expire",	WAITING | SENDING,  EXPIRED),
	T(REPORT_OK,		"report-delivered",	REPORTABLE, DELIVERED),
	T(REPORT_FAIL,		"report-failed",	REPORTABLE, FAILED),
	T(CANCEL,		"cancel",		WAITING,    CANCELLED),
	/* By hand only: msg_state_final() does not count it. */
	T(REQUEUE,		"requeue",		RETRYABLE,  QUEUED),
#undef T
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
		if (i != MSG_EVENT_REQUEUE &&
		    (msg_transitions[i].from & MSG_BIT(s)))
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
