/*
 * store_claim — the claim policy: which queued message a SIM takes next
 * (gateway/store/store_claim.c). Included by store_outbox.h, whose
 * struct outbox_msg a claim fills.
 */
#ifndef SMSGW_STORE_CLAIM_H
#define SMSGW_STORE_CLAIM_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct outbox_msg;

/* What a SIM may take now. */
struct outbox_claim {
	int64_t sim_id;
	const char *pool;		/* the SIM's pool */
	bool takes_unpooled;		/* messages without a pool */
	bool allow_bulk;
	int quota_left;			/* parts; INT32_MAX for none */
	bool alone;			/* no other SIM could send now: take
					   messages that failed here too */
	int64_t now;
	int64_t sticky_cutoff;		/* sticky entries older are ignored */
	/* Bulk to this recipient must wait until *until (quiet hours)?
	 * NULL: never. The message is then deferred, not claimed. */
	bool (*hold)(const char *recipient, int64_t now, int64_t *until,
		     void *ud);
	void *hold_ud;
};

/*
 * Claims the best message for the SIM (direct before bulk, then priority,
 * then age), re-checking opt-out (→ suppressed), expiry (→ expired) and
 * quiet hours for bulk (→ deferred) in the same transaction, and marks it
 * sending. Returns 1 with *out filled, 0 when there is nothing for this
 * SIM, -EAGAIN when it dropped so many rows that it stopped looking (call
 * again), or -EIO.
 */
int store_outbox_claim(struct store *st, const struct outbox_claim *c,
		       struct outbox_msg *out);

#endif
