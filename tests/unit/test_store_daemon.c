/* store_daemon: the row that tells readers whether smsgwd runs, and the
 * sims view's "offline". */
#include "harness.h"
#include "store.h"
#include "store_tmp.h"
#include "store_daemon.h"
#include "clock.h"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *sim_state(struct store *st)
{
	static char buf[32];
	sqlite3_stmt *s;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_db(st), "SELECT state FROM sims", -1, &s,
			       NULL) != SQLITE_OK)
		return "(prepare failed)";
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

TEST(start_ticks_of_self_are_stable_and_of_a_gone_pid_unknown)
{
	int64_t a = store_daemon_start_ticks(getpid());
	pid_t child;
	int status;

	CHECK(a >= 0);
	CHECK_INT(store_daemon_start_ticks(getpid()), a);
	child = fork();
	if (child == 0)
		_exit(0);
	CHECK(child > 0);
	waitpid(child, &status, 0);
	CHECK_INT(store_daemon_start_ticks(child), -1);
}

TEST(row_says_never_running_stopped_and_gone)
{
	struct store *st = store_tmp_open("d.db", NULL, 0);
	pid_t pid, child;
	int status;

	if (!st)
		return;
	CHECK_INT(store_daemon_check(st, &pid), STORE_DAEMON_NEVER);
	CHECK_INT(pid, 0);
	CHECK_INT(sqlite3_exec(store_db(st), "INSERT INTO sim (modem, slot,"
			       " state, updated_at) VALUES ('m1', '1', 'ready',"
			       " 0)", NULL, NULL, NULL), SQLITE_OK);
	CHECK_STR(sim_state(st), "ready");

	CHECK_INT(store_daemon_started(st, getpid(), clock_now_ms()), 0);
	CHECK_INT(store_daemon_check(st, &pid), STORE_DAEMON_RUNNING);
	CHECK_INT(pid, getpid());
	CHECK_STR(sim_state(st), "ready");

	CHECK_INT(store_daemon_stopped(st, clock_now_ms()), 0);
	CHECK_INT(store_daemon_check(st, &pid), STORE_DAEMON_STOPPED);
	CHECK_INT(pid, getpid());	/* the recorded one */
	CHECK_STR(sim_state(st), "offline");

	/* A daemon that died without recording its stop (kill -9). */
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK_INT(store_daemon_started(st, child, clock_now_ms()), 0);
	CHECK_INT(store_daemon_check(st, &pid), STORE_DAEMON_RUNNING);
	CHECK_STR(sim_state(st), "ready");
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	CHECK_INT(store_daemon_check(st, &pid), STORE_DAEMON_GONE);
	CHECK_INT(pid, child);
	store_close(st);
}

TEST(a_reused_pid_is_not_the_daemon)
{
	struct store *st = store_tmp_open("r.db", NULL, 0);
	pid_t pid;

	if (!st)
		return;
	CHECK_INT(store_daemon_started(st, getpid(), clock_now_ms()), 0);
	/* Another process with our pid would have another start time. */
	CHECK_INT(sqlite3_exec(store_db(st), "UPDATE daemon SET start_ticks ="
			       " start_ticks + 1", NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(store_daemon_check(st, &pid), STORE_DAEMON_GONE);
	/* So would a record from before the last boot. */
	CHECK_INT(store_daemon_started(st, getpid(), clock_now_ms()), 0);
	CHECK_INT(sqlite3_exec(store_db(st), "UPDATE daemon SET boot_id = 'x'",
			       NULL, NULL, NULL), SQLITE_OK);
	CHECK_INT(store_daemon_check(st, &pid), STORE_DAEMON_GONE);
	store_close(st);
}

TEST(a_stale_heartbeat_reads_offline_in_the_view)
{
	struct store *st = store_tmp_open("h.db", NULL, 0);

	if (!st)
		return;
	CHECK_INT(sqlite3_exec(store_db(st), "INSERT INTO sim (modem, slot,"
			       " state, updated_at) VALUES ('m1', '1', 'ready',"
			       " 0)", NULL, NULL, NULL), SQLITE_OK);
	/* The view compares with the reader's clock, SQLite's 'now'; the
	 * beats here are written from that clock too. */
	CHECK_INT(sqlite3_exec(store_db(st), "INSERT INTO daemon (id, pid,"
			       " started_at, heartbeat_at) VALUES (1, 1, 0,"
			       " strftime('%s', 'now') * 1000 - 60000)", NULL,
			       NULL, NULL), SQLITE_OK);
	CHECK_STR(sim_state(st), "ready");
	CHECK_INT(sqlite3_exec(store_db(st), "UPDATE daemon SET heartbeat_at ="
			       " strftime('%s', 'now') * 1000 - 200000", NULL,
			       NULL, NULL), SQLITE_OK);
	CHECK_STR(sim_state(st), "offline");
	CHECK_INT(store_daemon_beat(st, clock_now_ms()), 0);
	CHECK_STR(sim_state(st), "ready");
	store_close(st);
}
