/*
 * store_ops_stage — the storage interface's steps for a big spool file
 * (gateway/store/store_ops_stage.c; spool/spool_job.c asks them). Each
 * completes through a callback, as every operation of store_ops.h, which
 * includes this header.
 */
#ifndef SMSGW_STORE_OPS_STAGE_H
#define SMSGW_STORE_OPS_STAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "store_ops.h"

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

#endif
