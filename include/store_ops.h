/*
 * store_ops — what the daemon asks of its storage, as operations that
 * complete through a callback (doc/architecture.md "The storage
 * interface"; doc/reliability.md, "One storage interface for SQLite and
 * PostgreSQL"):
 *
 *   store_op_accept()   accept the messages of one spool file (or of text
 *                       in the spool format: the HTTP API, INSERT INTO
 *                       outbox); store_op_refuse() an intake row that
 *                       cannot be queued; store_op_stage_*() a big file
 *                       in steps (checked whole first, rows in batches,
 *                       resumed after a crash); store_op_staging() what
 *                       a restart left
 *   store_op_claim()    claim the next message for a SIM
 *   store_op_part_sent(), store_op_record()
 *                       record what happened to a claimed message
 *   store_op_inbound()  store one received PDU with everything it causes;
 *                       store_op_inbound_timeout() the reassembly timeouts
 *   store_op_report(), store_op_promote(), store_op_defer_pool()
 *                       a status report; the timers' promote/expire and
 *                       quota deferral; store_op_campaign_set()
 *
 * Two backends: SQLite (store_open()) and PostgreSQL (store_open_pg(),
 * doc/postgresql.md "The daemon on PostgreSQL"): every function below
 * forwards to store/store_ops_pg.c when store_is_pg(), which calls the
 * twin of gateway/store/pg/ (include/store_pg.h).
 *
 * Contract for callers: done is called exactly once, either before the
 * call returns (the SQLite backend: a local file, one fsync per commit)
 * or later from the loop (a networked backend, so that serial I/O never
 * waits on the network). A caller therefore puts everything that needs
 * the result in done, and keeps what it passes in (request, out
 * buffers, what a produce or classify callback reads) alive until done
 * ran. Requests and their strings are borrowed only until the call
 * returns unless said otherwise. The request structs hold no SQLite
 * types: a second backend implements these same functions.
 *
 * The SQLite backend (store/store_ops.c, store/store_ops_inbound.c) is a
 * thin adapter over the synchronous store_outbox_*, store_staging_* and
 * store_inbox_* functions and joins an open transaction of the caller
 * like they do.
 *
 * Converted (every caller correct if done runs later):
 * - outbound's send path: the claim of an idle SIM (ob_try_sim), each part
 *   sent, "sent, and the SIM's next message" in one commit
 *   (outbound_send_on_part_sent), the retry/fail/unknown records; the periodic
 *   promote/expire (outbound_promote_due), the quota deferral
 *   (outbound_defer_exhausted), status reports (outbound_status_report);
 * - the spool: a small file (spool_accept.c: the claim stays in active/
 *   until done says committed), a big file's steps (spool_job.c: one
 *   operation per step, the job waits for its answer), text from the HTTP
 *   API and from INSERT INTO outbox (spool_submit.c:spool_accept_text(),
 *   sqlin.c: rows one at a time, the next from the answer); a claim found
 *   in active/ after a restart, a big file cut short (resumed) and an
 *   older version's half released one (spool_accept.c:spool_recover_ask(),
 *   spool.c:spool_on_retry());
 * - inbound: a PDU's one commit (raw row, fragment and reassembly, inbox
 *   row, keyword actions, replies) with the modem's ack from done
 *   (inbound.c:inbound_sms), the reassembly timeout, kept PDUs' retries.
 *
 * Still synchronous on SQLite, and why (on PostgreSQL each is asynchronous
 * or skipped: include/store_pgd.h): at the daemon's start
 * store_outbox_recover(); a SIM's usage counters when its
 * card changes (store_outbox_usage()); ob_save_unsaved() (sent records
 * that failed, retried on a timer and at shutdown); event rows
 * (store_event()); sqlin's reading of outbox_in and its schema check,
 * which are SQLite's own intake (doc/architecture.md; PostgreSQL leases
 * the rows asynchronously, store_intake_take()).
 */
#ifndef SMSGW_STORE_OPS_H
#define SMSGW_STORE_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "msg_state.h"
#include "reasm.h"
#include "sms.h"
#include "store_inbox.h"
#include "store_outbox.h"

struct store;
struct sim;
struct sim_registry;

/* rc: 0 or -errno, unless an operation says otherwise. */
typedef void (*store_done_fn)(int rc, void *ud);

struct loop;
/*
 * For tests (the environment variable SMSGW_TEST_STORE_LATE, read when the
 * store is attached to the daemon's loop): every operation answers from a
 * deferred call of loop, never before it returns, as a networked backend
 * would, so that the e2e tests run the callers' "later" paths (the HTTP
 * API's POST then waits suspended, http_wait.c). NULL: off.
 */
void store_ops_answer_later(struct loop *loop);
/* Runs the answers held for the next turn now (store_batch_flush()). */
void store_ops_answer_flush(void);
/* True while operations answer later (a caller that cannot wait asks). */
bool store_ops_answers_later(void);
/* The backend's files (store/store_ops*.c): done(rc, ud), at once or,
 * in tests, later. */
void store_ops_answer(store_done_fn done, int rc, void *ud);

/* ---- accept a spool file ---- */

/* One message of the file: add sets *id (NULL: not wanted) and res, and
 * returns 0 or -EIO. */
typedef int (*store_add_fn)(const struct outbox_new *m, int64_t *id,
			    enum outbox_add_result *res, void *ctx);

struct store_accept {
	const char *name;		/* as dropped */
	const char *claim;		/* as renamed into active/; NULL: none */
	const char *hash;
	const char *idem_key;		/* Id:, NULL: none */
	const char *campaign;		/* NULL: none */
	int64_t now;
	/* The intake row the file came from (INSERT INTO outbox: sqlin),
	 * removed in the same commit; 0: none. */
	int64_t intake_seq;
	/*
	 * Hands the file's messages to add, one call each (the spool reads
	 * the file as it goes, so a file of 100,000 recipients is never all
	 * in memory); add sets campaign_id and says how the message was
	 * stored, or returns -EIO. produce returns 0, -EBADMSG when the file
	 * is at fault, or -EIO; either error rolls the file back. It may run
	 * after store_op_accept() returned (a networked backend): what
	 * produce_ud points to lives until done.
	 */
	int (*produce)(store_add_fn add, void *ctx, void *ud);
	void *produce_ud;
	long recipients, duplicates;	/* for the spool_file row */
};

/* done's rc: 0 committed, 1 a duplicate (Id: seen; nothing stored),
 * -EBADMSG the file is at fault, -EIO the store failed (nothing stored);
 * *file_id (NULL: not wanted; kept until done) is the file's row. */
void store_op_accept(struct store *st, const struct store_accept *req,
		     int64_t *file_id, store_done_fn done, void *ud);

/*
 * A row of the intake (INSERT INTO outbox) that cannot be queued: kept as
 * a failed message with why (store_outbox_add_refused()), its intake row
 * removed and a warning event written, in one commit.
 */
struct store_refusal {
	int64_t intake_seq;
	const char *recipient, *body, *via, *why;
	int64_t now;
};

void store_op_refuse(struct store *st, const struct store_refusal *r,
		     store_done_fn done, void *ud);

/* ---- claim the next message for a SIM ---- */

/*
 * Claims as store_outbox_claim() into *out (kept until done) and, when it
 * claimed one, writes sim's row (sim_update(reg, sim)) in the same
 * commit, so the busy SIM and the sending message are one fsync. done's
 * rc: 1 claimed, 0 nothing for this SIM, -EAGAIN call again, -EIO.
 */
void store_op_claim(struct store *st, const struct outbox_claim *c,
		    struct sim_registry *reg, struct sim *sim,
		    struct outbox_msg *out, store_done_fn done, void *ud);

/* ---- record an outcome ---- */

/*
 * Part seq of msg went out with message reference mr
 * (store_outbox_part_sent()); with last, the message is sent
 * (store_outbox_sent()) and, in the same commit, the SIM's next message
 * is claimed with *next into *next_out (kept until done; next NULL: none)
 * and sim's row written (sim NULL: none). claimed, when set, is told the
 * claim's result (1 claimed, 0 none, <0 failed) inside the transaction,
 * before the row is written, so it may set sim->sending for the row.
 * done's rc: -EIO nothing recorded (for the last part: the message is
 * not recorded sent; a part row that fails alone only loses its MR); 1
 * recorded and next claimed; 0 recorded (and nothing claimed).
 */
struct store_sent {
	const struct outbox_msg *msg;
	int64_t sim_id;
	const char *usage_key;
	int seq, mr;
	bool last;
	int64_t now;
	const struct outbox_claim *next;
	struct outbox_msg *next_out;
	void (*claimed)(int rc, void *ud);	/* ud is done's */
	struct sim_registry *reg;
	struct sim *sim;
};

void store_op_part_sent(struct store *st, const struct store_sent *req,
			store_done_fn done, void *ud);

enum store_outcome_kind {
	STORE_OUTCOME_RETRY,		/* store_outbox_retry() */
	STORE_OUTCOME_FINAL,		/* store_outbox_fail() with event */
	STORE_OUTCOME_UNKNOWN,		/* store_outbox_unknown() */
};

struct store_outcome {
	enum store_outcome_kind kind;
	const struct outbox_msg *msg;	/* id and attempt_id are used */
	const char *error;
	int64_t now;
	/* RETRY */
	int64_t not_before;
	bool count_attempt;
	int64_t avoid_sim, avoid_until;
	/* FINAL */
	enum msg_event event;
	/* UNKNOWN */
	bool resend;
};

void store_op_record(struct store *st, const struct store_outcome *o,
		     store_done_fn done, void *ud);

/* ---- housekeeping the daemon's timers ask for ---- */

/*
 * A status report for the message sim sent with reference mr to
 * recipient (store_outbox_report()); *id (0: none matched) and *state
 * (the state it moved to, NULL: none; static) kept until done. done's
 * rc 0 recorded (durable: the modem may acknowledge it), -EIO.
 */
struct store_report {
	int64_t sim_id;
	int mr;
	const char *recipient;
	int status;
	int64_t now, window_ms;
	const char *pdu_hex;
};

void store_op_report(struct store *st, const struct store_report *req,
		     int64_t *id, const char **state, store_done_fn done,
		     void *ud);

/* Expires what is past its expiry and queues what is due, in one commit;
 * *next_due (kept until done) the next deferred time, 0 none. done 0. */
void store_op_promote(struct store *st, int64_t now, int64_t *next_due,
		      store_done_fn done, void *ud);

/* Pauses, resumes or cancels campaign id and its waiting messages
 * (store_outbox_campaign_set()); on PostgreSQL for every box at once.
 * done's rc: how many messages changed, or -EIO. */
void store_op_campaign_set(struct store *st, int64_t id,
			   enum outbox_campaign_action a, int64_t now,
			   store_done_fn done, void *ud);

/* Defers the bulk of pool key (the unpooled queue: "") until until, with
 * why (store_outbox_defer_pool()); done's rc the messages it deferred, or
 * -EIO. */
void store_op_defer_pool(struct store *st, const char *key, int64_t until,
			 const char *why, int64_t now, store_done_fn done,
			 void *ud);

#include "store_ops_stage.h"
#include "store_ops_inbound.h"

#endif
