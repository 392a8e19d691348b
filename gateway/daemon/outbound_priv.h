/*
 * outbound_priv — what outbound.c (scheduling) and outbound_send.c (the
 * per-message pipeline) share. Not for other modules.
 */
#ifndef SMSGW_OUTBOUND_PRIV_H
#define SMSGW_OUTBOUND_PRIV_H

#include "loop.h"
#include "outbound.h"
#include "quiet.h"
#include "sms.h"
#include "store.h"
#include "store_outbox.h"

/* A message that went out but whose "sent" commit failed: recorded again
 * on a backoff, so a restart does not take it for unsent. */
#define OB_UNSAVED_MAX 64
/* A sent part the database refused is saved again on a backoff, 1 s
 * doubling to a minute (backoff_ms()). */
#define OB_UNSAVED_FIRST_MS 1000
#define OB_UNSAVED_MAX_MS 60000

struct ob_unsaved {
	int64_t id, attempt_id, sim_id, at;
	char recipient[32];
	/* PostgreSQL records it again as its last part (fenced). */
	int seq, mr;
	char usage_key[40];
};

/* Per-SIM outbound state, hung on sim->outbound. */
struct ob_sim {
	struct outbound *ob;
	struct sim *sim;
	char usage_key[40];	/* ICCID, or "sim:<id>" before we know it */
	struct outbox_usage usage;
	int64_t gap_until;	/* min_gap or a cool-down after a modem error */
	int suspect;		/* barring/spam errors in the current window */
	int64_t suspect_since;
	int fail_streak;	/* sends in a row that did not go through */

	/* The message in flight while sim->sending. */
	struct outbox_msg msg;
	struct outbox_msg next;	/* claimed with msg's sent record */
	struct sms_encoded enc;
	int part;		/* index of the part in flight */
	int mr;			/* the last part's message reference */
	/* The last part's "sent" is with the store: msg stays ours until it
	 * answers, even when the SIM's row already says ready. */
	bool recording;
	uint64_t written_at_claim;	/* sim->written when ob_try_sim claimed */

	/* PostgreSQL (outbound_pg.c) */
	bool usage_loading;	/* the card's counters are being read */
	struct loop_timer renew;	/* the lease, while sending */
};

struct outbound {
	struct loop *loop;
	struct store *store;
	const struct config *cfg;
	struct sim_registry *reg;
	struct outbound_ops ops;
	struct ob_sim *sims;	/* one per registry SIM, same index */
	struct ob_sim **order;	/* dispatch order, scratch */

	struct loop_deferred kick;
	struct loop_timer timer;
	int64_t next_due;	/* earliest deferred/expiry row; 0: none */
	bool due_known;		/* next_due reflects the database */
	bool promote_out;	/* a promote/expire pass is with the store */
	bool dispatching;	/* in outbound_dispatch(): answers are seen */
	int64_t promote_next;	/* its answer: the next due time */
	unsigned rand_state;
	struct quiet_hours quiet;	/* valid when has_quiet */
	bool has_quiet;

	outbound_event_fn listener;
	void *listener_ud;

	struct ob_unsaved unsaved[OB_UNSAVED_MAX];
	size_t nunsaved;
	struct loop_timer unsaved_timer;
	unsigned unsaved_round;	/* failed saves in a row */
	bool unsaved_out;	/* PostgreSQL: one is being recorded */
	struct outbox_msg unsaved_msg;	/* ...this one */
};

/* outbound_send.c: keeps u to record as sent later. */
void ob_keep_unsaved(struct outbound *ob, const struct ob_unsaved *u);
/* Records what was kept; true when nothing is left. */
bool ob_save_unsaved(struct outbound *ob);

/* outbound.c */
int64_t ob_now(const struct outbound *ob);
void ob_emit(struct outbound *ob, const char *event, int64_t id,
	     const char *recipient, const char *body, const struct sim *sim,
	     const char *state, const char *error);
/* Starts claiming the best message for this SIM if it may send; true if
 * it did (the send starts when the store answers). */
bool ob_try_sim(struct ob_sim *os, int64_t now);
/* What this SIM may claim now into *c; false when it may not send. */
bool ob_claim_request(struct ob_sim *os, int64_t now, struct outbox_claim *c);
/* True when a SIM other than this one could send now. */
bool ob_other_sim_ready(const struct outbound *ob, const struct sim *sim,
			int64_t now);
/* Refreshes the usage counters for a new day or month and the quota flag. */
int ob_quota_left(struct ob_sim *os, int64_t now);
void ob_count_part(struct ob_sim *os, int64_t now);

/* outbound_pg.c: what the outbound does differently on PostgreSQL */
/* A card's counters: read now (SQLite) or from the answer (PostgreSQL;
 * the SIM claims nothing until then). */
void ob_usage_load(struct ob_sim *os);
/* The lease of os->msg is renewed every lease/3 while it is sent. */
void ob_lease_start(struct ob_sim *os);
void ob_lease_stop(struct ob_sim *os);
/* ob_save_unsaved() on PostgreSQL: one record at a time, fenced. */
bool ob_pg_save_unsaved(struct outbound *ob);

/* outbound_send.c */
/* Encodes the claimed message in os->msg and sends its next part. */
void ob_send_start(struct ob_sim *os);
/* Forgets the message in flight (the loop is going away). */
void ob_send_abandon(struct ob_sim *os);

#endif
