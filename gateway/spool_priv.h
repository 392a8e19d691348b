/*
 * spool_priv — what spool.c (watching) and spool_accept.c (one file) share.
 */
#ifndef SMSGW_SPOOL_PRIV_H
#define SMSGW_SPOOL_PRIV_H

#include "loop.h"
#include "spool.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct spool_name {
	struct spool_name *next;
	char name[];
};

/* Entries of outgoing/ we could not move and already reported. */
#define SPOOL_UNMOVABLE 32

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
	bool db_failed;			/* a file was left in active/ */
	struct loop_timer retry;	/* takes active/ again after that */
	int64_t retry_ms;		/* the current backoff */
	struct {
		dev_t dev;
		ino_t ino;
	} unmovable[SPOOL_UNMOVABLE];
	unsigned nunmovable;
};

/* Claims outgoing/name and accepts or rejects it. Returns 1 when messages
 * were queued, 0 otherwise. */
int spool_take(struct spool *sp, const char *name);
/* A file found in active/ at start, by its claim name (name@time.n). */
void spool_recover(struct spool *sp, const char *claim);

#endif
