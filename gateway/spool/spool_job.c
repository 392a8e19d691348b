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

static struct spool_job *job_new(struct spool *sp, enum spool_job_phase ph,
				 const char *claim, const char *shown)
{
	struct spool_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->phase = ph;
	j->fd = -1;
	snprintf(j->claim, sizeof(j->claim), "%s", claim ? claim : "");
	snprintf(j->shown, sizeof(j->shown), "%s", shown ? shown : "");
	j->c.sp = sp;
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
	store_sync_full(sp->store, true);
	store_bulk(sp->store, false);
}

void spool_job_scan(struct spool *sp, const char *claim, const char *shown,
		    int fd)
{
	struct spool_job *j = job_new(sp, SPOOL_JOB_SCAN, claim, shown);

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
	struct spool_job *j = job_new(sp, SPOOL_JOB_RELEASE, NULL, NULL);

	if (j)
		j->file_id = file_id;
}

void spool_job_purge(struct spool *sp, int64_t file_id, const char *claim,
		     const char *shown)
{
	struct spool_job *j = job_new(sp, SPOOL_JOB_PURGE, claim, shown);

	if (j) {
		j->file_id = file_id;
		j->redo = true;
	}
}

static bool over_budget(int64_t start)
{
	return loop_clock_ms() - start >= JOB_BUDGET_MS;
}

/* Feeds the current pass until the budget is spent: 1 more, 0 complete,
 * <0 as spool_file_feed. */
static int feed(struct spool *sp, struct spool_job *j, int64_t start)
{
	int rc;

	do {
		rc = spool_file_feed(j->fd, j->p, &j->off,
				     sp->cfg->max_file_bytes, JOB_CHUNK_BYTES);
	} while (rc == 1 && !over_budget(start));
	return rc;
}

/* Not accepted: purge what was staged, then reject (category, why) or,
 * after a database error, leave the claim for a retry. */
static void give_up(struct spool_job *j, const char *category,
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

static bool step_scan(struct spool *sp, struct spool_job *j, int64_t start)
{
	int rc = feed(sp, j, start);

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
	return false;
}

/* The file's row, staged (1), and its campaign; the start of pass 2. */
static bool begin_add(struct spool *sp, struct spool_job *j)
{
	struct store *st = sp->store;
	bool dup;

	store_sync_full(st, false);
	if (store_begin(st) < 0)
		goto db;
	if (store_outbox_file_begin(st, j->shown, j->claim, j->c.msg->hash,
				    j->c.msg->id, j->c.now, &j->c.file_id,
				    &dup) < 0)
		goto rollback;
	if (dup) {
		store_rollback(st);
		log_notice("spool: %s repeats the Id: of an accepted file; "
			   "not queued again", j->shown);
		unlinkat(sp->active_fd, j->claim, 0);
		return true;
	}
	if (store_staging_set(st, j->c.file_id, STORE_STAGING_ADDING) < 0 ||
	    (j->c.msg->campaign &&
	     store_outbox_campaign(st, j->c.msg->campaign, j->c.now,
				   &j->c.base.campaign_id,
				   &j->c.campaign_paused) < 0))
		goto rollback;
	if (store_commit(st) < 0)
		goto db;
	j->file_id = j->c.file_id;
	j->c.base.staging = true;
	j->off = 0;
	if (!spool_parse_rewind(j->p, spool_add_recipient, &j->c)) {
		give_up(j, NULL, NULL);
		return false;
	}
	j->phase = SPOOL_JOB_ADD;
	return false;
rollback:
	store_rollback(st);
db:
	log_error("spool: %s not accepted (database error); left in active/ "
		  "and tried again", j->shown);
	sp->db_failed = true;
	return true;
}

static bool step_add(struct spool *sp, struct spool_job *j, int64_t start)
{
	struct store *st = sp->store;
	const struct spool_message *msg = j->c.msg;
	int rc;

	store_sync_full(st, false);
	if (store_begin(st) < 0) {
		give_up(j, NULL, NULL);
		return false;
	}
	rc = feed(sp, j, start);
	if (rc < 0 && rc != -EIO && j->c.why[0] && !j->c.db_failed) {
		store_rollback(st);
		give_up(j, "value", j->c.why);
		return false;
	}
	if (rc == -EBADMSG && !j->c.db_failed) {
		char why[300];

		store_rollback(st);
		spool_error_format(spool_parse_error(j->p), why, sizeof(why));
		give_up(j, spool_error_code_name(spool_parse_error(j->p)->code),
			why);
		return false;
	}
	if (rc < 0 || store_commit(st) < 0) {
		if (rc < 0)
			store_rollback(st);
		give_up(j, NULL, NULL);
		return false;
	}
	if (rc == 1)
		return false;
	/* The accept, a transaction of its own: FULL, which SQLite cannot
	 * switch to inside one; it makes every row before it durable too. */
	if (store_sync_full(st, true) < 0 || store_begin(st) < 0) {
		give_up(j, NULL, NULL);
		return false;
	}
	if (store_outbox_file_done(st, j->file_id, (long)msg->recipients,
				   (long)msg->duplicates) < 0 ||
	    store_staging_set(st, j->file_id, STORE_STAGING_RELEASING) < 0) {
		store_rollback(st);
		give_up(j, NULL, NULL);
		return false;
	}
	if (store_commit(st) < 0) {
		give_up(j, NULL, NULL);
		return false;
	}
	/* Accepted: the claim goes, the rows are released from now on. */
	unlinkat(sp->active_fd, j->claim, 0);
	fs_sync_dirfd(sp->active_fd);
	spool_accepted(sp, j->shown, &j->c);
	j->phase = SPOOL_JOB_RELEASE;
	return false;
}

/* One transaction per step, as many rows as the budget allows. */
static bool step_release(struct spool *sp, struct spool_job *j, int64_t start)
{
	struct store *st = sp->store;
	int n;

	store_sync_full(st, false);
	if (store_begin(st) < 0)
		goto db;
	do {
		n = store_staging_release(st, j->file_id, store_now_ms(),
					  JOB_ROWS);
	} while (n > 0 && !over_budget(start));
	if (n == 0 &&
	    store_staging_set(st, j->file_id, STORE_STAGING_DONE) < 0)
		n = -EIO;
	if (n < 0) {
		store_rollback(st);
		goto db;
	}
	if (store_commit(st) < 0)
		goto db;
	if (sp->accepted)
		sp->accepted(sp->accepted_ud);
	if (n > 0)
		return false;
	/* Another one a restart left half released? */
	j->file_id = store_staging_next_release(st);
	return j->file_id <= 0;
db:
	/* The retry timer comes back for it. */
	log_error("spool: releasing the rows of an accepted file: database "
		  "error; tried again");
	sp->db_failed = true;
	return true;
}

static bool step_purge(struct spool *sp, struct spool_job *j, int64_t start)
{
	struct store *st = sp->store;
	int n = 1;

	store_sync_full(st, true);
	while (n > 0 && !over_budget(start)) {
		if (store_begin(st) < 0) {
			n = -EIO;
			break;
		}
		n = store_staging_purge(st, j->file_id, JOB_ROWS);
		if (n < 0)
			store_rollback(st);
		else if (store_commit(st) < 0)
			n = -EIO;
	}
	if (n > 0)
		return false;
	if (n < 0 || j->db_error) {
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
static void slow(const struct spool_job *j, const char *what, int64_t start)
{
	int64_t ms = loop_clock_ms() - start;

	if (ms > 100)
		log_notice("spool: %s: a %s step held the loop %lld ms",
			   j->shown, what, (long long)ms);
}

static const char *const phase_name[] = {
	[SPOOL_JOB_SCAN] = "scan", [SPOOL_JOB_ADD] = "add",
	[SPOOL_JOB_RELEASE] = "release", [SPOOL_JOB_PURGE] = "purge",
};

bool spool_job_step(struct spool *sp)
{
	struct spool_job *j = sp->job;
	int64_t start = loop_clock_ms();
	bool done = false;

	/* A checkpoint takes a turn of its own; one a reader holds back
	 * waits for another JOB_WAL_PAGES pages. */
	if (store_bulk_wal_frames(sp->store) >= j->ckpt_at) {
		store_checkpoint_passive(sp->store);
		j->ckpt_at = store_bulk_wal_frames(sp->store) + JOB_WAL_PAGES;
		slow(j, "checkpoint", start);
		return false;
	}
	while (!done && sp->job == j) {
		switch (j->phase) {
		case SPOOL_JOB_SCAN:
			done = step_scan(sp, j, start);
			if (!done && j->c.msg)
				done = begin_add(sp, j);
			break;
		case SPOOL_JOB_ADD:
			done = step_add(sp, j, start);
			break;
		case SPOOL_JOB_RELEASE:
			done = step_release(sp, j, start);
			break;
		case SPOOL_JOB_PURGE:
			done = step_purge(sp, j, start);
			break;
		}
		if (!done && over_budget(start)) {
			store_sync_full(sp->store, true);
			slow(j, phase_name[j->phase], start);
			return false;
		}
	}
	store_sync_full(sp->store, true);
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
