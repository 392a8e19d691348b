/*
 * msg_state — the states of an outgoing message and the one table of the
 * transitions between them (doc/contract.md §7; doc/reliability.md, "The
 * state machine for outgoing messages").
 *
 * The names are the `state` column of the message table and of the outbox
 * view (a contract: never renamed). Every statement in the store that
 * changes a message's state takes the state it writes from msg_to_name()
 * of a named event; one over many rows matches only rows in msg_from() of
 * that event, one on a single row acts on the message its caller claimed.
 * Nothing outside the store layer writes a state. The unit tests record
 * every state change the store makes and fail any move not in the table
 * (tests/unit/msg_state_check.h); doc/architecture.md lists it.
 */
#ifndef SMSGW_MSG_STATE_H
#define SMSGW_MSG_STATE_H

#include <stdbool.h>

enum msg_state {
	MSG_STATE_QUEUED,
	MSG_STATE_DEFERRED,
	MSG_STATE_SENDING,
	MSG_STATE_SENT,
	MSG_STATE_DELIVERED,
	MSG_STATE_FAILED,
	MSG_STATE_EXPIRED,
	MSG_STATE_SUPPRESSED,
	MSG_STATE_UNKNOWN,
	MSG_STATE_CANCELLED,
	MSG_STATE_COUNT
};

#define MSG_BIT(s) (1u << (s))

/* What happens to a message; each names exactly one target state. */
enum msg_event {
	MSG_EVENT_ACCEPT,		/* new row, to send now: queued */
	MSG_EVENT_ACCEPT_LATER,		/* new row with Send-At or a paused campaign */
	MSG_EVENT_ACCEPT_OPTED_OUT,	/* new row to an opted-out number */
	MSG_EVENT_ACCEPT_REFUSED,	/* new row that cannot be queued */
	MSG_EVENT_DUE,			/* deferred, its time came: queued */
	MSG_EVENT_HOLD,			/* quiet hours, quota, paused campaign */
	MSG_EVENT_RESUME_NOW,		/* campaign resumed, due: queued */
	MSG_EVENT_CLAIM,		/* a SIM takes it: sending */
	MSG_EVENT_SENT,			/* +CMGS for every part */
	MSG_EVENT_RETRY_NOW,		/* temporary error, try again at once */
	MSG_EVENT_RETRY_LATER,		/* temporary error, back off */
	MSG_EVENT_FAIL,			/* permanent error, attempts exhausted */
	MSG_EVENT_NO_ANSWER,		/* no answer after the PDU, not resent */
	MSG_EVENT_RESEND,		/* no answer after the PDU, resent */
	MSG_EVENT_RESTART,		/* sending when the daemon stopped, not resent */
	MSG_EVENT_RESTART_RESEND,	/* sending when the daemon stopped, resent */
	MSG_EVENT_OPT_OUT,		/* its recipient opted out */
	MSG_EVENT_EXPIRE,		/* not sent before its expiry */
	MSG_EVENT_REPORT_OK,		/* every part's status report: delivered */
	MSG_EVENT_REPORT_FAIL,		/* a part's status report: failed */
	MSG_EVENT_CANCEL,		/* its campaign was cancelled, or by hand
					   (smsgw outbox cancel) */
	MSG_EVENT_REQUEUE,		/* by hand (smsgw outbox resend): try a
					   failed, expired, unknown or
					   cancelled message again */
	MSG_EVENT_COUNT
};

/* "queued", …; NULL for a value out of range. */
const char *msg_state_name(enum msg_state s);
/* false when name is not a state. */
bool msg_state_parse(const char *name, enum msg_state *s);
/* A final state: nothing moves the message any more, except a status
 * report for sent and unknown and a person's `smsgw outbox resend`
 * (MSG_EVENT_REQUEUE, the one event only a person causes). */
bool msg_state_final(enum msg_state s);

/* The state event ev moves a message to, and the states it moves it from
 * (MSG_BIT set; 0 for the events that create the row). */
enum msg_state msg_to(enum msg_event ev);
unsigned msg_from(enum msg_event ev);
/* The name of msg_to(ev), for binding into a statement. */
const char *msg_to_name(enum msg_event ev);
/* True when ev may move a message in state from. */
bool msg_may(enum msg_state from, enum msg_event ev);
const char *msg_event_name(enum msg_event ev);

#endif
