/*
 * backend_env — what the conformance tests of both storage backends
 * share (test_store_backends*.c): a store of either kind, SQL on the
 * side with the same text on both, a file's producer, claim and record
 * through include/store_backend.h's table.
 */
#ifndef SMSGW_TEST_BACKEND_ENV_H
#define SMSGW_TEST_BACKEND_ENV_H

#include "harness.h"
#include "msg_state_check.h"
#include "loop.h"
#include "pg_conn.h"
#include "store.h"
#include "store_backend.h"
#include "store_pg.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 1795773600000LL	/* 2026-11-27T10:00:00Z */

struct env {
	const struct store_backend *ops;
	void *be;
	struct store *st;		/* SQLite */
	struct pg_store *ps;		/* PostgreSQL */
	struct loop *loop;
	char value[256];
};

struct wait {
	bool done;
	int rc;
};

static inline void on_done(int rc, void *ud)
{
	struct wait *w = ud;

	w->rc = rc;
	w->done = true;
}

/* SQLite answers before the call returns; PostgreSQL from the loop. */
static inline int env_wait(struct env *e, struct wait *w)
{
	int64_t end = loop_clock_ms() + 15000;

	while (!w->done && e->loop && loop_clock_ms() < end)
		loop_run_once(e->loop, 50);
	return w->done ? w->rc : -ETIMEDOUT;
}

static inline void on_sql(int rc, PGresult *res, const char *err, void *ud)
{
	struct env *e = ud;

	if (rc == 0 && PQntuples(res) > 0)
		snprintf(e->value, sizeof(e->value), "%s",
			 PQgetvalue(res, 0, 0));
	else
		snprintf(e->value, sizeof(e->value), "error: %s",
			 rc ? err : "no row");
}

/* The first value of sql (the same text on both backends). */
static inline const char *scalar(struct env *e, const char *sql)
{
	e->value[0] = '\0';
	if (e->st) {
		sqlite3_stmt *s;

		if (sqlite3_prepare_v2(store_db(e->st), sql, -1, &s, NULL)) {
			snprintf(e->value, sizeof(e->value), "error: %s",
				 sqlite3_errmsg(store_db(e->st)));
			return e->value;
		}
		if (sqlite3_step(s) == SQLITE_ROW)
			snprintf(e->value, sizeof(e->value), "%s",
				 sqlite3_column_text(s, 0)
					 ? (const char *)sqlite3_column_text(s, 0)
					 : "");
		else
			snprintf(e->value, sizeof(e->value), "error: no row");
		sqlite3_finalize(s);
		return e->value;
	}
	snprintf(e->value, sizeof(e->value), "pending");
	pg_conn_query(pg_store_conn(e->ps), sql, -1, NULL, on_sql, e);
	for (int64_t end = loop_clock_ms() + 15000;
	     strcmp(e->value, "pending") == 0 && loop_clock_ms() < end;)
		loop_run_once(e->loop, 50);
	return e->value;
}

static inline bool env_open(struct env *e, bool pg, const char *name)
{
	char err[256];

	memset(e, 0, sizeof(*e));
	if (!pg) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s.db", harness_tmpdir(), name);
		if (!CHECK_INT(store_open(path, STORE_OPEN_CREATE, &e->st, err,
					  sizeof(err)), 0))
			return false;
		e->ops = &store_backend_sqlite;
		e->be = e->st;
		msg_state_record(e->st);
		return true;
	}
	struct pg_store_options o = { .box = "b1", .lease_ms = 60000 };

	if (!CHECK_INT(loop_new(&e->loop), 0) ||
	    !CHECK_INT(pg_store_new(e->loop, getenv("SMSGW_PG_URL"), &o,
				    &e->ps, err, sizeof(err)), 0))
		return false;
	for (int64_t end = loop_clock_ms() + 15000;
	     !pg_conn_ready(pg_store_conn(e->ps)) && loop_clock_ms() < end;)
		loop_run_once(e->loop, 50);
	if (!CHECK(pg_conn_ready(pg_store_conn(e->ps))))
		return false;
	e->ops = &store_backend_pg;
	e->be = e->ps;
	scalar(e, "TRUNCATE message, attempt, part, spool_file, campaign,"
		  " optout, inbound, sim_usage, sticky, sim, event, raw_pdu,"
		  " inbound_part, forgotten, daemon"
		  " RESTART IDENTITY CASCADE");
	msg_state_record_pg(getenv("SMSGW_PG_URL"));
	return true;
}

static inline void env_close(struct env *e)
{
	/* Every state change on either backend is one of the table's. */
	if (e->st) {
		msg_state_check(e->st);
		store_close(e->st);
	}
	if (e->ps) {
		msg_state_check_pg(getenv("SMSGW_PG_URL"));
		pg_store_free(e->ps);
		loop_free(e->loop);
	}
}

static inline int64_t add_sim(struct env *e, const char *modem)
{
	char sql[200];

	if (e->ps) {
		struct wait w = { 0 };
		int64_t id = 0;

		pg_store_op_sim(e->ps, modem, "1", "default", "ready", T0, &id,
				on_done, &w);
		CHECK_INT(env_wait(e, &w), 0);
		return id;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO sim (modem, slot, pool, state,"
		 " updated_at) VALUES ('%s', '1', 'default', 'ready', 0)",
		 modem);
	CHECK_INT(sqlite3_exec(store_db(e->st), sql, NULL, NULL, NULL),
		  SQLITE_OK);
	return sqlite3_last_insert_rowid(store_db(e->st));
}

/* A file of n bulk messages to +1555000000k, or -EBADMSG at the bad-th. */
struct rcpts {
	int n, bad;
};

static inline int produce(store_add_fn add,
		   void *ctx, void *ud)
{
	const struct rcpts *r = ud;

	for (int i = 1; i <= r->n; i++) {
		char num[32];
		struct outbox_new m = {
			.recipient = num, .body = "hi", .kind = MSG_KIND_BULK,
			.priority = MSG_PRIORITY_NORMAL,
			.validity_minutes = -1, .parts = 1, .origin = "spool",
		};
		enum outbox_add_result res;

		if (i == r->bad)
			return -EBADMSG;
		snprintf(num, sizeof(num), "+1555000%04d", i);
		if (add(&m, NULL, &res, ctx) < 0)
			return -EIO;
	}
	return 0;
}

static inline int accept_file(struct env *e, const char *name, const char *id,
		       const struct rcpts *r)
{
	struct store_accept req = {
		.name = name, .claim = name, .hash = "h", .idem_key = id,
		.campaign = "spring", .now = T0, .produce = produce,
		.produce_ud = (void *)r, .recipients = r->n,
	};
	struct wait w = { 0 };

	e->ops->accept(e->be, &req, NULL, on_done, &w);
	return env_wait(e, &w);
}

static inline int claim(struct env *e, int64_t sim_id, int64_t now,
		 struct outbox_msg *m)
{
	struct outbox_claim c = {
		.sim_id = sim_id, .pool = "default", .takes_unpooled = true,
		.allow_bulk = true, .quota_left = 100, .now = now,
		.sticky_cutoff = now - 3600000, .alone = true,
	};
	struct wait w = { 0 };

	e->ops->claim(e->be, &c, m, on_done, &w);
	return env_wait(e, &w);
}

static inline int record(struct env *e, const struct store_outcome *o)
{
	struct wait w = { 0 };

	e->ops->record(e->be, o, on_done, &w);
	return env_wait(e, &w);
}

#define BOTH(fn)                                                         \
	static void fn##_sqlite(void) { fn(false); }                     \
	static void fn##_postgresql(void) { fn(true); }

/* Registers fn on SQLite, and on PostgreSQL when SMSGW_PG_URL is set. */
#define REG(fn)                                                          \
	do {                                                             \
		harness_register(#fn "_sqlite", fn##_sqlite);            \
		if (getenv("SMSGW_PG_URL"))                              \
			harness_register(#fn "_postgresql",              \
					 fn##_postgresql);               \
	} while (0)

#endif
