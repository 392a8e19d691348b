/*
 * store_pg — the PostgreSQL backend of the storage interface
 * (include/store_ops.h; doc/postgresql.md): the same requests, out
 * structs and callback contract as store_op_*(), on a shared database
 * that several smsgwd ("boxes") use at once. Each operation is one call
 * of a function of gateway/store/pg/pg_queue.sql over the box's
 * connection (include/pg_conn.h), answered later from the loop — never
 * before the call returns.
 *
 * Differences from the SQLite backend, on purpose:
 *  - a claim is a lease of lease_ms carrying the attempt id
 *    (outbox_msg.attempt_id) as a fencing token; each part sent renews
 *    it. An outcome recorded with an attempt id that is no longer the
 *    message's changes nothing and is answered -ESTALE. A lease that
 *    lapses makes the message unknown, or queued again under the resend
 *    policy, at the next claim by any box.
 *  - a claim that dropped rows (opted out, expired) looks further in the
 *    same call (64 rows), and answers 0, not -EAGAIN, when all were.
 *  - "sent, and the SIM's next message" (store_sent.next) is two
 *    transactions, the sent one first.
 *  - accepting a file: add() answers at once, before the database did,
 *    so *res is provisional (OUTBOX_ADDED_QUEUED, or _DEFERRED for a
 *    later Send-At) and *id is 0; the rows hold the real state (an opted-out number is
 *    suppressed there). The file's statements go out back to back in one
 *    transaction without waiting for each answer.
 *  - the SIM's row is not rewritten by claim and part_sent (reg and sim
 *    are ignored); pg_store_op_sim() registers a SIM.
 *  - quiet hours (outbox_claim.hold) are decided by the claiming box
 *    after the claim: a held bulk message goes back deferred (fenced)
 *    and the SIM claims again, -EAGAIN after 16 in one call.
 *  - inbound: classify may run for a PDU that turns out to be a
 *    duplicate (nothing is stored then); a fragment is decided from a
 *    read of its key and written only if the key did not change since
 *    (else read again).
 *  - forgotten numbers: the HMAC key is in the database (smsgw_key,
 *    pg_ops.sql), shared by every box; smsgw_forget_hash() hashes.
 */
#ifndef SMSGW_STORE_PG_H
#define SMSGW_STORE_PG_H

#include <stdbool.h>
#include <stdint.h>

#include "store_intake.h"
#include "store_ops.h"

struct loop;
struct pg_conn;
struct pg_store;

struct pg_store_options {
	const char *box;		/* this smsgwd's name */
	int64_t lease_ms;		/* a claim's lease */
	bool resend_direct, resend_bulk;	/* for lapsed leases */
};

/* Connects (in the background; see pg_conn_new()). 0 or -errno with a
 * message in err. */
int pg_store_new(struct loop *loop, const char *uri,
		 const struct pg_store_options *o, struct pg_store **out,
		 char *err, size_t errsize);
void pg_store_free(struct pg_store *ps);
struct pg_conn *pg_store_conn(struct pg_store *ps);

/* The row of this box's SIM modem/slot, created or updated; *id. */
void pg_store_op_sim(struct pg_store *ps, const char *modem,
		     const char *slot, const char *pool, const char *state,
		     int64_t now, int64_t *id, store_done_fn done, void *ud);

/* As store_op_accept(); req->intake_seq: the outbox_in row
 * (pg_intake.sql) is removed in the same transaction, only while this
 * box holds its lease (else the whole acceptance fails, -EIO). */
void pg_store_op_accept(struct pg_store *ps, const struct store_accept *req,
			int64_t *file_id, store_done_fn done, void *ud);
/* As store_op_claim(): rc 1 claimed (*out filled), 0 none, -EIO. */
void pg_store_op_claim(struct pg_store *ps, const struct outbox_claim *c,
		       struct outbox_msg *out, store_done_fn done, void *ud);
/* As store_op_part_sent(); -ESTALE: the lease is another attempt's. */
void pg_store_op_part_sent(struct pg_store *ps, const struct store_sent *req,
			   store_done_fn done, void *ud);
/* As store_op_record(): 0 recorded, -ESTALE, -EIO. */
void pg_store_op_record(struct pg_store *ps, const struct store_outcome *o,
			store_done_fn done, void *ud);
/* As store_op_inbound(), and the keyword's opt-out/opt-in in the same
 * transaction (m->keyword "optout" or "optin"). */
void pg_store_op_inbound(struct pg_store *ps, const struct inbox_new *m,
			 int64_t now, int64_t *id, store_done_fn done,
			 void *ud);

/* As store_outbox_report(), answered through done: *msg_id (0:
 * unmatched) and *new_state ("delivered", "failed" or NULL) are kept
 * until done. The SIM id is global, so the message is found whichever
 * box accepted it. */
void pg_store_op_report(struct pg_store *ps, int64_t sim_id, int mr,
			const char *recipient, int status, int64_t now,
			int64_t window_ms, const char *pdu, int64_t *msg_id,
			const char **new_state, store_done_fn done, void *ud);

/* store_outbox_promote() and store_outbox_expire() for the whole
 * database; done's rc: how many rows moved, or -EIO. */
void pg_store_op_promote(struct pg_store *ps, int64_t now,
			 store_done_fn done, void *ud);

/* As store_outbox_campaign_set(), on every box at once; done's rc: how
 * many messages changed, or -EIO. */
void pg_store_op_campaign_set(struct pg_store *ps, int64_t id,
			      enum outbox_campaign_action a, int64_t now,
			      store_done_fn done, void *ud);

/* Extends msg's lease while it is still being sent (a slow modem):
 * 0 renewed, -ESTALE the attempt is no longer the message's, -EIO. */
void pg_store_op_renew(struct pg_store *ps, const struct outbox_msg *msg,
		       int64_t now, store_done_fn done, void *ud);

/* As store_outbox_usage(): a SIM card's sends, wherever its box is; *u is
 * kept until done (zeroed when the card has none). */
void pg_store_op_usage(struct pg_store *ps, const char *usage_key,
		       struct outbox_usage *u, store_done_fn done, void *ud);

/* The twins of store_ops.h's, with its argument lists (pg_ops.sql). */
void pg_store_op_inbound_pdu(struct pg_store *ps,
			     const struct store_inbound *req,
			     struct store_inbound_out *out,
			     store_done_fn done, void *ud);
void pg_store_op_inbound_timeout(struct pg_store *ps,
				 const struct store_inbound_timeout *req,
				 struct store_inbound_out *out,
				 store_done_fn done, void *ud);
void pg_store_op_staging(struct pg_store *ps, const char *claim, int *state,
			 int64_t *file_id, store_done_fn done, void *ud);
void pg_store_op_stage_begin(struct pg_store *ps,
			     const struct store_accept *req,
			     struct store_staged *f, store_done_fn done,
			     void *ud);
void pg_store_op_stage_add(struct pg_store *ps, const struct store_staged *f,
			   const struct store_accept *req, store_done_fn done,
			   void *ud);
void pg_store_op_stage_accept(struct pg_store *ps, int64_t file_id,
			      long recipients, long duplicates,
			      store_done_fn done, void *ud);
void pg_store_op_stage_release(struct pg_store *ps, int64_t file_id,
			       int64_t now, int rows, bool (*stop)(void *ud),
			       int64_t *next, store_done_fn done, void *ud);
void pg_store_op_stage_purge(struct pg_store *ps, int64_t file_id, int rows,
			     bool (*stop)(void *ud), store_done_fn done,
			     void *ud);
/* req->intake_seq: the row of outbox_in, removed only while this box
 * holds its lease (else nothing is recorded, -EIO). */
void pg_store_op_refuse(struct pg_store *ps, const struct store_refusal *r,
			store_done_fn done, void *ud);
/* Defers nothing while a live box serves the pool with a SIM of its own
 * (it keeps sending those messages). */
void pg_store_op_defer_pool(struct pg_store *ps, const char *key,
			    int64_t until, const char *why, int64_t now,
			    store_done_fn done, void *ud);

/*
 * INSERT INTO outbox (pg_intake.sql): leases up to limit rows of
 * outbox_in to this box for its lease_ms (rows nobody holds, this box's
 * own, lapsed leases), calls fn for each in seq order (the columns of
 * include/store_intake.h), then done with the number of rows or -EIO.
 */
void pg_store_op_intake_take(struct pg_store *ps, int64_t now, int limit,
			     store_intake_row_fn fn, store_done_fn done,
			     void *ud);

enum pg_store_daemon_event {
	PG_STORE_DAEMON_START,
	PG_STORE_DAEMON_BEAT,
	PG_STORE_DAEMON_STOP,
};

/* This box's daemon row (the sims view's "offline"). */
void pg_store_op_daemon(struct pg_store *ps, enum pg_store_daemon_event ev,
			long pid, const char *version, int64_t now,
			store_done_fn done, void *ud);

#endif
