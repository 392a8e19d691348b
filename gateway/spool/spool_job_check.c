/*
 * spool_job_check — the read-only phases of a big spool file (spool_job.c):
 * scan (pass 1 in steps: syntax, numbers, duplicates, placeholders) and
 * check (a personalised file's every rendered text), which must see the
 * whole file before its first row goes in, so that nothing after the
 * first row can refuse it.
 */
#include "spool_priv.h"
#include "config.h"
#include "log.h"
#include "spool_file.h"
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A pass that could not read the file: a syntax error rejects it, a read
 * error leaves the claim in active/ for the retry. Done: true. */
static bool spool_job_read_failed(struct spool *sp, struct spool_job *j,
				  int rc)
{
	if (rc == -EBADMSG) {
		spool_reject_error(sp, sp->active_fd, j->claim, j->shown,
				   spool_parse_error(j->p));
		return true;
	}
	log_error("spool: reading %s: %s; left in active/ and tried again",
		  j->shown, strerror(-rc));
	sp->db_failed = true;
	return true;
}

/* Check pass: the row's text as the add pass takes it; its parts kept
 * for the add pass. */
static bool spool_job_check_recipient(const struct spool_recipient *r,
				      void *ud)
{
	struct spool_job *j = ud;
	int parts;

	if (!spool_count_parts(&j->c, r, &parts))
		return false;
	if (j->parts && r->index < j->c.msg->recipients)
		j->parts[r->index] = (unsigned char)parts;
	return true;
}

bool spool_job_step_scan(struct spool *sp, struct spool_job *j, int64_t start)
{
	struct spool_recipient probe = { 0 };
	int rc = j->scanned ? 0 : spool_job_feed(sp, j, start), parts;

	if (rc == 1)
		return false;
	if (rc < 0)
		return spool_job_read_failed(sp, j, rc);
	j->c.msg = spool_parse_message(j->p);
	j->c.now = store_now_ms();
	if (!spool_prepare(&j->c)) {
		spool_reject(sp, sp->active_fd, j->claim, j->shown, "value",
			     j->c.why);
		return true;
	}
	/* After a restart the file was checked before its first row. */
	if (j->resume) {
		j->phase = SPOOL_JOB_RESUME;
		return false;
	}
	/* One text for everyone is checked once; when it cannot go, the
	 * check pass names the first recipient's line, as a small file's
	 * refusal does. */
	probe.body = j->c.msg->body;
	probe.body_len = j->c.msg->body_len;
	if (!j->c.msg->personalised &&
	    spool_count_parts(&j->c, &probe, &parts)) {
		j->phase = SPOOL_JOB_BEGIN;
		return false;
	}
	j->c.why[0] = '\0';
	/* Parts fit a byte: max_parts is at most 255 (config_check.c). */
	if (j->c.msg->personalised && sp->cfg->max_parts <= UCHAR_MAX)
		j->parts = malloc(j->c.msg->recipients);
	if (!spool_job_rewind(j, SPOOL_JOB_CHECK, spool_job_check_recipient))
		return spool_job_db_error(sp, j);
	return false;
}

bool spool_job_step_check(struct spool *sp, struct spool_job *j, int64_t start)
{
	int rc = spool_job_feed(sp, j, start);

	if (rc == 1)
		return false;
	if (rc < 0 && j->c.why[0]) {
		spool_reject(sp, sp->active_fd, j->claim, j->shown, "value",
			     j->c.why);
		return true;
	}
	if (rc < 0)
		return spool_job_read_failed(sp, j, rc);
	j->phase = SPOOL_JOB_BEGIN;
	return false;
}
