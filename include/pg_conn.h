/*
 * pg_conn — one libpq connection driven from the daemon's loop
 * (doc/postgresql.md). Nothing here blocks: the connection is opened with
 * PQconnectStart()/PQconnectPoll(), queries go out with
 * PQsendQueryParams() and their results are read with PQconsumeInput()
 * when the socket, watched by the loop (base/loop.c), is readable. A slow
 * or restarting server therefore never holds up a modem's serial I/O.
 *
 * Life cycle: connecting → setting up (the schema, gateway/store/pg/
 * pg_schema.sql and pg_queue.sql, applied idempotently; then LISTEN for every channel
 * asked for) → ready. When the connection breaks it is closed and opened
 * again after a backoff (PG_CONN_BACKOFF_MIN_MS doubling up to
 * PG_CONN_BACKOFF_MAX_MS, reset once ready), and the LISTENs are issued
 * again. NOTIFY payloads reach the notify callback; state changes reach
 * the state callback.
 *
 * Queries run one at a time in the order asked. A query is answered
 * exactly once, from the loop (never before pg_conn_query() returns):
 * with its result, or with an error. None waits across a reconnect: when
 * the connection breaks, the query in flight is answered -ECONNRESET (it
 * may or may not have committed — the caller's fencing decides) and the
 * queued ones -ENOTCONN; while not ready, new ones are answered -ENOTCONN.
 */
#ifndef SMSGW_PG_CONN_H
#define SMSGW_PG_CONN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct pg_conn;

#define PG_CONN_BACKOFF_MIN_MS 100
#define PG_CONN_BACKOFF_MAX_MS 5000

/*
 * rc 0: res is the (last) result, PGRES_COMMAND_OK or PGRES_TUPLES_OK;
 * -EIO: the server refused the query (err is its message, res its
 * result, e.g. for PQresultErrorField); -ECONNRESET, -ENOTCONN: see
 * above (res NULL). res belongs to pg_conn and is freed after the call.
 */
typedef void (*pg_result_fn)(int rc, PGresult *res, const char *err,
			     void *ud);
typedef void (*pg_notify_fn)(const char *channel, const char *payload,
			     void *ud);
/* up: the connection became ready (after setup); !up: it broke. */
typedef void (*pg_state_fn)(bool up, void *ud);

/*
 * Starts connecting to conninfo (a postgresql:// URI or key=value
 * string). Returns 0, or -ENOMEM / -EINVAL with a message in err; a
 * server that is down is not an error here (it is retried).
 */
int pg_conn_new(struct loop *loop, const char *conninfo,
		struct pg_conn **out, char *err, size_t errsize);
/* Answers every query -ENOTCONN, closes, frees. */
void pg_conn_free(struct pg_conn *c);

void pg_conn_on_notify(struct pg_conn *c, pg_notify_fn fn, void *ud);
void pg_conn_on_state(struct pg_conn *c, pg_state_fn fn, void *ud);

/* LISTENs on channel now (if ready) and after every reconnect. */
int pg_conn_listen(struct pg_conn *c, const char *channel);

bool pg_conn_ready(const struct pg_conn *c);
/* How many times the connection became ready (1 after the first). */
unsigned pg_conn_generation(const struct pg_conn *c);

/*
 * Queues sql with nparams text parameters (copied; NULL is SQL NULL).
 * nparams < 0 sends sql as a simple query (several statements, no
 * parameters). Returns 0; done runs later from the loop.
 */
int pg_conn_query(struct pg_conn *c, const char *sql, int nparams,
		  const char *const *params, pg_result_fn done, void *ud);

/* The embedded schema files (pg_schema.c), in the order they apply: 0
 * pg_schema.sql, 1 pg_queue.sql, 2 pg_ops.sql, 3 pg_cli.sql, 4
 * pg_http.sql, 5 pg_intake.sql; NULL after the last. */
const char *pg_schema_sql(int i);

#endif
