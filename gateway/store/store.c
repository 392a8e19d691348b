/*
 * store — connection, pragmas, migrations, transactions, the statement
 * cache and the audit log. See include/store.h.
 */
#include "store.h"
#include "store_ops.h"
#include "clock.h"
#include "config_pg.h"
#include "store_schema.h"
#include "store_pg.h"
#include "store_pgd.h"
#include "fsutil.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORE_STMT_CACHE 128

struct store_stmt {
	const char *sql;	/* key: the literal's address */
	sqlite3_stmt *stmt;
};

struct store {
	sqlite3 *db;		/* NULL on PostgreSQL */
	bool is_pg;
	struct pg_store *pg;	/* PostgreSQL (store_open_pg); NULL after
				   store_pg_shutdown() */
	struct store_pgd *pgd;	/* what the daemon keeps beside it */
	bool readonly;
	int depth;		/* store_begin() nesting */
	/* Group commit (store_batch_begin): the loop turn's transaction is
	 * open; every level inside it is a savepoint. */
	bool batch;
	bool join;		/* a plain store_begin() joined the batch at the
				   top: its commit commits the batch now */
	struct loop *loop;
	struct loop_deferred flush_def, ready_def;
	struct store_done *pending, **pending_tail;	/* wait for COMMIT */
	struct store_done *ready, **ready_tail;		/* committed, to run */
	struct store_stmt cache[STORE_STMT_CACHE];
	size_t ncache;
	bool bulk;		/* store_bulk(): checkpoints are the caller's */
	int wal_frames;		/* the WAL's size after the last commit */
};

struct pg_store *store_pg(struct store *st)
{
	return st ? st->pg : NULL;
}

bool store_is_pg(const struct store *st)
{
	return st && st->is_pg;
}

struct store_pgd *store_pgd_of(struct store *st)
{
	return st->pgd;
}

void store_pg_detach(struct store *st)
{
	st->pg = NULL;
}

int store_open_pg(struct loop *loop, const char *uri,
		  const struct pg_store_options *o, struct store **out,
		  char *err, size_t errsize)
{
	struct store *st = calloc(1, sizeof(*st));
	int rc;

	*out = NULL;
	if (!st) {
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	st->is_pg = true;
	st->loop = loop;
	st->pending_tail = &st->pending;
	st->ready_tail = &st->ready;
	rc = pg_store_new(loop, uri, o, &st->pg, err, errsize);
	if (rc == 0)
		rc = store_pgd_new(st, loop, st->pg, o, &st->pgd, err,
				   errsize);
	if (rc < 0) {
		pg_store_free(st->pg);
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

sqlite3 *store_db(struct store *st)
{
	return st->db;
}

const char *store_errmsg(struct store *st)
{
	if (st->is_pg)
		return "the PostgreSQL database (see the log)";
	return sqlite3_errmsg(st->db);
}

static int store_exec_err(struct store *st, const char *sql, char *err,
			  size_t errsize)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	if (err)
		snprintf(err, errsize, "%s", msg ? msg : "unknown error");
	else
		log_error("store: %s", msg ? msg : "unknown error");
	sqlite3_free(msg);
	return -EIO;
}

int store_exec(struct store *st, const char *sql)
{
	return store_exec_err(st, sql, NULL, 0);
}

int store_user_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

int store_schema_version(void)
{
	return store_schema_latest();
}

int store_migrate_to(struct store *st, int version, char *err, size_t errsize)
{
	int cur = store_user_version(st);

	if (cur < 0) {
		snprintf(err, errsize, "cannot read the schema version: %s",
			 sqlite3_errmsg(st->db));
		return -EIO;
	}
	if (cur > store_schema_latest()) {
		snprintf(err, errsize,
			 "the database has schema version %d; this smsgw knows "
			 "up to %d (upgrade smsgw)", cur, store_schema_latest());
		return -EPROTO;
	}
	/* Each step in its own transaction: a crash leaves a whole version. */
	for (int v = cur + 1; v <= version; v++) {
		char sql[64];

		if (store_exec_err(st, "BEGIN IMMEDIATE", err, errsize) < 0)
			return -EIO;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
		if (store_exec_err(st, store_schema_migration(v), err,
				   errsize) < 0 ||
		    store_exec_err(st, sql, err, errsize) < 0) {
			store_exec_err(st, "ROLLBACK", NULL, 0);
			return -EIO;
		}
		if (store_exec_err(st, "COMMIT", err, errsize) < 0)
			return -EIO;
	}
	return 0;
}

static int store_set_pragmas(struct store *st, char *err, size_t errsize)
{
	sqlite3_busy_timeout(st->db, 5000);
	/* Anyone who may write the database could add views and triggers;
	 * none of them may call a function with side effects in our name
	 * (README "Trust model"). */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	if (st->readonly)
		return store_exec_err(st, "PRAGMA foreign_keys = ON", err,
				      errsize);
	/* journal_mode=WAL is persistent; the others are per connection.
	 * auto_vacuum first: it takes effect only on a file without tables
	 * (later it takes a VACUUM: store_prune_enable_autovacuum()). */
	return store_exec_err(st,
			      "PRAGMA auto_vacuum = INCREMENTAL;"
			      "PRAGMA journal_mode = WAL;"
			      "PRAGMA synchronous = FULL;"
			      "PRAGMA foreign_keys = ON;"
			      "PRAGMA journal_size_limit = 67108864;",
			      err, errsize);
}

/* Each operation in the turn's batch is a savepoint whose page originals
 * (~30 pages) spilled past 64 KiB to a temp file, a pwrite a page: a third
 * of the CPU in a burst (doc/pool.md). Only before SQLite initialises. */
static void store_configure_once(void)
{
	static bool done;

	if (!done && sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, 1 << 20))
		log_debug("store: statement journals spill at 64 KiB");
	done = true;
}

int store_open(const char *path, unsigned flags, struct store **out,
	       char *err, size_t errsize)
{
	struct store *st;
	int oflags = SQLITE_OPEN_NOMUTEX;
	char dir[4096];
	int rc;

	*out = NULL;
	store_configure_once();
	/* Not a file: never create a directory named "postgresql:". */
	if (config_database_is_pg(path)) {
		snprintf(err, errsize, "database = postgresql://…: this needs"
			 " the SQLite database; it does not work on PostgreSQL"
			 " yet (doc/postgresql.md)");
		return -EPROTONOSUPPORT;
	}
	if (flags & STORE_OPEN_CREATE) {
		fs_dirname(path, dir, sizeof(dir));
		rc = fs_mkdirs(dir, 0750);
		if (rc < 0) {
			snprintf(err, errsize, "cannot create %s: %s", dir,
				 strerror(-rc));
			return rc;
		}
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -ENOMEM;
	}
	st->pending_tail = &st->pending;
	st->ready_tail = &st->ready;
	st->readonly = flags & STORE_OPEN_READONLY;
	if (st->readonly)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |= SQLITE_OPEN_READWRITE |
			  (flags & STORE_OPEN_CREATE ? SQLITE_OPEN_CREATE : 0);
	rc = sqlite3_open_v2(path, &st->db, oflags, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsize, "%s: %s", path,
			 st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	if (store_set_pragmas(st, err, errsize) < 0)
		goto fail;
	if (!st->readonly &&
	    store_migrate_to(st, store_schema_latest(), err, errsize) < 0)
		goto fail;
	if (st->readonly && store_user_version(st) != store_schema_latest()) {
		snprintf(err, errsize,
			 "%s: schema version %d, expected %d (start smsgwd once "
			 "to migrate it)", path, store_user_version(st),
			 store_schema_latest());
		goto fail;
	}
	*out = st;
	return 0;
fail:
	sqlite3_close_v2(st->db);
	free(st);
	return -EIO;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->is_pg) {
		/* Its queries are answered (-ENOTCONN) before it goes. */
		store_pg_shutdown(st, 0);
		store_pgd_free(st->pgd);
		free(st);
		return;
	}
	store_batch_flush(st);
	if (st->loop) {
		loop_deferred_cancel(&st->flush_def);
		loop_deferred_cancel(&st->ready_def);
	}
	for (size_t i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].stmt);
	if (st->depth || st->batch)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close_v2(st->db);
	free(st);
}

sqlite3_stmt *store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *s;

	for (size_t i = 0; i < st->ncache; i++) {
		if (st->cache[i].sql == sql) {
			s = st->cache[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return s;
		}
	}
	if (sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
			       NULL) != SQLITE_OK) {
		log_error("store: prepare: %s: %s", sqlite3_errmsg(st->db), sql);
		return NULL;
	}
	if (st->ncache == STORE_STMT_CACHE) {
		/* Not expected: the daemon has a fixed set of statements. */
		log_error("store: statement cache full");
		abort();
	}
	st->cache[st->ncache++] = (struct store_stmt){ .sql = sql, .stmt = s };
	return s;
}

int store_step_done(struct store *st, sqlite3_stmt *stmt)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
		sqlite3_reset(stmt);
		return 0;
	}
	log_error("store: %s: %s", sqlite3_errmsg(st->db), sqlite3_sql(stmt));
	sqlite3_reset(stmt);
	return -EIO;
}

/* BEGIN and COMMIT run for every message: prepared once, not parsed. */
static int store_run_cached(struct store *st, const char *sql)
{
	sqlite3_stmt *s = store_prepare(st, sql);

	return s ? store_step_done(st, s) : -EIO;
}

/* ---- completions (group commit) ---- */

static void store_done_append(struct store_done ***tail, struct store_done *d)
{
	d->next = NULL;
	**tail = d;
	*tail = &d->next;
}

static void store_run_ready(struct store *st)
{
	while (st->ready) {
		struct store_done *d = st->ready;

		st->ready = d->next;
		if (!st->ready)
			st->ready_tail = &st->ready;
		d->next = NULL;
		d->queued = false;
		d->cb(d, d->rc);
	}
}

/* The outermost transaction ended with rc: what waited on it may run. */
static void store_pending_done(struct store *st, int rc, bool now)
{
	while (st->pending) {
		struct store_done *d = st->pending;

		st->pending = d->next;
		d->rc = rc;
		store_done_append(&st->ready_tail, d);
	}
	st->pending_tail = &st->pending;
	/* Without a loop (CLI, tests) what waited runs at the commit. */
	if (now || !st->loop)
		store_run_ready(st);
	else if (st->ready && st->loop)
		loop_defer(&st->ready_def);
}

static int store_commit_top(struct store *st)
{
	int rc = 0;

	if (store_run_cached(st, "COMMIT") < 0) {
		store_exec_err(st, "ROLLBACK", NULL, 0);
		rc = -EIO;
	}
	return rc;
}

/* Commits the turn's batch; its completions run at once when now. */
static int store_batch_commit_top(struct store *st, bool now)
{
	int rc;

	st->batch = false;
	st->join = false;
	rc = store_commit_top(st);
	if (rc < 0)
		log_error("store: the batch of this loop turn did not commit");
	store_pending_done(st, rc, now);
	return rc;
}

static void store_on_flush(struct loop_deferred *d, void *ud)
{
	struct store *st = ud;

	(void)d;
	if (st->batch && st->depth > 0) {
		/* Someone's transaction spans turns: commit after it. */
		loop_defer(&st->flush_def);
		return;
	}
	store_batch_flush(st);
}

static void store_on_ready(struct loop_deferred *d, void *ud)
{
	(void)d;
	store_run_ready(ud);
}

void store_batch_attach(struct store *st, struct loop *loop)
{
	if (st->is_pg) {
		/* Its answers come from the loop anyway; no batch. */
		st->loop = loop;
		return;
	}
	/* Attached again (a restart of the subsystems): unlink first. */
	if (st->loop) {
		loop_deferred_cancel(&st->flush_def);
		loop_deferred_cancel(&st->ready_def);
	}
	st->loop = loop;
	loop_deferred_init(loop, &st->flush_def, store_on_flush, st);
	loop_deferred_init(loop, &st->ready_def, store_on_ready, st);
	/* The tests' networked backend: answers a turn later (store_ops.h). */
	store_ops_answer_later(getenv("SMSGW_TEST_STORE_LATE") ? loop : NULL);
	if (store_ops_answers_later())
		log_notice("store: operations answer a loop turn later "
			   "(SMSGW_TEST_STORE_LATE, for tests)");
}

void store_done_init(struct store_done *d, store_done_cb cb, void *ud)
{
	*d = (struct store_done){ .cb = cb, .ud = ud };
}

void store_after_commit(struct store *st, struct store_done *d)
{
	if (d->queued)
		return;
	d->queued = true;
	if (st->depth > 0 || st->batch) {
		store_done_append(&st->pending_tail, d);
		return;
	}
	d->rc = 0;
	store_done_append(&st->ready_tail, d);
	if (st->loop)
		loop_defer(&st->ready_def);
	else
		store_run_ready(st);
}

int store_batch_begin(struct store *st)
{
	if (!st->loop || (st->depth > 0 && !st->batch))
		return store_begin(st);
	if (!st->batch) {
		if (store_run_cached(st, "BEGIN IMMEDIATE") < 0)
			return -EIO;
		st->batch = true;
		loop_defer(&st->flush_def);
	}
	if (store_run_cached(st, "SAVEPOINT nested") < 0)
		return -EIO;
	st->depth++;
	return 0;
}

int store_batch_commit(struct store *st, struct store_done *d)
{
	int rc = store_commit(st);

	if (rc == 0 && d)
		store_after_commit(st, d);
	return rc;
}

int store_batch_flush(struct store *st)
{
	int rc = 0;

	if (st->is_pg) {
		store_ops_answer_flush();
		return 0;
	}
	if (st->batch && st->depth == 0)
		rc = store_batch_commit_top(st, true);
	store_run_ready(st);
	/* Answers held for the next turn (tests) run now, too. */
	store_ops_answer_flush();
	return rc;
}

bool store_in_transaction(const struct store *st)
{
	return st->depth > 0 || st->batch;
}

/*
 * The outermost level is BEGIN IMMEDIATE ... COMMIT; inner levels are
 * savepoints, so an inner failure (a claim that could not load its row)
 * undoes only itself and the caller's own writes still commit. While a
 * batch is open every level is a savepoint in it; a plain transaction
 * that joins it at the top commits the batch with its own commit, so
 * store_commit() still means durable.
 */
int store_begin(struct store *st)
{
	if (st->depth > 0 || st->batch) {
		if (store_run_cached(st, "SAVEPOINT nested") < 0)
			return -EIO;
		if (st->batch && st->depth == 0)
			st->join = true;
		st->depth++;
		return 0;
	}
	if (store_run_cached(st, "BEGIN IMMEDIATE") < 0)
		return -EIO;
	st->depth = 1;
	return 0;
}

int store_commit(struct store *st)
{
	int rc;

	if (st->depth == 0)
		return -EINVAL;
	if (--st->depth > 0 || st->batch) {
		if (store_run_cached(st, "RELEASE nested") < 0) {
			store_run_cached(st, "ROLLBACK TO nested");
			store_run_cached(st, "RELEASE nested");
			return -EIO;
		}
		if (st->batch && st->depth == 0 && st->join)
			return store_batch_commit_top(st, false);
		return 0;
	}
	rc = store_commit_top(st);
	store_pending_done(st, rc, false);
	return rc;
}

void store_rollback(struct store *st)
{
	if (st->depth == 0)
		return;
	if (--st->depth > 0 || st->batch) {
		/* Back to the savepoint, then leave it: the outer levels go on. */
		store_run_cached(st, "ROLLBACK TO nested");
		store_run_cached(st, "RELEASE nested");
		if (st->depth == 0)
			st->join = false;
		return;
	}
	store_exec_err(st, "ROLLBACK", NULL, 0);
	store_pending_done(st, -EIO, false);
}

int store_event(struct store *st, enum store_event_level level,
		const char *source, const char *fmt, ...)
{
	static const char *const names[] = {
		[STORE_EVENT_INFO] = "info",
		[STORE_EVENT_WARNING] = "warning",
		[STORE_EVENT_ERROR] = "error",
	};
	sqlite3_stmt *s;
	char msg[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (st->is_pg)
		return store_pgd_event(st->pgd, names[level], source, msg);
	s = store_prepare(st, "INSERT INTO event (at, level, source, message)"
			      " VALUES (?, ?, ?, ?)");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, store_now_ms());
	sqlite3_bind_text(s, 2, names[level], -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, source, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, msg, -1, SQLITE_TRANSIENT);
	/* Outside a transaction the insert autocommits on its own. */
	rc = store_step_done(st, s);
	return rc;
}

void store_checkpoint(struct store *st)
{
	if (st->is_pg)
		return;		/* the server's own business */
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				  NULL, NULL);
}

/* While bulk: no checkpoint inside a commit (sqlite3_wal_hook replaces the
 * auto-checkpoint hook), only the WAL's size noted for the caller. */
static int store_wal_note(void *ud, sqlite3 *db, const char *name, int frames)
{
	struct store *st = ud;

	(void)db;
	(void)name;
	st->wal_frames = frames;
	return SQLITE_OK;
}

void store_bulk(struct store *st, bool on)
{
	/* PostgreSQL: no WAL of ours to bound (bulk stays off, so
	 * store_bulk_wal_frames() says 0 and no checkpoint is asked). */
	if (st->bulk == on || st->is_pg)
		return;
	st->bulk = on;
	if (on) {
		sqlite3_wal_hook(st->db, store_wal_note, st);
	} else {
		/* SQLite's default auto-checkpoint, as store_open left it. */
		sqlite3_wal_autocheckpoint(st->db, STORE_WAL_PAGES);
		st->wal_frames = 0;
	}
}

int store_bulk_wal_frames(const struct store *st)
{
	return st->bulk ? st->wal_frames : 0;
}

int store_checkpoint_passive(struct store *st)
{
	int log = 0, done = 0;

	if (st->is_pg)
		return 0;
	if (sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
				      &log, &done) != SQLITE_OK)
		return -EIO;
	/* Frames a reader still needs wait; the next try takes them. */
	st->wal_frames = log - done;
	return 0;
}

int store_sync_full(struct store *st, bool full)
{
	/* Not cached: SQLite applies this pragma when it is prepared. */
	if (st->is_pg)
		return 0;
	return store_exec_err(st, full ? "PRAGMA synchronous = FULL"
			     : "PRAGMA synchronous = NORMAL", NULL, 0);
}
