/*
 * test_pg_retention — a retention round on PostgreSQL (include/
 * pg_retention.h) from a box's loop, against a real server: finished old
 * rows go in batches, rolled up, in-flight ones stay; while another box
 * prunes, this one's round ends -EBUSY and changes nothing. Needs
 * SMSGW_PG_URL (tests/e2e/test_pg_cli.py runs it with PostgreSQL 15);
 * alone it says so as one skip.
 */
#include "pg_test.h"
#include "pg_retention.h"
#include "store_prune.h"

__attribute__((constructor)) static void need_server(void)
{
	url = getenv("SMSGW_PG_URL");
	if (!url) {
		printf("ok - pg_retention # SKIP needs SMSGW_PG_URL (run by "
		       "tests/e2e/test_pg_cli.py with PostgreSQL 15)\n");
		exit(0);
	}
}

struct round {
	bool done;
	int rc;
	int64_t removed;
};

static void on_round(int64_t removed, int rc, void *ud)
{
	struct round *r = ud;

	r->removed = removed;
	r->rc = rc;
	r->done = true;
}

/* 42 finished messages and 3 queued ones, all old; 5 old events. */
static void fill(struct pg_store *ps)
{
	reset(ps);
	/* These rows are written in their final states by hand, which no
	 * event of the table does; retention itself moves no state. */
	sql(ps, "DROP TRIGGER IF EXISTS test_seen_move ON message");
	sql(ps, "TRUNCATE daily_stats");
	sql(ps, "INSERT INTO message (created_at, recipient, body, kind, class,"
		" state, parts, updated_at) SELECT 1000 + g, '+1555' || g, 'x',"
		" 'bulk', 1, CASE WHEN g % 15 = 0 THEN 'queued' ELSE"
		" 'delivered' END, 1, 1000 + g FROM generate_series(1, 45) g");
	sql(ps, "INSERT INTO event (at, level, source, message)"
		" SELECT g, 'info', 't', 'e' FROM generate_series(1, 5) g");
}

TEST(a_round_prunes_old_finished_rows_in_batches)
{
	struct pg_store *ps = box("a", 60000, false);
	struct store_prune_cut cut = { .messages = T0, .sent_settled = T0,
				       .events = T0 };
	struct round r = { 0 };

	fill(ps);
	CHECK_INT(pg_retention_round(pg_store_conn(ps), &cut, 8, on_round, &r),
		  0);
	CHECK(turn_until(&r.done));
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.removed, 42 + 5);
	CHECK_INT(sql_int(ps, "SELECT count(*) FROM message"), 3);
	CHECK_INT(sql_int(ps, "SELECT count(*) FROM message WHERE state ="
			      " 'queued'"), 3);
	CHECK_INT(sql_int(ps, "SELECT sum(delivered) FROM daily_stats"), 42);
	CHECK_INT(sql_int(ps, "SELECT count(*) FROM event"), 0);
	pg_store_free(ps);
}

TEST(a_box_leaves_the_round_to_the_box_already_pruning)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct store_prune_cut cut = { .messages = T0, .sent_settled = T0 };
	struct round r = { 0 };

	fill(a);
	/* Box b is inside a batch: it holds the round's lock. */
	sql(b, "BEGIN; SELECT pg_advisory_xact_lock(1936548712)");
	CHECK_INT(pg_retention_round(pg_store_conn(a), &cut, 8, on_round, &r),
		  0);
	CHECK(turn_until(&r.done));
	CHECK_INT(r.rc, -EBUSY);
	CHECK_INT(r.removed, 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 45);
	sql(b, "COMMIT");
	memset(&r, 0, sizeof(r));
	CHECK_INT(pg_retention_round(pg_store_conn(a), &cut, 1000, on_round,
				     &r), 0);
	CHECK(turn_until(&r.done));
	CHECK_INT(r.rc, 0);
	CHECK_INT(r.removed, 42);
	pg_store_free(a);
	pg_store_free(b);
}
