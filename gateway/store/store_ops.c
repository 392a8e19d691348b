/*
 * store_ops — the SQLite backend of include/store_ops.h. Accepting a file
 * runs at once and calls done before it returns. Claims, sent records and
 * outcomes go in the loop turn's batch (group commit, store_batch_begin in
 * store.h): done runs once the turn's one commit is durable, so a pool's
 * modems answering in the same turn share one fsync. Without a loop they
 * too run at once.
 */
#include "store_ops.h"
#include "sim.h"
#include "store.h"
#include "store_ops_pg.h"
#include "store_ops_priv.h"
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- answers a turn later (tests: store_ops_answer_later) ---- */

struct store_ops_answer {
	struct store_ops_answer *next;
	store_done_fn done;
	void *ud;
	int rc;
};

static struct {
	struct loop *loop;
	struct loop_deferred run;
	struct store_ops_answer *head, **tail;
} store_ops_late;

void store_ops_answer_flush(void)
{
	struct store_ops_answer *a = store_ops_late.head;

	if (!store_ops_late.loop)
		return;
	/* Those queued by these answers go next turn. */
	store_ops_late.head = NULL;
	store_ops_late.tail = &store_ops_late.head;
	while (a) {
		struct store_ops_answer *next = a->next;

		a->done(a->rc, a->ud);
		free(a);
		a = next;
	}
	if (store_ops_late.head)
		loop_defer(&store_ops_late.run);
}

static void store_ops_late_run(struct loop_deferred *d, void *ud)
{
	(void)d;
	(void)ud;
	store_ops_answer_flush();
}

void store_ops_answer_later(struct loop *loop)
{
	if (store_ops_late.loop)
		loop_deferred_cancel(&store_ops_late.run);
	store_ops_late.loop = loop;
	if (!store_ops_late.head)
		store_ops_late.tail = &store_ops_late.head;
	if (loop)
		loop_deferred_init(loop, &store_ops_late.run,
				   store_ops_late_run, NULL);
}

bool store_ops_answers_later(void)
{
	return store_ops_late.loop != NULL;
}

/* done(rc, ud): at once, or from the loop in tests. */
void store_ops_answer(store_done_fn done, int rc, void *ud)
{
	struct store_ops_answer *a;

	if (!store_ops_late.loop || !(a = calloc(1, sizeof(*a)))) {
		done(rc, ud);
		return;
	}
	*a = (struct store_ops_answer){ .done = done, .ud = ud, .rc = rc };
	*store_ops_late.tail = a;
	store_ops_late.tail = &a->next;
	loop_defer(&store_ops_late.run);
}

/* An answer held until the turn's batch commits. */
struct store_ops_later {
	struct store_done d;
	store_done_fn done;
	void *ud;
	int rc;
	struct outbox_msg *clear;	/* claimed into: cleared if lost */
};

static void store_ops_later_cb(struct store_done *d, int rc)
{
	struct store_ops_later *l = d->ud;

	if (rc < 0) {
		if (l->clear && l->rc > 0)
			outbox_msg_clear(l->clear);
		l->done(-EIO, l->ud);
	} else {
		l->done(l->rc, l->ud);
	}
	free(l);
}

/* Ends the caller's level of the batch; done(rc) after the commit. */
static void store_ops_finish(struct store *st, int rc,
			     struct outbox_msg *clear, store_done_fn done,
			     void *ud)
{
	struct store_ops_later *l = calloc(1, sizeof(*l));

	if (!l) {
		/* No memory to wait: commit the batch now instead. */
		if (store_commit(st) < 0 || store_batch_flush(st) < 0) {
			if (clear && rc > 0)
				outbox_msg_clear(clear);
			rc = -EIO;
		}
		store_ops_answer(done, rc, ud);
		return;
	}
	*l = (struct store_ops_later){ .done = done, .ud = ud, .rc = rc,
				       .clear = clear };
	store_done_init(&l->d, store_ops_later_cb, l);
	if (store_batch_commit(st, &l->d) < 0) {
		if (clear && rc > 0)
			outbox_msg_clear(clear);
		free(l);
		store_ops_answer(done, -EIO, ud);
	}
}

int store_ops_add(const struct outbox_new *m, int64_t *id,
		  enum outbox_add_result *res, void *ctx)
{
	struct store_ops_file *f = ctx;
	struct outbox_new row = *m;

	if (f->batch && !id)
		return store_ops_keep_row(f, m, res);
	row.campaign_id = f->campaign_id;
	return store_outbox_add(f->st, f->file_id, &row, f->paused, f->now,
				id, res) < 0 ? -EIO : 0;
}

/* The file's row and its campaign: 0, 1 a duplicate, -EIO. */
int store_ops_file_begin(struct store *st, const struct store_accept *req,
			 struct store_ops_file *f)
{
	bool dup;

	*f = (struct store_ops_file){ .st = st, .now = req->now };
	if (store_outbox_file_begin(st, req->name, req->claim, req->hash,
				    req->idem_key, req->now, &f->file_id,
				    &dup) < 0)
		return -EIO;
	if (dup)
		return 1;
	if (req->campaign &&
	    store_outbox_campaign(st, req->campaign, req->now,
				  &f->campaign_id, &f->paused) < 0)
		return -EIO;
	return 0;
}

static int store_ops_accept_txn(struct store *st,
				const struct store_accept *req,
				int64_t *file_id)
{
	struct store_ops_file f;
	int rc = store_ops_file_begin(st, req, &f);

	if (rc == 1 && file_id)
		*file_id = f.file_id;	/* the earlier acceptance */
	if (rc != 0)
		return rc;
	rc = req->produce(store_ops_add, &f, req->produce_ud);
	if (rc < 0)
		return rc == -EBADMSG ? rc : -EIO;
	if (store_outbox_file_done(st, f.file_id, req->recipients,
				   req->duplicates) < 0 ||
	    (req->intake_seq > 0 &&
	     store_outbox_intake_done(st, req->intake_seq) < 0))
		return -EIO;
	if (file_id)
		*file_id = f.file_id;
	return 0;
}

/* Ends the transaction a step began: rolled back unless rc is 0 or keep
 * (then committed); rc, or -EIO when the commit fails. */
int store_ops_txn(struct store *st, int rc, int keep)
{
	if (rc != 0 && rc != keep) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st) < 0 ? -EIO : rc;
}

void store_op_accept(struct store *st, const struct store_accept *req,
		     int64_t *file_id, store_done_fn done, void *ud)
{
	int rc;

	if (store_is_pg(st)) {
		store_ops_pg_accept(st, req, file_id, done, ud);
		return;
	}
	rc = store_begin(st);
	if (rc == 0)
		rc = store_ops_txn(st, store_ops_accept_txn(st, req, file_id),
				   0);	/* a duplicate stores nothing */
	store_ops_answer(done, rc, ud);
}

void store_op_refuse(struct store *st, const struct store_refusal *r,
		     store_done_fn done, void *ud)
{
	int rc;

	if (store_is_pg(st)) {
		store_ops_pg_refuse(st, r, done, ud);
		return;
	}
	rc = store_begin(st);
	if (rc == 0) {
		rc = store_outbox_add_refused(st, r->recipient, r->body,
					      r->via, r->why, r->now) < 0 ||
		     (r->intake_seq > 0 &&
		      store_outbox_intake_done(st, r->intake_seq) < 0) ||
		     store_event(st, STORE_EVENT_WARNING, "sql",
				 "INSERT INTO %s (row %lld, %s) not queued: %s",
				 strcmp(r->via, "gammu") == 0 ? "gammu_outbox"
							      : "outbox",
				 (long long)r->intake_seq,
				 r->recipient ? r->recipient : "",
				 r->why) < 0 ? -EIO : 0;
		rc = store_ops_txn(st, rc, 0);
	}
	store_ops_answer(done, rc, ud);
}

void store_op_claim(struct store *st, const struct outbox_claim *c,
		    struct sim_registry *reg, struct sim *sim,
		    struct outbox_msg *out, store_done_fn done, void *ud)
{
	int rc;

	if (store_is_pg(st)) {
		store_ops_pg_claim(st, c, reg, sim, out, done, ud);
		return;
	}
	if (store_batch_begin(st) < 0) {
		store_ops_answer(done, -EIO, ud);
		return;
	}
	rc = store_outbox_claim(st, c, out);
	if (rc > 0 && sim)
		sim_update_at(reg, sim, c->now);
	/* The PDU goes out from done, once the claim is durable. */
	store_ops_finish(st, rc, out, done, ud);
}

void store_op_part_sent(struct store *st, const struct store_sent *req,
			store_done_fn done, void *ud)
{
	int rc = 0;

	if (store_is_pg(st)) {
		store_ops_pg_part_sent(st, req, done, ud);
		return;
	}
	if (store_batch_begin(st) < 0) {
		store_ops_answer(done, -EIO, ud);
		return;
	}
	/* A part row that cannot be written loses only that part's MR; the
	 * last part's "sent" is what must not be lost (it sets every part),
	 * so it is still recorded. */
	if ((store_outbox_part_sent(st, req->msg, req->sim_id,
				    req->usage_key, req->seq, req->mr,
				    req->now) < 0 && !req->last) ||
	    (req->last &&
	     store_outbox_sent(st, req->msg, req->sim_id, req->now) < 0)) {
		store_rollback(st);
		store_ops_answer(done, -EIO, ud);
		return;
	}
	if (req->last) {
		if (req->next)
			rc = store_outbox_claim(st, req->next, req->next_out);
		if (req->claimed)
			req->claimed(rc, ud);
		if (req->sim)
			sim_update_at(req->reg, req->sim, req->now);
	}
	/* "sent" to the world, the next part or message: from done, once
	 * the turn's commit is durable. */
	store_ops_finish(st, rc > 0 ? 1 : 0, req->last ? req->next_out : NULL,
			 done, ud);
}

void store_op_record(struct store *st, const struct store_outcome *o,
		     store_done_fn done, void *ud)
{
	int rc = -EINVAL;

	if (store_is_pg(st)) {
		store_ops_pg_record(st, o, done, ud);
		return;
	}
	/* A failure's rows share the turn's commit too. */
	if (store_batch_begin(st) < 0) {
		store_ops_answer(done, -EIO, ud);
		return;
	}
	switch (o->kind) {
	case STORE_OUTCOME_RETRY:
		rc = store_outbox_retry(st, o->msg, o->not_before,
					o->count_attempt, o->avoid_sim,
					o->avoid_until, o->error, o->now);
		break;
	case STORE_OUTCOME_FINAL:
		rc = store_outbox_fail(st, o->msg, o->event, o->error, o->now);
		break;
	case STORE_OUTCOME_UNKNOWN:
		rc = store_outbox_unknown(st, o->msg, o->resend, o->error,
					  o->now);
		break;
	}
	if (rc < 0) {
		store_rollback(st);
		store_ops_answer(done, rc, ud);
		return;
	}
	store_ops_finish(st, rc, NULL, done, ud);
}

/* ---- housekeeping ---- */

void store_op_report(struct store *st, const struct store_report *req,
		     int64_t *id, const char **state, store_done_fn done,
		     void *ud)
{
	int rc;

	if (store_is_pg(st)) {
		store_ops_pg_report(st, req, id, state, done, ud);
		return;
	}
	/* In the turn's batch: the modem acknowledges it from done. */
	if (store_batch_begin(st) < 0) {
		store_ops_answer(done, -EIO, ud);
		return;
	}
	rc = store_outbox_report(st, req->sim_id, req->mr, req->recipient,
				 req->status, req->now, req->window_ms,
				 req->pdu_hex, id, state);
	if (rc < 0) {
		store_rollback(st);
		store_ops_answer(done, -EIO, ud);
		return;
	}
	store_ops_finish(st, 0, NULL, done, ud);
}

void store_op_promote(struct store *st, int64_t now, int64_t *next_due,
		      store_done_fn done, void *ud)
{
	int rc;

	if (store_is_pg(st)) {
		store_ops_pg_promote(st, now, next_due, done, ud);
		return;
	}
	rc = store_begin(st);
	if (rc == 0) {
		/* Each is a statement over many rows; one that fails leaves
		 * the rows for the next pass, as before. */
		store_outbox_expire(st, now);
		store_outbox_promote(st, now);
		rc = store_commit(st) < 0 ? -EIO : 0;
	}
	*next_due = store_outbox_next_due(st);
	store_ops_answer(done, rc < 0 ? -EIO : 0, ud);
}

void store_op_defer_pool(struct store *st, const char *key, int64_t until,
			 const char *why, int64_t now, store_done_fn done,
			 void *ud)
{
	if (store_is_pg(st)) {
		store_ops_pg_defer_pool(st, key, until, why, now, done, ud);
		return;
	}
	store_ops_answer(done, store_outbox_defer_pool(st, key, until, why,
						       now), ud);
}

void store_op_campaign_set(struct store *st, int64_t id,
			   enum outbox_campaign_action a, int64_t now,
			   store_done_fn done, void *ud)
{
	if (store_is_pg(st)) {
		store_ops_pg_campaign_set(st, id, a, now, done, ud);
		return;
	}
	store_ops_answer(done, store_outbox_campaign_set(st, id, a, now),
			 ud);
}
