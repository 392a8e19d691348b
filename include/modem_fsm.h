/*
 * modem_fsm — the life cycle of one modem as a state machine: its states,
 * the events the rest of the modem reports, and the (state x event) table
 * of what each event does in each state. gateway/modem/modem_fsm.c is the only
 * place that changes a modem's state, starts its init or climbs its
 * recovery ladder; the capabilities (sending and receiving SMS,
 * registration, the SIM slots) keep their own sub-state and report here.
 * doc/modem-lifecycle.md draws the table.
 */
#ifndef SMSGW_MODEM_FSM_H
#define SMSGW_MODEM_FSM_H

#include <stdbool.h>

enum modem_state {
	MODEM_STATE_CLOSED,		/* not opened yet */
	MODEM_STATE_ABSENT,		/* no device: waiting for it */
	MODEM_STATE_OPENING,		/* ladder step 4: reopen is due */
	MODEM_STATE_INIT,		/* the init program runs */
	MODEM_STATE_READY,		/* (busy: ready with a send) */
	MODEM_STATE_RECOVERING,		/* a ladder program runs */
	MODEM_STATE_RESETTING,		/* soft reset: boot awaited */
	MODEM_STATE_BLOCKED,		/* PIN, PUK, no SIM, wrong IMEI */
	MODEM_STATE_OUT_OF_SERVICE,	/* ladder top: retried every 5 min */
	MODEM_STATE_COUNT
};

enum modem_fsm_event {
	MODEM_EV_TIMER,		/* the retry timer fired: open, or init */
	MODEM_EV_APPEARED,	/* inotify: the device's name is there */
	MODEM_EV_GONE,		/* the port went away (err) */
	MODEM_EV_INIT_DONE,	/* the init program completed */
	MODEM_EV_BLOCKED,	/* init found a SIM or modem it must not use
				 * (link, retry) */
	MODEM_EV_FAILED,	/* init or a ladder program failed (err) */
	MODEM_EV_TIMEOUT,	/* a capability's command got no answer
				 * (what) */
	MODEM_EV_ANSWERED,	/* ladder step 1: the modem answers AT */
	MODEM_EV_RESET_SENT,	/* ladder step 3: the reset was accepted */
	MODEM_EV_BOOTED,	/* RDY or +CPIN: URC: the modem (re)started */
	MODEM_EV_RESTARTED,	/* echo after ATE0: it restarted silently */
	MODEM_EV_SIM_LOST,	/* +CMS ERROR: 310..316 to a send (what) */
	MODEM_EV_RECONFIG,	/* SIGHUP changed what init sets up */
	MODEM_EV_NEW_PIN,	/* SIGHUP gave another PIN */
	MODEM_EV_HEALTHY,	/* a health check passed */
	MODEM_EV_COUNT
};

const char *modem_fsm_state_name(enum modem_state s);
const char *modem_fsm_event_name(enum modem_fsm_event ev);

/* For tests and the documentation: whether the table has a transition
 * for ev in state s (otherwise the event is ignored there), and how often
 * it was taken in this process. */
bool modem_fsm_legal(enum modem_state s, enum modem_fsm_event ev);
unsigned modem_fsm_taken(enum modem_state s, enum modem_fsm_event ev);

#endif
