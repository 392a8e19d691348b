/*
 * store_backend — the two backends' tables; see include/store_backend.h.
 * The SQLite entries adapt store_op_*() (which take a SIM registry the
 * table leaves out); its inbound entry does what the daemon's inbound
 * path does with an opt-out keyword (inbound_act.c), in one transaction.
 */
#include "store_backend.h"
#include "store.h"
#include "store_inbox.h"
#include "store_pg.h"

#include <errno.h>
#include <string.h>

static void store_backend_sqlite_accept(void *be,
					const struct store_accept *req,
					int64_t *file_id, store_done_fn done,
					void *ud)
{
	store_op_accept(be, req, file_id, done, ud);
}

static void store_backend_sqlite_claim(void *be, const struct outbox_claim *c,
				       struct outbox_msg *out,
				       store_done_fn done, void *ud)
{
	store_op_claim(be, c, NULL, NULL, out, done, ud);
}

static void store_backend_sqlite_part_sent(void *be,
					   const struct store_sent *req,
					   store_done_fn done, void *ud)
{
	store_op_part_sent(be, req, done, ud);
}

static void store_backend_sqlite_record(void *be,
					const struct store_outcome *o,
					store_done_fn done, void *ud)
{
	store_op_record(be, o, done, ud);
}

static int store_backend_sqlite_inbound_txn(struct store *st,
					    const struct inbox_new *m,
					    int64_t now, int64_t *id)
{
	bool was;
	int n;

	if (store_inbox_add(st, m, now, id) < 0)
		return -EIO;
	if (m->keyword && strcmp(m->keyword, "optout") == 0)
		return store_optout_add(st, m->sender, m->body, m->sim_id,
					"keyword", "exact", now, &was,
					&n) < 0 ? -EIO : 0;
	if (m->keyword && strcmp(m->keyword, "optin") == 0)
		return store_optout_remove(st, m->sender, now, &was) < 0
			       ? -EIO : 0;
	return 0;
}

static void store_backend_sqlite_inbound(void *be, const struct inbox_new *m,
					 int64_t now, int64_t *id,
					 store_done_fn done, void *ud)
{
	struct store *st = be;
	int rc = store_begin(st);

	if (rc == 0) {
		rc = store_backend_sqlite_inbound_txn(st, m, now, id);
		if (rc < 0)
			store_rollback(st);
		else if (store_commit(st) < 0)
			rc = -EIO;
	}
	done(rc, ud);
}

const struct store_backend store_backend_sqlite = {
	.name = "sqlite",
	.accept = store_backend_sqlite_accept,
	.claim = store_backend_sqlite_claim,
	.part_sent = store_backend_sqlite_part_sent,
	.record = store_backend_sqlite_record,
	.inbound = store_backend_sqlite_inbound,
};

static void store_backend_pg_accept(void *be, const struct store_accept *req,
				    int64_t *file_id, store_done_fn done,
				    void *ud)
{
	pg_store_op_accept(be, req, file_id, done, ud);
}

static void store_backend_pg_claim(void *be, const struct outbox_claim *c,
				   struct outbox_msg *out, store_done_fn done,
				   void *ud)
{
	pg_store_op_claim(be, c, out, done, ud);
}

static void store_backend_pg_part_sent(void *be, const struct store_sent *req,
				       store_done_fn done, void *ud)
{
	pg_store_op_part_sent(be, req, done, ud);
}

static void store_backend_pg_record(void *be, const struct store_outcome *o,
				    store_done_fn done, void *ud)
{
	pg_store_op_record(be, o, done, ud);
}

static void store_backend_pg_inbound(void *be, const struct inbox_new *m,
				     int64_t now, int64_t *id,
				     store_done_fn done, void *ud)
{
	pg_store_op_inbound(be, m, now, id, done, ud);
}

const struct store_backend store_backend_pg = {
	.name = "postgresql",
	.accept = store_backend_pg_accept,
	.claim = store_backend_pg_claim,
	.part_sent = store_backend_pg_part_sent,
	.record = store_backend_pg_record,
	.inbound = store_backend_pg_inbound,
};
