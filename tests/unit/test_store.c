/* Store: creation, pragmas, migrations, views, concurrent readers, times. */
#include "harness.h"
#include "store.h"
#include "store_tmp.h"

#include <stdio.h>

static long long query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static const char *query_text(sqlite3 *db, const char *sql)
{
	static char buf[256];
	sqlite3_stmt *s;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return "(prepare failed)";
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

TEST(store_creates_schema_with_pragmas)
{
	char path[512];
	struct store *st = store_tmp_open("a.db", path, sizeof(path));

	if (!st)
		return;
	CHECK_INT(store_user_version(st), store_schema_version());
	CHECK_STR(query_text(store_db(st), "PRAGMA journal_mode"), "wal");
	CHECK_INT(query_int(store_db(st), "PRAGMA synchronous"), 2); /* FULL */
	CHECK_INT(query_int(store_db(st), "PRAGMA foreign_keys"), 1);
	/* The contract views exist with their contract columns. */
	CHECK_INT(query_int(store_db(st),
			    "SELECT count(*) FROM (SELECT id, received_at, sender,"
			    " recipient, sim, body, parts, keyword FROM inbox)"), 0);
	CHECK_INT(query_int(store_db(st),
			    "SELECT count(*) FROM (SELECT id, created_at, recipient,"
			    " body, kind, campaign, priority, state, sim, parts,"
			    " attempts, sent_at, delivered_at, error FROM outbox)"), 0);
	CHECK_INT(query_int(store_db(st),
			    "SELECT count(*) FROM (SELECT number, opted_out_at,"
			    " keyword, sim, active FROM optouts)"), 0);
	CHECK_INT(query_int(store_db(st),
			    "SELECT count(*) FROM (SELECT id, modem, slot, iccid,"
			    " imsi, number, operator, signal, registered,"
			    " sent_today, daily_limit, state, updated_at FROM sims)"), 0);
	CHECK_INT(query_int(store_db(st),
			    "SELECT count(*) FROM (SELECT at, level, source,"
			    " message FROM events)"), 0);
	store_close(st);
}

TEST(store_reopen_is_idempotent_and_newer_refused)
{
	char path[512], err[256];
	struct store *st = store_tmp_open("b.db", path, sizeof(path));

	if (!st)
		return;
	store_close(st);
	CHECK_INT(store_open(path, 0, &st, err, sizeof(err)), 0);
	CHECK_INT(sqlite3_exec(store_db(st), "PRAGMA user_version = 999", NULL,
			       NULL, NULL), SQLITE_OK);
	store_close(st);
	CHECK(store_open(path, 0, &st, err, sizeof(err)) < 0);
	CHECK(strstr(err, "schema version 999") != NULL);
}

TEST(store_migrates_forward_from_empty)
{
	char path[512], err[256];
	struct store *st = NULL;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/c.db", harness_tmpdir());
	CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
	CHECK_INT(sqlite3_exec(db, "CREATE TABLE foreign_table (x)", NULL, NULL,
			       NULL), SQLITE_OK);
	sqlite3_close(db);
	CHECK_INT(store_open(path, 0, &st, err, sizeof(err)), 0);
	if (st)
		CHECK_INT(store_user_version(st), store_schema_version());
	store_close(st);
}

TEST(store_reader_sees_committed_rows_while_writer_holds_lock)
{
	char path[512], err[256];
	struct store *st = store_tmp_open("d.db", path, sizeof(path));
	struct store *ro = NULL;

	if (!st)
		return;
	CHECK_INT(store_event(st, STORE_EVENT_INFO, "test", "first %d", 1), 0);
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_event(st, STORE_EVENT_INFO, "test", "second"), 0);
	/* The write transaction is open; a reader still reads (WAL). */
	CHECK_INT(store_open(path, STORE_OPEN_READONLY, &ro, err, sizeof(err)), 0);
	if (ro) {
		CHECK_INT(query_int(store_db(ro), "SELECT count(*) FROM events"), 1);
		CHECK_STR(query_text(store_db(ro), "SELECT message FROM events"),
			  "first 1");
	}
	CHECK_INT(store_commit(st), 0);
	if (ro)
		CHECK_INT(query_int(store_db(ro), "SELECT count(*) FROM events"), 2);
	store_close(ro);
	store_close(st);
}

TEST(store_nested_rollback_undoes_only_the_inner_level)
{
	char path[512];
	struct store *st = store_tmp_open("e.db", path, sizeof(path));

	if (!st)
		return;
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_event(st, STORE_EVENT_INFO, "t", "outer"), 0);
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_event(st, STORE_EVENT_INFO, "t", "inner"), 0);
	store_rollback(st);
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_event(st, STORE_EVENT_INFO, "t", "inner kept"), 0);
	CHECK_INT(store_commit(st), 0);
	CHECK_INT(store_commit(st), 0);
	CHECK_INT(query_int(store_db(st), "SELECT count(*) FROM event"), 2);
	CHECK_INT(query_int(store_db(st), "SELECT count(*) FROM event"
			    " WHERE message = 'inner'"), 0);
	/* An outer rollback takes everything. */
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_begin(st), 0);
	CHECK_INT(store_event(st, STORE_EVENT_INFO, "t", "gone"), 0);
	CHECK_INT(store_commit(st), 0);
	store_rollback(st);
	CHECK_INT(query_int(store_db(st), "SELECT count(*) FROM event"), 2);
	store_close(st);
}

TEST(store_time_format_and_parse)
{
	static const struct {
		const char *in;
		bool ok;
		int64_t ms;
	} v[] = {
		{ "2026-11-27T06:36:47Z", true, 1795761407000LL },
		{ "2026-11-27T06:36:47.123Z", true, 1795761407123LL },
		{ "2026-11-27T08:36:47+02:00", true, 1795761407000LL },
		{ "2026-11-27T01:36:47-0500", true, 1795761407000LL },
		{ "2026-11-27 06:36Z", true, 1795761360000LL },
		{ "2026-11-27T06:36:47", false, 0 },	/* no offset */
		{ "2026-13-27T06:36:47Z", false, 0 },
		{ "tomorrow", false, 0 },
		{ "2026-11-27T06:36:47Zjunk", false, 0 },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t ms = 0;

		if (!CHECK_INT(store_parse_time(v[i].in, &ms), v[i].ok))
			printf("# %s\n", v[i].in);
		if (v[i].ok)
			CHECK_INT(ms, v[i].ms);
	}
	store_format_time(1795761407123LL, buf, sizeof(buf));
	CHECK_STR(buf, "2026-11-27T06:36:47.123Z");
}
