/*
 * store_daemon — the row by which a running smsgwd makes itself known to
 * every user who can read the database, whether or not that user may see
 * the spool (where the pid lock and the control socket live).
 *
 * The daemon writes its pid, the kernel's boot id and its own start time
 * (field 22 of /proc/PID/stat, in clock ticks since boot) when it starts,
 * and the time it stopped when it stops. A reader believes the daemon runs
 * when no stop was recorded and a process with that pid and that start time
 * exists in this boot: a crashed daemon (kill -9, power loss) or a pid that
 * was reused by another program reads as stopped.
 *
 * The sims view cannot look at /proc: it says "offline" once the stop is
 * recorded, or when the heartbeat the daemon writes every
 * STORE_DAEMON_BEAT_MS is older than STORE_DAEMON_STALE_S (a daemon killed
 * with -9, a power cut), compared with the reader's clock.
 */
#ifndef SMSGW_STORE_DAEMON_H
#define SMSGW_STORE_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct store;

#define STORE_DAEMON_BEAT_MS 60000
#define STORE_DAEMON_STALE_S "180"	/* SQL text: three beats missed */

/* This process's identity in the daemon row; 0 or -errno. */
int store_daemon_started(struct store *st, pid_t pid, int64_t now);
/* The heartbeat; 0 or -errno. */
int store_daemon_beat(struct store *st, int64_t now);
/* Records the stop; 0 or -errno. */
int store_daemon_stopped(struct store *st, int64_t now);

enum store_daemon_state {
	STORE_DAEMON_NEVER,	/* no daemon ever wrote the row */
	STORE_DAEMON_STOPPED,	/* it recorded its stop */
	STORE_DAEMON_GONE,	/* no stop recorded, but the process is gone */
	STORE_DAEMON_RUNNING,
	STORE_DAEMON_UNKNOWN,	/* /proc does not show it (hidepid) */
};

/* What the row and /proc say; *pid gets the recorded pid (0: no row).
 * Only STORE_DAEMON_RUNNING means that pid is smsgwd now. */
enum store_daemon_state store_daemon_check(struct store *st, pid_t *pid);

/* The process's start time in clock ticks since boot, from
 * /proc/PID/stat; -1 when it cannot be read. */
int64_t store_daemon_start_ticks(pid_t pid);

#endif
