/*
 * store_ops_pg — the dispatch of include/store_ops.h to the PostgreSQL
 * twins; see store_ops_pg.h. Every answer comes later from the loop
 * (pg_conn), which the callers of store_ops.h are written for.
 */
#include "store_ops_pg.h"
#include "log.h"
#include "sim.h"
#include "store.h"
#include "store_pg.h"
#include "store_pgd.h"
#include "pg_conn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pg_store *store_ops_pg_backend(struct store *st, store_done_fn done,
				      void *ud)
{
	struct pg_store *ps = store_pg(st);

	if (!ps)
		store_ops_answer(done, -EIO, ud);	/* shutting down */
	return ps;
}

/* ---- the spool ---- */

void store_ops_pg_accept(struct store *st, const struct store_accept *req,
			 int64_t *file_id, store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_accept(ps, req, file_id, done, ud);
}

void store_ops_pg_refuse(struct store *st, const struct store_refusal *r,
			 store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_refuse(ps, r, done, ud);
}

/* A big file in steps (spool_job.c): this box's claims and files. */
void store_ops_pg_staging(struct store *st, const char *claim, int *state,
			  int64_t *file_id, store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_staging(ps, claim, state, file_id, done, ud);
}

void store_ops_pg_stage_begin(struct store *st,
			      const struct store_accept *req,
			      struct store_staged *f, store_done_fn done,
			      void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_stage_begin(ps, req, f, done, ud);
}

void store_ops_pg_stage_add(struct store *st, const struct store_staged *f,
			    const struct store_accept *req,
			    store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_stage_add(ps, f, req, done, ud);
}

void store_ops_pg_stage_accept(struct store *st, int64_t file_id,
			       long recipients, long duplicates,
			       store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_stage_accept(ps, file_id, recipients, duplicates,
					 done, ud);
}

void store_ops_pg_stage_release(struct store *st, int64_t file_id,
				int64_t now, int rows, bool (*stop)(void *ud),
				int64_t *next, store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_stage_release(ps, file_id, now, rows, stop, next,
					  done, ud);
}

void store_ops_pg_stage_purge(struct store *st, int64_t file_id, int rows,
			      bool (*stop)(void *ud), store_done_fn done,
			      void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_stage_purge(ps, file_id, rows, stop, done, ud);
}

void store_ops_pg_defer_pool(struct store *st, const char *key,
			     int64_t until, const char *why, int64_t now,
			     store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_defer_pool(ps, key, until, why, now, done, ud);
}

/* ---- the send path ---- */

/* The SIM's row after a claim or a sent record (SQLite writes it in the
 * same commit; here it follows, fire and forget). */
struct store_ops_pg_sim {
	store_done_fn done;
	void *ud;
	void (*claimed)(int rc, void *ud);
	struct sim_registry *reg;
	struct sim *sim;
	int64_t now;
	bool last;
};

static void store_ops_pg_claimed(int rc, void *ud)
{
	struct store_ops_pg_sim *w = ud;

	if (rc > 0 && w->sim)
		sim_update_at(w->reg, w->sim, w->now);
	w->done(rc, w->ud);
	free(w);
}

void store_ops_pg_claim(struct store *st, const struct outbox_claim *c,
			struct sim_registry *reg, struct sim *sim,
			struct outbox_msg *out, store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);
	struct store_ops_pg_sim *w;

	if (!ps)
		return;
	w = calloc(1, sizeof(*w));
	if (!w) {
		store_ops_answer(done, -EIO, ud);
		return;
	}
	*w = (struct store_ops_pg_sim){ .done = done, .ud = ud, .reg = reg,
					.sim = sim, .now = c->now };
	pg_store_op_claim(ps, c, out, store_ops_pg_claimed, w);
}

/* The next claim's result, to the caller's claimed with done's ud. */
static void store_ops_pg_next_claimed(int rc, void *ud)
{
	struct store_ops_pg_sim *w = ud;

	if (w->claimed)
		w->claimed(rc, w->ud);
}

static void store_ops_pg_sent(int rc, void *ud)
{
	struct store_ops_pg_sim *w = ud;

	if (rc >= 0 && w->sim)
		sim_update_at(w->reg, w->sim, w->now);
	w->done(rc, w->ud);
	free(w);
}

void store_ops_pg_part_sent(struct store *st, const struct store_sent *req,
			    store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);
	struct store_ops_pg_sim *w;
	struct store_sent r = *req;

	if (!ps)
		return;
	if (!req->last) {
		pg_store_op_part_sent(ps, req, done, ud);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		store_ops_answer(done, -EIO, ud);
		return;
	}
	*w = (struct store_ops_pg_sim){ .done = done, .ud = ud,
					.claimed = req->claimed,
					.reg = req->reg, .sim = req->sim,
					.now = req->now, .last = true };
	r.claimed = store_ops_pg_next_claimed;
	pg_store_op_part_sent(ps, &r, store_ops_pg_sent, w);
}

void store_ops_pg_record(struct store *st, const struct store_outcome *o,
			 store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_record(ps, o, done, ud);
}

/* ---- housekeeping ---- */

void store_ops_pg_campaign_set(struct store *st, int64_t id,
			       enum outbox_campaign_action a, int64_t now,
			       store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_campaign_set(ps, id, a, now, done, ud);
}

void store_ops_pg_report(struct store *st, const struct store_report *req,
			 int64_t *id, const char **state, store_done_fn done,
			 void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);

	if (ps)
		pg_store_op_report(ps, req->sim_id, req->mr, req->recipient,
				   req->status, req->now, req->window_ms,
				   req->pdu_hex, id, state, done, ud);
}

struct store_ops_pg_promote {
	store_done_fn done;
	void *ud;
	int64_t *next_due, now;
	int rc;
};

static void store_ops_pg_promoted(int rc, void *ud)
{
	struct store_ops_pg_promote *w = ud;

	w->rc = rc < 0 ? -EIO : 0;
}

/* The next due time: a deferred row's, an expiry, a lease that lapses. */
static void store_ops_pg_next_due(int rc, PGresult *res, const char *err,
				  void *ud)
{
	struct store_ops_pg_promote *w = ud;
	int64_t due = 0;

	if (rc == 0 && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		due = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	else if (rc < 0 && rc != -ENOTCONN)
		log_warn("postgresql: the next due time: %s",
			 err ? err : strerror(-rc));
	/* Rows it could not move (another box holds them; a lapsed lease
	 * of a message no SIM here takes) are looked at again in a while,
	 * not at once. */
	if (due && due <= w->now)
		due = w->now + STORE_PGD_PROMOTE_MS;
	/* What another box added later (a Send-At row, a claim whose box
	 * then died) is not in this answer; if that box is gone, nobody
	 * else would promote it: every box looks at least this often. */
	if (!due || due > w->now + STORE_PGD_LOOK_MS)
		due = w->now + STORE_PGD_LOOK_MS;
	*w->next_due = rc < 0 ? w->now + STORE_PGD_PROMOTE_MS : due;
	w->done(rc < 0 ? -EIO : w->rc, w->ud);
	free(w);
}

static void store_ops_pg_ignore(int rc, PGresult *res, const char *err,
				void *ud)
{
	(void)res;
	(void)ud;
	if (rc == -EIO)
		log_warn("postgresql: expiring leases: %s", err);
}

/*
 * smsgw_promote(), then lapsed leases of any box made unknown (or queued
 * again, waking every box), then the next time anything is due — three
 * statements back to back on the one connection, answered in order. No
 * box polls: a box's timer waits for exactly that time, and every
 * NOTIFY smsgw_queue makes it look again.
 */
void store_ops_pg_promote(struct store *st, int64_t now, int64_t *next_due,
			  store_done_fn done, void *ud)
{
	struct pg_store *ps = store_ops_pg_backend(st, done, ud);
	struct store_ops_pg_promote *w;
	char at[24], direct[2], bulk[2];
	const char *v[3] = { at, direct, bulk };

	*next_due = now + STORE_PGD_PROMOTE_MS;
	if (!ps)
		return;
	w = calloc(1, sizeof(*w));
	if (!w) {
		store_ops_answer(done, -EIO, ud);
		return;
	}
	*w = (struct store_ops_pg_promote){ .done = done, .ud = ud,
					    .next_due = next_due, .now = now };
	snprintf(at, sizeof(at), "%lld", (long long)now);
	store_pgd_resend(st, direct, bulk);
	pg_store_op_promote(ps, now, store_ops_pg_promoted, w);
	pg_conn_query(pg_store_conn(ps), "SELECT smsgw_expire_leases($1, $2,"
		      " $3)", 3, v, store_ops_pg_ignore, NULL);
	pg_conn_query(pg_store_conn(ps), "SELECT least((SELECT min(not_before)"
		      " FROM message WHERE state = 'deferred' AND hold IS NULL),"
		      " (SELECT min(expires_at) FROM message"
		      "  WHERE state IN ('queued', 'deferred')),"
		      " (SELECT min(lease_until) FROM message"
		      "  WHERE state = 'sending'))", 0, NULL,
		      store_ops_pg_next_due, w);
}
