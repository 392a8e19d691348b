/*
 * outbound — the scheduler and the send pipeline (doc/contract.md §7, §8).
 *
 * The database is the queue. Whenever something changes (a file accepted,
 * a SIM ready, a send finished, a timer due) a dispatch runs at the next
 * loop iteration: every SIM that can send claims its best message and sends
 * it, least-loaded SIM first. A SIM that finishes a message claims its next
 * one in the same transaction that records the result. One timer stands for
 * the earliest moment anything deferred, gapped, paused or quota-limited
 * becomes due; nothing polls.
 */
#ifndef SMSGW_OUTBOUND_H
#define SMSGW_OUTBOUND_H

#include <stdbool.h>
#include <stdint.h>

#include "modem.h"

struct config;
struct loop;
struct sim;
struct sim_registry;
struct store;

struct outbound;

/* How outbound reaches the modems; tests pass their own. The time comes
 * from clock_now_ms() (include/clock.h), which tests inject. */
struct outbound_ops {
	/* The daemon passes modem_send_pdu. */
	int (*send)(struct sim *sim, const char *pdu_hex, int tpdu_len,
		    modem_send_cb cb, void *ud);
};

/* What happened to a message, for hooks and logs. Strings are borrowed. */
struct outbound_event {
	const char *event;	/* "sent", "failed", "delivered", "unknown" */
	int64_t id;
	const char *recipient;
	const char *body;	/* NULL for status reports */
	const char *sim;	/* "m1/1" */
	const char *state;
	const char *error;	/* NULL when none */
};

typedef void (*outbound_event_fn)(const struct outbound_event *e, void *ud);

/* Returns 0 or -errno. */
int outbound_new(struct loop *loop, struct store *store,
		 const struct config *cfg, struct sim_registry *reg,
		 const struct outbound_ops *ops, struct outbound **out);
/* Sends in flight are abandoned; their rows stay "sending" and become
 * "unknown" at the next start. */
void outbound_free(struct outbound *ob);

void outbound_set_listener(struct outbound *ob, outbound_event_fn fn,
			   void *ud);
/* A new configuration (SIGHUP): limits, pools and policies. */
void outbound_set_config(struct outbound *ob, const struct config *cfg);

/* Something changed (new messages, a campaign resumed): dispatch soon. */
void outbound_kick(struct outbound *ob);
/* The wall clock was set (clockstep.h): what is deferred (Send-At, quiet
 * hours, retries), paused or out of quota is due at a wall-clock time, but
 * the timer waiting for it counts monotonic time. Re-reads the earliest due
 * time and dispatches, so quotas roll over and quiet hours end by the new
 * date. */
void outbound_clock_stepped(struct outbound *ob);
/* The SIM registry's listener: a SIM's state or identity changed. */
void outbound_sim_changed(struct outbound *ob, struct sim *sim);

/* A status report the modem received on sim (PDU hex as printed), given
 * to the store (store_op_report()). Returns -EINVAL when it is not one
 * (logged; done is not called), else 0, and done (may be NULL) is told
 * once, maybe later: 0 recorded (matched or not), -EIO not stored. */
typedef void (*outbound_report_fn)(int rc, void *ud);
int outbound_status_report(struct outbound *ob, struct sim *sim,
			   const char *pdu_hex, outbound_report_fn done,
			   void *ud);

#endif
