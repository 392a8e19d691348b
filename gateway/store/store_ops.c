/*
 * store_ops — the SQLite backend of include/store_ops.h: every operation
 * runs at once and calls done before it returns.
 */
#include "store_ops.h"
#include "sim.h"
#include "store.h"

#include <errno.h>

/* What add() of a file being accepted needs. */
struct store_ops_file {
	struct store *st;
	int64_t file_id, campaign_id, now;
	bool paused;
};

static int store_ops_add(const struct outbox_new *m,
			 enum outbox_add_result *res, void *ctx)
{
	struct store_ops_file *f = ctx;
	struct outbox_new row = *m;

	row.campaign_id = f->campaign_id;
	return store_outbox_add(f->st, f->file_id, &row, f->paused, f->now,
				NULL, res) < 0 ? -EIO : 0;
}

static int store_ops_accept_txn(struct store *st,
				const struct store_accept *req)
{
	struct store_ops_file f = { .st = st, .now = req->now };
	bool dup;
	int rc;

	if (store_outbox_file_begin(st, req->name, req->claim, req->hash,
				    req->idem_key, req->now, &f.file_id,
				    &dup) < 0)
		return -EIO;
	if (dup)
		return 1;
	if (req->campaign &&
	    store_outbox_campaign(st, req->campaign, req->now,
				  &f.campaign_id, &f.paused) < 0)
		return -EIO;
	rc = req->produce(store_ops_add, &f, req->produce_ud);
	if (rc < 0)
		return rc == -EBADMSG ? rc : -EIO;
	return store_outbox_file_done(st, f.file_id, req->recipients,
				      req->duplicates) < 0 ? -EIO : 0;
}

void store_op_accept(struct store *st, const struct store_accept *req,
		     store_done_fn done, void *ud)
{
	int rc = store_begin(st);

	if (rc == 0) {
		rc = store_ops_accept_txn(st, req);
		if (rc != 0)
			store_rollback(st);	/* a duplicate stores nothing */
		else if (store_commit(st) < 0)
			rc = -EIO;
	}
	done(rc, ud);
}

void store_op_claim(struct store *st, const struct outbox_claim *c,
		    struct sim_registry *reg, struct sim *sim,
		    struct outbox_msg *out, store_done_fn done, void *ud)
{
	int rc;

	if (store_begin(st) < 0) {
		done(-EIO, ud);
		return;
	}
	rc = store_outbox_claim(st, c, out);
	if (rc > 0 && sim)
		sim_update_at(reg, sim, c->now);
	if (store_commit(st) < 0) {
		if (rc > 0)
			outbox_msg_clear(out);
		rc = -EIO;
	}
	done(rc, ud);
}

void store_op_part_sent(struct store *st, const struct store_sent *req,
			store_done_fn done, void *ud)
{
	int rc = 0;

	if (store_begin(st) < 0) {
		done(-EIO, ud);
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
		done(-EIO, ud);
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
	if (store_commit(st) < 0) {
		if (rc > 0)
			outbox_msg_clear(req->next_out);
		done(-EIO, ud);
		return;
	}
	done(rc > 0 ? 1 : 0, ud);
}

void store_op_record(struct store *st, const struct store_outcome *o,
		     store_done_fn done, void *ud)
{
	int rc = -EINVAL;

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
	done(rc, ud);
}

void store_op_inbound(struct store *st, const struct inbox_new *m,
		      int64_t now, int64_t *id, store_done_fn done, void *ud)
{
	done(store_inbox_add(st, m, now, id), ud);
}
