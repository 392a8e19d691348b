/*
 * store_staging — the rows of a big spool file, added over several short
 * transactions and released once the file is whole; see
 * include/store_outbox.h and store_schema_v2 in store_schema.c.
 */
#include "store.h"
#include "store_outbox.h"
#include "msg_state.h"

#include <errno.h>

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

/* The states a small file's rows get at once (store_outbox_add): queued,
 * deferred until not_before, or held for a paused campaign. */
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
