/*
 * store_backend — the operations of include/store_ops.h as a table, one
 * per backend (SQLite: store_op_*(); PostgreSQL: pg_store_op_*(),
 * include/store_pg.h), so that a caller, and the conformance test
 * tests/unit/test_store_backends.c, use either through one interface
 * (doc/postgresql.md). The daemon does not use it yet: its outbound path
 * calls store_op_*() on struct store directly.
 *
 * be is the backend's handle (struct store *, struct pg_store *). The
 * requests, out structs and the done contract are those of store_ops.h.
 */
#ifndef SMSGW_STORE_BACKEND_H
#define SMSGW_STORE_BACKEND_H

#include "store_ops.h"

struct store_backend {
	const char *name;		/* "sqlite", "postgresql" */
	void (*accept)(void *be, const struct store_accept *req,
		       int64_t *file_id, store_done_fn done, void *ud);
	void (*claim)(void *be, const struct outbox_claim *c,
		      struct outbox_msg *out, store_done_fn done, void *ud);
	void (*part_sent)(void *be, const struct store_sent *req,
			  store_done_fn done, void *ud);
	void (*record)(void *be, const struct store_outcome *o,
		       store_done_fn done, void *ud);
	/*
	 * The inbox row and the keyword's effect on the opt-out list in one
	 * transaction: "optout" opts the sender out (its waiting messages
	 * become suppressed), "optin" back in.
	 */
	void (*inbound)(void *be, const struct inbox_new *m, int64_t now,
			int64_t *id, store_done_fn done, void *ud);
};

extern const struct store_backend store_backend_sqlite;
extern const struct store_backend store_backend_pg;

#endif
