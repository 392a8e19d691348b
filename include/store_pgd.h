/*
 * store_pgd — what smsgwd needs of a PostgreSQL store (store_open_pg() in
 * include/store.h; doc/postgresql.md "The daemon on PostgreSQL") beside
 * the operations of include/store_ops.h: whether the database is there,
 * wake-ups (NOTIFY smsgw_queue and smsgw_intake, a reconnect), the event log written in
 * the background, this box's SIM rows and daemon row, and a shutdown that
 * answers every query while the daemon's subsystems still exist.
 *
 * Nothing here blocks: each write is one query on the box's connection
 * (include/pg_conn.h), answered later from the loop. Events written while
 * the database is away wait in memory (up to STORE_PGD_EVENTS_MAX, then
 * dropped with an error in the log) and go out, in order, at the next
 * connect.
 */
#ifndef SMSGW_STORE_PGD_H
#define SMSGW_STORE_PGD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store_ops.h"

struct loop;
struct pg_store;
struct sim;
struct store;
struct store_pgd;

#define STORE_PGD_EVENTS_MAX 10000
/* A promote whose rows could not all move (another box holds them) or
 * that failed looks again after this long. */
#define STORE_PGD_PROMOTE_MS 1000
/* The longest a box waits between two promotes: rows another box made
 * due later (and cannot promote itself, having stopped) wait no longer. */
#define STORE_PGD_LOOK_MS 60000

/* True on SQLite; on PostgreSQL while connected with the box's lock (and
 * not shutting down):
 * the outbound claims nothing while the database is away. */
bool store_ready(struct store *st);

enum store_pg_state {
	STORE_PG_UP,		/* connected, schema applied, LISTENing, and
				   this box's name is ours (its lock) */
	STORE_PG_DOWN,		/* the connection broke */
	STORE_PG_BOX_TAKEN,	/* another smsgwd holds this box's name */
};

/* fn at each change. One listener. */
void store_pg_on_state(struct store *st,
		       void (*fn)(enum store_pg_state s, void *ud), void *ud);
/* fn on every NOTIFY smsgw_queue (a message became queued on any box). */
void store_pg_on_queue(struct store *st, void (*fn)(void *ud), void *ud);

/* fn on every NOTIFY smsgw_intake (an INSERT INTO outbox committed, on
 * any box's database connection or psql) and each time this box is up
 * again (connected, its lock held): rows inserted while it was away. */
void store_pg_on_intake(struct store *st, void (*fn)(void *ud), void *ud);

/* This box's name on the shared database ("" on SQLite). */
const char *store_pg_box(struct store *st);

/*
 * Runs the loop until the queries this module sent (the daemon row, events)
 * are answered or drain_ms passed, then closes the connection: every query
 * still out is answered -ENOTCONN now, and the PostgreSQL operations answer
 * -ENOTCONN from here on. Call before the daemon frees what those answers
 * reach.
 */
void store_pg_shutdown(struct store *st, int drain_ms);

/* This box's daemon row (pg_store_op_daemon()); the start is sent again
 * at each connect until it was recorded. */
void store_pgd_daemon(struct store *st, int what, long pid, int64_t now);

/* The SIM's row, fire and forget (sim_update() on PostgreSQL). */
void store_pgd_sim_row(struct store *st, const struct sim *sim,
		       const char *state, int64_t now);
/* Rows of this box's SIMs not in ids[] say "absent". */
void store_pgd_sims_absent(struct store *st, const int64_t *ids, size_t n,
			   int64_t now);

/* For store.c and store_ops_pg.c. */
struct pg_store_options;
int store_pgd_new(struct store *st, struct loop *loop, struct pg_store *ps,
		  const struct pg_store_options *o, struct store_pgd **out,
		  char *err, size_t errsize);
/* The resend policy for lapsed leases, as "t"/"f" parameters. */
void store_pgd_resend(struct store *st, char direct[2], char bulk[2]);
void store_pgd_free(struct store_pgd *x);
struct store_pgd *store_pgd_of(struct store *st);
void store_pg_detach(struct store *st);
int store_pgd_event(struct store_pgd *x, const char *level,
		    const char *source, const char *msg);

#endif
