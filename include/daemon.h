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
#include "sim.h"

/* In the spool directory: the lock that holds our pid. */
#define DAEMON_PIDFILE ".smsgwd.pid"

struct config;
struct control;
struct http;
struct webhook;
struct inbound;
struct loop;
struct modem;
struct outbound;
struct spool;
struct store;

struct daemon {
	const char *config_path;
	bool foreground;
	bool verbose;		/* -v: debug logging whatever the config says */
	struct loop *loop;
	struct config *cfg;
	struct store *store;
	int lock_fd;
	int exit_code;

	struct sim_registry reg;
	struct outbound *ob;
	struct inbound *ib;
	struct control *ctl;
	struct spool *spool;
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
