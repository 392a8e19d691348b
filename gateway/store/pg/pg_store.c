/*
 * pg_store — the PostgreSQL backend of the storage interface; see
 * include/store_pg.h. Each operation binds its request as text
 * parameters of one pg_queue.sql function and answers from the result.
 */
#include "pg_store_priv.h"
#include "msg_state.h"
#include "pg_conn.h"
#include "log.h"

#include <jansson.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



void pg_param_text(struct pg_params *p, const char *s)
{
	p->v[p->n++] = s;
}

void pg_param_int(struct pg_params *p, int64_t x)
{
	snprintf(p->num[p->n], sizeof(p->num[0]), "%" PRId64, x);
	p->v[p->n] = p->num[p->n];
	p->n++;
}

/* x, or SQL NULL when it is none. */
void pg_param_int_or_null(struct pg_params *p, int64_t x, int64_t none)
{
	if (x == none)
		p->v[p->n++] = NULL;
	else
		pg_param_int(p, x);
}

void pg_param_bool(struct pg_params *p, bool b)
{
	p->v[p->n++] = b ? "t" : "f";
}


/* NULL: out of memory, and done has been told so already. */
struct pg_op *pg_op_new(struct pg_store *ps, store_done_fn done,
			       void *ud)
{
	struct pg_op *op = calloc(1, sizeof(*op));

	if (!op) {
		done(-ENOMEM, ud);
		return NULL;
	}
	op->ps = ps;
	op->done = done;
	op->ud = ud;
	return op;
}

void pg_op_finish(struct pg_op *op, int rc)
{
	store_done_fn done = op->done;
	void *ud = op->ud;

	free(op);
	done(rc, ud);
}

/* A refused statement and a broken connection are both -EIO to the
 * caller (store_ops.h: "the store failed"); the log says which. */
int pg_rc(int rc, const char *what, const char *err)
{
	if (rc == 0)
		return 0;
	log_warn("postgresql: %s: %s", what, err ? err : strerror(-rc));
	return -EIO;
}

/* Runs sql with p; on a failure to queue, done(-ENOMEM) later is not
 * possible without the loop, so it is answered at once. */
void pg_store_send(struct pg_store *ps, const char *sql,
			  const struct pg_params *p, pg_result_fn fn,
			  struct pg_op *op)
{
	if (pg_conn_query(ps->conn, sql, p ? p->n : 0, p ? p->v : NULL, fn,
			  op) < 0)
		pg_op_finish(op, -ENOMEM);
}

/* ---- set up ---- */

int pg_store_new(struct loop *loop, const char *uri,
		 const struct pg_store_options *o, struct pg_store **out,
		 char *err, size_t errsize)
{
	struct pg_store *ps = calloc(1, sizeof(*ps));
	int rc;

	*out = NULL;
	if (!ps) {
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	snprintf(ps->box, sizeof(ps->box), "%s", o->box);
	ps->lease_ms = o->lease_ms;
	ps->resend_direct = o->resend_direct;
	ps->resend_bulk = o->resend_bulk;
	rc = pg_conn_new(loop, uri, &ps->conn, err, errsize);
	if (rc < 0) {
		free(ps);
		return rc;
	}
	*out = ps;
	return 0;
}

void pg_store_free(struct pg_store *ps)
{
	if (!ps)
		return;
	pg_conn_free(ps->conn);
	free(ps);
}

struct pg_conn *pg_store_conn(struct pg_store *ps)
{
	return ps->conn;
}

/* One bigint (or NULL: 0) from the first row. */
int64_t pg_first_int(PGresult *res)
{
	if (!res || PQntuples(res) < 1 || PQgetisnull(res, 0, 0))
		return 0;
	return strtoll(PQgetvalue(res, 0, 0), NULL, 10);
}

void pg_store_id_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_op *op = ud;

	rc = pg_rc(rc, "storing a row", err);
	if (rc == 0 && op->id)
		*op->id = pg_first_int(res);
	pg_op_finish(op, rc);
}

void pg_store_op_sim(struct pg_store *ps, const char *modem,
		     const char *slot, const char *pool, const char *state,
		     int64_t now, int64_t *id, store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	op->id = id;
	pg_param_text(&p, ps->box);
	pg_param_text(&p, modem);
	pg_param_text(&p, slot);
	pg_param_text(&p, pool ? pool : "default");
	pg_param_text(&p, state);
	pg_param_int(&p, now);
	pg_store_send(ps, "SELECT smsgw_sim($1, $2, $3, $4, $5, $6)", &p,
		      pg_store_id_done, op);
}

/* ---- accept a spool file ---- */

/*
 * The file's statements go out back to back on the one connection —
 * BEGIN, smsgw_file_begin(), one smsgw_add() per message,
 * smsgw_file_done(), COMMIT — each answered in order; the COMMIT's
 * answer (or the first failure) is the file's.
 */
static void pg_accept_step(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_op *op = ud;

	if (rc < 0 && op->first_rc == 0)
		op->first_rc = pg_rc(rc, "accepting a spool file", err);
	if (rc == 0 && res && PQnfields(res) == 1 && PQntuples(res) == 1 &&
	    strcmp(PQfname(res, 0), "smsgw_file_begin") == 0) {
		op->duplicate = PQgetisnull(res, 0, 0);
		if (op->id)
			*op->id = pg_first_int(res);
	}
	if (--op->pending > 0)
		return;
	/* The last one is COMMIT or ROLLBACK. A COMMIT of a transaction
	 * that failed answers "ROLLBACK". */
	if (op->first_rc == 0 && res && strcmp(PQcmdStatus(res), "COMMIT"))
		op->first_rc = op->first_rc ? op->first_rc : -EIO;
	pg_op_finish(op, op->first_rc ? op->first_rc
				      : op->duplicate ? 1 : 0);
}

static int pg_accept_queue(struct pg_op *op, const char *sql,
			   const struct pg_params *p)
{
	if (pg_conn_query(op->ps->conn, sql, p ? p->n : -1, p ? p->v : NULL,
			  pg_accept_step, op) < 0)
		return -ENOMEM;
	op->pending++;
	return 0;
}

/*
 * A file's messages go to smsgw_add_rows() as a JSON array (jansson
 * builds it) of up to PG_ADD_BATCH, each array one statement: one round
 * trip a row held a big file to about 1,100 rows/s.
 */
#define PG_ADD_BATCH 500
/* A "none" no value has: the key is always written. */
#define PG_JSON_ALWAYS INT64_MIN

struct pg_accept_ctx {
	struct pg_op *op;
	int64_t now;
	json_t *rows;
};

/* The rows gathered so far, as one statement. */
static int pg_accept_flush(struct pg_accept_ctx *a)
{
	struct pg_params p = { .n = 0 };
	char *text;
	int rc;

	if (!a->rows || json_array_size(a->rows) == 0)
		return 0;
	text = json_dumps(a->rows, JSON_COMPACT);
	json_array_clear(a->rows);
	if (!text)
		return -ENOMEM;
	pg_param_text(&p, text);
	pg_param_int(&p, a->now);
	rc = pg_accept_queue(a->op, "SELECT smsgw_add_rows($1, $2)", &p);
	free(text);
	return rc;
}

static int pg_json_set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : 0;
}

/* x as a JSON integer, or nothing (NULL in the row) when it is none. */
static int pg_json_int(json_t *o, const char *key, int64_t x, int64_t none)
{
	return x == none ? 0 : pg_json_set(o, key, json_integer(x));
}

/* s as a JSON string, or nothing when NULL; -1 when it is not UTF-8. */
static int pg_json_str(json_t *o, const char *key, const char *s)
{
	json_t *v;

	if (!s)
		return 0;
	v = json_string(s);
	return v ? json_object_set_new(o, key, v) : -1;
}

static int pg_accept_add(const struct outbox_new *m, int64_t *id,
			 enum outbox_add_result *res, void *ctx)
{
	struct pg_accept_ctx *a = ctx;
	json_t *o = json_object();
	char pool[32];
	int bad = 0;

	if (!o)
		return -EIO;
	if (m->pin_sim_id)
		snprintf(pool, sizeof(pool), "@%" PRId64, m->pin_sim_id);
	bad |= pg_json_str(o, "recipient", m->recipient);
	bad |= pg_json_str(o, "body", m->body);
	bad |= pg_json_str(o, "kind", msg_kind_name(m->kind));
	bad |= pg_json_int(o, "priority", m->priority, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "not_before", m->not_before, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "expires", m->expires_at, 0);
	bad |= pg_json_str(o, "pool", m->pin_sim_id ? pool
				      : m->pool ? m->pool : "");
	bad |= pg_json_str(o, "pin_sim", m->pin_sim);
	bad |= pg_json_int(o, "report", m->report, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "flash", m->flash, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "ucs2", m->ucs2, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "language", m->language, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "max_attempts", m->max_attempts, 0);
	bad |= pg_json_int(o, "validity", m->validity_minutes, -1);
	bad |= pg_json_int(o, "parts", m->parts, PG_JSON_ALWAYS);
	bad |= pg_json_str(o, "origin", m->origin ? m->origin : "spool");
	bad |= pg_json_int(o, "in_reply_to", m->in_reply_to, 0);
	bad |= pg_json_str(o, "smsc", m->smsc);
	bad |= pg_json_str(o, "from", m->from);
	if (m->has_class)
		bad |= pg_json_int(o, "msg_class", m->msg_class, PG_JSON_ALWAYS);
	if (m->has_autosplit)
		bad |= pg_json_int(o, "autosplit", m->autosplit, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "pdu_flags", m->pdu_flags, PG_JSON_ALWAYS);
	bad |= pg_json_int(o, "replace", m->replace, PG_JSON_ALWAYS);
	if (bad || (!a->rows && !(a->rows = json_array()))) {
		json_decref(o);
		return -EIO;
	}
	if (json_array_append_new(a->rows, o) < 0)	/* o is freed */
		return -EIO;
	if (json_array_size(a->rows) >= PG_ADD_BATCH &&
	    pg_accept_flush(a) < 0)
		return -EIO;
	/* Provisional: the database decides (include/store_pg.h); the
	 * row's id is not known before it answers. */
	*res = m->not_before > a->now ? OUTBOX_ADDED_DEFERRED
				      : OUTBOX_ADDED_QUEUED;
	if (id)
		*id = 0;
	return 0;
}

void pg_store_file_txn(struct pg_op *op, const char *head,
		       const struct pg_params *hp,
		       const struct store_accept *req, const char *tail,
		       const struct pg_params *tp)
{
	struct pg_accept_ctx a = { .op = op, .now = req->now };
	int rc;

	/* Held until the last statement is answered. */
	op->pending = 1;
	if (pg_accept_queue(op, "BEGIN", NULL) < 0 ||
	    pg_accept_queue(op, head, hp) < 0)
		goto nomem;
	rc = req->produce(pg_accept_add, &a, req->produce_ud);
	if (rc >= 0 && pg_accept_flush(&a) < 0)
		rc = -EIO;
	json_decref(a.rows);
	if (rc < 0) {
		/* The file is at fault, or memory ran out: nothing stays. */
		op->first_rc = rc == -EBADMSG ? rc : -EIO;
		if (pg_accept_queue(op, "ROLLBACK", NULL) < 0)
			goto nomem;
	} else if ((tail && pg_accept_queue(op, tail, tp) < 0) ||
		   pg_accept_queue(op, "COMMIT", NULL) < 0) {
		goto nomem;
	}
	op->pending--;
	return;
nomem:
	/* Whatever was queued is answered later and rolls back with the
	 * connection's next statement failing; say so once. */
	op->first_rc = -EIO;
	if (--op->pending == 0)
		pg_op_finish(op, -EIO);
}

void pg_store_op_accept(struct pg_store *ps, const struct store_accept *req,
			int64_t *file_id, store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 }, t = { .n = 0 };

	if (!op)
		return;
	op->id = file_id;
	if (file_id)
		*file_id = 0;
	pg_param_text(&p, ps->box);
	pg_param_text(&p, req->name);
	pg_param_text(&p, req->claim);
	pg_param_text(&p, req->hash);
	pg_param_text(&p, req->idem_key);
	pg_param_text(&p, req->campaign);
	pg_param_int(&p, req->now);
	pg_param_int(&t, req->recipients);
	pg_param_int(&t, req->duplicates);
	if (req->intake_seq > 0) {
		/* An INSERT INTO outbox row (pg_intake.sql): removed with
		 * the commit, fenced by this box's lease. */
		pg_param_text(&t, ps->box);
		pg_param_int(&t, req->intake_seq);
	}
	pg_store_file_txn(op, "SELECT smsgw_file_begin($1, $2, $3, $4, $5, $6,"
			  " $7)", &p, req, req->intake_seq > 0
			  ? "SELECT smsgw_file_done($1, $2),"
			    " smsgw_intake_done($3, $4)"
			  : "SELECT smsgw_file_done($1, $2)", &t);
}

/* ---- claim ---- */

static void pg_claim_fill(PGresult *res, struct outbox_msg *m)
{
	const char *recipient = PQgetvalue(res, 0, 2);

	memset(m, 0, sizeof(*m));
	m->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	m->attempt_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	snprintf(m->recipient, sizeof(m->recipient), "%s", recipient);
	m->body = strdup(PQgetvalue(res, 0, 3));
	m->kind = atoi(PQgetvalue(res, 0, 4)) ? MSG_KIND_BULK : MSG_KIND_DIRECT;
	m->report = atoi(PQgetvalue(res, 0, 5));
	m->flash = atoi(PQgetvalue(res, 0, 6));
	m->ucs2 = atoi(PQgetvalue(res, 0, 7));
	m->validity_minutes = atoi(PQgetvalue(res, 0, 8));
	m->parts = atoi(PQgetvalue(res, 0, 9));
	m->parts_sent = atoi(PQgetvalue(res, 0, 10));
	m->attempts = atoi(PQgetvalue(res, 0, 11));
	m->concat_ref = atoi(PQgetvalue(res, 0, 12));
	snprintf(m->origin, sizeof(m->origin), "%s", PQgetvalue(res, 0, 13));
	m->language = atoi(PQgetvalue(res, 0, 14));
	m->max_attempts = atoi(PQgetvalue(res, 0, 15));
	m->pinned = PQgetvalue(res, 0, 16)[0] == 't';
	snprintf(m->smsc, sizeof(m->smsc), "%s", PQgetvalue(res, 0, 17));
	m->msg_class = atoi(PQgetvalue(res, 0, 18));
	m->autosplit = atoi(PQgetvalue(res, 0, 19));
	m->pdu_flags = (unsigned)atoi(PQgetvalue(res, 0, 20));
	m->replace = atoi(PQgetvalue(res, 0, 21));
}

static void pg_store_claim(struct pg_store *ps, const struct outbox_claim *c,
			   struct outbox_msg *out, struct pg_op *op);

/* The claim's answer to its caller; for the next claim of a part_sent,
 * claimed first. */
static void pg_claim_answer(struct pg_op *op, int rc)
{
	if (op->sent) {
		if (op->sent->claimed)
			op->sent->claimed(rc, op->ud);
		rc = rc > 0 ? 1 : 0;
	}
	pg_op_finish(op, rc);
}

/*
 * Quiet hours decide at the box (include/quiet.h: its zone table, its own
 * time zone for unknown countries), as SQLite's claim asks
 * outbox_claim.hold: a held message goes back deferred (smsgw_hold(),
 * fenced) and the SIM claims again; after PG_CLAIM_HOLDS in one call it
 * answers -EAGAIN (call again) as SQLite's claim does after many drops.
 */
#define PG_CLAIM_HOLDS 16

static void pg_hold_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_op *op = ud;

	(void)res;
	rc = pg_rc(rc, "deferring a message for quiet hours", err);
	if (rc < 0) {
		pg_claim_answer(op, rc);
		return;
	}
	if (++op->holds >= PG_CLAIM_HOLDS) {
		pg_claim_answer(op, -EAGAIN);
		return;
	}
	pg_store_claim(op->ps, &op->claim, op->out, op);
}

static bool pg_claim_hold(struct pg_op *op)
{
	const struct outbox_claim *c = &op->claim;
	struct outbox_msg *m = op->out;
	struct pg_params p = { .n = 0 };
	int64_t until = 0;

	if (m->kind != MSG_KIND_BULK || !c->hold ||
	    !c->hold(m->recipient, c->now, &until, c->hold_ud))
		return false;
	pg_param_int(&p, m->id);
	pg_param_int(&p, m->attempt_id);
	pg_param_int(&p, until);
	pg_param_text(&p, "quiet hours at the recipient");
	pg_param_int(&p, c->now);
	outbox_msg_clear(m);
	pg_store_send(op->ps, "SELECT smsgw_hold($1, $2, $3, $4, $5)", &p,
		      pg_hold_done, op);
	return true;
}

static void pg_claim_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_op *op = ud;

	rc = pg_rc(rc, "claiming a message", err);
	if (rc == 0 && PQntuples(res) == 1 && PQnfields(res) == 22) {
		pg_claim_fill(res, op->out);
		rc = op->out->body ? 1 : -ENOMEM;
		if (rc == 1 && pg_claim_hold(op))
			return;
	}
	pg_claim_answer(op, rc);
}

static void pg_store_claim(struct pg_store *ps, const struct outbox_claim *c,
			   struct outbox_msg *out, struct pg_op *op)
{
	struct pg_params p = { .n = 0 };

	if (c != &op->claim) {
		op->claim = *c;
		snprintf(op->pool, sizeof(op->pool), "%s", c->pool ? c->pool : "");
		op->claim.pool = op->pool;
	}
	memset(out, 0, sizeof(*out));
	op->out = out;
	pg_param_int(&p, c->sim_id);
	pg_param_text(&p, ps->box);
	pg_param_text(&p, op->pool);
	pg_param_bool(&p, c->takes_unpooled);
	pg_param_bool(&p, c->allow_bulk);
	pg_param_int(&p, c->quota_left);
	pg_param_bool(&p, c->alone);
	pg_param_int(&p, c->now);
	pg_param_int(&p, c->sticky_cutoff);
	pg_param_int(&p, ps->lease_ms);
	pg_param_bool(&p, ps->resend_direct);
	pg_param_bool(&p, ps->resend_bulk);
	pg_store_send(ps, "SELECT * FROM smsgw_claim($1, $2, $3, $4, $5, $6,"
		      " $7, $8, $9, $10, $11, $12)", &p, pg_claim_done, op);
}

void pg_store_op_claim(struct pg_store *ps, const struct outbox_claim *c,
		       struct outbox_msg *out, store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);

	if (!op)
		return;
	pg_store_claim(ps, c, out, op);
}

/* ---- record an outcome ---- */

/* 1 from a fenced function: recorded; 0: the attempt is stale. */
static int pg_fenced_rc(int rc, PGresult *res, const char *err)
{
	rc = pg_rc(rc, "recording an outcome", err);
	if (rc < 0)
		return rc;
	return pg_first_int(res) == 1 ? 0 : -ESTALE;
}

static void pg_part_sent_done(int rc, PGresult *res, const char *err,
			      void *ud)
{
	struct pg_op *op = ud;

	rc = pg_fenced_rc(rc, res, err);
	if (rc == -ESTALE)
		log_warn("postgresql: a part of message %" PRId64 " went out"
			 " under attempt %" PRId64 ", no longer its lease:"
			 " not recorded", op->sent_copy.msg->id,
			 op->sent_copy.msg->attempt_id);
	if (rc == 0 && op->sent_copy.last && op->sent_copy.next) {
		op->sent = &op->sent_copy;
		pg_store_claim(op->ps, op->sent_copy.next,
			       op->sent_copy.next_out, op);
		return;
	}
	if (rc == 0 && op->sent_copy.last && op->sent_copy.claimed)
		op->sent_copy.claimed(0, op->ud);
	pg_op_finish(op, rc);
}

void pg_store_op_part_sent(struct pg_store *ps, const struct store_sent *req,
			   store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };
	char day[11], month[8];

	if (!op)
		return;
	/* The request is borrowed until the call returns; the next claim
	 * (and next_out) live until done, as for store_op_part_sent(). */
	op->sent_copy = *req;
	if (req->next) {
		op->next = *req->next;
		op->sent_copy.next = &op->next;
	}
	store_outbox_local_day(req->now, day, month);
	pg_param_int(&p, req->msg->id);
	pg_param_int(&p, req->msg->attempt_id);
	pg_param_int(&p, req->sim_id);
	pg_param_text(&p, req->usage_key);
	pg_param_int(&p, req->seq);
	pg_param_int(&p, req->mr);
	pg_param_bool(&p, req->last);
	pg_param_int(&p, req->now);
	pg_param_int(&p, ps->lease_ms);
	pg_param_text(&p, day);
	pg_param_text(&p, month);
	pg_store_send(ps, "SELECT smsgw_part_sent($1, $2, $3, $4, $5, $6, $7,"
		      " $8, $9, $10, $11)", &p, pg_part_sent_done, op);
}

void pg_record_done(int rc, PGresult *res, const char *err, void *ud)
{
	pg_op_finish(ud, pg_fenced_rc(rc, res, err));
}

void pg_store_op_record(struct pg_store *ps, const struct store_outcome *o,
			store_done_fn done, void *ud)
{
	static const char *const kinds[] = {
		[STORE_OUTCOME_RETRY] = "retry",
		[STORE_OUTCOME_FINAL] = "final",
		[STORE_OUTCOME_UNKNOWN] = "unknown",
	};
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_int(&p, o->msg->id);
	pg_param_int(&p, o->msg->attempt_id);
	pg_param_text(&p, kinds[o->kind]);
	pg_param_text(&p, o->kind == STORE_OUTCOME_FINAL
				  ? msg_to_name(o->event) : NULL);
	pg_param_text(&p, o->error);
	pg_param_int(&p, o->now);
	pg_param_int(&p, o->not_before);
	pg_param_bool(&p, o->count_attempt);
	pg_param_int_or_null(&p, o->avoid_sim, 0);
	pg_param_int_or_null(&p, o->avoid_sim ? o->avoid_until : 0, 0);
	pg_param_bool(&p, o->resend);
	pg_store_send(ps, "SELECT smsgw_record($1, $2, $3, $4, $5, $6, $7, $8,"
		      " $9, $10, $11)", &p, pg_record_done, op);
}

/* ---- store an inbound message ---- */
