/*
 * daemon — smsgwd's composition root: owns the loop, the configuration and
 * the store, starts every subsystem and stops them in reverse order.
 */
#ifndef SMSGW_DAEMON_H
#define SMSGW_DAEMON_H

#include <stdbool.h>
#include <stddef.h>

#include "clockstep.h"
#include "hook_bridge.h"
#include "loop.h"
#include "sim.h"
#include "spool.h"

/* Beside the database: <database>.lock keeps a second daemon off it
 * (0600); <database>.pid holds our pid under a shared lock (0644). */
#define DAEMON_LOCKFILE_SUFFIX ".lock"
#define DAEMON_PIDFILE_SUFFIX ".pid"

struct config;
struct control;
struct http;
struct webhook;
struct inbound;
struct loop;
struct modem;
struct outbound;
struct retention;
struct spool;
struct store;

struct daemon {
	const char *config_path;
	bool foreground;
	bool verbose;		/* -v: debug logging whatever the config says */
	bool new_database;	/* -N: an empty database file may be filled */
	struct loop *loop;
	struct config *cfg;
	struct store *store;
	int lock_fd;		/* <database>.lock */
	int pid_fd;		/* <database>.pid */
	struct loop_timer watchdog;	/* WATCHDOG=1 to systemd */
	int64_t watchdog_ms;		/* $WATCHDOG_USEC in ms, 0: none */
	struct spool_dirs dirs;	/* held from start to stop; active/ locked */
	int exit_code;
	bool started;		/* wrote the daemon row: records the stop */
	struct loop_timer beat;	/* the daemon row's heartbeat */

	struct sim_registry reg;
	struct outbound *ob;
	struct inbound *ib;
	struct control *ctl;
	struct spool *spool;
	struct retention *ret;	/* pruning, vacuum, checkpoints */
	struct hook_bridge hooks;
	struct eventhandler *eh;	/* smstools3 eventhandler, runonreceive */
	struct sqlin *sqlin;		/* INSERT INTO outbox */
	struct clockstep clockstep;	/* wall-clock steps */
	struct modem **modems;	/* one per config modem section */
	size_t nmodems;
	struct webhook *webhooks;
	struct http *http;	/* NULL without an http section */
};

/*
 * Runs the daemon with an already loaded configuration (d->cfg) until
 * SIGTERM or SIGINT. Returns the process exit status. Takes ownership of
 * d->cfg.
 */
int daemon_run(struct daemon *d);

#endif
