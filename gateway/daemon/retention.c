/*
 * retention — pruning rounds, incremental vacuum and WAL checkpoints on
 * the daemon's loop; see include/retention.h.
 */
#include "retention.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "pg_retention.h"
#include "sim.h"
#include "store.h"
#include "store_pg.h"
#include "store_prune.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define BATCH_MIN 16
#define BATCH_MAX 2000
/* Pages one incremental vacuum step frees: a few ms of I/O. */
#define VACUUM_STEP 256
/* How often the WAL is checked while no round runs. */
#define CHECKPOINT_EVERY_MS 60000

enum retention_phase {
	RETENTION_IDLE,
	RETENTION_PRUNE,
	RETENTION_VACUUM,
	RETENTION_PG,		/* a round on PostgreSQL, answered later */
};

/* What a PostgreSQL round answers to: the retention, or NULL once it was
 * freed (the round ends later, from the loop). */
struct retention_pg_token {
	struct retention *r;
};

struct retention {
	struct loop *loop;
	struct store *store;
	const struct config *cfg;
	const struct sim_registry *reg;
	struct loop_timer timer;
	enum retention_phase phase;
	struct store_prune_cut cut;
	struct store_prune_pos pos;
	int batch;		/* rows per batch, adapted to RETENTION_BATCH_MS */
	int64_t waiting_since;	/* monotonic ms a batch began to wait, or 0 */
	int64_t next_round;	/* monotonic ms */
	int64_t removed;	/* rows removed in this round */
	int batches;		/* …in this many batches… */
	int64_t longest;	/* …the longest of which took this many ms */
	int64_t last_free;	/* free pages before the last vacuum step */
	/* Batch times of the round in µs (SQL, then commit), for the log. */
	int64_t work_max, commit_max, work_sum, commit_sum;
	struct retention_pg_token *pg_round;	/* in flight, or NULL */
};

static bool retention_burst_running(const struct retention *r)
{
	for (size_t i = 0; i < r->reg->nsims; i++)
		if (r->reg->sims[i].sending)
			return true;
	return false;
}

static void retention_start_round(struct retention *r)
{
	const struct config_retention *c = &r->cfg->retention;
	int64_t now = store_now_ms();

	r->cut = (struct store_prune_cut){
		.messages = c->messages_ms ? now - c->messages_ms : 0,
		.events = c->events_ms ? now - c->events_ms : 0,
		.inbound = c->inbound_ms ? now - c->inbound_ms : 0,
	};
	/* Sticky rows past sticky_ttl are dead weight; pruned along with
	 * the messages that made them. */
	if (c->messages_ms && r->cfg->sticky_ttl_ms)
		r->cut.sticky = now - r->cfg->sticky_ttl_ms;
	/* A sent message may still get its status report. */
	r->cut.sent_settled = now - r->cfg->report_window_ms;
	if (r->cut.sent_settled > r->cut.messages)
		r->cut.sent_settled = r->cut.messages;
	r->pos = (struct store_prune_pos){ 0 };
	r->removed = 0;
	r->batches = 0;
	r->longest = 0;
	r->work_max = r->commit_max = r->work_sum = r->commit_sum = 0;
	r->phase = RETENTION_PRUNE;
}

static void retention_adapt(struct retention *r, int64_t took)
{
	if (took > 2 * RETENTION_BATCH_MS && r->batch > BATCH_MIN)
		r->batch /= 2;
	else if (took < RETENTION_BATCH_MS / 2 && r->batch < BATCH_MAX)
		r->batch *= 2;
}

static int64_t retention_step(struct retention *r, int64_t now)
{
	int64_t t0;
	int rc;

	if (r->phase == RETENTION_VACUUM) {
		int64_t free_pages = store_prune_freelist(r->store);

		/* Done, or no auto-vacuum (the conversion lacked room): the
		 * free list does not shrink. */
		if (free_pages == 0 || free_pages == r->last_free ||
		    store_prune_vacuum(r->store, VACUUM_STEP) < 0) {
			store_prune_checkpoint(r->store);
			r->phase = RETENTION_IDLE;
			return 0;
		}
		r->last_free = free_pages;
		return 10;
	}
	t0 = loop_clock_ms();
	rc = store_prune_batch(r->store, &r->cut, &r->pos, r->batch);
	t0 = loop_clock_ms() - t0;
	retention_adapt(r, t0);
	r->batches++;
	if (t0 > r->longest)
		r->longest = t0;
	r->work_sum += r->pos.work_us;
	r->commit_sum += r->pos.commit_us;
	if (r->pos.work_us > r->work_max)
		r->work_max = r->pos.work_us;
	if (r->pos.commit_us > r->commit_max)
		r->commit_max = r->pos.commit_us;
	if (rc > 0) {
		r->removed += rc;
		return 10;
	}
	if (r->removed)
		log_info("retention: %lld rows removed in %d batches, the longest "
			 "%lld ms (SQL mean %lld us, max %lld us; commit mean %lld "
			 "us, max %lld us)", (long long)r->removed, r->batches,
			 (long long)r->longest,
			 (long long)(r->work_sum / r->batches),
			 (long long)r->work_max,
			 (long long)(r->commit_sum / r->batches),
			 (long long)r->commit_max);
	(void)now;
	r->phase = RETENTION_VACUUM;
	r->last_free = -1;
	return 10;
}

/* PostgreSQL: the round is the database's (smsgw_prune(), one box at a
 * time, include/pg_retention.h); no vacuum or checkpoint of ours. */
static void retention_pg_done(int64_t removed, int rc, void *ud)
{
	struct retention_pg_token *tok = ud;
	struct retention *r = tok->r;

	free(tok);
	if (!r)
		return;
	r->pg_round = NULL;
	if (removed > 0)
		log_info("retention: %lld rows removed", (long long)removed);
	if (rc == -EBUSY)
		log_info("retention: another box is pruning; this one waits "
			 "for its next round");
	else if (rc < 0)
		log_warn("retention: the round stopped: %s", strerror(-rc));
	r->phase = RETENTION_IDLE;
	loop_timer_arm(&r->timer, 0);
}

static int64_t retention_pg_step(struct retention *r)
{
	struct retention_pg_token *tok;

	if (r->phase == RETENTION_PG)
		return RETENTION_MAX_WAIT_MS;
	tok = calloc(1, sizeof(*tok));
	if (!tok || pg_retention_round(pg_store_conn(store_pg(r->store)),
				       &r->cut, 500, retention_pg_done,
				       tok) < 0) {
		free(tok);
		r->phase = RETENTION_IDLE;
		return r->next_round - loop_clock_ms();
	}
	tok->r = r;
	r->pg_round = tok;
	r->phase = RETENTION_PG;
	return RETENTION_MAX_WAIT_MS;
}

/* Checkpoints every minute, or every round when rounds come faster. */
static int64_t retention_checkpoint_every(const struct retention *r)
{
	int64_t i = r->cfg->retention.interval_ms;

	return i > 0 && i < CHECKPOINT_EVERY_MS ? i : CHECKPOINT_EVERY_MS;
}

static int64_t retention_on_timer(struct loop_timer *t, void *ud)
{
	struct retention *r = ud;
	int64_t now = loop_clock_ms();
	int64_t next;
	bool busy;

	if (r->phase == RETENTION_IDLE) {
		if (now < r->next_round) {
			int64_t every = retention_checkpoint_every(r);

			if (!store_is_pg(r->store))
				store_prune_checkpoint(r->store);
			return r->next_round - now < every
				       ? r->next_round - now : every;
		}
		r->next_round = now + r->cfg->retention.interval_ms;
		retention_start_round(r);
	}
	(void)t;
	/* Sends first: wait for a gap between them, but not for ever. A
	 * burst that lasts longer gets one batch every RETENTION_BUSY_GAP_MS
	 * (a few ms in 200), so the database cannot outgrow its retention
	 * under sustained traffic. */
	busy = retention_burst_running(r);
	if (busy) {
		if (!r->waiting_since)
			r->waiting_since = now;
		if (now - r->waiting_since < RETENTION_MAX_WAIT_MS)
			return RETENTION_BUSY_GAP_MS;
	} else {
		r->waiting_since = 0;
	}
	if (store_is_pg(r->store))
		return retention_pg_step(r);
	next = retention_step(r, now);
	if (busy && next < RETENTION_BUSY_GAP_MS)
		next = RETENTION_BUSY_GAP_MS;
	if (r->phase == RETENTION_IDLE) {
		next = r->next_round - loop_clock_ms();
		if (next > retention_checkpoint_every(r))
			next = retention_checkpoint_every(r);
		if (next < 0)
			next = 0;
	}
	return next;
}

int retention_new(struct loop *loop, struct store *store,
		  const struct config *cfg, const struct sim_registry *reg,
		  struct retention **out)
{
	struct retention *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->loop = loop;
	r->store = store;
	r->cfg = cfg;
	r->reg = reg;
	r->batch = 128;
	r->next_round = loop_clock_ms();
	loop_timer_init(loop, &r->timer, retention_on_timer, r);
	loop_timer_arm(&r->timer, 0);
	*out = r;
	return 0;
}

void retention_set_config(struct retention *r, const struct config *cfg)
{
	int64_t now = loop_clock_ms();

	r->cfg = cfg;
	/* New ages apply at once; a shorter interval too. */
	if (r->phase == RETENTION_IDLE) {
		r->next_round = now;
		loop_timer_arm(&r->timer, 0);
	}
}

void retention_free(struct retention *r)
{
	if (!r)
		return;
	if (r->pg_round)
		r->pg_round->r = NULL;
	loop_timer_disarm(&r->timer);
	free(r);
}
