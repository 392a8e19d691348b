/*
 * spool_priv — what spool.c (watching) and spool_accept.c (one file) share.
 */
#ifndef SMSGW_SPOOL_PRIV_H
#define SMSGW_SPOOL_PRIV_H

#include "loop.h"
#include "spool.h"

struct spool_name {
	struct spool_name *next;
	char name[];
};

struct spool {
	struct loop *loop;
	struct store *store;
	const struct config *cfg;
	struct sim_registry *reg;
	spool_accepted_fn accepted;
	void *accepted_ud;

	int outgoing_fd, active_fd, rejected_fd;
	int inotify_fd;
	struct loop_watch watch;
	struct loop_deferred work;
	struct loop_timer rescan;	/* files too fresh for the last scan */
	struct spool_name *head, *tail;	/* names to look at */
	unsigned claims;		/* makes every claim name new */
};

/* Claims outgoing/name and accepts or rejects it. Returns 1 when messages
 * were queued, 0 otherwise. */
int spool_take(struct spool *sp, const char *name);
/* A file found in active/ at start, by its claim name (name@time.n). */
void spool_recover(struct spool *sp, const char *claim);

#endif
