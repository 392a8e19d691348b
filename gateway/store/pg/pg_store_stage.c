/*
 * pg_store_stage — the PostgreSQL twins of a big file's steps
 * (store_op_stage_*(), store_op_staging()), the intake's refusals and the
 * quota deferral; see include/store_pg.h and pg_ops.sql. Each step is one
 * transaction, as each is one commit in SQLite: the file stays all or
 * nothing because its rows wait under the hold 'staging' until the
 * accept, and a file not accepted is purged.
 *
 * Durability: every PostgreSQL commit waits for its WAL flush
 * (synchronous_commit is the server's), so the steps SQLite may lose in a
 * power cut (add, release) are durable here too: never less.
 */
#include "pg_store_priv.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* An operation with a typed out pointer and the steps' loop. */
struct pg_stage_op {
	struct pg_op op;
	struct store_staged *staged;
	int *state;
	int64_t *file_id, *next;
	int64_t file, now;
	int rows;
	bool (*stop)(void *ud);
};

static struct pg_stage_op *pg_stage_new(struct pg_store *ps,
					store_done_fn done, void *ud)
{
	struct pg_stage_op *s = calloc(1, sizeof(*s));

	if (!s) {
		done(-ENOMEM, ud);
		return NULL;
	}
	s->op = (struct pg_op){ .ps = ps, .done = done, .ud = ud };
	return s;
}

static void pg_stage_begin_done(int rc, PGresult *res, const char *err,
				void *ud)
{
	struct pg_stage_op *s = ud;

	rc = pg_rc(rc, "staging a big file", err);
	if (rc == 0 && PQntuples(res) == 1 && PQnfields(res) == 3) {
		if (PQgetisnull(res, 0, 0)) {
			rc = 1;		/* a duplicate: nothing stored */
		} else {
			*s->staged = (struct store_staged){
				.file_id = pg_first_int(res),
				.campaign_id = PQgetisnull(res, 0, 1) ? 0 :
					strtoll(PQgetvalue(res, 0, 1), NULL, 10),
				.paused = PQgetvalue(res, 0, 2)[0] == 't',
			};
		}
	} else if (rc == 0) {
		rc = -EIO;
	}
	pg_op_finish(&s->op, rc);
}

void pg_store_op_stage_begin(struct pg_store *ps,
			     const struct store_accept *req,
			     struct store_staged *f, store_done_fn done,
			     void *ud)
{
	struct pg_stage_op *s = pg_stage_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!s)
		return;
	s->staged = f;
	pg_param_text(&p, ps->box);
	pg_param_text(&p, req->name);
	pg_param_text(&p, req->claim);
	pg_param_text(&p, req->hash);
	pg_param_text(&p, req->idem_key);
	pg_param_text(&p, req->campaign);
	pg_param_int(&p, req->now);
	pg_store_send(ps, "SELECT * FROM smsgw_stage_begin($1, $2, $3, $4, $5,"
		      " $6, $7)", &p, pg_stage_begin_done, &s->op);
}

void pg_store_op_stage_add(struct pg_store *ps, const struct store_staged *f,
			   const struct store_accept *req, store_done_fn done,
			   void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_text(&p, ps->box);
	pg_param_int(&p, f->file_id);
	pg_param_int_or_null(&p, f->campaign_id, 0);
	pg_store_file_txn(op, "SELECT smsgw_stage_open($1, $2, $3)", &p, req,
			  NULL, NULL);
}

static void pg_stage_void_done(int rc, PGresult *res, const char *err,
			       void *ud)
{
	(void)res;
	pg_op_finish(ud, pg_rc(rc, "a big file's step", err));
}

void pg_store_op_stage_accept(struct pg_store *ps, int64_t file_id,
			      long recipients, long duplicates,
			      store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_int(&p, file_id);
	pg_param_int(&p, recipients);
	pg_param_int(&p, duplicates);
	pg_store_send(ps, "SELECT smsgw_stage_accept($1, $2, $3)", &p,
		      pg_stage_void_done, op);
}

/* ---- release and purge: transactions of `rows` until stop says so ---- */

static void pg_stage_release_step(struct pg_stage_op *s);

static void pg_stage_release_done(int rc, PGresult *res, const char *err,
				  void *ud)
{
	struct pg_stage_op *s = ud;
	long n;

	rc = pg_rc(rc, "releasing a big file's rows", err);
	if (rc < 0 || PQntuples(res) != 1 || PQnfields(res) != 2) {
		pg_op_finish(&s->op, rc < 0 ? rc : -EIO);
		return;
	}
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	if (n == 0) {
		*s->next = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
		pg_op_finish(&s->op, 0);
	} else if (s->stop(s->op.ud)) {
		pg_op_finish(&s->op, 1);
	} else {
		pg_stage_release_step(s);
	}
}

static void pg_stage_release_step(struct pg_stage_op *s)
{
	struct pg_params p = { .n = 0 };

	pg_param_text(&p, s->op.ps->box);
	pg_param_int(&p, s->file);
	pg_param_int(&p, s->now);
	pg_param_int(&p, s->rows);
	pg_store_send(s->op.ps, "SELECT * FROM smsgw_stage_release($1, $2, $3,"
		      " $4)", &p, pg_stage_release_done, &s->op);
}

void pg_store_op_stage_release(struct pg_store *ps, int64_t file_id,
			       int64_t now, int rows, bool (*stop)(void *ud),
			       int64_t *next, store_done_fn done, void *ud)
{
	struct pg_stage_op *s = pg_stage_new(ps, done, ud);

	if (!s)
		return;
	*next = 0;
	s->next = next;
	s->file = file_id;
	s->now = now;
	s->rows = rows;
	s->stop = stop;
	pg_stage_release_step(s);
}

static void pg_stage_purge_step(struct pg_stage_op *s);

static void pg_stage_purge_done(int rc, PGresult *res, const char *err,
				void *ud)
{
	struct pg_stage_op *s = ud;

	rc = pg_rc(rc, "purging a big file's rows", err);
	if (rc < 0)
		pg_op_finish(&s->op, rc);
	else if (pg_first_int(res) == 0)
		pg_op_finish(&s->op, 0);
	else if (s->stop(s->op.ud))
		pg_op_finish(&s->op, 1);
	else
		pg_stage_purge_step(s);
}

static void pg_stage_purge_step(struct pg_stage_op *s)
{
	struct pg_params p = { .n = 0 };

	pg_param_int(&p, s->file);
	pg_param_int(&p, s->rows);
	pg_store_send(s->op.ps, "SELECT smsgw_stage_purge($1, $2)", &p,
		      pg_stage_purge_done, &s->op);
}

void pg_store_op_stage_purge(struct pg_store *ps, int64_t file_id, int rows,
			     bool (*stop)(void *ud), store_done_fn done,
			     void *ud)
{
	struct pg_stage_op *s = pg_stage_new(ps, done, ud);

	if (!s)
		return;
	s->file = file_id;
	s->rows = rows;
	s->stop = stop;
	pg_stage_purge_step(s);
}

static void pg_staging_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_stage_op *s = ud;

	rc = pg_rc(rc, "reading a big file's state", err);
	if (rc == 0 && PQntuples(res) == 1 && PQnfields(res) == 2) {
		*s->state = atoi(PQgetvalue(res, 0, 0));
		*s->file_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	} else if (rc == 0) {
		rc = -EIO;
	}
	pg_op_finish(&s->op, rc);
}

void pg_store_op_staging(struct pg_store *ps, const char *claim, int *state,
			 int64_t *file_id, store_done_fn done, void *ud)
{
	struct pg_stage_op *s = pg_stage_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!s)
		return;
	*state = STORE_STAGING_NONE;
	*file_id = 0;
	s->state = state;
	s->file_id = file_id;
	pg_param_text(&p, ps->box);
	pg_param_text(&p, claim);
	pg_store_send(ps, "SELECT * FROM smsgw_staging($1, $2)", &p,
		      pg_staging_done, &s->op);
}

/* ---- the intake's refusals, the quota deferral ---- */

void pg_store_op_refuse(struct pg_store *ps, const struct store_refusal *r,
			store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_text(&p, ps->box);
	pg_param_int(&p, r->intake_seq);
	pg_param_text(&p, r->recipient);
	pg_param_text(&p, r->body);
	pg_param_text(&p, r->via);
	pg_param_text(&p, r->why);
	pg_param_int(&p, r->now);
	pg_store_send(ps, "SELECT smsgw_refuse($1, $2, $3, $4, $5, $6, $7)", &p,
		      pg_stage_void_done, op);
}

void pg_store_op_defer_pool(struct pg_store *ps, const char *key,
			    int64_t until, const char *why, int64_t now,
			    store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_text(&p, ps->box);
	pg_param_text(&p, key);
	pg_param_int(&p, until);
	pg_param_text(&p, why);
	pg_param_int(&p, now);
	pg_store_send(ps, "SELECT smsgw_defer_pool($1, $2, $3, $4, $5)", &p,
		      pg_count_done, op);
}
