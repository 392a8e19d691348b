/*
 * store_prune — retention batches and the daily_stats rollup; see
 * include/store_prune.h.
 *
 * Ids grow with time in every table pruned here, so a batch walks from the
 * lowest id and stops at the first row that is too young: no index on the
 * time columns is needed (each one would cost a page in every send's
 * commit) and a batch touches at most n rows.
 */
#include "store_prune.h"
#include "store.h"
#include "fsutil.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

int store_prune_fk(struct store *st, bool on)
{
	return sqlite3_exec(store_db(st), on ? "PRAGMA foreign_keys = ON"
					     : "PRAGMA foreign_keys = OFF",
			    NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;
}

int store_prune_set_clear(struct store *st)
{
	sqlite3_stmt *s;

	if (sqlite3_exec(store_db(st),
			 "CREATE TEMP TABLE IF NOT EXISTS prune_ids"
			 " (id INTEGER PRIMARY KEY)", NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	s = store_prepare(st, "DELETE FROM temp.prune_ids");
	return s ? store_step_done(st, s) : -EIO;
}

static int store_prune_step(struct store *st, const char *sql, int64_t a)
{
	sqlite3_stmt *s = store_prepare(st, sql);

	if (!s)
		return -EIO;
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, a);
	return store_step_done(st, s);
}

/*
 * The funnel of smsgw stats counts a recipient who opted out after a
 * message once (DISTINCT). A removed message counts in opted_out only when
 * no later message to the same recipient (in its campaign; over all for
 * opted_out_all) also qualifies: that later one is counted when its turn
 * comes, so the sum stays the distinct count.
 */
#define OPTED_AFTER(m) \
	"EXISTS (SELECT 1 FROM optout o WHERE o.number = " m ".recipient" \
	" AND o.active = 1 AND o.opted_out_at >= " m ".created_at)"
#define NEWER_OPTED(m, scope) \
	"EXISTS (SELECT 1 FROM message n JOIN optout o" \
	" ON o.number = n.recipient AND o.active = 1" \
	" AND o.opted_out_at >= n.created_at" \
	" WHERE n.recipient = " m ".recipient AND n.id > " m ".id " scope ")"

int store_prune_messages_in_set(struct store *st)
{
	static const char rollup[] =
		"INSERT INTO daily_stats (day, campaign_id, messages, sent,"
		" delivered, failed, unknown, suppressed, cancelled, replied,"
		" opted_out, opted_out_all, sms_parts)"
		" SELECT strftime('%Y-%m-%d', m.created_at / 1000, 'unixepoch'),"
		" coalesce(m.campaign_id, 0), count(*),"
		" sum(m.state IN ('sent', 'delivered')),"
		" sum(m.state = 'delivered'),"
		" sum(m.state IN ('failed', 'expired')),"
		" sum(m.state = 'unknown'), sum(m.state = 'suppressed'),"
		" sum(m.state = 'cancelled'),"
		" sum(EXISTS (SELECT 1 FROM inbound i WHERE i.in_reply_to = m.id)),"
		" sum(" OPTED_AFTER("m") " AND NOT " NEWER_OPTED("m",
		"AND n.campaign_id IS m.campaign_id") "),"
		" sum(" OPTED_AFTER("m") " AND NOT " NEWER_OPTED("m", "") "),"
		" sum(m.parts * (m.state IN ('sent', 'delivered')))"
		" FROM message m WHERE m.id IN (SELECT id FROM temp.prune_ids)"
		" GROUP BY 1, 2"
		" ON CONFLICT (day, campaign_id) DO UPDATE SET"
		" messages = messages + excluded.messages,"
		" sent = sent + excluded.sent,"
		" delivered = delivered + excluded.delivered,"
		" failed = failed + excluded.failed,"
		" unknown = unknown + excluded.unknown,"
		" suppressed = suppressed + excluded.suppressed,"
		" cancelled = cancelled + excluded.cancelled,"
		" replied = replied + excluded.replied,"
		" opted_out = opted_out + excluded.opted_out,"
		" opted_out_all = opted_out_all + excluded.opted_out_all,"
		" sms_parts = sms_parts + excluded.sms_parts";

	if (store_prune_step(st, rollup, 0) < 0 ||
	    store_prune_step(st, "DELETE FROM part WHERE message_id IN"
				 " (SELECT id FROM temp.prune_ids)", 0) < 0 ||
	    store_prune_step(st, "DELETE FROM attempt WHERE message_id IN"
				 " (SELECT id FROM temp.prune_ids)", 0) < 0 ||
	    store_prune_step(st, "DELETE FROM message WHERE id IN"
				 " (SELECT id FROM temp.prune_ids)", 0) < 0)
		return -EIO;
	return 0;
}

int store_prune_inbound_in_set(struct store *st)
{
	static const char rollup[] =
		"INSERT INTO daily_stats (day, campaign_id, received)"
		" SELECT strftime('%Y-%m-%d', received_at / 1000, 'unixepoch'),"
		" 0, count(*) FROM inbound"
		" WHERE id IN (SELECT id FROM temp.prune_ids) GROUP BY 1"
		" ON CONFLICT (day, campaign_id) DO UPDATE SET"
		" received = received + excluded.received";

	if (store_prune_step(st, rollup, 0) < 0 ||
	    store_prune_step(st, "DELETE FROM raw_pdu WHERE id IN (SELECT"
				 " raw_id FROM inbound_part WHERE inbound_id IN"
				 " (SELECT id FROM temp.prune_ids))", 0) < 0 ||
	    store_prune_step(st, "DELETE FROM inbound_part WHERE inbound_id IN"
				 " (SELECT id FROM temp.prune_ids)", 0) < 0 ||
	    store_prune_step(st, "DELETE FROM inbound WHERE id IN"
				 " (SELECT id FROM temp.prune_ids)", 0) < 0)
		return -EIO;
	return 0;
}

/* Picks the next finished messages into temp.prune_ids; 1 while there may
 * be more, 0 when the oldest unseen message is too young. */
static int store_prune_pick_messages(struct store *st,
				     const struct store_prune_cut *cut,
			 struct store_prune_pos *pos, int n)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT id, created_at FROM message WHERE id > ?1"
		" ORDER BY id LIMIT ?2");
	int64_t last = pos->msg_cursor;
	int more = 0, rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, pos->msg_cursor);
	sqlite3_bind_int(s, 2, n);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (sqlite3_column_int64(s, 1) >= cut->messages) {
			more = 0;
			break;
		}
		last = sqlite3_column_int64(s, 0);
		more = 1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	if (last == pos->msg_cursor)
		return 0;
	s = store_prepare(st,
		"INSERT INTO temp.prune_ids SELECT id FROM message"
		" WHERE id > ?1 AND id <= ?2 AND created_at < ?3"
		" AND updated_at < ?3 AND (state IN ('delivered', 'failed',"
		" 'expired', 'suppressed', 'cancelled', 'unknown')"
		" OR (state = 'sent' AND updated_at < ?4))");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, pos->msg_cursor);
	sqlite3_bind_int64(s, 2, last);
	sqlite3_bind_int64(s, 3, cut->messages);
	sqlite3_bind_int64(s, 4, cut->sent_settled);
	if (store_step_done(st, s) < 0)
		return -EIO;
	pos->msg_cursor = last;
	return more;
}

static int store_prune_changes(struct store *st)
{
	return sqlite3_changes(store_db(st));
}

/* Runs one batch statement whose ?1 is a cut-off time and ?2 the batch
 * size: the rows it changed, or -EIO. */
static int store_prune_run(struct store *st, const char *sql, int64_t cut_ms,
			   int n)
{
	sqlite3_stmt *s = store_prepare(st, sql);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, cut_ms);
	sqlite3_bind_int(s, 2, n);
	if (store_step_done(st, s) < 0)
		return -EIO;
	return store_prune_changes(st);
}

/* Status reports and spool files of the messages gone by now. */
static int store_prune_message_leftovers(struct store *st,
				   const struct store_prune_cut *cut, int n)
{
	if (store_prune_run(st, "DELETE FROM status_report WHERE id IN"
				" (SELECT id FROM status_report ORDER BY id"
				" LIMIT ?2) AND received_at < ?1",
			    cut->messages, n) < 0)
		return -EIO;
	/* Spool file rows (names, hashes, Id: keys) of old files whose
	 * messages are all gone: the first n by id a batch. */
	return store_prune_run(st, "DELETE FROM spool_file WHERE id IN"
			     " (SELECT id FROM spool_file ORDER BY id LIMIT ?2)"
			     " AND accepted_at < ?1 AND NOT EXISTS (SELECT 1"
			     " FROM message m WHERE m.file_id = spool_file.id)",
			 cut->messages, n) < 0 ? -EIO : 0;
}

static int store_prune_batch_messages(struct store *st,
				      const struct store_prune_cut *cut,
			  struct store_prune_pos *pos, int n)
{
	int more, gone;

	if (store_prune_set_clear(st) < 0)
		return -EIO;
	more = store_prune_pick_messages(st, cut, pos, n);
	if (more < 0 || store_prune_messages_in_set(st) < 0)
		return -EIO;
	gone = store_prune_changes(st);
	if (store_prune_message_leftovers(st, cut, n) < 0)
		return -EIO;
	if (!more)
		pos->messages_done = true;
	return gone;
}

static int store_prune_batch_events(struct store *st,
				    const struct store_prune_cut *cut,
			struct store_prune_pos *pos, int n)
{
	int gone = store_prune_run(st,
				   "DELETE FROM event WHERE id IN (SELECT id"
				 " FROM event ORDER BY id LIMIT ?2) AND at < ?1",
			     cut->events, n);

	if (gone >= 0 && gone < n)
		pos->events_done = true;
	return gone;
}

/* Replies stay while the message they answer does: the funnel's replied
 * figure needs them until that message is rolled up. */
static int store_prune_batch_inbound(struct store *st,
				     const struct store_prune_cut *cut,
			 struct store_prune_pos *pos, int n)
{
	int picked, parts, raw;

	if (store_prune_set_clear(st) < 0)
		return -EIO;
	picked = store_prune_run(st,
		"INSERT INTO temp.prune_ids SELECT i.id FROM inbound i"
		" WHERE i.received_at < ?1 AND (i.in_reply_to IS NULL OR NOT"
		" EXISTS (SELECT 1 FROM message m WHERE m.id = i.in_reply_to))"
		" ORDER BY i.received_at LIMIT ?2", cut->inbound, n);
	if (picked < 0 || (picked && store_prune_inbound_in_set(st) < 0))
		return -EIO;
	/* Raw PDUs and fragments that never made (or no longer have) an
	 * inbox row: duplicates, orphans, undecodable PDUs. */
	parts = store_prune_run(st, "DELETE FROM inbound_part WHERE id IN"
				    " (SELECT id FROM inbound_part ORDER BY id"
				    " LIMIT ?2) AND received_at < ?1"
				    " AND state != 'waiting'", cut->inbound, n);
	if (parts < 0)
		return -EIO;
	raw = store_prune_run(st, "DELETE FROM raw_pdu WHERE id IN"
			    " (SELECT id FROM raw_pdu ORDER BY id LIMIT ?2)"
			    " AND received_at < ?1", cut->inbound, n);
	if (raw < 0)
		return -EIO;
	if (picked < n)
		pos->inbound_done = true;
	return picked + parts + raw;
}

/* One sticky row per recipient ever sent to: the claim ignores those
 * older than sticky_ttl, so they can go. No index on last_at: a window of
 * n rows by rowid a batch. */
static int store_prune_batch_sticky(struct store *st,
				    const struct store_prune_cut *cut,
			struct store_prune_pos *pos, int n)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT max(rowid), count(*) FROM (SELECT rowid FROM sticky"
		" WHERE rowid > ?1 ORDER BY rowid LIMIT ?2)");
	int64_t last = 0;
	int seen = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, pos->sticky_cursor);
	sqlite3_bind_int(s, 2, n);
	if (sqlite3_step(s) == SQLITE_ROW) {
		last = sqlite3_column_int64(s, 0);
		seen = sqlite3_column_int(s, 1);
	}
	sqlite3_reset(s);
	if (!seen) {
		pos->sticky_done = true;
		return 0;
	}
	s = store_prepare(st, "DELETE FROM sticky WHERE rowid > ?1"
			      " AND rowid <= ?2 AND last_at < ?3");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, pos->sticky_cursor);
	sqlite3_bind_int64(s, 2, last);
	sqlite3_bind_int64(s, 3, cut->sticky);
	if (store_step_done(st, s) < 0)
		return -EIO;
	pos->sticky_cursor = last;
	if (seen < n)
		pos->sticky_done = true;
	return store_prune_changes(st);
}

static int64_t store_prune_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int store_prune_batch(struct store *st, const struct store_prune_cut *cut,
		      struct store_prune_pos *pos, int n)
{
	int64_t t0 = store_prune_mono_us(), t1;
	int rc;

	if (!cut->messages)
		pos->messages_done = true;
	if (!cut->events)
		pos->events_done = true;
	if (!cut->inbound)
		pos->inbound_done = true;
	if (!cut->sticky)
		pos->sticky_done = true;
	if (pos->messages_done && pos->events_done && pos->inbound_done &&
	    pos->sticky_done)
		return 0;
	/* No fsync for a batch: it must not hold the loop for a disk flush,
	 * and losing one to a power cut loses its rollup and its deletes
	 * together (WAL frames are checksummed; the next FULL commit of the
	 * daemon syncs it). The next round would simply do it again. */
	if (store_prune_fk(st, false) < 0 ||
	    store_exec(st, "PRAGMA synchronous = NORMAL") < 0)
		return -EIO;
	if (store_begin(st) < 0) {
		store_prune_fk(st, true);
		store_exec(st, "PRAGMA synchronous = FULL");
		return -EIO;
	}
	if (!pos->messages_done)
		rc = store_prune_batch_messages(st, cut, pos, n);
	else if (!pos->events_done)
		rc = store_prune_batch_events(st, cut, pos, n);
	else if (!pos->inbound_done)
		rc = store_prune_batch_inbound(st, cut, pos, n);
	else
		rc = store_prune_batch_sticky(st, cut, pos, n);
	t1 = store_prune_mono_us();
	if (rc < 0)
		store_rollback(st);
	else if (store_commit(st) < 0)
		rc = -EIO;
	store_prune_fk(st, true);
	store_exec(st, "PRAGMA synchronous = FULL");
	pos->work_us = t1 - t0;
	pos->commit_us = store_prune_mono_us() - t1;
	if (rc < 0)
		log_error("store: pruning: %s", store_errmsg(st));
	/* A batch that removed nothing but did not finish its kind still
	 * counts as work: the round goes on. */
	if (rc == 0 && !(pos->messages_done && pos->events_done &&
			 pos->inbound_done && pos->sticky_done))
		rc = 1;
	return rc;
}

int store_prune_vacuum(struct store *st, int pages)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d)", pages);
	return store_exec(st, sql);
}

int64_t store_prune_freelist(struct store *st)
{
	sqlite3_stmt *s;
	int64_t n = 0;

	if (sqlite3_prepare_v2(store_db(st), "PRAGMA freelist_count", -1, &s,
			       NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int64_t store_prune_pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int store_prune_enable_autovacuum(struct store *st, const char *path)
{
	int64_t size, avail;
	struct statvfs vfs;
	char dir[4096];

	/* 2: INCREMENTAL (https://sqlite.org/pragma.html#pragma_auto_vacuum) */
	if (store_prune_pragma_int(st, "PRAGMA auto_vacuum") == 2)
		return 0;
	size = store_prune_pragma_int(st, "PRAGMA page_count") *
	       store_prune_pragma_int(st, "PRAGMA page_size");
	fs_dirname(path, dir, sizeof(dir));
	/* VACUUM writes a copy of the database (and as much WAL). */
	if (statvfs(dir, &vfs) == 0) {
		avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
		if (avail < 2 * size + (16 << 20)) {
			log_warn("store: auto_vacuum stays off: VACUUM needs "
				    "%lld MB free in %s, %lld MB are",
				    (long long)(2 * size >> 20), dir,
				    (long long)(avail >> 20));
			return -ENOSPC;
		}
	}
	log_notice("store: turning on incremental auto-vacuum (one VACUUM of "
		   "%lld MB)", (long long)(size >> 20));
	if (sqlite3_exec(store_db(st), "PRAGMA auto_vacuum = INCREMENTAL;"
			 "VACUUM", NULL, NULL, NULL) != SQLITE_OK) {
		log_error("store: VACUUM: %s", store_errmsg(st));
		return -EIO;
	}
	store_checkpoint(st);
	return 0;
}

void store_prune_sizes(struct store *st, struct store_sizes *out)
{
	const char *db = sqlite3_db_filename(store_db(st), "main");
	char wal[4200];
	struct stat sb;

	*out = (struct store_sizes){ 0 };
	if (!db || !db[0])
		return;
	if (stat(db, &sb) == 0)
		out->db = sb.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", db);
	if (stat(wal, &sb) == 0)
		out->wal = sb.st_size;
	out->free = store_prune_freelist(st) *
		    store_prune_pragma_int(st, "PRAGMA page_size");
}

/* A WAL reset needs no reader on an old snapshot: try, never wait. A
 * reader that lingers keeps it from resetting until it leaves; the next
 * try truncates the file to journal_size_limit. */
void store_prune_checkpoint(struct store *st)
{
	sqlite3 *db = store_db(st);
	int log = 0, done = 0;

	sqlite3_busy_timeout(db, 0);
	if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				      &log, &done) != SQLITE_OK)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
					  &log, &done);
	sqlite3_busy_timeout(db, 5000);
}
