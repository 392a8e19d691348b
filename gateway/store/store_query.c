/* store_query — named read queries and a cursor; see store_query.h. */
#include "store_query.h"
#include "pg_cli.h"
#include "store.h"
#include "store_query_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One of the two: a SQLite statement, or PostgreSQL rows of the CLI's
 * connection (include/pg_cli.h). */
struct store_rows {
	sqlite3_stmt *s;
	struct pg_rows *pg;
};

struct store_rows *store_rows_pg(struct pg_rows *pg)
{
	struct store_rows *r = calloc(1, sizeof(*r));

	if (!r) {
		pg_rows_close(pg);
		return NULL;
	}
	r->pg = pg;
	return r;
}

/* Here, not in store.c (at its size limit): the CLI asks it before its
 * reads. */
bool store_readonly(struct store *st)
{
	return sqlite3_db_readonly(store_db(st), "main") == 1;
}

sqlite3_stmt *store_prepare_bound(struct store *st, const char *sql,
				  const struct store_bind *b, size_t n)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (b[i].type == STORE_BIND_TEXT)
			sqlite3_bind_text(s, (int)i + 1, b[i].text, -1,
					  SQLITE_STATIC);
		else if (b[i].type == STORE_BIND_INT)
			sqlite3_bind_int64(s, (int)i + 1, b[i].i);
	}
	return s;
}

/* Not cached (store_prepare): a caller may hold two cursors of one query,
 * and these run once a command or a request, not once a message. */
struct store_rows *store_query_open_text(struct store *st, const char *sql,
					 const struct store_bind *b, size_t n)
{
	struct store_rows *r;
	sqlite3_stmt *s = sql ? store_prepare_bound(st, sql, b, n) : NULL;

	if (!s)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		sqlite3_finalize(s);
		return NULL;
	}
	r->s = s;
	return r;
}

struct store_rows *store_query_open(struct store *st, enum store_query q,
				    const struct store_bind *b, size_t n)
{
	return store_query_open_text(st, store_query_text(q), b, n);
}

struct store_rows *store_query_user(struct store *st, const char *sql,
				    char *err, size_t errsize)
{
	struct store_rows *r;
	const char *tail = NULL;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, &tail) != SQLITE_OK) {
		snprintf(err, errsize, "%s", store_errmsg(st));
		return NULL;
	}
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' ||
			*tail == ';'))
		tail++;
	if (!s || !sqlite3_stmt_readonly(s) || (tail && *tail)) {
		snprintf(err, errsize, "%s", !s ? "no statement"
			 : tail && *tail ? "one statement, please"
			 : "only a statement that reads (SELECT) runs here");
		sqlite3_finalize(s);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		sqlite3_finalize(s);
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	r->s = s;
	return r;
}

int store_rows_next(struct store_rows *r)
{
	int rc;

	if (r->pg)
		return pg_rows_next(r->pg);
	rc = sqlite3_step(r->s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

void store_rows_close(struct store_rows *r)
{
	if (!r)
		return;
	if (r->pg)
		pg_rows_close(r->pg);
	else
		sqlite3_finalize(r->s);
	free(r);
}

int store_rows_ncols(const struct store_rows *r)
{
	if (r->pg)
		return pg_rows_ncols(r->pg);
	return sqlite3_column_count(r->s);
}

const char *store_rows_name(const struct store_rows *r, int c)
{
	if (r->pg)
		return pg_rows_name(r->pg, c);
	return sqlite3_column_name(r->s, c);
}

enum store_type store_rows_type(const struct store_rows *r, int c)
{
	if (r->pg)
		return pg_rows_type(r->pg, c);
	switch (sqlite3_column_type(r->s, c)) {
	case SQLITE_NULL:
		return STORE_TYPE_NULL;
	case SQLITE_INTEGER:
		return STORE_TYPE_INT;
	case SQLITE_FLOAT:
		return STORE_TYPE_REAL;
	default:
		return STORE_TYPE_TEXT;
	}
}

const char *store_rows_text(const struct store_rows *r, int c)
{
	if (r->pg)
		return pg_rows_text(r->pg, c);
	return (const char *)sqlite3_column_text(r->s, c);
}

size_t store_rows_bytes(const struct store_rows *r, int c)
{
	if (r->pg)
		return pg_rows_bytes(r->pg, c);
	return (size_t)sqlite3_column_bytes(r->s, c);
}

int64_t store_rows_int(const struct store_rows *r, int c)
{
	if (r->pg)
		return pg_rows_int(r->pg, c);
	return sqlite3_column_int64(r->s, c);
}

double store_rows_real(const struct store_rows *r, int c)
{
	if (r->pg)
		return pg_rows_real(r->pg, c);
	return sqlite3_column_double(r->s, c);
}

json_t *store_rows_json(const struct store_rows *r)
{
	json_t *o = json_object();

	for (int c = 0; o && c < store_rows_ncols(r); c++) {
		json_t *v;

		switch (store_rows_type(r, c)) {
		case STORE_TYPE_INT:
			v = json_integer(store_rows_int(r, c));
			break;
		case STORE_TYPE_REAL:
			v = json_real(store_rows_real(r, c));
			break;
		case STORE_TYPE_NULL:
			v = json_null();
			break;
		default:
			v = json_stringn(store_rows_text(r, c),
					 store_rows_bytes(r, c));
		}
		json_object_set_new(o, store_rows_name(r, c), v);
	}
	return o;
}

json_t *store_query_json(struct store *st, enum store_query q,
			 const struct store_bind *b, size_t n)
{
	struct store_rows *r = store_query_open(st, q, b, n);
	json_t *a;
	int rc;

	if (!r)
		return NULL;
	a = json_array();
	while ((rc = store_rows_next(r)) == 1)
		json_array_append_new(a, store_rows_json(r));
	store_rows_close(r);
	if (rc < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

json_t *store_query_json_row(struct store *st, enum store_query q,
			     const struct store_bind *b, size_t n, bool *failed)
{
	struct store_rows *r = store_query_open(st, q, b, n);
	json_t *o = NULL;
	int rc;

	*failed = !r;
	if (!r)
		return NULL;
	rc = store_rows_next(r);
	if (rc == 1)
		o = store_rows_json(r);
	*failed = rc < 0;
	store_rows_close(r);
	return o;
}

int store_query_int(struct store *st, enum store_query q,
		    const struct store_bind *b, size_t n, int64_t *value,
		    bool *found)
{
	struct store_rows *r = store_query_open(st, q, b, n);
	int rc;

	*value = 0;
	*found = false;
	if (!r)
		return -EIO;
	rc = store_rows_next(r);
	if (rc == 1) {
		*value = store_rows_int(r, 0);
		*found = true;
	}
	store_rows_close(r);
	return rc < 0 ? -EIO : 0;
}

int store_quick_check(struct store *st, char *err, size_t errsize)
{
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "PRAGMA quick_check(5)", -1, &s,
			       NULL) != SQLITE_OK) {
		snprintf(err, errsize, "%s", sqlite3_errmsg(store_db(st)));
		return -EIO;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW &&
	    strcmp((const char *)sqlite3_column_text(s, 0), "ok") == 0) {
		sqlite3_finalize(s);
		return 0;
	}
	snprintf(err, errsize, "%s", rc == SQLITE_ROW
		 ? (const char *)sqlite3_column_text(s, 0)
		 : sqlite3_errmsg(store_db(st)));
	sqlite3_finalize(s);
	return -EIO;
}
