/*
 * store_ops_stage — the SQLite backend of a big file's operations
 * (include/store_ops_stage.h, spool/spool_job.c): its rows kept by add()
 * and inserted many to a statement (store_staging_add()), the steps'
 * transactions, what a restart left.
 * The rest of the backend is store_ops.c.
 */
#include "store_ops_stage.h"
#include "store.h"
#include "store_ops_pg.h"
#include "store_ops_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The rows waiting, in one statement per STORE_STAGING_BATCH. */
static int store_ops_flush(struct store_ops_file *f)
{
	int rc = 0;

	if (f->nrows)
		rc = store_staging_add(f->st, f->file_id, &f->base, f->paused,
				       f->now, f->rows, f->nrows);
	f->nrows = 0;
	f->used = 0;
	return rc < 0 ? -EIO : 0;
}

/* A copy of s in the arena (it has room: store_ops_keep_row checked). */
static const char *store_ops_keep(struct store_ops_file *f, const char *s,
				  size_t len)
{
	char *d = f->arena + f->used;

	memcpy(d, s, len + 1);
	f->used += len + 1;
	return d;
}

/* stage_add's add: the row's fate now, its INSERT with the batch. */
int store_ops_keep_row(struct store_ops_file *f, const struct outbox_new *m,
		       enum outbox_add_result *res)
{
	size_t rlen = strlen(m->recipient), blen = strlen(m->body);
	size_t need = rlen + blen + 2;
	struct store_staging_row *row;
	int out = f->no_optouts ? 0 :
		  store_outbox_opted_out(f->st, m->origin, m->recipient);

	if (out < 0)
		return -EIO;
	*res = out ? OUTBOX_ADDED_SUPPRESSED
	       : f->paused || m->not_before > f->now ? OUTBOX_ADDED_DEFERRED
						     : OUTBOX_ADDED_QUEUED;
	if ((f->nrows == STORE_STAGING_BATCH || f->size - f->used < need) &&
	    store_ops_flush(f) < 0)
		return -EIO;
	if (f->size < need) {
		/* A text longer than the arena was sized for. */
		char *a = realloc(f->arena, need);

		if (!a)
			return -EIO;
		f->arena = a;
		f->size = need;
	}
	if (!f->nrows) {
		f->base = *m;
		f->base.campaign_id = f->campaign_id;
	}
	row = &f->rows[f->nrows++];
	row->recipient = store_ops_keep(f, m->recipient, rlen);
	row->body = store_ops_keep(f, m->body, blen);
	row->parts = m->parts;
	row->out = out;
	return 0;
}

void store_op_staging(struct store *st, const char *claim, int *state,
		      int64_t *file_id, store_done_fn done, void *ud)
{
	int64_t id;

	if (store_is_pg(st)) {
		store_ops_pg_staging(st, claim, state, file_id, done, ud);
		return;
	}
	*file_id = 0;
	*state = STORE_STAGING_NONE;
	if (claim) {
		*state = store_staging_of_claim(st, claim, file_id);
		store_ops_answer(done, *state < STORE_STAGING_NONE ? -EIO : 0,
				 ud);
		return;
	}
	id = store_staging_next_release(st);
	if (id > 0) {
		*file_id = id;
		*state = STORE_STAGING_RELEASING;
	}
	store_ops_answer(done, id < 0 ? -EIO : 0, ud);
}

/* ---- a big file in steps ---- */

/*
 * A step's commit waits for the disk only when asked (full): SQLite cannot
 * switch synchronous inside a transaction, so it is set before; the
 * daemon's other commits stay FULL (set back after). A step that finds the
 * loop turn's batch open (a claim or an SMS earlier in the turn) joins it
 * and commits with it, FULL: slower, never less durable. (Foreign keys
 * stay on: turning them off and on for each add step expired every
 * prepared statement, and the 64-row INSERT was parsed again each time,
 * for no gain measured against the lookups it saved.)
 */
static int store_ops_stage_begin_txn(struct store *st, bool full)
{
	if (!store_in_transaction(st))
		store_sync_full(st, full);
	if (store_begin(st) < 0) {
		if (!store_in_transaction(st))
			store_sync_full(st, true);
		return -EIO;
	}
	return 0;
}

static void store_ops_stage_end(struct store *st, int rc, store_done_fn done,
				void *ud)
{
	if (!store_in_transaction(st))
		store_sync_full(st, true);
	store_ops_answer(done, rc, ud);
}

void store_op_stage_begin(struct store *st, const struct store_accept *req,
			  struct store_staged *out, store_done_fn done,
			  void *ud)
{
	struct store_ops_file f;
	int rc;

	if (store_is_pg(st)) {
		store_ops_pg_stage_begin(st, req, out, done, ud);
		return;
	}
	rc = store_ops_stage_begin_txn(st, false);
	if (rc == 0) {
		rc = store_ops_file_begin(st, req, &f);
		if (rc == 0 &&
		    store_staging_set(st, f.file_id, STORE_STAGING_ADDING) < 0)
			rc = -EIO;
		rc = store_ops_txn(st, rc, 0);
		if (rc == 0)
			*out = (struct store_staged){
				.file_id = f.file_id,
				.campaign_id = f.campaign_id,
				.paused = f.paused };
	}
	store_ops_stage_end(st, rc, done, ud);
}

static int store_ops_resume_txn(struct store *st, int64_t file_id,
				const struct store_accept *req,
				struct store_staged *out)
{
	int hidden = store_staging_hidden(st, file_id);
	int64_t rows = store_staging_count(st, file_id);
	int last;

	if (hidden < 0 || rows < 0)
		return -EIO;
	*out = (struct store_staged){ .file_id = file_id, .rows = rows,
				      .hidden = hidden };
	last = store_staging_last(st, file_id, out->last, sizeof(out->last));
	if (last < 0)
		return -EIO;
	if (req->campaign &&
	    store_outbox_campaign(st, req->campaign, req->now,
				  &out->campaign_id, &out->paused) < 0)
		return -EIO;
	return 0;
}

void store_op_stage_resume(struct store *st, int64_t file_id,
			   const struct store_accept *req,
			   struct store_staged *out, store_done_fn done,
			   void *ud)
{
	int rc;

	if (store_is_pg(st)) {
		/* The PostgreSQL twin keeps a file's rows hidden until the
		 * accept (hold 'staging'; pg_ops.sql): a file cut short is
		 * purged and taken again, as before. */
		*out = (struct store_staged){ .file_id = file_id,
					      .hidden = true };
		store_ops_answer(done, 0, ud);
		return;
	}
	rc = store_ops_stage_begin_txn(st, false);
	if (rc == 0)
		rc = store_ops_txn(st, store_ops_resume_txn(st, file_id, req,
							    out), 0);
	store_ops_stage_end(st, rc, done, ud);
}

/* Bound per step: sized for the batch of a plain file; a longer text
 * grows it (store_ops_keep_row). */
#define STORE_OPS_ARENA (STORE_STAGING_BATCH * 256)

static int store_ops_stage_add_txn(struct store *st,
				   const struct store_accept *req,
				   struct store_ops_file *f)
{
	int v = store_staging_no_optouts(st), rc;

	if (v < 0)
		return -EIO;
	/* Inside the transaction, so it holds for its rows. */
	f->no_optouts = v;
	/* Paused while the file comes in: its later rows wait too. */
	if (f->campaign_id) {
		v = store_staging_campaign_paused(st, f->campaign_id);
		if (v < 0)
			return -EIO;
		f->paused = v;
	}
	rc = req->produce(store_ops_add, f, req->produce_ud);
	if (rc < 0)
		return rc == -EBADMSG ? rc : -EIO;
	return store_ops_flush(f);
}

void store_op_stage_add(struct store *st, const struct store_staged *s,
			const struct store_accept *req, store_done_fn done,
			void *ud)
{
	struct store_ops_file *f;
	int rc = -EIO;

	if (store_is_pg(st)) {
		store_ops_pg_stage_add(st, s, req, done, ud);
		return;
	}
	f = malloc(sizeof(*f));
	if (f) {
		*f = (struct store_ops_file){
			.st = st, .file_id = s->file_id,
			.campaign_id = s->campaign_id, .paused = s->paused,
			.now = req->now, .batch = true,
			.arena = malloc(STORE_OPS_ARENA),
			.size = STORE_OPS_ARENA };
		if (f->arena)
			rc = store_ops_stage_begin_txn(st, false);
		if (rc == 0)
			rc = store_ops_txn(st, store_ops_stage_add_txn(st, req,
								       f), 0);
		free(f->arena);
		free(f);
	}
	store_ops_stage_end(st, rc, done, ud);
}

void store_op_stage_accept(struct store *st, int64_t file_id,
			   long recipients, long duplicates,
			   store_done_fn done, void *ud)
{
	int rc;

	if (store_is_pg(st)) {
		store_ops_pg_stage_accept(st, file_id, recipients,
					  duplicates, done, ud);
		return;
	}
	/* FULL: it makes every row before it durable too. */
	rc = store_ops_stage_begin_txn(st, true);

	if (rc == 0) {
		if (store_outbox_file_done(st, file_id, recipients,
					   duplicates) < 0 ||
		    store_staging_set(st, file_id, STORE_STAGING_DONE) < 0)
			rc = -EIO;
		rc = store_ops_txn(st, rc, 0);
	}
	store_ops_stage_end(st, rc, done, ud);
}

void store_op_stage_release(struct store *st, int64_t file_id, int64_t now,
			    int rows, bool (*stop)(void *ud), int64_t *next,
			    store_done_fn done, void *ud)
{
	int n, rc;

	if (store_is_pg(st)) {
		store_ops_pg_stage_release(st, file_id, now, rows, stop,
					   next, done, ud);
		return;
	}
	rc = store_ops_stage_begin_txn(st, false);
	if (rc == 0) {
		do {
			n = store_staging_release(st, file_id, now, rows);
		} while (n > 0 && !stop(ud));
		if (n == 0 &&
		    store_staging_set(st, file_id, STORE_STAGING_DONE) < 0)
			n = -EIO;
		rc = store_ops_txn(st, n < 0 ? -EIO : n > 0, 1);
		/* Another one a restart left half released? */
		if (rc == 0)
			*next = store_staging_next_release(st);
		if (rc == 0 && *next < 0)
			*next = 0;
	}
	store_ops_stage_end(st, rc, done, ud);
}

void store_op_stage_purge(struct store *st, int64_t file_id, int rows,
			  bool (*stop)(void *ud), store_done_fn done, void *ud)
{
	int n = 1;

	if (store_is_pg(st)) {
		store_ops_pg_stage_purge(st, file_id, rows, stop, done, ud);
		return;
	}
	/* FULL: the file goes to rejected/ right after; no claim would be
	 * left to find rows a power cut brought back. */
	while (n > 0) {
		if (store_ops_stage_begin_txn(st, true) < 0) {
			n = -EIO;
			break;
		}
		n = store_staging_purge(st, file_id, rows);
		if (store_ops_txn(st, n < 0 ? -EIO : 0, 0) < 0)
			n = -EIO;
		if (n > 0 && stop(ud))
			break;
	}
	store_ops_stage_end(st, n < 0 ? -EIO : n > 0, done, ud);
}
