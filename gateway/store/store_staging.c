/*
 * store_staging — the rows of a big spool file, added over several short
 * transactions, many to a statement; see include/store_staging.h,
 * store_schema_v2 in store_schema.c and spool/spool_job.c. Older versions'
 * hidden rows are released or purged here too.
 */
#include "store_staging.h"
#include "store.h"
#include "msg_state.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>

int store_staging_of_claim(struct store *st, const char *claim,
			   int64_t *file_id)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT id, staging FROM spool_file WHERE claim = ?");
	int rc = STORE_STAGING_NONE;

	*file_id = 0;
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, claim, -1, SQLITE_TRANSIENT);
	switch (sqlite3_step(s)) {
	case SQLITE_ROW:
		*file_id = sqlite3_column_int64(s, 0);
		rc = sqlite3_column_int(s, 1);
		break;
	case SQLITE_DONE:
		break;
	default:
		rc = -EIO;
	}
	sqlite3_reset(s);
	return rc;
}

int store_staging_set(struct store *st, int64_t file_id, int staging)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE spool_file SET staging = ? WHERE id = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, staging);
	sqlite3_bind_int64(s, 2, file_id);
	return store_step_done(st, s);
}

/* Through message_file: one seek, then its entries of this file. */
int64_t store_staging_count(struct store *st, int64_t file_id)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT count(*) FROM message WHERE file_id = ?");
	int64_t n = -EIO;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, file_id);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

int store_staging_last(struct store *st, int64_t file_id, char *buf,
		       size_t size)
{
	/* message_file is (file_id, rowid): one seek from the end. */
	sqlite3_stmt *s = store_prepare(st,
		"SELECT recipient FROM message WHERE file_id = ?"
		" ORDER BY id DESC LIMIT 1");
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, file_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		snprintf(buf, size, "%s",
			 (const char *)sqlite3_column_text(s, 0));
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
}

static int store_staging_flag(struct store *st, const char *sql,
			      int64_t arg)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	int r = -EIO;

	if (!s)
		return -EIO;
	if (arg)
		sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		r = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	return r;
}

int store_staging_hidden(struct store *st, int64_t file_id)
{
	/* message_staging holds only such rows: this is one seek. */
	return store_staging_flag(st,
		"SELECT EXISTS (SELECT 1 FROM message INDEXED BY message_staging"
		" WHERE file_id = ? AND hold = 'staging')", file_id);
}

int store_staging_no_optouts(struct store *st)
{
	return store_staging_flag(st,
		"SELECT NOT EXISTS (SELECT 1 FROM optout WHERE active)"
		" AND NOT EXISTS (SELECT 1 FROM forgotten)", 0);
}

int store_staging_campaign_paused(struct store *st, int64_t campaign_id)
{
	return store_staging_flag(st,
		"SELECT coalesce((SELECT state = 'paused' FROM campaign"
		" WHERE id = ?), 0)", campaign_id);
}

/*
 * Many rows to one INSERT: a statement's fixed cost (opening the cursors of
 * the table and its indexes, halting, resetting) was half of the time a
 * 1,000,000-row file took with one row each. What the rows share is bound
 * once (?1–?30, as store_outbox_add() numbers them); row k binds six of
 * its own from ?31 + 6k: recipient, body, state, hold, parts, error.
 */
#define ROW_PARAMS 6
#define ROW_FIRST 31

struct store_staging_sql {
	int rows;
	char sql[STORE_STAGING_BATCH * 170 + 512];
};

/* Built once; the address is store_prepare()'s cache key. */
static struct store_staging_sql store_staging_sqls[] = {
	{ STORE_STAGING_BATCH, "" }, { 8, "" }, { 1, "" } };

static const char *store_staging_sql(int *rows, size_t left)
{
	struct store_staging_sql *q = store_staging_sqls;

	while (q->rows > 1 && (size_t)q->rows > left)
		q++;
	if (!q->sql[0]) {
		size_t len = (size_t)snprintf(q->sql, sizeof(q->sql),
					      "INSERT INTO message "
					      STORE_MESSAGE_COLUMNS " VALUES");

		for (int k = 0; k < q->rows; k++) {
			int r = ROW_FIRST + ROW_PARAMS * k;

			len += (size_t)snprintf(q->sql + len,
				sizeof(q->sql) - len,
				"%s(?1, ?2, ?%d, ?%d, ?5, ?6, ?7, ?8, ?%d, ?10,"
				" ?11, ?12, ?13, ?%d, ?15, ?16, ?17, ?18, ?%d,"
				" ?20, ?21, ?%d, ?23, ?24, ?2, ?25, ?26, ?27,"
				" ?28, ?29, ?30)", k ? ", " : " ", r, r + 1,
				r + 2, r + 3, r + 4, r + 5);
		}
	}
	*rows = q->rows;
	return q->sql;
}

int store_staging_add(struct store *st, int64_t file_id,
		      const struct outbox_new *base, bool campaign_paused,
		      int64_t now, const struct store_staging_row *rows,
		      size_t n)
{
	for (size_t done = 0; done < n;) {
		int k, rc;
		sqlite3_stmt *s = store_prepare(st, store_staging_sql(&k,
								n - done));

		if (!s)
			return -EIO;
		store_outbox_bind_shared(s, file_id, base, now);
		for (int i = 0; i < k; i++) {
			const struct store_staging_row *row = &rows[done + i];
			int p = ROW_FIRST + ROW_PARAMS * i;
			enum msg_event ev = MSG_EVENT_ACCEPT;

			if (row->out)
				ev = MSG_EVENT_ACCEPT_OPTED_OUT;
			else if (campaign_paused || base->not_before > now)
				ev = MSG_EVENT_ACCEPT_LATER;
			/* STATIC: they outlive the step below (a big file
			 * binds 1,000,000 of each; a copy apiece shows). */
			sqlite3_bind_text(s, p, row->recipient, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(s, p + 1, row->body, -1,
					  SQLITE_STATIC);
			sqlite3_bind_text(s, p + 2, msg_to_name(ev), -1,
					  SQLITE_STATIC);
			if (campaign_paused && !row->out)
				sqlite3_bind_text(s, p + 3, "paused", -1,
						  SQLITE_STATIC);
			sqlite3_bind_int(s, p + 4,
					 row->parts > 0 ? row->parts : 1);
			if (row->out)
				sqlite3_bind_text(s, p + 5,
						  "recipient opted out", -1,
						  SQLITE_STATIC);
		}
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE) {
			log_error("store: rows of spool file %lld: %s",
				  (long long)file_id, store_errmsg(st));
			return -EIO;
		}
		done += (size_t)k;
	}
	return 0;
}

/* Older versions' hidden rows (include/store_outbox.h). The states a
 * small file's rows get at once (store_outbox_add): queued, deferred until not_before, or held for a paused campaign. */
#define PAUSED "(campaign_id IS NOT NULL AND (SELECT c.state FROM campaign c" \
	       " WHERE c.id = message.campaign_id) = 'paused')"

/*
 * INDEXED BY message_staging: the planner picked message_file (v4) for
 * the inner SELECT, which walks the file's rows already released before
 * it finds LIMIT staged ones, so each step cost more than the one before
 * and the release of a big file was quadratic (1M rows: over 300 s). The
 * partial index holds only the rows still staged.
 */
int store_staging_release(struct store *st, int64_t file_id, int64_t now,
			  int limit)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE message SET"
		" hold = CASE WHEN state = 'deferred' AND " PAUSED
		"  THEN 'paused' END,"
		" state = CASE WHEN state = 'deferred' AND not_before <= ?2"
		"  AND NOT " PAUSED " THEN ?4 ELSE state END,"
		" updated_at = ?2"
		" WHERE id IN (SELECT id FROM message"
		"  INDEXED BY message_staging WHERE file_id = ?1"
		"  AND hold = 'staging' LIMIT ?3)");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_int(s, 3, limit);
	sqlite3_bind_text(s, 4, msg_to_name(MSG_EVENT_DUE), -1, SQLITE_STATIC);
	if (store_step_done(st, s) < 0)
		return -EIO;
	return sqlite3_changes(store_db(st));
}

int store_staging_purge(struct store *st, int64_t file_id, int limit)
{
	sqlite3_stmt *s = store_prepare(st,
		"DELETE FROM message WHERE id IN (SELECT id FROM message"
		" INDEXED BY message_staging"
		" WHERE file_id = ?1 AND hold = 'staging' LIMIT ?2)");
	int n;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int(s, 2, limit);
	if (store_step_done(st, s) < 0)
		return -EIO;
	n = sqlite3_changes(store_db(st));
	if (n)
		return n;
	/* Rows that left the staging hold meanwhile (an opt-out suppressed
	 * them) go with the file. */
	s = store_prepare(st, "DELETE FROM message WHERE file_id = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, file_id);
	if (store_step_done(st, s) < 0)
		return -EIO;
	s = store_prepare(st, "DELETE FROM spool_file WHERE id = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, file_id);
	return store_step_done(st, s) < 0 ? -EIO : 0;
}

int64_t store_staging_next_release(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT id FROM spool_file WHERE staging = 2 LIMIT 1");
	int64_t id = 0;
	int rc;

	if (!s)
		return -EIO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = -EIO;
	sqlite3_reset(s);
	return id;
}
