/*
 * store_staging — a big spool file's rows, added over several
 * transactions (gateway/store/store_staging.c). Included by
 * store_outbox.h, whose struct outbox_new a row copies.
 */
#ifndef SMSGW_STORE_STAGING_H
#define SMSGW_STORE_STAGING_H

#include <stddef.h>
#include <stdint.h>

#include "store_outbox.h"

/*
 * Big files, taken in over several transactions (store_staging.c). The
 * file is checked whole before its first row, so its rows go in as a
 * small file's would (queued, deferred, held, suppressed), many to a
 * statement, and spool_file.staging says how far the file got. Older
 * versions staged rows under hold 'staging' (outbox_new.staging) and
 * released them once the file was whole: a database such a daemon left
 * mid-intake is still finished (release, purge).
 */
enum store_staging {
	STORE_STAGING_NONE = -1,	/* no such file */
	STORE_STAGING_DONE = 0,
	STORE_STAGING_ADDING = 1,	/* checked; rows being added, the
					   claim kept until the last one */
	STORE_STAGING_RELEASING = 2,	/* older versions: accepted, hidden
					   rows being released */
};
/* Rows the file has so far (a restart resumes after them), or -EIO. */
int64_t store_staging_count(struct store *st, int64_t file_id);
/* The recipient of the file's last row (its highest id): 1 with it in
 * buf, 0 when the file has no row, -EIO. */
int store_staging_last(struct store *st, int64_t file_id, char *buf,
		       size_t size);
/* 1 when some row of the file waits under the old hold 'staging', 0 not,
 * -EIO. */
int store_staging_hidden(struct store *st, int64_t file_id);
/* 1 when no opt-out is active and no number was forgotten: the rows of
 * this transaction need no lookup each. 0 otherwise, -EIO. */
int store_staging_no_optouts(struct store *st);
/* 1 when the campaign is paused now, 0 not, -EIO. */
int store_staging_campaign_paused(struct store *st, int64_t campaign_id);
/* Rows of a big file, many to a statement: what differs per row (the
 * strings must live until the call returns); out: 1 opted out (the row
 * is suppressed; store_outbox_opted_out() decided). */
struct store_staging_row {
	const char *recipient, *body;
	int parts;
	bool out;
};
#define STORE_STAGING_BATCH 64
/* Adds n rows (any n) of the file as store_outbox_add() would add each
 * with base (its recipient, body and parts ignored) in the caller's
 * transaction. 0 or -EIO. */
int store_staging_add(struct store *st, int64_t file_id,
		      const struct outbox_new *base, bool campaign_paused,
		      int64_t now, const struct store_staging_row *rows,
		      size_t n);
/* The staging state of the file claimed as claim (and its id). */
int store_staging_of_claim(struct store *st, const char *claim,
			   int64_t *file_id);
int store_staging_set(struct store *st, int64_t file_id, int staging);
/* Releases up to limit staged rows of the file (queued, deferred or held
 * for a paused campaign, as a small file's rows would be). Returns how
 * many, or -EIO. */
int store_staging_release(struct store *st, int64_t file_id, int64_t now,
			  int limit);
/* Deletes up to limit staged rows; with none left, the file's row.
 * Returns how many rows, or -EIO. */
int store_staging_purge(struct store *st, int64_t file_id, int limit);
/* A file being released (after a restart); 0 when none, or -EIO. */
int64_t store_staging_next_release(struct store *st);

#endif
