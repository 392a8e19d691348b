/*
 * store_intake — what INSERT INTO outbox from any SQLite client
 * (spool/sqlin.c, include/sqlin.h) reads of the database file itself:
 * whether another connection committed (PRAGMA data_version), the file's
 * triggers and views as they are now (sqlite_schema), and the rows waiting
 * in outbox_in; on PostgreSQL, the rows leased to this box
 * (store_intake_take()). The statements live in the store layer like
 * every other (doc/architecture.md, "The storage interface").
 */
#ifndef SMSGW_STORE_INTAKE_H
#define SMSGW_STORE_INTAKE_H

#include <stdint.h>

struct store;

/* PRAGMA data_version: it changes when another connection commits; -1
 * when it cannot be read. */
int64_t store_intake_data_version(struct store *st);

/* One trigger or view: type "trigger" or "view", its name, its CREATE
 * text (NULL when there is none). Non-zero stops the walk. */
typedef int (*store_intake_schema_fn)(const char *type, const char *name,
				      const char *sql, void *ud);
/* Calls fn for every trigger and view of the file, by type and name.
 * Returns 0, what fn returned to stop, or -EIO (store_errmsg() says why). */
int store_intake_schema(struct store *st, store_intake_schema_fn fn,
			void *ud);

/* The columns of an outbox_in row after its seq, as text (NULL for SQL
 * NULL): via, recipient, body, campaign, kind, priority, send_at, pool,
 * idem, report, validity, class. */
#define STORE_INTAKE_COLS 12
/* One row, borrowed for the call. Non-zero stops the walk. */
typedef int (*store_intake_row_fn)(int64_t seq,
				   const char *const col[STORE_INTAKE_COLS],
				   void *ud);
/* Calls fn for the first limit rows of outbox_in by seq. Returns 0, what
 * fn returned to stop, or -EIO. */
int store_intake_rows(struct store *st, int limit, store_intake_row_fn fn,
		      void *ud);

/*
 * PostgreSQL's intake (gateway/store/pg/pg_intake.sql): several boxes
 * take from one outbox_in, so rows are leased to this box (for its
 * lease), up to limit at a time, and each row's acceptance or refusal
 * removes it only while this box still holds it. Calls fn for each row
 * by seq, then done(rows taken, or -EIO), later from the loop. There is
 * no data_version or schema walk: the database's NOTIFY smsgw_intake
 * wakes the box (store_pg_on_intake(), include/store_pgd.h), and every
 * box applies the schema at each connect.
 */
typedef void (*store_intake_done_fn)(int rc, void *ud);
void store_intake_take(struct store *st, int limit, int64_t now,
		       store_intake_row_fn fn, store_intake_done_fn done,
		       void *ud);

#endif
