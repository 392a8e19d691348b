/*
 * store_intake — sqlin's reads of the SQLite file; see
 * include/store_intake.h.
 */
#include "store_intake.h"
#include "store.h"
#include "store_ops.h"
#include "store_pg.h"

#include <errno.h>

int64_t store_intake_data_version(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "PRAGMA data_version");
	int64_t v = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

int store_intake_schema(struct store *st, store_intake_schema_fn fn,
			void *ud)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT type, name, sql FROM sqlite_schema"
		" WHERE type IN ('trigger', 'view') ORDER BY type, name");
	int rc = 0;

	if (!s)
		return -EIO;
	while (!rc && sqlite3_step(s) == SQLITE_ROW)
		rc = fn((const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1),
			(const char *)sqlite3_column_text(s, 2), ud);
	sqlite3_reset(s);
	return rc;
}

int store_intake_rows(struct store *st, int limit, store_intake_row_fn fn,
		      void *ud)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT seq, via, recipient, body, campaign, kind, priority,"
		" send_at, pool, CAST(idem AS TEXT), report,"
		" CAST(validity AS TEXT), CAST(class AS TEXT) FROM outbox_in"
		" ORDER BY seq LIMIT ?1");
	int rc = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, limit);
	while (!rc && sqlite3_step(s) == SQLITE_ROW) {
		const char *col[STORE_INTAKE_COLS];

		for (int i = 0; i < STORE_INTAKE_COLS; i++)
			col[i] = (const char *)sqlite3_column_text(s, i + 1);
		rc = fn(sqlite3_column_int64(s, 0), col, ud);
	}
	sqlite3_reset(s);
	return rc;
}

void store_intake_take(struct store *st, int limit, int64_t now,
		       store_intake_row_fn fn, store_intake_done_fn done,
		       void *ud)
{
	struct pg_store *ps = store_pg(st);

	if (!ps) {
		/* SQLite reads its rows with store_intake_rows(). */
		store_ops_answer(done, -EIO, ud);
		return;
	}
	pg_store_op_intake_take(ps, now, limit, fn, done, ud);
}
