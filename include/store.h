/*
 * store — the SQLite database: the daemon's only state and the users'
 * window on it (doc/contract.md §5).
 *
 * WAL mode, synchronous=FULL (a commit survives power loss, which is what
 * lets us delete a spool file or a stored SMS after it), busy_timeout,
 * foreign keys. Every write transaction is BEGIN IMMEDIATE. Only prepared
 * statements with bound parameters; statements are prepared once and
 * cached. The schema is versioned with PRAGMA user_version and migrated
 * forward when opened.
 *
 * Internal tables are ours to change; the views inbox, outbox, optouts, sims
 * and events are the stable interface: columns may be added, never renamed.
 * Times are stored as milliseconds since the epoch (UTC) and shown by the
 * views as ISO-8601 UTC text.
 *
 * Domain operations live in store_<area>.c files and are declared in
 * store_<area>.h headers; this header holds what they share.
 */
#ifndef SMSGW_STORE_H
#define SMSGW_STORE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store_time.h"

struct store;
struct loop;

enum store_open_flags {
	STORE_OPEN_CREATE = 1 << 0,	/* create the file (and its directory,
					   0750) if missing */
	STORE_OPEN_READONLY = 1 << 1,	/* never write, never migrate */
};

/*
 * Opens (and creates or migrates) the database at path. Returns 0 or -errno
 * with a message in err. A database written by a newer smsgw is refused.
 */
int store_open(const char *path, unsigned flags, struct store **out,
	       char *err, size_t errsize);
void store_close(struct store *st);

/*
 * PostgreSQL (database = "postgresql://…", doc/postgresql.md): a store
 * that holds a struct pg_store (include/store_pg.h) instead of a SQLite
 * handle, connecting in the background on loop (never blocking it). Every
 * store_op_*() forwards to its PostgreSQL twin; of the synchronous calls
 * only store_event() (written asynchronously, kept while the database is
 * away), store_daemon_*(), sim_update() and store_close() work on it, and
 * the daemon skips the SQLite-only rest (include/store_pgd.h). 0 or -errno
 * with a message in err.
 */
struct pg_store_options;
int store_open_pg(struct loop *loop, const char *uri,
		  const struct pg_store_options *o, struct store **out,
		  char *err, size_t errsize);
/* The PostgreSQL backend of st; NULL on SQLite, and after
 * store_pg_shutdown() (store_is_pg() still says true then). */
struct pg_store *store_pg(struct store *st);
bool store_is_pg(const struct store *st);
/* true when the connection may not write (SQLite opens a file it may
 * not write read-only, quietly). */
bool store_readonly(struct store *st);
/* PRAGMA quick_check: 0 when it says "ok", else -EIO with its first
 * finding in err. */
int store_quick_check(struct store *st, char *err, size_t errsize);

/* The newest schema version this build knows. */
int store_schema_version(void);
/* Migrates up to version (for tests of the migrations themselves). */
int store_migrate_to(struct store *st, int version, char *err, size_t errsize);
int store_user_version(struct store *st);

sqlite3 *store_db(struct store *st);
/* The last SQLite error message of the connection. */
const char *store_errmsg(struct store *st);

/*
 * Transactions. store_begin() is BEGIN IMMEDIATE, so the write lock is
 * taken up front and busy_timeout applies. Inner levels are savepoints:
 * an inner rollback undoes only that level, and only the outermost commit
 * commits. Returns 0 or -EIO (logged).
 */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/*
 * Group commit. Outcomes that arrive in one loop turn (sent, failed,
 * status reports, inbound messages) share one transaction and so one
 * fsync: store_batch_begin() opens the turn's batch on the first write
 * (BEGIN IMMEDIATE) and a savepoint for the caller; store_batch_commit()
 * releases the savepoint and queues d, which runs once the batch is
 * durable (rc 0) or did not commit (rc -EIO). The batch commits from a
 * deferred call at the end of the turn. What may only follow a durable
 * write (an acknowledgement to the modem, a hook, the next send) goes in
 * d's callback, never after store_batch_commit() itself.
 *
 * A plain store_begin() while a batch is open joins it, and its
 * store_commit() commits the batch there and then, so store_commit()
 * returning 0 still means durable. Without a loop (store_batch_attach
 * not called: the CLI, tests) a batch is a plain transaction and d runs
 * at its commit.
 */
struct loop;
struct store_done;
typedef void (*store_done_cb)(struct store_done *d, int rc);
struct store_done {
	store_done_cb cb;
	void *ud;
	struct store_done *next;
	int rc;
	bool queued;
};
void store_done_init(struct store_done *d, store_done_cb cb, void *ud);
void store_batch_attach(struct store *st, struct loop *loop);
int store_batch_begin(struct store *st);
/* 0 or -EIO (the caller's writes are undone and d is not queued). */
int store_batch_commit(struct store *st, struct store_done *d);
/* Queues d after the open transaction, or for the next turn if none. */
void store_after_commit(struct store *st, struct store_done *d);
/* Commits an open batch now and runs what waited on it (shutdown). */
int store_batch_flush(struct store *st);
bool store_in_transaction(const struct store *st);

/* A message row's columns as store_outbox_add() inserts them, and what
 * the rows of one file share bound by number (store_outbox.c; the rows of
 * a big file go in many to a statement, store_staging.c). */
#define STORE_MESSAGE_COLUMNS						\
	"(file_id, created_at, recipient, body, kind, class, campaign_id,"	\
	" priority, state, not_before, expires_at, pool, pin_sim, hold,"	\
	" report, flash, validity, ucs2, parts, origin, in_reply_to, error,"	\
	" language, max_attempts, updated_at, smsc, from_header, msg_class,"	\
	" autosplit, pdu_flags, replace_type)"
struct outbox_new;
void store_outbox_bind_shared(sqlite3_stmt *s, int64_t file_id,
			      const struct outbox_new *m, int64_t now);

/*
 * A cached prepared statement for sql, reset and with bindings cleared. The
 * sql must be a string literal (its address is the cache key). NULL on a
 * preparation error (logged).
 */
sqlite3_stmt *store_prepare(struct store *st, const char *sql);

/*
 * sql prepared (not cached) with binds bound to ?1…, or NULL
 * (store_errmsg() says why); the caller finalizes it. For the one CLI
 * file that still holds SQL text (cli_outbox_show.c); new code names a
 * query of store_query.h.
 */
struct store_bind;
sqlite3_stmt *store_prepare_bound(struct store *st, const char *sql,
				  const struct store_bind *binds,
				  size_t nbinds);

/* Runs statements built at run time without binding (pragmas with a
 * number, DDL); returns 0 or -EIO (logged). Values go through
 * store_prepare() and bindings, never through this. */
int store_exec(struct store *st, const char *sql);

/* Runs a statement without results; returns 0 or -EIO (logged). */
int store_step_done(struct store *st, sqlite3_stmt *stmt);


enum store_event_level {
	STORE_EVENT_INFO,
	STORE_EVENT_WARNING,
	STORE_EVENT_ERROR,
};

/*
 * Appends a row to the audit log (the events view) in the current
 * transaction, or in its own one when none is open. source names the
 * subsystem or object: "daemon", "modem m1", "spool".
 */
int store_event(struct store *st, enum store_event_level level,
		const char *source, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Runs PRAGMA wal_checkpoint(TRUNCATE); for idle moments. */
void store_checkpoint(struct store *st);

/*
 * Bulk work over many loop turns (a big spool file). While on, commits
 * never checkpoint (an auto-checkpoint inside a commit held the loop for
 * up to 1.9 s); the caller runs store_checkpoint_passive() in a turn of
 * its own once store_bulk_wal_frames() reaches STORE_WAL_PAGES, so the
 * WAL stays bounded as before. Off restores the auto-checkpoint.
 */
#define STORE_WAL_PAGES 1000		/* SQLite's default */
void store_bulk(struct store *st, bool on);
int store_bulk_wal_frames(const struct store *st);
int store_checkpoint_passive(struct store *st);

/*
 * PRAGMA synchronous FULL (the default) or NORMAL, for the next commits
 * of this connection; callers restore FULL after the one transaction that
 * may be NORMAL (see spool_job.c for why that is safe there).
 */
int store_sync_full(struct store *st, bool full);

#endif
