/*
 * retention — the daemon's housekeeping timer: prunes what the retention
 * section lets go (store_prune.h), gives the freed pages back with an
 * incremental vacuum and keeps the WAL short (issue 19).
 *
 * Work happens in batches of a few milliseconds between other events:
 * never while a message is in flight on any SIM (a batch waits for a gap,
 * at most RETENTION_MAX_WAIT_MS; a burst longer than that gets one batch
 * every RETENTION_BUSY_GAP_MS), the batch size adapts so that one batch
 * stays near RETENTION_BATCH_MS.
 */
#ifndef SMSGW_RETENTION_H
#define SMSGW_RETENTION_H

#include <stdint.h>

struct config;
struct loop;
struct sim_registry;
struct store;
struct retention;

#define RETENTION_BATCH_MS 5
#define RETENTION_MAX_WAIT_MS 30000
#define RETENTION_BUSY_GAP_MS 200

/* Starts the timer; the first round runs at once. 0 or -errno. */
int retention_new(struct loop *loop, struct store *store,
		  const struct config *cfg, const struct sim_registry *reg,
		  struct retention **out);
void retention_set_config(struct retention *r, const struct config *cfg);
void retention_free(struct retention *r);

#endif
