/*
 * daemon — smsgwd's composition root: owns the loop, the configuration and
 * the store, starts every subsystem and stops them in reverse order.
 */
#ifndef SMSGW_DAEMON_H
#define SMSGW_DAEMON_H

#include <stdbool.h>

struct config;
struct loop;
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
};

/*
 * Runs the daemon with an already loaded configuration (d->cfg) until
 * SIGTERM or SIGINT. Returns the process exit status. Takes ownership of
 * d->cfg.
 */
int daemon_run(struct daemon *d);

#endif
