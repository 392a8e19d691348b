/*
 * spool_job_old — what a big file's job does with the rows an older
 * version hid (hold 'staging'): releases them when that version had
 * accepted the file (staging 2), deletes them when not (staging 1; the
 * file is then taken again from the start). Purging also serves a file
 * refused before its first row went in (its row only). See spool_job.c.
 */
#include "spool_priv.h"
#include "log.h"
#include "store.h"

/* Rows released or deleted per transaction. */
#define JOB_ROWS 500

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

/* One transaction per step, as many rows as the budget allows (an older
 * version's hidden rows). */
bool spool_job_step_release(struct spool *sp, struct spool_job *j)
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

/* Deletes an older version's hidden rows, or the row of a file refused
 * before its first row; then rejects the file (category) or takes it
 * again (redo). */
bool spool_job_step_purge(struct spool *sp, struct spool_job *j)
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
		j->db_error = true;
		return spool_job_db_error(sp, j);
	}
	if (j->category[0]) {
		spool_reject(sp, sp->active_fd, j->claim, j->shown, j->category,
			     j->why);
		return true;
	}
	/* redo: spool_job_step takes it again from the start. */
	return true;
}
