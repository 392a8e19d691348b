/* store_daemon — is smsgwd running? See include/store_daemon.h. */
#include "store_daemon.h"
#include "store.h"
#include "store_pg.h"
#include "store_pgd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The boot id (a UUID) changes at every boot: a pid and start time from
 * an earlier boot say nothing about this one. */
static void store_daemon_boot_id(char *buf, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

int64_t store_daemon_start_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	long long ticks;
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* proc(5): "pid (comm) state ..."; comm may hold spaces and ')',
	 * so fields are counted from the last ')'. starttime is field 22. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* p: the space before field 3; each step moves to the next. */
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -1;
	}
	if (sscanf(p, " %lld", &ticks) != 1)
		return -1;
	return ticks;
}

int store_daemon_started(struct store *st, pid_t pid, int64_t now)
{
	sqlite3_stmt *s;
	char boot[64];

	/* PostgreSQL: this box's row, sent at the (next) connect. */
	if (store_is_pg(st)) {
		store_pgd_daemon(st, PG_STORE_DAEMON_START, (long)pid, now);
		return 0;
	}
	store_daemon_boot_id(boot, sizeof(boot));
	s = store_prepare(st, "INSERT OR REPLACE INTO daemon (id, pid, boot_id,"
			      " start_ticks, started_at, stopped_at,"
			      " heartbeat_at, version)"
			      " VALUES (1, ?1, ?2, ?3, ?4, NULL, ?4, ?5)");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, pid);
	sqlite3_bind_text(s, 2, boot, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, store_daemon_start_ticks(pid));
	sqlite3_bind_int64(s, 4, now);
	sqlite3_bind_text(s, 5, SMSGW_VERSION, -1, SQLITE_STATIC);
	return store_step_done(st, s);
}

int store_daemon_beat(struct store *st, int64_t now)
{
	sqlite3_stmt *s;

	if (store_is_pg(st)) {
		store_pgd_daemon(st, PG_STORE_DAEMON_BEAT, 0, now);
		return 0;
	}
	s = store_prepare(st, "UPDATE daemon SET heartbeat_at = ?1"
			      " WHERE id = 1");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	return store_step_done(st, s);
}

int store_daemon_stopped(struct store *st, int64_t now)
{
	sqlite3_stmt *s;

	if (store_is_pg(st)) {
		store_pgd_daemon(st, PG_STORE_DAEMON_STOP, 0, now);
		return 0;
	}
	s = store_prepare(st, "UPDATE daemon SET stopped_at = ?1"
			      " WHERE id = 1");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	return store_step_done(st, s);
}

enum store_daemon_state store_daemon_check(struct store *st, pid_t *pid)
{
	enum store_daemon_state state = STORE_DAEMON_NEVER;
	char boot[64];
	sqlite3_stmt *s;

	*pid = 0;
	if (sqlite3_prepare_v2(store_db(st), "SELECT pid, boot_id, start_ticks,"
			       " stopped_at IS NOT NULL FROM daemon WHERE id = 1",
			       -1, &s, NULL) != SQLITE_OK)
		return STORE_DAEMON_NEVER;	/* an older schema */
	if (sqlite3_step(s) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(s, 1);
		int64_t ticks = sqlite3_column_int64(s, 2);

		*pid = (pid_t)sqlite3_column_int64(s, 0);
		store_daemon_boot_id(boot, sizeof(boot));
		if (sqlite3_column_int(s, 3))
			state = STORE_DAEMON_STOPPED;
		else if (!b || strcmp(b, boot) != 0)
			state = STORE_DAEMON_GONE;	/* rebooted since */
		else if (store_daemon_start_ticks(*pid) == ticks && ticks >= 0)
			state = STORE_DAEMON_RUNNING;
		else if (store_daemon_start_ticks(1) < 0)
			state = STORE_DAEMON_UNKNOWN;	/* no /proc for us */
		else
			state = STORE_DAEMON_GONE;
	}
	sqlite3_finalize(s);
	return state;
}
