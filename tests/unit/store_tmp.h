/*
 * store_tmp — a store created in the test's temporary directory, and one
 * integer read from it: what every unit test that drives the SQLite store
 * starts with.
 */
#ifndef SMSGW_TEST_STORE_TMP_H
#define SMSGW_TEST_STORE_TMP_H

#include "harness.h"
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>

/* The store `name` in the temporary directory, created; its path is left
 * in path (when not NULL). NULL, with the error printed, on failure. */
static inline struct store *store_tmp_open(const char *name, char *path,
					   size_t size)
{
	struct store *st = NULL;
	char buf[512], err[256];

	if (!path) {
		path = buf;
		size = sizeof(buf);
	}
	snprintf(path, size, "%s/%s", harness_tmpdir(), name);
	if (!CHECK_INT(store_open(path, STORE_OPEN_CREATE, &st, err,
				  sizeof(err)), 0))
		printf("# %s\n", err);
	return st;
}

/* The first column of sql's first row; -1 for no row, -2 when sql does
 * not prepare (the error printed). */
static inline long long db_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK) {
		printf("# %s: %s\n", sql, sqlite3_errmsg(store_db(st)));
		return -2;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

#endif
