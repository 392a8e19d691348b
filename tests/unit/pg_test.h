/*
 * pg_test — what the PostgreSQL store tests share (test_pg_store*.c): a
 * loop, boxes (each a pg_store with its own connection) on the server of
 * SMSGW_PG_URL, SQL on the side, a spool file's producer and the queue's
 * steps answered through the loop.
 */
#ifndef SMSGW_TEST_PG_TEST_H
#define SMSGW_TEST_PG_TEST_H

#include "harness.h"
#include "msg_state_check.h"
#include "clock.h"
#include "loop.h"
#include "pg_conn.h"
#include "store_pg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct loop *loop;
static const char *url;

#define T0 1764720000000LL	/* a fixed now; the lease arithmetic uses it */

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

/* Turns the loop until *flag or 15 s. */
static inline bool turn_until(const bool *flag)
{
	int64_t end = loop_clock_ms() + 15000;

	while (!*flag && loop_clock_ms() < end)
		loop_run_once(loop, 50);
	return *flag;
}

static inline int wait_rc(struct wait *w)
{
	return turn_until(&w->done) ? w->rc : -ETIMEDOUT;
}

static inline void free_loop(void)
{
	loop_free(loop);
}

static inline struct pg_store *box(const char *name, int64_t lease_ms, bool resend)
{
	struct pg_store_options o = { .box = name, .lease_ms = lease_ms,
				      .resend_direct = resend,
				      .resend_bulk = resend };
	struct pg_store *ps = NULL;
	char err[256];
	int64_t end;

	if (!loop) {
		CHECK_INT(loop_new(&loop), 0);
		atexit(free_loop);
	}
	CHECK_INT(pg_store_new(loop, url, &o, &ps, err, sizeof(err)), 0);
	end = loop_clock_ms() + 15000;
	while (!pg_conn_ready(pg_store_conn(ps)) && loop_clock_ms() < end)
		loop_run_once(loop, 50);
	CHECK(pg_conn_ready(pg_store_conn(ps)));
	return ps;
}

struct sqlres {
	bool done;
	int rc;
	char value[256];
};

static inline void on_sql(int rc, PGresult *res, const char *err, void *ud)
{
	struct sqlres *r = ud;

	r->rc = rc;
	if (rc == 0 && PQntuples(res) > 0 && PQnfields(res) > 0)
		snprintf(r->value, sizeof(r->value), "%s",
			 PQgetvalue(res, 0, 0));
	else if (rc)
		snprintf(r->value, sizeof(r->value), "%s", err ? err : "");
	r->done = true;
}

/* The first value of sql's first row, as text ("" none). */
static inline const char *sql(struct pg_store *ps, const char *q)
{
	static struct sqlres r;

	memset(&r, 0, sizeof(r));
	pg_conn_query(pg_store_conn(ps), q, -1, NULL, on_sql, &r);
	if (!turn_until(&r.done) || r.rc)
		harness_fail(__FILE__, __LINE__, "%s: %s", q, r.value);
	return r.value;
}

static inline long sql_int(struct pg_store *ps, const char *q)
{
	return strtol(sql(ps, q), NULL, 10);
}

static inline void reset(struct pg_store *ps)
{
	sql(ps, "TRUNCATE message, attempt, part, spool_file, campaign,"
		" optout, inbound, sim_usage, sticky, sim, event, raw_pdu,"
		" inbound_part, forgotten, daemon"
		" RESTART IDENTITY CASCADE");
	msg_state_record_pg(url);
}

/* After every test: each state change it caused on the server is one of
 * the transition table's (include/msg_state.h), as on SQLite. */
static inline void pg_test_moves_checked(void)
{
	if (url)
		msg_state_check_pg(url);
}

__attribute__((constructor)) static void pg_test_moves_hook(void)
{
	harness_after_each = pg_test_moves_checked;
}

static inline int64_t sim(struct pg_store *ps, const char *modem)
{
	struct wait w = { 0 };
	int64_t id = 0;

	pg_store_op_sim(ps, modem, "1", "default", "ready", T0, &id, on_done,
			&w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK(id > 0);
	return id;
}

/* A spool file of n messages to +1555000nnnn (or all to one number). */
struct file {
	int n;
	const char *to;
	int64_t not_before;
	int64_t pin_sim_id;
	const char *campaign;
};

static inline int produce(store_add_fn add,
		   void *ctx, void *ud)
{
	const struct file *f = ud;

	for (int i = 0; i < f->n; i++) {
		char to[32];
		struct outbox_new m = {
			.recipient = to, .body = "hello", .kind = MSG_KIND_DIRECT,
			.priority = MSG_PRIORITY_NORMAL, .parts = 1,
			.validity_minutes = -1, .origin = "spool",
			.not_before = f->not_before,
			.pin_sim_id = f->pin_sim_id,
		};
		enum outbox_add_result res;

		if (f->to)
			snprintf(to, sizeof(to), "%s", f->to);
		else
			snprintf(to, sizeof(to), "+1555000%04d", i);
		if (add(&m, NULL, &res, ctx) < 0)
			return -EIO;
	}
	return 0;
}

static inline int accept_file(struct pg_store *ps, const char *name,
		       const char *idem, const struct file *f)
{
	struct store_accept req = {
		.name = name, .claim = name, .hash = "h", .idem_key = idem,
		.now = T0, .produce = produce, .produce_ud = (void *)f,
		.recipients = f->n, .campaign = f->campaign,
	};
	struct wait w = { 0 };

	pg_store_op_accept(ps, &req, NULL, on_done, &w);
	CHECK(!w.done);		/* answered from the loop, never at once */
	return wait_rc(&w);
}

static inline struct outbox_claim claim_for(int64_t sim_id, int64_t now)
{
	return (struct outbox_claim){
		.sim_id = sim_id, .pool = "default", .takes_unpooled = true,
		.allow_bulk = true, .quota_left = 1000, .now = now,
	};
}

static inline int claim(struct pg_store *ps, int64_t sim_id, int64_t now,
		 struct outbox_msg *out)
{
	struct outbox_claim c = claim_for(sim_id, now);
	struct wait w = { 0 };

	pg_store_op_claim(ps, &c, out, on_done, &w);
	return wait_rc(&w);
}

static inline int sent(struct pg_store *ps, const struct outbox_msg *m,
		int64_t sim_id, int64_t now)
{
	struct store_sent req = { .msg = m, .sim_id = sim_id,
				  .usage_key = "sim:x", .seq = 1, .mr = 7,
				  .last = true, .now = now };
	struct wait w = { 0 };

	pg_store_op_part_sent(ps, &req, on_done, &w);
	return wait_rc(&w);
}

static inline int record(struct pg_store *ps, const struct outbox_msg *m,
		  enum store_outcome_kind kind, int64_t now)
{
	struct store_outcome o = { .kind = kind, .msg = m, .error = "boom",
				   .now = now, .not_before = now,
				   .count_attempt = true,
				   .event = MSG_EVENT_FAIL };
	struct wait w = { 0 };

	pg_store_op_record(ps, &o, on_done, &w);
	return wait_rc(&w);
}


#endif
