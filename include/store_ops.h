/*
 * store_ops — what the daemon asks of its storage, as operations that
 * complete through a callback (doc/architecture.md "The storage
 * interface", doc/reliability.md §6.3):
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
 * which are SQLite's own intake (doc/architecture.md).
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

/*
 * A big file in steps (spool/spool_job.c). The spool checks the whole
 * file before its first row (syntax, numbers, every rendered text), so no
 * row ever has to be taken back: rows go in their final form (queued,
 * deferred, held, suppressed, as store_op_accept's), sendable at once,
 * and spool_file.staging says how far the file got — 1 rows being added
 * (the claim stays in active/), 0 the file is whole. A file cut short by
 * a crash is resumed, never half kept: the steps commit in order, so the
 * rows present are the first of the file, and the resume adds the rest.
 * The add steps may be lost in a power cut; begin and accept are durable,
 * and a durable commit keeps every earlier one (a WAL keeps a prefix;
 * doc/reliability.md, spool_job.c).
 *
 * stage_begin: the file's row (staging 1) and its campaign into *f (kept
 * until done); done's rc 0, 1 a duplicate (nothing stored), -EIO.
 * stage_resume: after a restart, the file file_id at staging 1: its
 * campaign (req->campaign, found or created) and what it has — rows, the
 * recipient of its last row (highest id; "" none), and hidden, rows an
 * older version left under hold 'staging' (the spool then purges them
 * and takes the file again) — into *f, kept until done; done 0, -EIO.
 * stage_add: req->produce's rows, in one transaction under *f (the
 * campaign of the begin; paused as it is now). add() asked with id NULL
 * may keep the row for an INSERT of many until the transaction ends (it
 * copies recipient and body; the rows of one file differ in nothing
 * else), and sets *res at once. done's rc as store_op_accept's (never
 * 1); on an error nothing of the step is stored.
 * stage_accept: the file is whole (its counts written, staging 0),
 * durably; done 0, -EIO. The spool removes the claim after it.
 * stage_release / stage_purge: hidden rows (hold 'staging': an older
 * version's, or a backend's that keeps them hidden until the accept —
 * its stage_accept then leaves staging 2) in transactions of `rows`
 * until stop says so (asked between them): staging 2 accepted, released;
 * staging 1, deleted. done's rc 1 more left, 0 finished (the release
 * then sets staging 0 and *next, kept until done, to another accepted
 * file still to release, or 0), -EIO. The spool asks stage_release after
 * every stage_accept, so either kind of backend is right; one whose rows
 * are final answers 0 at once. Such a backend's stage_resume reports
 * hidden, and the spool purges the file's rows and takes it again: the
 * PostgreSQL twin (store_ops_pg.c, pg_ops.sql) is one, and answers
 * stage_resume with hidden at once; the SQLite backend's rows are final.
 */
/*
 * What a restart left: the staging state of the file claimed as claim
 * (store_staging_of_claim(): STORE_STAGING_NONE when no row has it) and
 * its id; with claim NULL, an accepted file whose hidden rows an older
 * version left to release (STORE_STAGING_RELEASING, or NONE). *state and
 * *file_id kept until done; done's rc 0 or -EIO.
 */
void store_op_staging(struct store *st, const char *claim, int *state,
		      int64_t *file_id, store_done_fn done, void *ud);

struct store_staged {
	int64_t file_id, campaign_id;
	bool paused;			/* its campaign was paused */
	/* stage_resume only */
	int64_t rows;			/* the file's rows so far */
	char last[32];			/* the last one's recipient */
	bool hidden;			/* an older version's hidden rows */
};

void store_op_stage_begin(struct store *st, const struct store_accept *req,
			  struct store_staged *f, store_done_fn done,
			  void *ud);
void store_op_stage_resume(struct store *st, int64_t file_id,
			   const struct store_accept *req,
			   struct store_staged *f, store_done_fn done,
			   void *ud);
void store_op_stage_add(struct store *st, const struct store_staged *f,
			const struct store_accept *req, store_done_fn done,
			void *ud);
void store_op_stage_accept(struct store *st, int64_t file_id,
			   long recipients, long duplicates,
			   store_done_fn done, void *ud);
void store_op_stage_release(struct store *st, int64_t file_id, int64_t now,
			    int rows, bool (*stop)(void *ud), int64_t *next,
			    store_done_fn done, void *ud);
void store_op_stage_purge(struct store *st, int64_t file_id, int rows,
			  bool (*stop)(void *ud), store_done_fn done,
			  void *ud);

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

/* ---- store an inbound message ---- */

/* A complete inbound message (one part, or assembled), as classify and
 * the caller's after-commit work see it. Strings are borrowed. */
struct store_inbound_msg {
	const struct sim *sim;
	const char *sender, *sender_type, *body, *scts;
	int parts, total;
	bool partial;
	int32_t concat_ref;		/* -1: single */
};

/* What the message's keyword asks for (policy/keyword.h decides, the
 * daemon says it as data): the store acts on it in the same commit. */
enum store_inbound_act {
	STORE_INBOUND_KEEP,		/* the row only */
	STORE_INBOUND_OPT_OUT,		/* reply: the confirmation, once */
	STORE_INBOUND_OPT_IN,		/* reply: when it was opted out */
	STORE_INBOUND_REPLY,		/* help or a rule's reply */
	STORE_INBOUND_FORWARD,		/* forward_text to forward_to */
};

/* Filled by classify; every char * is malloc'd and the store's from then
 * (it frees them). */
struct store_inbound_actions {
	char *keyword;			/* the row's tag; NULL: none */
	enum store_inbound_act act;
	char *matched;			/* opt-out: the word that matched */
	const char *how;		/* opt-out: how it matched (static) */
	char *reply;			/* the automatic reply; NULL: none */
	const char *reply_origin;	/* "optout-reply", … (static) */
	bool reply_failed;		/* its template failed: the commit
					   fails if it would be sent */
	char *forward_to, *forward_text;
	char *hook;			/* a rule's hook, after the commit */
	bool kick;			/* replies or suppressions may be
					   queued: dispatch after the commit */
};

/* One message delivered to the inbox by an operation, for the caller's
 * work after the commit (events, hooks). Owned by the out struct. */
struct store_inbound_delivered {
	int64_t id;
	const struct sim *sim;
	char *sender, *body, *keyword, *hook;
	int parts;
	bool partial, kick;
};

struct store_inbound_out {
	struct store_inbound_delivered *msgs;
	size_t n;
	int64_t oldest_waiting;		/* of fragments still waiting; 0 */
};

void store_inbound_out_free(struct store_inbound_out *o);
/* Frees what classify put in *a and zeroes it. */
void store_inbound_actions_free(struct store_inbound_actions *a);

typedef int (*store_classify_fn)(const struct store_inbound_msg *m,
				 struct store_inbound_actions *a, void *ud);

/*
 * One received PDU, in one commit: its raw row (once per SIM card and
 * PDU: a PDU read twice is stored once), then, for an SMS-DELIVER, the
 * message — at once, or as a fragment handed to reassembly
 * (codec/reasm.h) with the message it completes — classified by
 * classify (called inside the operation, maybe after the call returned:
 * classify_ud lives until done) and acted on: inbox row, sticky sender,
 * opt-out or opt-in, automatic replies (bounded per sender), forwards.
 * *out (kept until done) lists what was delivered. done's rc: 0
 * committed (durable: now the modem may delete or acknowledge it), <0
 * nothing stored (the modem keeps it).
 */
struct store_inbound {
	const struct sim *sim;
	const char *pdu_hex;
	const struct sms_pdu *pdu;	/* an SMS-DELIVER; NULL: not one */
	const char *error;		/* then: why not */
	const char *sender, *scts;	/* as stored (E.164 where it can) */
	int64_t now;
	const struct reasm_opts *ro;
	int64_t reply_expire_ms;	/* expiry of the replies queued */
	store_classify_fn classify;
	void *classify_ud;
};

void store_op_inbound(struct store *st, const struct store_inbound *req,
		      struct store_inbound_out *out, store_done_fn done,
		      void *ud);

/*
 * Reassembly timeouts: every fragment group waiting longer than
 * ro->timeout_ms is delivered as a partial message (classified and acted
 * on as above) or kept as orphans; each group commits on its own. done's
 * rc 0; *out as store_op_inbound's.
 */
struct store_inbound_timeout {
	struct sim_registry *reg;	/* the SIMs, by id */
	int64_t now;
	const struct reasm_opts *ro;
	int64_t reply_expire_ms;
	store_classify_fn classify;
	void *classify_ud;
};

void store_op_inbound_timeout(struct store *st,
			      const struct store_inbound_timeout *req,
			      struct store_inbound_out *out,
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

#endif
