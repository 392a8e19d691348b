/*
 * store_outcome — what happened to a claimed message: parts sent, sent,
 * retried, failed, unknown; recovery at start; deferral and expiry;
 * status reports; usage counters (gateway/store/store_outcome.c).
 * Included by store_outbox.h, whose struct outbox_msg each outcome names.
 */
#ifndef SMSGW_STORE_OUTCOME_H
#define SMSGW_STORE_OUTCOME_H

#include <stdbool.h>
#include <stdint.h>

#include "msg_state.h"
#include "store_outbox.h"

/* Part seq (1-based) went out with message reference mr; the part counts
 * against the SIM card's usage (usage_key: ICCID or "sim:<id>"). */
int store_outbox_part_sent(struct store *st, const struct outbox_msg *m,
			   int64_t sim_id, const char *usage_key, int seq,
			   int mr, int64_t now);
/* Every part went out: sent, and the sticky sender updated. */
int store_outbox_sent(struct store *st, const struct outbox_msg *m,
		      int64_t sim_id, int64_t now);
/* The SIM that last talked with number (either way), for sticky sending. */
int store_outbox_touch_sticky(struct store *st, const char *number,
			      int64_t sim_id, int64_t now);
/* Try again at not_before (deferred), with the reason in error; until
 * avoid_until, SIMs other than avoid_sim (0: none) get it first. */
int store_outbox_retry(struct store *st, const struct outbox_msg *m,
		       int64_t not_before, bool count_attempt,
		       int64_t avoid_sim, int64_t avoid_until,
		       const char *error, int64_t now);
/* A final state: ev is MSG_EVENT_FAIL, MSG_EVENT_EXPIRE or
 * MSG_EVENT_OPT_OUT. */
int store_outbox_fail(struct store *st, const struct outbox_msg *m,
		      enum msg_event ev, const char *error, int64_t now);
/* No answer after the PDU: "unknown", or queued again when resend. */
int store_outbox_unknown(struct store *st, const struct outbox_msg *m,
			 bool resend, const char *error, int64_t now);

/* At start: every sending row becomes unknown and the policy applies.
 * Returns the number of rows, or -EIO. */
int store_outbox_recover(struct store *st, bool resend_direct,
			 bool resend_bulk, int64_t now);

/* Deferred rows whose time has come become queued; returns how many. */
int store_outbox_promote(struct store *st, int64_t now);
/* Queued or deferred rows past their expiry become expired. */
int store_outbox_expire(struct store *st, int64_t now);
/* The earliest time something deferred or expiring needs us; 0 if none. */
int64_t store_outbox_next_due(struct store *st);
/* Defers queued bulk messages whose pool key is exactly pool_key ('' for
 * unpooled, a pool name, or '@<sim id>') until not_before. Returns how
 * many, or -EIO. */
int store_outbox_defer_pool(struct store *st, const char *pool_key,
			    int64_t not_before, const char *why, int64_t now);

/*
 * A status report for (sim, mr, recipient) within window_ms of sending.
 * Sets *msg_id (0 if unmatched) and *final when the message reached
 * delivered or failed.
 */
int store_outbox_report(struct store *st, int64_t sim_id, int mr,
			const char *recipient, int status, int64_t now,
			int64_t window_ms, const char *pdu, int64_t *msg_id,
			const char **new_state);

/* Sends counted for a SIM card (by usage key: ICCID or "sim:<id>"). */
struct outbox_usage {
	char day[11];			/* YYYY-MM-DD, local */
	int sent_day;
	char month[8];			/* YYYY-MM, local */
	int sent_month;
	int64_t last_send_at;
};
int store_outbox_usage(struct store *st, const char *usage_key,
		       struct outbox_usage *u);
/* Local day and month of ms. */
void store_outbox_local_day(int64_t ms, char day[11], char month[8]);

#endif
