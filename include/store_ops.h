/*
 * store_ops — what the daemon asks of its storage, as operations that
 * complete through a callback (doc/architecture.md "The storage
 * interface", doc/reliability.md §6.3):
 *
 *   store_op_accept()   accept the messages of one spool file
 *   store_op_claim()    claim the next message for a SIM
 *   store_op_part_sent(), store_op_record()
 *                       record what happened to a claimed message
 *   store_op_inbound()  store an inbound message
 *
 * Contract for callers: done is called exactly once, either before the
 * call returns (the SQLite backend: a local file, one fsync per commit)
 * or later from the loop (a networked backend, so that serial I/O never
 * waits on the network). A caller therefore puts everything that needs
 * the result in done, and keeps what it passes in (request, out
 * buffers) alive until done ran. Requests and their strings are
 * borrowed only until the call returns unless said otherwise.
 *
 * The SQLite backend (store/store_ops.c) is a thin adapter over the
 * synchronous store_outbox_* and store_inbox_* functions and joins an
 * open transaction of the caller like they do.
 *
 * Converted: the whole send path of outbound: the claim of an idle SIM
 * (ob_try_sim), each part sent, "sent, and the SIM's next message" in one
 * commit (ob_on_part_sent), and the retry/fail/unknown records. Still
 * synchronous: a spool file's acceptance (spool_accept.c commit_file and
 * spool_job.c's staged steps; store_op_accept() is written and tested for
 * it), an inbound PDU, whose one commit holds its raw row,
 * fragments, keyword actions and replies before the modem's ack
 * (inbound.c:inbound_sms; store_op_inbound() is only its inbox row), the
 * periodic promote/expire (outbound.c:ob_promote_due), status reports,
 * the quota deferral and the reassembly timeout.
 */
#ifndef SMSGW_STORE_OPS_H
#define SMSGW_STORE_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "msg_state.h"
#include "store_inbox.h"
#include "store_outbox.h"

struct store;
struct sim;
struct sim_registry;

/* rc: 0 or -errno, unless an operation says otherwise. */
typedef void (*store_done_fn)(int rc, void *ud);

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
 * A big file in steps (spool/spool_job.c), all or nothing: its rows are
 * staged (not sendable) until the accept, then released in steps; a file
 * not accepted has its staged rows purged. The steps that may be lost in
 * a power cut (add, release) are committed without waiting for the disk;
 * begin, accept and purge are durable, and durable commits keep every
 * earlier one (doc/reliability.md, spool_job.c).
 *
 * stage_begin: the file's row (staging, *file_id, kept until done) and
 * its campaign; done's rc 0, 1 a duplicate (nothing stored), -EIO.
 * stage_add: req->produce's rows, staged, in one transaction under
 * file_id; done's rc as store_op_accept's (never 1).
 * stage_accept: the file is accepted (its counts written); done 0, -EIO.
 * stage_release / stage_purge: rows in transactions of `rows` until stop
 * says so (asked between them); done's rc 1 more left, 0 finished (the
 * release then sets *next, kept until done, to another accepted file
 * still to release, or 0), -EIO.
 */
void store_op_stage_begin(struct store *st, const struct store_accept *req,
			  int64_t *file_id, store_done_fn done, void *ud);
void store_op_stage_add(struct store *st, int64_t file_id,
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

/* Writes the inbox row; *id (kept until done) is its id. */
void store_op_inbound(struct store *st, const struct inbox_new *m,
		      int64_t now, int64_t *id, store_done_fn done, void *ud);

#endif
