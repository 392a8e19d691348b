/*
 * pg_retention — retention on a shared PostgreSQL database (doc/
 * postgresql.md, "Retention"): the daemon's retention timer (gateway/
 * daemon/retention.c) runs a round with its configured ages, as on
 * SQLite, and smsgw_prune() (gateway/store/pg/pg_cli.sql) removes one
 * batch a transaction, rolled up into daily_stats first, with the rules
 * of store_prune.c. One box prunes at a time: a box whose batch finds
 * another box's running ends its round with -EBUSY and tries at its next
 * round. No vacuum or checkpoint: PostgreSQL's autovacuum reuses the
 * space.
 */
#ifndef SMSGW_PG_RETENTION_H
#define SMSGW_PG_RETENTION_H

#include <stdint.h>

struct pg_conn;
struct store_prune_cut;		/* include/store_prune.h */

/* removed: rows gone in the round; rc 0 (the round is over), -EBUSY
 * (another box prunes), or the connection's error. */
typedef void (*pg_retention_done_fn)(int64_t removed, int rc, void *ud);

/*
 * Starts a round over c: batches of at most batch rows of each kind, one
 * after the other from the loop (never blocking it), until every kind is
 * done; then done. cut as store_prune_batch() takes it (0: keep that
 * kind). 0, or -ENOMEM (done is not called).
 */
int pg_retention_round(struct pg_conn *c, const struct store_prune_cut *cut,
		       int batch, pg_retention_done_fn done, void *ud);

#endif
