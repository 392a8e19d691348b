/*
 * pg_hook — what hooks and the eventhandler read about a message on
 * PostgreSQL, later from the loop: the statements of store_hook.c,
 * store_outbox_info() and store_inbox_info(), with SIM names as
 * box/modem/slot. See include/store_pg_http.h.
 */
#include "store_pg_http.h"
#include "pg_store_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One read's callback. */
struct pg_hook_op {
	void *ud;
	pg_hook_in_fn in;
	pg_hook_out_fn out;
	pg_outbox_info_fn oinfo;
	pg_inbox_info_fn iinfo;
};

static struct pg_hook_op *pg_hook_op(void *ud)
{
	struct pg_hook_op *op = calloc(1, sizeof(*op));

	if (op)
		op->ud = ud;
	return op;
}

static void pg_hook_send(struct pg_store *ps, const char *sql, int64_t id,
			 pg_result_fn fn, struct pg_hook_op *op)
{
	struct pg_params p = { .n = 0 };

	pg_param_int(&p, id);
	if (pg_conn_query(ps->conn, sql, p.n, p.v, fn, op) < 0)
		fn(-ENOMEM, NULL, "out of memory", op);
}

static int64_t pg_hook_int(PGresult *res, int col, int64_t none)
{
	return PQgetisnull(res, 0, col)
		       ? none : strtoll(PQgetvalue(res, 0, col), NULL, 10);
}

/* ---- the hooks' rows (store_hook.c) ---- */

static const char *pg_hook_text(PGresult *res, int col)
{
	return PQgetisnull(res, 0, col) ? NULL : PQgetvalue(res, 0, col);
}

static void pg_hook_in_done(int rc, PGresult *res, const char *err,
			    void *ud)
{
	struct pg_hook_op *op = ud;
	pg_hook_in_fn done = op->in;
	void *dud = op->ud;

	free(op);
	rc = pg_rc(rc, "reading a message for its hook", err);
	if (rc < 0 || PQntuples(res) < 1) {
		done(rc, NULL, dud);
		return;
	}
	done(1, &(struct store_hook_inbound){
		     .iccid = pg_hook_text(res, 0),
		     .sim_number = pg_hook_text(res, 1),
		     .campaign = pg_hook_text(res, 2) }, dud);
}

void pg_store_hook_inbound(struct pg_store *ps, int64_t id,
			   pg_hook_in_fn done, void *ud)
{
	struct pg_hook_op *op = pg_hook_op(ud);

	if (!op) {
		done(-ENOMEM, NULL, ud);
		return;
	}
	op->in = done;
	pg_hook_send(ps, "SELECT s.iccid, s.number, c.name FROM inbound i"
		     " LEFT JOIN sim s ON s.id = i.sim_id"
		     " LEFT JOIN message m ON m.id = i.in_reply_to"
		     " LEFT JOIN campaign c ON c.id = m.campaign_id"
		     " WHERE i.id = $1::bigint", id, pg_hook_in_done, op);
}

static void pg_hook_out_done(int rc, PGresult *res, const char *err,
			     void *ud)
{
	struct pg_hook_op *op = ud;
	pg_hook_out_fn done = op->out;
	void *dud = op->ud;

	free(op);
	rc = pg_rc(rc, "reading a message for its hook", err);
	if (rc < 0 || PQntuples(res) < 1) {
		done(rc, NULL, dud);
		return;
	}
	done(1, &(struct store_hook_outbound){
		     .recipient = pg_hook_text(res, 0),
		     .body = pg_hook_text(res, 1),
		     .campaign = pg_hook_text(res, 2),
		     .parts = (int)pg_hook_int(res, 3, 0),
		     .sim = pg_hook_text(res, 4),
		     .iccid = pg_hook_text(res, 5),
		     .sim_number = pg_hook_text(res, 6),
		     .file = pg_hook_text(res, 7),
		     .file_id = pg_hook_text(res, 8),
		     .state = pg_hook_text(res, 9),
		     .error = pg_hook_text(res, 10) }, dud);
}

/* The SIM as box/modem/slot, as the views name it on PostgreSQL. */
void pg_store_hook_outbound(struct pg_store *ps, int64_t id,
			    pg_hook_out_fn done, void *ud)
{
	struct pg_hook_op *op = pg_hook_op(ud);

	if (!op) {
		done(-ENOMEM, NULL, ud);
		return;
	}
	op->out = done;
	pg_hook_send(ps, "SELECT m.recipient, m.body, c.name, m.parts,"
		     " s.box || '/' || s.modem || '/' || s.slot, s.iccid,"
		     " s.number, f.name, f.idem_key, m.state, m.error"
		     " FROM message m"
		     " LEFT JOIN campaign c ON c.id = m.campaign_id"
		     " LEFT JOIN sim s ON s.id = m.sim_id"
		     " LEFT JOIN spool_file f ON f.id = m.file_id"
		     " WHERE m.id = $1::bigint", id, pg_hook_out_done, op);
}

/* ---- the eventhandler's (store_outbox_info(), store_inbox_info()) ---- */

static void pg_hook_copy(char *dst, size_t size, PGresult *res, int col)
{
	snprintf(dst, size, "%s",
		 PQgetisnull(res, 0, col) ? "" : PQgetvalue(res, 0, col));
}

static void pg_hook_oinfo_done(int rc, PGresult *res, const char *err,
			       void *ud)
{
	struct pg_hook_op *op = ud;
	pg_outbox_info_fn done = op->oinfo;
	void *dud = op->ud;
	struct outbox_info o = { 0 };

	free(op);
	rc = pg_rc(rc, "reading a message for the eventhandler", err);
	if (rc < 0 || PQntuples(res) < 1) {
		done(rc < 0 ? rc : -ENOENT, NULL, NULL, dud);
		return;
	}
	pg_hook_copy(o.recipient, sizeof(o.recipient), res, 0);
	pg_hook_copy(o.modem, sizeof(o.modem), res, 2);
	pg_hook_copy(o.imsi, sizeof(o.imsi), res, 3);
	pg_hook_copy(o.imei, sizeof(o.imei), res, 4);
	pg_hook_copy(o.campaign, sizeof(o.campaign), res, 5);
	pg_hook_copy(o.from, sizeof(o.from), res, 6);
	pg_hook_copy(o.error, sizeof(o.error), res, 7);
	o.report = (int)pg_hook_int(res, 8, 0);
	o.mr = (int)pg_hook_int(res, 9, -1);
	o.sent_at = pg_hook_int(res, 10, 0);
	o.status = (int)pg_hook_int(res, 11, -1);
	o.report_at = pg_hook_int(res, 12, 0);
	done(0, &o, PQgetvalue(res, 0, 1), dud);
}

void pg_store_outbox_info(struct pg_store *ps, int64_t id,
			  pg_outbox_info_fn done, void *ud)
{
	struct pg_hook_op *op = pg_hook_op(ud);

	if (!op) {
		done(-ENOMEM, NULL, NULL, ud);
		return;
	}
	op->oinfo = done;
	pg_hook_send(ps, "SELECT m.recipient, m.body,"
		     " s.box || '/' || s.modem || '/' || s.slot, s.imsi,"
		     " s.imei, c.name, m.from_header, m.error, m.report,"
		     " (SELECT mr FROM part WHERE message_id = m.id"
		     "  ORDER BY seq DESC LIMIT 1),"
		     " coalesce(m.sent_at, m.updated_at),"
		     " (SELECT status FROM status_report WHERE message_id = m.id"
		     "  ORDER BY id DESC LIMIT 1),"
		     " (SELECT received_at FROM status_report"
		     "  WHERE message_id = m.id ORDER BY id DESC LIMIT 1)"
		     " FROM message m LEFT JOIN sim s ON s.id = m.sim_id"
		     " LEFT JOIN campaign c ON c.id = m.campaign_id"
		     " WHERE m.id = $1::bigint", id, pg_hook_oinfo_done, op);
}

static void pg_hook_iinfo_done(int rc, PGresult *res, const char *err,
			       void *ud)
{
	struct pg_hook_op *op = ud;
	pg_inbox_info_fn done = op->iinfo;
	void *dud = op->ud;
	struct inbox_info in = { 0 };

	free(op);
	rc = pg_rc(rc, "reading a message for the eventhandler", err);
	if (rc == 0 && PQntuples(res) > 0) {
		pg_hook_copy(in.imsi, sizeof(in.imsi), res, 0);
		pg_hook_copy(in.imei, sizeof(in.imei), res, 1);
		in.received_at = pg_hook_int(res, 2, 0);
		pg_hook_copy(in.scts, sizeof(in.scts), res, 3);
	}
	done(rc, &in, dud);
}

void pg_store_inbox_info(struct pg_store *ps, int64_t id,
			 pg_inbox_info_fn done, void *ud)
{
	struct pg_hook_op *op = pg_hook_op(ud);

	if (!op) {
		done(-ENOMEM, &(struct inbox_info){ 0 }, ud);
		return;
	}
	op->iinfo = done;
	pg_hook_send(ps, "SELECT s.imsi, s.imei, i.received_at, i.scts"
		     " FROM inbound i LEFT JOIN sim s ON s.id = i.sim_id"
		     " WHERE i.id = $1::bigint", id, pg_hook_iinfo_done, op);
}
