/*
 * spool — the daemon's side of the spool directory (doc/contract.md §4):
 * outgoing/ watched with inotify, each file claimed by rename into
 * active/, parsed (spool_parse.h, two passes), its recipients committed to
 * the outbox in one transaction, and only then removed. A file that cannot
 * be accepted moves to rejected/ with <name>.reason beside it.
 *
 * Crash safety: a file is in outgoing/, in active/ (claimed, maybe already
 * committed), in rejected/, or gone after its commit. At start, active/ is
 * finished first: a file whose name and content hash were committed is
 * removed, any other is processed again; then outgoing/ is scanned. So a
 * crash at any point loses nothing and a restart never enqueues twice.
 */
#ifndef SMSGW_SPOOL_H
#define SMSGW_SPOOL_H

#include "spool_parse.h"
#include "store_outbox.h"

#include <stddef.h>
#include <stdint.h>

struct config;
struct loop;
struct sim_registry;
struct store;

struct spool;

#include <stdbool.h>
#include <stddef.h>

/* The spool's directories, each opened once (O_DIRECTORY|O_NOFOLLOW
 * relative to root) and checked to be a directory of the daemon's uid. */
struct spool_dirs {
	int root, outgoing, tmp, rejected, active;
};

void spool_dirs_init(struct spool_dirs *d);
/*
 * Opens (creating when asked) the spool root and its outgoing/, tmp/,
 * rejected/ and active/, and sets their modes (see spool_dirs.c). 0 or
 * -errno with err naming the directory and the problem; on failure
 * nothing stays open.
 */
int spool_dirs_open(const char *spool, bool create, struct spool_dirs *d,
		    char *err, size_t errsize);
/* The exclusive lock that keeps a second daemon off this spool: a lock on
 * active/, which only the daemon can open. 0 or -EWOULDBLOCK. */
int spool_dirs_lock(struct spool_dirs *d);
void spool_dirs_close(struct spool_dirs *d);

/* Called after files were accepted, so the scheduler looks again. */
typedef void (*spool_accepted_fn)(void *ud);

/* Called after a file went to rejected/: name as it was dropped, reason
 * as its .reason says (without the category). Strings are borrowed. */
typedef void (*spool_rejected_fn)(const char *name, const char *reason,
				  void *ud);

/* Starts watching the spool whose directories dirs holds (borrowed: the
 * spool keeps duplicates of the fds). Returns 0 or -errno. */
int spool_new(struct loop *loop, struct store *store, const struct config *cfg,
	      struct sim_registry *reg, const struct spool_dirs *dirs,
	      spool_accepted_fn accepted, void *ud, struct spool **out);
void spool_free(struct spool *sp);
void spool_set_rejected_listener(struct spool *sp, spool_rejected_fn fn,
				 void *ud);
/* SIGHUP: limits, numbers and pools of the new configuration. */
void spool_set_config(struct spool *sp, const struct config *cfg);

/* One outbox row that spool_accept_text() added, inside its transaction. */
typedef void (*spool_added_fn)(void *ud, int64_t id, const char *recipient,
			       enum outbox_add_result res);

/*
 * Text in the spool format taken in through the storage interface
 * (store_op_accept(), include/store_ops.h): the one acceptance of the
 * HTTP API (http_send.c) and of INSERT INTO outbox (sqlin.c). Pass 1
 * (parse, check, prepare) runs at once; the commit with pass 2 is the
 * store's, and done (exactly once, maybe before spool_accept_text()
 * returns) says how it went: rc 1 committed (added was called once per
 * row before the commit), 0 its Id: was accepted before (file_id: that
 * earlier acceptance), -1 refused (err says why, as a .reason file
 * would), -EIO or -ENOMEM.
 * Everything in req is copied.
 */
struct spool_text {
	const char *name;		/* spool_file.name: the API's, "sql:N" */
	const void *text;
	size_t len;
	const char *origin;		/* the rows' origin: "spool", "sql" */
	bool strict_headers;		/* refuse unknown headers */
	bool no_lines;			/* text we wrote: no "line N" */
	bool quiet;			/* no "accepted" event (sqlin logs) */
	int64_t intake_seq;		/* removed with the commit; 0: none */
	spool_added_fn added;		/* each row, inside the commit */
	void *added_ud;
};

typedef void (*spool_text_done_fn)(int rc, const struct spool_error *err,
				   int64_t file_id, void *ud);

void spool_accept_text(struct store *st, const struct config *cfg,
		       struct sim_registry *reg, const struct spool_text *req,
		       spool_text_done_fn done, void *ud);

#endif
