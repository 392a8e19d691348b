/*
 * pg_webhook — the webhook queue (smsgw_webhook_*() of pg_http.sql) on
 * PostgreSQL; see include/store_pg_http.h.
 */
#include "store_pg_http.h"
#include "log.h"
#include "pg_store_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A text[] literal of n strings: {"a","b"} with " and \ escaped. NULL
 * when out of memory. */
static char *pg_webhook_array(const char *const *v, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (!f)
		return NULL;
	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\"" : "\"", f);
		for (const char *p = v[i]; *p; p++) {
			if (*p == '"' || *p == '\\')
				fputc('\\', f);
			fputc(*p, f);
		}
		fputc('"', f);
	}
	fputc('}', f);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

struct pg_webhook_op {
	store_done_fn done;
	void *ud;
	struct pg_webhook_claim claim;
};

static struct pg_webhook_op *pg_webhook_op(store_done_fn done, void *ud)
{
	struct pg_webhook_op *op = calloc(1, sizeof(*op));

	if (op) {
		op->done = done;
		op->ud = ud;
	}
	return op;
}

static void pg_webhook_send(struct pg_store *ps, const char *sql,
			    const struct pg_params *p, pg_result_fn fn,
			    struct pg_webhook_op *op)
{
	if (pg_conn_query(ps->conn, sql, p->n, p->v, fn, op) < 0)
		fn(-ENOMEM, NULL, "out of memory", op);
}

static void pg_webhook_subscribed(int rc, PGresult *res, const char *err,
				  void *ud)
{
	struct pg_webhook_op *op = ud;
	store_done_fn done = op->done;
	void *dud = op->ud;

	(void)res;
	free(op);
	done(pg_rc(rc, "writing the webhook subscriptions", err), dud);
}

void pg_store_webhook_subscribe(struct pg_store *ps,
				const char *const *hooks,
				const char *const *events, size_t n,
				bool start, store_done_fn done, void *ud)
{
	struct pg_webhook_op *op = pg_webhook_op(done, ud);
	char *h = pg_webhook_array(hooks, n), *e = pg_webhook_array(events, n);
	struct pg_params p = { .n = 0 };

	if (!op || !h || !e) {
		free(op);
		free(h);
		free(e);
		done(-ENOMEM, ud);
		return;
	}
	pg_param_text(&p, ps->box);
	pg_param_text(&p, h);
	pg_param_text(&p, e);
	pg_param_text(&p, start ? "t" : "f");
	/* pg_conn_query() copies the parameters. */
	pg_webhook_send(ps, "SELECT smsgw_webhook_subscribe($1, $2::text[],"
			" $3::text[], $4::boolean)", &p,
			pg_webhook_subscribed, op);
	free(h);
	free(e);
}

static int64_t pg_webhook_int(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col)
		       ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void pg_webhook_claimed(int rc, PGresult *res, const char *err,
			       void *ud)
{
	struct pg_webhook_op *op = ud;
	struct pg_webhook_claim c = op->claim;
	int64_t next = 0;

	free(op);
	rc = pg_rc(rc, "claiming webhook deliveries", err);
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		struct store_webhook_delivery d;

		if (PQgetisnull(res, i, 0)) {
			next = pg_webhook_int(res, i, 7);
			continue;
		}
		d = (struct store_webhook_delivery){
			.id = pg_webhook_int(res, i, 0),
			.uid = PQgetvalue(res, i, 1),
			.webhook = PQgetvalue(res, i, 2),
			.event = PQgetvalue(res, i, 3),
			.body = PQgetvalue(res, i, 4),
			.attempts = (int)pg_webhook_int(res, i, 5),
			.created_at = pg_webhook_int(res, i, 6),
			.next_at = pg_webhook_int(res, i, 7),
		};
		c.row(c.ud, &d);
	}
	c.done(rc, next, c.ud);
}

void pg_store_webhook_claim(struct pg_store *ps,
			    const struct pg_webhook_claim *c)
{
	struct pg_webhook_op *op = calloc(1, sizeof(*op));
	char *h = pg_webhook_array(c->hooks, c->n), *s = NULL;
	struct pg_params p = { .n = 0 };
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f) {
		fputc('{', f);
		for (size_t i = 0; i < c->n; i++)
			fprintf(f, "%s%d", i ? "," : "", c->slots[i]);
		fputc('}', f);
		if (fclose(f) != 0) {
			free(s);
			s = NULL;
		}
	}
	if (!op || !h || !s) {
		free(op);
		free(h);
		free(s);
		c->done(-ENOMEM, 0, c->ud);
		return;
	}
	op->claim = *c;
	pg_param_text(&p, ps->box);
	pg_param_text(&p, h);
	pg_param_text(&p, s);
	pg_param_int(&p, c->total);
	pg_param_int(&p, c->now);
	pg_param_int(&p, c->lease_ms);
	pg_webhook_send(ps, "SELECT * FROM smsgw_webhook_claim($1, $2::text[],"
			" $3::int[], $4::int, $5::bigint, $6::bigint)", &p,
			pg_webhook_claimed, op);
	free(h);
	free(s);
}

static void pg_webhook_recorded(int rc, PGresult *res, const char *err,
				void *ud)
{
	struct pg_webhook_op *op = ud;
	store_done_fn done = op->done;
	void *dud = op->ud;

	free(op);
	rc = pg_rc(rc, "recording a webhook delivery", err);
	if (rc == 0)
		rc = pg_first_int(res) == 1;
	if (done)
		done(rc, dud);
}

void pg_store_webhook_outcome(struct pg_store *ps, int64_t id,
			      enum store_webhook_outcome o, int attempts,
			      int64_t delay_ms, const char *error,
			      store_done_fn done, void *ud)
{
	static const char *const names[] = {
		[STORE_WEBHOOK_DELIVERED] = "delivered",
		[STORE_WEBHOOK_DEAD] = "dead",
		[STORE_WEBHOOK_RETRY] = "retry",
	};
	struct pg_webhook_op *op = pg_webhook_op(done, ud);
	struct pg_params p = { .n = 0 };

	if (!op) {
		if (done)
			done(-ENOMEM, ud);
		return;
	}
	pg_param_int(&p, id);
	pg_param_text(&p, ps->box);
	pg_param_text(&p, names[o]);
	pg_param_int(&p, attempts);
	pg_param_int(&p, delay_ms);
	pg_param_text(&p, error);
	pg_webhook_send(ps, "SELECT smsgw_webhook_outcome($1::bigint, $2, $3,"
			" $4::bigint, $5::bigint, $6)", &p,
			pg_webhook_recorded, op);
}
