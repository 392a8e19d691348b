/*
 * pg_store_intake — INSERT INTO outbox on PostgreSQL: the rows the outbox
 * view's trigger kept in outbox_in (pg_intake.sql), leased to this box
 * a batch at a time; see include/store_pg.h. The rows are queued or
 * refused by the spool's code (spool/sqlin.c) through store_op_accept()
 * and store_op_refuse(), each removing its row in its own transaction,
 * fenced by this box's lease.
 */
#include "pg_store_priv.h"
#include "store_intake.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct pg_intake_op {
	store_intake_row_fn fn;
	store_done_fn done;
	void *ud;
};

static void pg_intake_taken(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_intake_op *op = ud;
	int n = 0;

	rc = rc == -ENOTCONN ? -EIO : pg_rc(rc, "taking INSERT INTO outbox "
					    "rows", err);
	if (rc == 0) {
		n = PQntuples(res);
		for (int r = 0; r < n && rc == 0; r++) {
			const char *col[STORE_INTAKE_COLS];

			for (int c = 0; c < STORE_INTAKE_COLS; c++)
				col[c] = PQgetisnull(res, r, c + 1) ? NULL
					 : PQgetvalue(res, r, c + 1);
			rc = op->fn(strtoll(PQgetvalue(res, r, 0), NULL, 10),
				    col, op->ud);
		}
	}
	op->done(rc < 0 ? rc : n, op->ud);
	free(op);
}

void pg_store_op_intake_take(struct pg_store *ps, int64_t now, int limit,
			     store_intake_row_fn fn, store_done_fn done,
			     void *ud)
{
	struct pg_intake_op *op = calloc(1, sizeof(*op));
	struct pg_params p = { .n = 0 };

	if (!op) {
		done(-ENOMEM, ud);
		return;
	}
	*op = (struct pg_intake_op){ .fn = fn, .done = done, .ud = ud };
	pg_param_text(&p, ps->box);
	pg_param_int(&p, now);
	pg_param_int(&p, ps->lease_ms);
	pg_param_int(&p, limit);
	if (pg_conn_query(ps->conn, "SELECT * FROM smsgw_intake_take($1, $2,"
			  " $3, $4)", p.n, p.v, pg_intake_taken, op) < 0) {
		free(op);
		done(-ENOMEM, ud);
	}
}
