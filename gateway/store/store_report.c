/* store_report — the status page's and the report's figures; see
 * store_report.h. */
#include "store_report.h"
#include "store.h"

#include <errno.h>

/* Not cached (store_prepare): the page is rendered at most every few
 * seconds and a report once a command. */
static sqlite3_stmt *store_report_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	return s;
}

/* Finalizes s; 0 when its last step was the end, else -EIO. */
static int store_report_done(sqlite3_stmt *s, int rc)
{
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static const char *store_report_text(sqlite3_stmt *s, int c)
{
	return (const char *)sqlite3_column_text(s, c);
}

int store_report_sims(struct store *st,
		      void (*cb)(void *ud, const struct store_report_sim *s),
		      void *ud)
{
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT name, state, signal, number, operator, sent_today,"
		" coalesce(daily_limit, 0) FROM sims ORDER BY id");
	int rc;

	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_report_sim r = {
			.name = store_report_text(s, 0),
			.state = store_report_text(s, 1),
			.has_signal = sqlite3_column_type(s, 2) != SQLITE_NULL,
			.signal = sqlite3_column_int(s, 2),
			.number = store_report_text(s, 3),
			.operator = store_report_text(s, 4),
			.sent_today = sqlite3_column_int(s, 5),
			.daily_limit = sqlite3_column_int(s, 6),
		};

		cb(ud, &r);
	}
	return store_report_done(s, rc);
}

int store_report_queue(struct store *st, struct store_report_queue *q)
{
	/* One count a state, as `smsgw status`: each uses its partial index
	 * instead of a scan of every message ever sent. */
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT (SELECT count(*) FROM message WHERE state = 'queued'),"
		" (SELECT count(*) FROM message WHERE state = 'deferred'),"
		" (SELECT count(*) FROM message WHERE state = 'sending')");
	int rc;

	if (!s)
		return -EIO;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		q->queued = sqlite3_column_int(s, 0);
		q->deferred = sqlite3_column_int(s, 1);
		q->sending = sqlite3_column_int(s, 2);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -EIO;
}

int store_report_rate(struct store *st, int64_t start, int per_minute[60])
{
	/* Parts are inserted as they go out, so the last hour is among the
	 * newest rowids: a bounded scan, not the whole table. */
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT (sent_at - ?1) / 60000, count(*) FROM part"
		" WHERE rowid > (SELECT coalesce(max(rowid), 0) FROM part) - 200000"
		" AND sent_at >= ?1 GROUP BY 1");
	int rc;

	for (int i = 0; i < 60; i++)
		per_minute[i] = 0;
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, start);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int i = sqlite3_column_int(s, 0);

		if (i >= 0 && i < 60)
			per_minute[i] = sqlite3_column_int(s, 1);
	}
	return store_report_done(s, rc);
}

int store_report_errors(struct store *st,
			void (*cb)(void *ud,
				   const struct store_report_error *e),
			void *ud)
{
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT at, level, source, message FROM events"
		" WHERE id > (SELECT coalesce(max(id), 0) FROM event) - 50000"
		" AND level IN ('error', 'warning') ORDER BY id DESC LIMIT 10");
	int rc;

	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_report_error e = {
			.at = store_report_text(s, 0),
			.level = store_report_text(s, 1),
			.source = store_report_text(s, 2),
			.message = store_report_text(s, 3),
		};

		cb(ud, &e);
	}
	return store_report_done(s, rc);
}

int store_report_campaigns(struct store *st, int n,
			   void (*cb)(void *ud,
				      const struct store_report_funnel *f),
			   void *ud)
{
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT c.name, c.state, count(m.id),"
		" coalesce(sum(m.state IN ('sent', 'delivered')), 0),"
		" coalesce(sum(m.state = 'delivered'), 0),"
		" coalesce(sum(m.state IN ('failed', 'expired', 'unknown')), 0),"
		" (SELECT count(*) FROM inbound i WHERE i.in_reply_to IN"
		"  (SELECT id FROM message WHERE campaign_id = c.id))"
		" FROM (SELECT * FROM campaign ORDER BY created_at DESC"
		"  LIMIT ?1) c LEFT JOIN message m ON m.campaign_id = c.id"
		" GROUP BY c.id ORDER BY c.created_at DESC");
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, n);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_report_funnel f = {
			.name = store_report_text(s, 0),
			.state = store_report_text(s, 1),
			.messages = sqlite3_column_int(s, 2),
			.sent = sqlite3_column_int(s, 3),
			.delivered = sqlite3_column_int(s, 4),
			.failed = sqlite3_column_int(s, 5),
			.replied = sqlite3_column_int(s, 6),
		};

		cb(ud, &f);
	}
	return store_report_done(s, rc);
}

int store_report_funnel(struct store *st, int64_t id,
			struct store_report_funnel *f)
{
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT count(*), coalesce(sum(state IN ('sent', 'delivered')), 0),"
		" coalesce(sum(state = 'delivered'), 0),"
		" (SELECT count(*) FROM inbound i WHERE i.in_reply_to IN"
		"  (SELECT id FROM message WHERE campaign_id = ?1)),"
		" coalesce(sum(state IN ('failed', 'expired', 'unknown')), 0)"
		" FROM message WHERE campaign_id = ?1");
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*f = (struct store_report_funnel){
			.messages = sqlite3_column_int(s, 0),
			.sent = sqlite3_column_int(s, 1),
			.delivered = sqlite3_column_int(s, 2),
			.replied = sqlite3_column_int(s, 3),
			.failed = sqlite3_column_int(s, 4),
		};
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int store_report_per_hour(struct store *st, int64_t id,
			  int (*cb)(void *ud, const char *hour, int count),
			  void *ud)
{
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT strftime('%m-%d %H:00', sent_at / 1000, 'unixepoch'),"
		" count(*) FROM message WHERE campaign_id = ?1"
		" AND sent_at IS NOT NULL GROUP BY 1 ORDER BY 1");
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ud, store_report_text(s, 0), sqlite3_column_int(s, 1))) {
			rc = SQLITE_DONE;
			break;
		}
	return store_report_done(s, rc);
}

int store_report_delivery(struct store *st, int64_t id,
			  void (*cb)(void *ud, int64_t ms), void *ud)
{
	sqlite3_stmt *s = store_report_prepare(st,
		"SELECT delivered_at - sent_at FROM message WHERE campaign_id = ?1"
		" AND delivered_at IS NOT NULL AND sent_at IS NOT NULL");
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		cb(ud, sqlite3_column_int64(s, 0));
	return store_report_done(s, rc);
}
