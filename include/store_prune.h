/*
 * store_prune — retention: removes finished rows older than the configured
 * ages in small batches, and keeps what they counted in daily_stats so that
 * smsgw stats and report give the same figures after pruning (issue 19).
 *
 * Rows still in flight (queued, deferred, sending, and sent messages whose
 * status report may still come) are never removed; opt-outs and the keyed
 * hashes of forgotten numbers are never removed.
 */
#ifndef SMSGW_STORE_PRUNE_H
#define SMSGW_STORE_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* Cut-offs in milliseconds since the epoch; 0: keep that kind for ever. */
struct store_prune_cut {
	int64_t messages;	/* created and last updated before this */
	int64_t sent_settled;	/* 'sent' rows: updated before this too */
	int64_t events;
	int64_t inbound;
	int64_t sticky;		/* sticky-SIM rows last used before this */
};

/* Where a pruning round stands between batches. */
struct store_prune_pos {
	int64_t msg_cursor;	/* message ids up to here were looked at */
	int64_t sticky_cursor;	/* sticky rowids up to here were looked at */
	bool messages_done, events_done, inbound_done, sticky_done;
	int64_t work_us, commit_us;	/* the last batch: its SQL, its commit */
};

/*
 * One batch: at most n rows of one kind, in one transaction. Returns the
 * rows removed (0 when the round is over: every kind done) or -EIO.
 */
int store_prune_batch(struct store *st, const struct store_prune_cut *cut,
		      struct store_prune_pos *pos, int n);

/*
 * Inside the caller's transaction: adds the messages whose ids are in
 * temp.prune_ids to daily_stats and deletes them with their parts,
 * attempts and status reports. Foreign keys must be off (the caller's
 * connection: store_prune_fk()). Returns 0 or -EIO.
 */
int store_prune_messages_in_set(struct store *st);
/* The same for inbound ids in temp.prune_ids (fragments, raw PDUs too). */
int store_prune_inbound_in_set(struct store *st);
/* Creates and empties temp.prune_ids. */
int store_prune_set_clear(struct store *st);
/* Turns the connection's foreign key checks on or off (outside a
 * transaction): deletes here keep the references straight themselves, and
 * with checks on every delete would scan tables that have no index on the
 * referring column. */
int store_prune_fk(struct store *st, bool on);

/* Gives freed pages back to the file system: at most pages of them. */
int store_prune_vacuum(struct store *st, int pages);
/* Pages on the free list. */
int64_t store_prune_freelist(struct store *st);
/* Resets the WAL if no reader is on an old snapshot (truncating it to
 * journal_size_limit), else checkpoints what it can; never waits for a
 * lock. For retention's idle moments. */
void store_prune_checkpoint(struct store *st);

#endif

/*
 * Databases made before schema v4 have auto_vacuum off, and turning it on
 * takes one VACUUM (a rewrite of the file). Done at daemon start, before
 * anything else uses the database, when there is room for the copy: 0
 * (done or not needed), -ENOSPC (logged; the daemon runs on without it) or
 * -EIO.
 */
int store_prune_enable_autovacuum(struct store *st, const char *path);

/* Sizes in bytes of the database file, its WAL (0 when there is none) and
 * the pages on its free list. */
struct store_sizes {
	int64_t db, wal, free;
};
void store_prune_sizes(struct store *st, struct store_sizes *out);
