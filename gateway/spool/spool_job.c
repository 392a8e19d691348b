/*
 * spool_job — a big spool file taken in over many loop turns, so that the
 * loop never waits long for it (a modem's +CNMA, a signal, the watchdog),
 * while the file stays all or nothing. Each step asks the store for one
 * operation (include/store_ops.h) and the next step takes its answer, so
 * the job is correct whenever the answer comes:
 *
 *   scan     pass 1 in steps, as for a small file: syntax, numbers,
 *            duplicates, placeholders;
 *   check    a personalised file only: pass 2 without rows, every
 *            recipient's rendered text checked as its row would be (parts,
 *            max_parts, Autosplit); a file refused here left no row. A
 *            plain file's one text is checked once;
 *   begin    the file's row, spool_file.staging = 1 (store_op_stage_begin);
 *   add      pass 2 again, one transaction per step (store_op_stage_add):
 *            its rows as a small file's (queued, deferred, held,
 *            suppressed), sendable at once, many to an INSERT; the claim
 *            stays in active/;
 *   accept   one short durable transaction: staging = 0
 *            (store_op_stage_accept); then the claim goes and the file is
 *            reported accepted;
 *   release  rows a backend kept hidden until the accept
 *            (store_op_stage_release; none on SQLite: one query).
 *
 * Nothing after the first row can refuse the file (the scan and the check
 * saw all of it), so a row never has to be taken back: there is no hidden
 * state and no release pass over the rows (older versions inserted rows
 * under hold 'staging' and released them with an UPDATE each, which cost
 * as much as the inserts). A database error ends the job and leaves the
 * claim for the retry. A restart (or that retry) finds staging = 1 and
 * resumes (store_op_stage_resume): the rows present are the first K unique
 * recipients in file order (the steps commit in order), so pass 2 skips K
 * and adds the rest — nothing lost, nothing twice (it also skips up to
 * the recipient of the last row in, should rows have been deleted since,
 * by smsgw forget). Only a restart under a changed config can refuse a
 * file after rows went in: those rows stay (they may have gone out), the
 * file is marked whole and rejected saying how many rows were queued.
 * Rows an older version left hidden (staging 1 or 2) are purged (then the
 * file is taken again) or released as that version did.
 *
 * Durability: the add transactions commit with synchronous = NORMAL (no
 * fsync each), the accept transaction (before the claim is unlinked) with
 * FULL, and every other commit of the daemon stays FULL. A WAL keeps a
 * prefix: a power cut can lose only the last commits after the last
 * fsync, never one without those before it (frames carry a running
 * checksum; recovery stops at the first bad one). So after a cut the rows
 * present are still a prefix of the file's, the claim is still in active/
 * unless the FULL accept made every row durable, and the resume adds
 * what is missing.
 *
 * While the job runs, one small file per turn is taken between its steps
 * (spool.c); another big file waits in active/ for this one.
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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Work per step: stop after this long or this many bytes, whichever is
 * first, and let the loop turn. A step commits once; each commit writes
 * the right-hand pages of the table and its indexes again, so 20 ms steps
 * cost about a tenth more CPU than 30 ms ones, whose longest took 31–33 ms
 * of CPU for a 1,000,000-row file (the goal is 100 ms). */
#define JOB_BUDGET_MS 30
/* ... but after this long a step yields as soon as other work waits
 * (loop_work_waiting): a modem's answer or +CMTI on its fd, or a deferred
 * call queued behind the step in this turn — the AT+CMGR a +CMTI asked
 * for (at_chat writes from a deferred kick), the batch's commit that
 * acknowledges an inbox row. The intake goes on next turn. In the
 * 128-modem burst a 30 ms step before the AT+CMGR and another before its
 * answer made up the gateway's inbound tail (doc/pool.md, "Inbound during
 * a burst"). */
#define JOB_SLICE_MS 8
#define JOB_CHUNK_BYTES (4 * 1024)
/* WAL pages between checkpoints: a quarter of SQLite's default, so that
 * one checkpoint (copy and fsync) stays short. */
#define JOB_WAL_PAGES (STORE_WAL_PAGES / 4)

struct spool_job *spool_job_new(struct spool *sp, enum spool_job_phase ph,
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
	j->seen_last = true;
	j->t0 = loop_clock_ms();
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
	free(j->parts);
	if (j->fd >= 0)
		close(j->fd);
	free(j);
	sp->job = NULL;
	store_bulk(sp->store, false);
}

static void spool_job_start_scan(struct spool *sp, struct spool_job *j,
				 int fd)
{
	j->fd = fd;
	spool_rules_init(&j->rules, sp->cfg);
	j->p = spool_parse_new(&j->rules);
	if (!j->p) {
		spool_job_free(sp);
		sp->db_failed = true;
	}
}

void spool_job_scan(struct spool *sp, const char *claim, const char *shown,
		    int fd)
{
	struct spool_job *j;

	/* One big file at a time: another one claimed meanwhile (small
	 * files are taken between the steps, spool.c) waits in active/. */
	if (sp->job) {
		close(fd);
		spool_recover_later(sp, claim);
		return;
	}
	j = spool_job_new(sp, SPOOL_JOB_SCAN, claim, shown);
	if (!j) {
		close(fd);
		sp->db_failed = true;	/* out of memory: try again later */
		return;
	}
	spool_job_start_scan(sp, j, fd);
}

void spool_job_scanned(struct spool *sp, const char *claim,
		       const char *shown, int fd, struct spool_parser *p)
{
	struct spool_job *j;

	if (sp->job) {
		spool_parse_free(p);
		close(fd);
		spool_recover_later(sp, claim);
		return;
	}
	j = spool_job_new(sp, SPOOL_JOB_SCAN, claim, shown);
	if (!j) {
		spool_parse_free(p);
		close(fd);
		sp->db_failed = true;
		return;
	}
	/* The parser holds a copy of its rules (spool_parse_new). */
	j->fd = fd;
	j->p = p;
	j->scanned = true;
}

void spool_job_resume(struct spool *sp, int64_t file_id, const char *claim,
		      const char *shown)
{
	struct spool_error e = { 0 };
	struct spool_job *j;
	int fd;

	if (sp->job) {
		spool_recover_later(sp, claim);
		return;
	}
	fd = spool_file_open(sp->active_fd, claim, sp->cfg->max_file_bytes,
			     &e);
	if (fd < 0) {
		/* Gone or unreadable: what it added stays, and says so. */
		log_error("spool: %s: cannot take it again after a restart: "
			  "%s; the rows it had stay", shown,
			  e.text[0] ? e.text : strerror(-fd));
		if (fd != -ENOENT)
			spool_reject_error(sp, sp->active_fd, claim, shown, &e);
		return;
	}
	j = spool_job_new(sp, SPOOL_JOB_SCAN, claim, shown);
	if (!j) {
		close(fd);
		sp->db_failed = true;
		return;
	}
	j->resume = true;
	j->file_id = file_id;
	spool_job_start_scan(sp, j, fd);
}

static bool spool_job_over_budget(const struct spool *sp, int64_t start)
{
	int64_t ms = loop_clock_ms() - start;

	return ms >= JOB_BUDGET_MS ||
	       (ms >= JOB_SLICE_MS && loop_work_waiting(sp->loop));
}

/* The store's stop question (store_ops.h): the step's budget is spent. */
bool spool_job_stop(void *ud)
{
	struct spool *sp = ud;

	return spool_job_over_budget(sp, sp->job->start);
}

/* The store's answer to the step's operation; the next step takes it. */
void spool_job_answer(int rc, void *ud)
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
bool spool_job_asked(struct spool_job *j, int *rc)
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
int spool_job_feed(struct spool *sp, struct spool_job *j, int64_t start)
{
	int rc;

	do {
		rc = spool_file_feed(j->fd, j->p, &j->off,
				     sp->cfg->max_file_bytes, JOB_CHUNK_BYTES);
	} while (rc == 1 && !spool_job_over_budget(sp, start));
	return rc;
}

/* A database or read error: the claim stays in active/, the retry takes
 * it again (and resumes it when rows went in). */
bool spool_job_db_error(struct spool *sp, struct spool_job *j)
{
	log_error("spool: %s not accepted (database error); left in active/ "
		  "and tried again", j->shown);
	sp->db_failed = true;
	return true;
}

/* Starts pass 2 again with fn. */
bool spool_job_rewind(struct spool_job *j, enum spool_job_phase ph,
		      spool_recipient_fn fn)
{
	j->off = 0;
	if (!spool_parse_rewind(j->p, fn, j))
		return false;
	j->phase = ph;
	return true;
}

/* Add pass: one row, after the rows a restart found; the store may keep
 * it for an INSERT of many (no id asked). */
static bool spool_job_add_recipient(const struct spool_recipient *r,
				    void *ud)
{
	struct spool_job *j = ud;
	struct accept_ctx *c = &j->c;
	struct outbox_new m = c->base;
	enum outbox_add_result res;

	if (!j->seen_last && strcmp(r->number, j->staged.last) == 0) {
		j->seen_last = true;
		return true;
	}
	if ((int64_t)r->index < j->skip || !j->seen_last)
		return true;
	if (j->parts && r->index < c->msg->recipients)
		m.parts = j->parts[r->index];
	else if (!spool_count_parts(c, r, &m.parts))
		return false;
	m.recipient = r->number;
	m.body = r->body;
	if (c->add(&m, NULL, &res, c->add_ctx) < 0) {
		c->db_failed = true;
		return false;
	}
	j->step_rows++;
	if (res == OUTBOX_ADDED_QUEUED)
		c->queued++;
	else if (res == OUTBOX_ADDED_DEFERRED)
		c->deferred++;
	else
		c->suppressed++;
	return true;
}

/* Pass 2 for the store, one step's worth (store_ops.h produce). */
static int spool_job_produce(store_add_fn add, void *ctx, void *ud)
{
	struct spool *sp = ud;
	struct spool_job *j = sp->job;
	int rc;

	j->c.add = add;
	j->c.add_ctx = ctx;
	j->step_rows = 0;
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

static void spool_job_request(struct spool *sp, struct spool_job *j)
{
	const struct spool_message *msg = j->c.msg;

	j->req = (struct store_accept){
		.name = j->shown, .claim = j->claim, .hash = msg->hash,
		.idem_key = msg->id, .campaign = msg->campaign,
		.now = j->c.now, .produce = spool_job_produce,
		.produce_ud = sp, .recipients = (long)msg->recipients,
		.duplicates = (long)msg->duplicates,
	};
}

/* The file's row (staging 1) and its campaign; the start of pass 2. */
static bool spool_job_begin(struct spool *sp, struct spool_job *j)
{
	int rc;

	if (!spool_job_asked(j, &rc)) {
		spool_job_request(sp, j);
		store_op_stage_begin(sp->store, &j->req, &j->staged,
				     spool_job_answer, sp);
		if (!spool_job_asked(j, &rc))
			return false;
	}
	if (rc == 1) {
		log_notice("spool: %s repeats the Id: of an accepted file; "
			   "not queued again", j->shown);
		store_event(sp->store, STORE_EVENT_INFO, "spool",
			    "%s not queued again: Id '%s' was accepted before",
			    j->shown, j->c.msg->id);
		unlinkat(sp->active_fd, j->claim, 0);
		return true;
	}
	if (rc < 0)
		return spool_job_db_error(sp, j);
	j->file_id = j->c.file_id = j->staged.file_id;
	if (!spool_job_rewind(j, SPOOL_JOB_ADD, spool_job_add_recipient))
		return spool_job_db_error(sp, j);
	return false;
}

/* After a restart: what the file has; pass 2 goes on after it. */
static bool spool_job_step_resume(struct spool *sp, struct spool_job *j)
{
	int rc;

	if (!spool_job_asked(j, &rc)) {
		spool_job_request(sp, j);
		store_op_stage_resume(sp->store, j->file_id, &j->req,
				      &j->staged, spool_job_answer, sp);
		if (!spool_job_asked(j, &rc))
			return false;
	}
	if (rc < 0)
		return spool_job_db_error(sp, j);
	if (j->staged.hidden) {
		/* An older version's hidden rows: purged, then the file is
		 * taken again from the start. */
		j->redo = true;
		j->phase = SPOOL_JOB_PURGE;
		return false;
	}
	j->c.file_id = j->file_id;
	j->skip = j->rows_in = j->staged.rows;
	j->seen_last = !j->staged.last[0];
	log_notice("spool: %s: resumed after a restart; %lld of %zu rows "
		   "were in", j->shown, (long long)j->skip,
		   j->c.msg->recipients);
	if (!spool_job_rewind(j, SPOOL_JOB_ADD, spool_job_add_recipient))
		return spool_job_db_error(sp, j);
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
		/* Only a changed config after a restart gets here: the file
		 * was checked whole. Rows in stay (they may have gone out):
		 * the file is marked whole, then rejected saying so. */
		if (j->rows_in > 0)
			j->cut = true;
		j->phase = j->cut ? SPOOL_JOB_ACCEPT : SPOOL_JOB_PURGE;
		return false;
	}
	if (rc < 0)
		return spool_job_db_error(sp, j);
	j->rows_in += j->step_rows;
	/* The rows are queued: the modems may start on them. */
	if (sp->accepted && j->step_rows)
		sp->accepted(sp->accepted_ud);
	if (j->fed == 0)
		j->phase = SPOOL_JOB_ACCEPT;
	return false;
}

static void spool_job_report(struct spool *sp, struct spool_job *j)
{
	int64_t ms = loop_clock_ms() - j->t0;

	store_event(sp->store, STORE_EVENT_INFO, "spool",
		    "intake of %s: %zu rows in %lld ms, %lld loop turns, the "
		    "longest %lld ms (%lld ms CPU); CPU ms: scan %lld, check "
		    "%lld, add %lld", j->shown, j->c.msg->recipients,
		    (long long)ms, (long long)j->steps, (long long)j->max_ms,
		    (long long)(j->max_cpu_us / 1000),
		    (long long)(j->phase_cpu_us[SPOOL_JOB_SCAN] / 1000),
		    (long long)(j->phase_cpu_us[SPOOL_JOB_CHECK] / 1000),
		    (long long)(j->phase_cpu_us[SPOOL_JOB_ADD] / 1000));
}

/* Every row is in: the file is whole, a durable transaction of its own
 * (every row before it is durable once it is); then its claim goes. */
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
	if (rc < 0)
		return spool_job_db_error(sp, j);
	if (j->cut) {
		char reason[600];

		snprintf(reason, sizeof(reason), "%s; the first %lld of %zu "
			 "rows were queued before this", j->why,
			 (long long)j->rows_in, msg->recipients);
		spool_reject(sp, sp->active_fd, j->claim, j->shown,
			     j->category, reason);
	} else {
		if (!j->seen_last)
			/* Cannot happen with the same file: say so. */
			log_error("spool: %s: resumed, but the recipient of "
				  "its last row before the restart (%s) was "
				  "not in it again; nothing after it was "
				  "added", j->shown, j->staged.last);
		unlinkat(sp->active_fd, j->claim, 0);
		fs_sync_dirfd(sp->active_fd);
		spool_accepted(sp->store, j->shown, &j->c);
		spool_job_report(sp, j);
	}
	/* A backend that keeps a file's rows hidden until it is whole
	 * (store_ops.h: stage_accept) releases them now; for one whose rows
	 * are final (SQLite) this finds none, at the cost of one query. */
	j->phase = SPOOL_JOB_RELEASE;
	return false;
}

static int64_t spool_job_cpu_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *const spool_job_phase_name[] = {
	[SPOOL_JOB_SCAN] = "scan", [SPOOL_JOB_CHECK] = "check",
	[SPOOL_JOB_BEGIN] = "begin", [SPOOL_JOB_RESUME] = "resume",
	[SPOOL_JOB_ADD] = "add", [SPOOL_JOB_ACCEPT] = "accept",
	[SPOOL_JOB_RELEASE] = "release", [SPOOL_JOB_PURGE] = "purge",
};

/* A step that held the loop past the goal is worth a line (what: the
 * phase's name, or "checkpoint"); every step counts for the intake
 * event. */
static void spool_job_account(struct spool_job *j, enum spool_job_phase ph,
			      const char *what, int64_t start, int64_t cpu0)
{
	int64_t ms = loop_clock_ms() - start, cpu = spool_job_cpu_us() - cpu0;

	j->steps++;
	j->phase_cpu_us[ph] += cpu;
	if (ms > j->max_ms)
		j->max_ms = ms;
	if (cpu > j->max_cpu_us)
		j->max_cpu_us = cpu;
	if (ms > 100)
		log_notice("spool: %s: a %s step held the loop %lld ms "
			   "(%lld ms CPU)", j->shown,
			   what ? what : spool_job_phase_name[ph],
			   (long long)ms, (long long)(cpu / 1000));
}

bool spool_job_step(struct spool *sp)
{
	struct spool_job *j = sp->job;
	int64_t start = loop_clock_ms(), cpu0 = spool_job_cpu_us();
	enum spool_job_phase ph0 = j->phase;
	bool done = false;

	/* Its operation is out with the store: the answer wakes us. */
	if (j->op_out)
		return false;
	/* A checkpoint takes a turn of its own; one a reader holds back
	 * waits for another JOB_WAL_PAGES pages. */
	if (store_bulk_wal_frames(sp->store) >= j->ckpt_at) {
		store_checkpoint_passive(sp->store);
		j->ckpt_at = store_bulk_wal_frames(sp->store) + JOB_WAL_PAGES;
		spool_job_account(j, ph0, "checkpoint", start, cpu0);
		return false;
	}
	j->start = start;
	while (!done && sp->job == j && !j->op_out) {
		switch (j->phase) {
		case SPOOL_JOB_SCAN:
			done = spool_job_step_scan(sp, j, start);
			break;
		case SPOOL_JOB_CHECK:
			done = spool_job_step_check(sp, j, start);
			break;
		case SPOOL_JOB_BEGIN:
			done = spool_job_begin(sp, j);
			break;
		case SPOOL_JOB_RESUME:
			done = spool_job_step_resume(sp, j);
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
		if (!done && !j->op_out && spool_job_over_budget(sp, start))
			break;
	}
	if (sp->job == j)
		spool_job_account(j, ph0, NULL, start, cpu0);
	if (!done)
		return false;	/* its budget is spent, or the store's
				   answer is awaited */
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
