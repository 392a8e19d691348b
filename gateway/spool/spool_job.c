/*
 * spool_job — a big spool file taken in over many loop turns, so that the
 * loop never waits long for it (a modem's +CNMA, a signal, the watchdog),
 * while the file stays all or nothing:
 *
 *   scan     pass 1 in steps, as for a small file;
 *   add      pass 2 in steps, one transaction each; the rows wait under
 *            hold 'staging' (spool_file.staging = 1: not accepted);
 *   accept   one short transaction: staging = 2 — the file is accepted,
 *            its claim is removed;
 *   release  the staged rows become queued, deferred or held, in steps;
 *            then staging = 0.
 *
 * A file refused in pass 2 (or a database error) purges its staged rows
 * in steps and is then rejected (or left in active/ for a retry). After a
 * crash, spool_recover finds staging = 1 (purge, take the file again) or
 * 2 (release), so nothing is half-queued and nothing is lost.
 *
 * Durability: the add and release transactions commit with synchronous =
 * NORMAL (no fsync each; 2,000 of them for 1,000,000 rows), the accept
 * transaction (staging 1 → 2, before the claim is unlinked) and the purge
 * with FULL, and every other commit of the daemon stays FULL. That is safe
 * because a WAL keeps a prefix: a power cut can lose only the last commits
 * after the last fsync, never one without those before it (frames carry a
 * running checksum; recovery stops at the first bad one), and the FULL
 * accept fsyncs every frame before it. So after a cut either the accept
 * survived, with every row it counted, or it did not and the file still
 * shows staging = 1 (or no row at all) with its claim in active/: the rows
 * left are purged and the file is taken again. A lost release only puts
 * rows back under 'staging' with the file at 2, which a restart releases
 * again. The purge stays FULL: the file goes to rejected/ right after it,
 * and no claim would be left to find rows a cut brought back.
 *
 * Checkpoints: the job turns auto-checkpoints off (one inside a commit
 * held the loop for up to 1.9 s) and runs a PASSIVE checkpoint in a turn of
 * its own each JOB_WAL_PAGES pages, so the WAL stays more bounded than
 * before; the end of the job restores the auto-checkpoint.
 */
#include "spool_priv.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "spool_file.h"
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Work per step: stop after this long or this many bytes, whichever is
 * first, and let the loop turn. */
#define JOB_BUDGET_MS 20
#define JOB_CHUNK_BYTES (4 * 1024)
/* Rows released or deleted per transaction. */
#define JOB_ROWS 500
/* WAL pages between checkpoints: a quarter of SQLite's default, so that
 * one checkpoint (copy and fsync) stays short. */
#define JOB_WAL_PAGES (STORE_WAL_PAGES / 4)

static struct spool_job *spool_job_new(struct spool *sp,
					enum spool_job_phase ph,
					const char *claim, const char *shown)
{
	struct spool_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->phase = ph;
	j->fd = -1;
	snprintf(j->claim, sizeof(j->claim), "%s", claim ? claim : "");
	snprintf(j->shown, sizeof(j->shown), "%s", shown ? shown : "");
	spool_ctx_init(&j->c, sp);
	j->ckpt_at = JOB_WAL_PAGES;
	sp->job = j;
	store_bulk(sp->store, true);
	loop_defer(&sp->work);
	return j;
}

void spool_job_free(struct spool *sp)
{
	struct spool_job *j = sp->job;

	if (!j)
		return;
	spool_parse_free(j->p);
	if (j->fd >= 0)
		close(j->fd);
	free(j);
	sp->job = NULL;
	store_bulk(sp->store, false);
}

void spool_job_scan(struct spool *sp, const char *claim, const char *shown,
		    int fd)
{
	struct spool_job *j = spool_job_new(sp, SPOOL_JOB_SCAN, claim, shown);

	if (!j) {
		close(fd);
		sp->db_failed = true;	/* out of memory: try again later */
		return;
	}
	j->fd = fd;
	spool_rules_init(&j->rules, sp->cfg);
	j->p = spool_parse_new(&j->rules);
	if (!j->p) {
		spool_job_free(sp);
		sp->db_failed = true;
	}
}

void spool_job_release(struct spool *sp, int64_t file_id)
{
	struct spool_job *j = spool_job_new(sp, SPOOL_JOB_RELEASE, NULL, NULL);

	if (j)
		j->file_id = file_id;
}

void spool_job_purge(struct spool *sp, int64_t file_id, const char *claim,
		     const char *shown)
{
	struct spool_job *j = spool_job_new(sp, SPOOL_JOB_PURGE, claim, shown);

	if (j) {
		j->file_id = file_id;
		j->redo = true;
	}
}

static bool spool_job_over_budget(int64_t start)
{
	return loop_clock_ms() - start >= JOB_BUDGET_MS;
}

/* The store's stop question (store_ops.h): the step's budget is spent. */
static bool spool_job_stop(void *ud)
{
	struct spool *sp = ud;

	return spool_job_over_budget(sp->job->start);
}

/* The store's answer to the step's operation; the next step takes it. */
static void spool_job_answer(int rc, void *ud)
{
	struct spool *sp = ud;
	struct spool_job *j = sp->job;

	j->op_out = false;
	j->op_answered = true;
	j->op_rc = rc;
	spool_answered(sp);
}

/* Before a step's operation: true when its answer is in (*rc), false
 * when the operation is out (the step waits). */
static bool spool_job_asked(struct spool_job *j, int *rc)
{
	if (!j->op_answered) {
		j->op_out = true;
		return false;
	}
	j->op_answered = false;
	*rc = j->op_rc;
	return true;
}

/* Feeds the current pass until the budget is spent: 1 more, 0 complete,
 * <0 as spool_file_feed. */
static int spool_job_feed(struct spool *sp, struct spool_job *j,
			  int64_t start)
{
	int rc;

	do {
		rc = spool_file_feed(j->fd, j->p, &j->off,
				     sp->cfg->max_file_bytes, JOB_CHUNK_BYTES);
	} while (rc == 1 && !spool_job_over_budget(start));
	return rc;
}

/* Not accepted: purge what was staged, then reject (category, why) or,
 * after a database error, leave the claim for a retry. */
static void spool_job_give_up(struct spool_job *j, const char *category,
			      const char *why)
{
	if (category) {
		snprintf(j->category, sizeof(j->category), "%s", category);
		snprintf(j->why, sizeof(j->why), "%s", why);
	} else {
		j->db_error = true;
	}
	j->phase = SPOOL_JOB_PURGE;
}

static bool spool_job_step_scan(struct spool *sp, struct spool_job *j,
				int64_t start)
{
	int rc = spool_job_feed(sp, j, start);

	if (rc == 1)
		return false;
	if (rc == -EBADMSG) {
		spool_reject_error(sp, sp->active_fd, j->claim, j->shown,
				   spool_parse_error(j->p));
		return true;
	}
	if (rc < 0) {
		log_error("spool: reading %s: %s; left in active/ and tried "
			  "again", j->shown, strerror(-rc));
		sp->db_failed = true;
		return true;
	}
	j->c.msg = spool_parse_message(j->p);
	j->c.now = store_now_ms();
	if (!spool_prepare(&j->c)) {
		spool_reject(sp, sp->active_fd, j->claim, j->shown, "value",
			     j->c.why);
		return true;
	}
	j->phase = SPOOL_JOB_BEGIN;
	return false;
}

/* Pass 2 for the store, one step's worth (store_ops.h produce). */
static int spool_job_produce(store_add_fn add, void *ctx, void *ud)
{
	struct spool *sp = ud;
	struct spool_job *j = sp->job;
	int rc;

	j->c.add = add;
	j->c.add_ctx = ctx;
	rc = spool_job_feed(sp, j, j->start);
	j->c.add = NULL;
	j->fed = rc;
	if (rc < 0 && rc != -EIO && j->c.why[0] && !j->c.db_failed) {
		snprintf(j->category, sizeof(j->category), "value");
		snprintf(j->why, sizeof(j->why), "%s", j->c.why);
		return -EBADMSG;
	}
	if (rc == -EBADMSG && !j->c.db_failed) {
		const struct spool_error *e = spool_parse_error(j->p);

		snprintf(j->category, sizeof(j->category), "%s",
			 spool_error_code_name(e->code));
		spool_error_format(e, j->why, sizeof(j->why));
		return -EBADMSG;
	}
	return rc < 0 ? -EIO : 0;
}

/* The file's row, staged, and its campaign; the start of pass 2. */
static bool spool_job_begin(struct spool *sp, struct spool_job *j)
{
	const struct spool_message *msg = j->c.msg;
	int rc;

	if (!spool_job_asked(j, &rc)) {
		j->req = (struct store_accept){
			.name = j->shown, .claim = j->claim, .hash = msg->hash,
			.idem_key = msg->id, .campaign = msg->campaign,
			.now = j->c.now, .produce = spool_job_produce,
			.produce_ud = sp,
		};
		store_op_stage_begin(sp->store, &j->req, &j->staged,
				     spool_job_answer, sp);
		if (!spool_job_asked(j, &rc))
			return false;
	}
	if (rc == 1) {
		log_notice("spool: %s repeats the Id: of an accepted file; "
			   "not queued again", j->shown);
		unlinkat(sp->active_fd, j->claim, 0);
		return true;
	}
	if (rc < 0) {
		log_error("spool: %s not accepted (database error); left in "
			  "active/ and tried again", j->shown);
		sp->db_failed = true;
		return true;
	}
	j->file_id = j->c.file_id = j->staged.file_id;
	j->off = 0;
	if (!spool_parse_rewind(j->p, spool_add_recipient, &j->c)) {
		spool_job_give_up(j, NULL, NULL);
		return false;
	}
	j->phase = SPOOL_JOB_ADD;
	return false;
}

/* One step of pass 2: the rows a budget reads, one transaction. */
static bool spool_job_step_add(struct spool *sp, struct spool_job *j)
{
	int rc;

	if (!spool_job_asked(j, &rc)) {
		store_op_stage_add(sp->store, &j->staged, &j->req,
				   spool_job_answer, sp);
		if (!spool_job_asked(j, &rc))
			return false;
	}
	if (rc == -EBADMSG) {
		j->phase = SPOOL_JOB_PURGE;	/* category and why are set */
		return false;
	}
	if (rc < 0) {
		spool_job_give_up(j, NULL, NULL);
		return false;
	}
	if (j->fed == 0)
		j->phase = SPOOL_JOB_ACCEPT;
	return false;
}

/* The accept, a durable transaction of its own. */
static bool spool_job_step_accept(struct spool *sp, struct spool_job *j)
{
	const struct spool_message *msg = j->c.msg;
	int rc;

	if (!spool_job_asked(j, &rc)) {
		store_op_stage_accept(sp->store, j->file_id,
				      (long)msg->recipients,
				      (long)msg->duplicates, spool_job_answer,
				      sp);
		if (!spool_job_asked(j, &rc))
			return false;
	}
	if (rc < 0) {
		spool_job_give_up(j, NULL, NULL);
		return false;
	}
	/* Accepted: the claim goes, the rows are released from now on. */
	unlinkat(sp->active_fd, j->claim, 0);
	fs_sync_dirfd(sp->active_fd);
	spool_accepted(sp->store, j->shown, &j->c);
	j->phase = SPOOL_JOB_RELEASE;
	return false;
}

/* One transaction per step, as many rows as the budget allows. */
static bool spool_job_step_release(struct spool *sp, struct spool_job *j)
{
	int rc;

	if (!spool_job_asked(j, &rc)) {
		store_op_stage_release(sp->store, j->file_id, store_now_ms(),
				       JOB_ROWS, spool_job_stop, &j->next,
				       spool_job_answer, sp);
		if (!spool_job_asked(j, &rc))
			return false;
	}
	if (rc < 0) {
		/* The retry timer comes back for it. */
		log_error("spool: releasing the rows of an accepted file: "
			  "database error; tried again");
		sp->db_failed = true;
		return true;
	}
	if (sp->accepted)
		sp->accepted(sp->accepted_ud);
	if (rc > 0)
		return false;
	/* Another one a restart left half released? */
	j->file_id = j->next;
	return j->file_id <= 0;
}

static bool spool_job_step_purge(struct spool *sp, struct spool_job *j)
{
	int rc;

	if (!spool_job_asked(j, &rc)) {
		store_op_stage_purge(sp->store, j->file_id, JOB_ROWS,
				     spool_job_stop, spool_job_answer, sp);
		if (!spool_job_asked(j, &rc))
			return false;
	}
	if (rc > 0)
		return false;
	if (rc < 0 || j->db_error) {
		log_error("spool: %s not accepted (database error); left in "
			  "active/ and tried again", j->shown);
		sp->db_failed = true;
		return true;
	}
	if (j->category[0]) {
		spool_reject(sp, sp->active_fd, j->claim, j->shown, j->category,
			     j->why);
		return true;
	}
	/* redo: a restart cut the file short; spool_job_step takes it
	 * again from the start. */
	return true;
}

/* A step that held the loop past the goal is worth a line. */
static void spool_job_slow(const struct spool_job *j, const char *what,
			   int64_t start)
{
	int64_t ms = loop_clock_ms() - start;

	if (ms > 100)
		log_notice("spool: %s: a %s step held the loop %lld ms",
			   j->shown, what, (long long)ms);
}

static const char *const spool_job_phase_name[] = {
	[SPOOL_JOB_SCAN] = "scan", [SPOOL_JOB_BEGIN] = "begin",
	[SPOOL_JOB_ADD] = "add", [SPOOL_JOB_ACCEPT] = "accept",
	[SPOOL_JOB_RELEASE] = "release", [SPOOL_JOB_PURGE] = "purge",
};

bool spool_job_step(struct spool *sp)
{
	struct spool_job *j = sp->job;
	int64_t start = loop_clock_ms();
	bool done = false;

	/* Its operation is out with the store: the answer wakes us. */
	if (j->op_out)
		return false;
	/* A checkpoint takes a turn of its own; one a reader holds back
	 * waits for another JOB_WAL_PAGES pages. */
	if (store_bulk_wal_frames(sp->store) >= j->ckpt_at) {
		store_checkpoint_passive(sp->store);
		j->ckpt_at = store_bulk_wal_frames(sp->store) + JOB_WAL_PAGES;
		spool_job_slow(j, "checkpoint", start);
		return false;
	}
	j->start = start;
	while (!done && sp->job == j && !j->op_out) {
		switch (j->phase) {
		case SPOOL_JOB_SCAN:
			done = spool_job_step_scan(sp, j, start);
			break;
		case SPOOL_JOB_BEGIN:
			done = spool_job_begin(sp, j);
			break;
		case SPOOL_JOB_ADD:
			done = spool_job_step_add(sp, j);
			break;
		case SPOOL_JOB_ACCEPT:
			done = spool_job_step_accept(sp, j);
			break;
		case SPOOL_JOB_RELEASE:
			done = spool_job_step_release(sp, j);
			break;
		case SPOOL_JOB_PURGE:
			done = spool_job_step_purge(sp, j);
			break;
		}
		if (!done && !j->op_out && spool_job_over_budget(start)) {
			spool_job_slow(j, spool_job_phase_name[j->phase],
				       start);
			return false;
		}
	}
	if (!done)
		return false;	/* waiting for the store */
	if (sp->job == j) {
		char claim[256];
		bool redo = j->phase == SPOOL_JOB_PURGE && j->redo &&
			    !j->db_error;

		snprintf(claim, sizeof(claim), "%s", j->claim);
		spool_job_free(sp);
		if (redo)
			spool_recover(sp, claim);
	}
	return true;
}
