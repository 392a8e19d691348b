/* Group commit: outcomes of one loop turn share one transaction; what
 * waits on them runs after the commit; a plain transaction stays durable
 * at its own commit. */
#include "harness.h"
#include "loop.h"
#include "store.h"

#include <stdio.h>

static int commits;

static int count_commit(void *ud)
{
	(void)ud;
	commits++;
	return 0;
}

struct probe {
	struct store_done d;
	int runs, rc;
	long long seen;		/* rows a reader saw when it ran */
};

static sqlite3 *reader;

static long long rows(void)
{
	sqlite3_stmt *s;
	long long v = -1;

	if (sqlite3_prepare_v2(reader, "SELECT count(*) FROM t", -1, &s,
			       NULL) != SQLITE_OK)
		return -2;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void on_done(struct store_done *d, int rc)
{
	struct probe *p = d->ud;

	p->runs++;
	p->rc = rc;
	p->seen = rows();
}

static struct store *setup(struct loop **loop, bool attach)
{
	char path[512], err[256];
	struct store *st = NULL;
	static int n;

	snprintf(path, sizeof(path), "%s/batch%d.db", harness_tmpdir(), n++);
	if (!CHECK_INT(store_open(path, STORE_OPEN_CREATE, &st, err,
				  sizeof(err)), 0))
		return NULL;
	sqlite3_exec(store_db(st), "CREATE TABLE t(x)", NULL, NULL, NULL);
	sqlite3_commit_hook(store_db(st), count_commit, NULL);
	commits = 0;
	CHECK_INT(loop_new(loop), 0);
	if (attach)
		store_batch_attach(st, *loop);
	CHECK_INT(sqlite3_open(path, &reader), SQLITE_OK);
	return st;
}

static void insert(struct store *st, int x)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (%d)", x);
	sqlite3_exec(store_db(st), sql, NULL, NULL, NULL);
}

static void teardown(struct store *st, struct loop *loop)
{
	store_close(st);
	loop_free(loop);
	sqlite3_close(reader);
}

TEST(store_batch_one_commit_per_turn_and_done_after_it)
{
	struct loop *loop;
	struct store *st = setup(&loop, true);
	struct probe a = { 0 }, b = { 0 };

	if (!st)
		return;
	store_done_init(&a.d, on_done, &a);
	store_done_init(&b.d, on_done, &b);
	CHECK_INT(store_batch_begin(st), 0);
	insert(st, 1);
	CHECK_INT(store_batch_commit(st, &a.d), 0);
	CHECK_INT(store_batch_begin(st), 0);
	insert(st, 2);
	CHECK_INT(store_batch_commit(st, &b.d), 0);
	/* Nothing durable yet, nothing released. */
	CHECK_INT(rows(), 0);
	CHECK_INT(a.runs + b.runs, 0);
	CHECK_INT(commits, 0);
	CHECK(store_in_transaction(st));
	/* The end of the turn: one commit, then both, in order. */
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(commits, 1);
	CHECK_INT(a.runs, 1);
	CHECK_INT(b.runs, 1);
	CHECK_INT(a.rc, 0);
	CHECK_INT(a.seen, 2);
	CHECK_INT(b.seen, 2);
	CHECK(!store_in_transaction(st));
	teardown(st, loop);
}

TEST(store_batch_plain_commit_inside_is_durable_at_once)
{
	struct loop *loop;
	struct store *st = setup(&loop, true);
	struct probe a = { 0 };

	if (!st)
		return;
	store_done_init(&a.d, on_done, &a);
	CHECK_INT(store_batch_begin(st), 0);
	insert(st, 1);
	CHECK_INT(store_batch_commit(st, &a.d), 0);
	/* A plain transaction joins the batch and commits it with itself. */
	CHECK_INT(store_begin(st), 0);
	insert(st, 2);
	CHECK_INT(store_commit(st), 0);
	CHECK_INT(rows(), 2);
	CHECK_INT(commits, 1);
	/* What waited runs from the loop, not inside the caller's commit. */
	CHECK_INT(a.runs, 0);
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(a.runs, 1);
	CHECK_INT(a.rc, 0);
	CHECK_INT(commits, 1);
	teardown(st, loop);
}

TEST(store_batch_rollback_undoes_only_its_own_part)
{
	struct loop *loop;
	struct store *st = setup(&loop, true);
	struct probe a = { 0 };

	if (!st)
		return;
	store_done_init(&a.d, on_done, &a);
	CHECK_INT(store_batch_begin(st), 0);
	insert(st, 1);
	CHECK_INT(store_batch_commit(st, &a.d), 0);
	CHECK_INT(store_batch_begin(st), 0);
	insert(st, 2);
	store_rollback(st);
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(rows(), 1);
	CHECK_INT(a.runs, 1);
	CHECK_INT(a.seen, 1);
	teardown(st, loop);
}

TEST(store_batch_without_a_loop_is_a_plain_transaction)
{
	struct loop *loop;
	struct store *st = setup(&loop, false);
	struct probe a = { 0 };

	if (!st)
		return;
	store_done_init(&a.d, on_done, &a);
	CHECK_INT(store_batch_begin(st), 0);
	insert(st, 1);
	CHECK_INT(store_batch_commit(st, &a.d), 0);
	CHECK_INT(commits, 1);
	CHECK_INT(rows(), 1);
	CHECK_INT(a.runs, 1);
	CHECK_INT(a.seen, 1);
	teardown(st, loop);
}

TEST(store_batch_flush_at_close_runs_what_waits)
{
	struct loop *loop;
	struct store *st = setup(&loop, true);
	struct probe a = { 0 };

	if (!st)
		return;
	store_done_init(&a.d, on_done, &a);
	CHECK_INT(store_batch_begin(st), 0);
	insert(st, 7);
	CHECK_INT(store_batch_commit(st, &a.d), 0);
	CHECK_INT(store_batch_flush(st), 0);
	CHECK_INT(a.runs, 1);
	CHECK_INT(a.seen, 1);
	teardown(st, loop);
}
