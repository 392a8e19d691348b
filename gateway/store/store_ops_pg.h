/*
 * store_ops_pg — each store_op_*() of include/store_ops.h on a PostgreSQL
 * store (store_is_pg()): store_ops.c and store_ops_inbound.c forward here,
 * and this file calls the twin of gateway/store/pg/ (include/store_pg.h),
 * adapting the argument lists where they differ. Private to the store
 * layer.
 *
 * Every operation has its twin, an INSERT INTO outbox row's acceptance
 * too (pg_intake.sql).
 */
#ifndef SMSGW_STORE_OPS_PG_H
#define SMSGW_STORE_OPS_PG_H

#include "store_ops.h"

void store_ops_pg_accept(struct store *st, const struct store_accept *req,
			 int64_t *file_id, store_done_fn done, void *ud);
void store_ops_pg_refuse(struct store *st, const struct store_refusal *r,
			 store_done_fn done, void *ud);
void store_ops_pg_staging(struct store *st, const char *claim, int *state,
			  int64_t *file_id, store_done_fn done, void *ud);
void store_ops_pg_stage_begin(struct store *st,
			      const struct store_accept *req,
			      struct store_staged *f, store_done_fn done,
			      void *ud);
void store_ops_pg_stage_add(struct store *st, const struct store_staged *f,
			    const struct store_accept *req,
			    store_done_fn done, void *ud);
void store_ops_pg_stage_accept(struct store *st, int64_t file_id,
			       long recipients, long duplicates,
			       store_done_fn done, void *ud);
void store_ops_pg_stage_release(struct store *st, int64_t file_id,
				int64_t now, int rows, bool (*stop)(void *ud),
				int64_t *next, store_done_fn done, void *ud);
void store_ops_pg_stage_purge(struct store *st, int64_t file_id, int rows,
			      bool (*stop)(void *ud), store_done_fn done,
			      void *ud);
void store_ops_pg_claim(struct store *st, const struct outbox_claim *c,
			struct sim_registry *reg, struct sim *sim,
			struct outbox_msg *out, store_done_fn done, void *ud);
void store_ops_pg_part_sent(struct store *st, const struct store_sent *req,
			    store_done_fn done, void *ud);
void store_ops_pg_record(struct store *st, const struct store_outcome *o,
			 store_done_fn done, void *ud);
void store_ops_pg_report(struct store *st, const struct store_report *req,
			 int64_t *id, const char **state, store_done_fn done,
			 void *ud);
void store_ops_pg_promote(struct store *st, int64_t now, int64_t *next_due,
			  store_done_fn done, void *ud);
void store_ops_pg_campaign_set(struct store *st, int64_t id,
			       enum outbox_campaign_action a, int64_t now,
			       store_done_fn done, void *ud);
void store_ops_pg_defer_pool(struct store *st, const char *key,
			     int64_t until, const char *why, int64_t now,
			     store_done_fn done, void *ud);
void store_ops_pg_inbound(struct store *st, const struct store_inbound *req,
			  struct store_inbound_out *out, store_done_fn done,
			  void *ud);
void store_ops_pg_inbound_timeout(struct store *st,
				  const struct store_inbound_timeout *req,
				  struct store_inbound_out *out,
				  store_done_fn done, void *ud);

/* The backend, or NULL after done was answered -EIO (shut down). */
struct pg_store *store_ops_pg_backend(struct store *st, store_done_fn done,
				      void *ud);

#endif
