/* pg_retention — a retention round on PostgreSQL; see include/pg_retention.h. */
#include "pg_retention.h"
#include "pg_conn.h"
#include "store_prune.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

struct pg_retention_round {
	struct pg_conn *c;
	struct store_prune_cut cut;
	int batch;
	int64_t after;		/* message ids up to here were looked at */
	int64_t removed;
	pg_retention_done_fn done;
	void *ud;
};

static void pg_retention_next(struct pg_retention_round *r);

static void pg_retention_end(struct pg_retention_round *r, int rc)
{
	r->done(r->removed, rc, r->ud);
	free(r);
}

static void pg_retention_on_batch(int rc, PGresult *res, const char *err,
				  void *ud)
{
	struct pg_retention_round *r = ud;
	int64_t n, after;

	(void)err;
	if (rc < 0 || PQntuples(res) != 1) {
		pg_retention_end(r, rc < 0 ? rc : -EIO);
		return;
	}
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	after = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	if (n < 0) {
		pg_retention_end(r, -EBUSY);
		return;
	}
	r->removed += n;
	/* Nothing removed and no message id passed: every kind is done. */
	if (n == 0 && after == r->after) {
		pg_retention_end(r, 0);
		return;
	}
	r->after = after;
	pg_retention_next(r);
}

static void pg_retention_next(struct pg_retention_round *r)
{
	char v[7][24];
	const char *p[7];
	const int64_t x[7] = {
		r->cut.messages, r->cut.sent_settled, r->cut.events,
		r->cut.inbound, r->cut.sticky, r->after, r->batch,
	};

	for (int i = 0; i < 7; i++) {
		snprintf(v[i], sizeof(v[i]), "%" PRId64, x[i]);
		p[i] = v[i];
	}
	pg_conn_query(r->c, "SELECT removed, after FROM smsgw_prune($1, $2,"
		      " $3, $4, $5, $6, $7)", 7, p, pg_retention_on_batch, r);
}

int pg_retention_round(struct pg_conn *c, const struct store_prune_cut *cut,
		       int batch, pg_retention_done_fn done, void *ud)
{
	struct pg_retention_round *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	*r = (struct pg_retention_round){ .c = c, .cut = *cut,
					  .batch = batch > 0 ? batch : 500,
					  .done = done, .ud = ud };
	pg_retention_next(r);
	return 0;
}
