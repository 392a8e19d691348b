/*
 * pg_store_box — the PostgreSQL operations beside the queue itself: an
 * inbound message, status reports, promote/expire, campaigns, the daemon
 * row, lease renewal and a SIM card's usage (see include/store_pg.h).
 */
#include "pg_store_priv.h"
#include "msg_state.h"
#include "pg_conn.h"
#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pg_store_op_inbound(struct pg_store *ps, const struct inbox_new *m,
			 int64_t now, int64_t *id, store_done_fn done,
			 void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	op->id = id;
	pg_param_text(&p, m->sender);
	pg_param_text(&p, m->sender_type);
	pg_param_text(&p, m->recipient);
	pg_param_int_or_null(&p, m->sim_id, 0);
	pg_param_text(&p, m->body);
	pg_param_int(&p, m->parts);
	pg_param_int(&p, m->total);
	pg_param_int(&p, m->partial);
	pg_param_text(&p, m->keyword);
	pg_param_int_or_null(&p, m->in_reply_to, 0);
	pg_param_text(&p, m->scts);
	pg_param_int_or_null(&p, m->concat_ref, -1);
	pg_param_int(&p, now);
	pg_store_send(ps, "SELECT smsgw_inbound($1, $2, $3, $4, $5, $6, $7,"
		      " $8, $9, $10, $11, $12, $13)", &p, pg_store_id_done,
		      op);
}

/* ---- status reports, housekeeping, campaigns, the daemon row ---- */

struct pg_report_op {
	struct pg_op op;
	int64_t *msg_id;
	const char **new_state;
};

static void pg_report_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_op *op = ud;
	struct pg_report_op *r = (struct pg_report_op *)op;

	rc = pg_rc(rc, "recording a status report", err);
	*r->msg_id = 0;
	*r->new_state = NULL;
	if (rc == 0 && PQntuples(res) == 1 && PQnfields(res) == 2) {
		*r->msg_id = pg_first_int(res);
		if (!PQgetisnull(res, 0, 1))
			*r->new_state = msg_to_name(
				strcmp(PQgetvalue(res, 0, 1), "failed") == 0
					? MSG_EVENT_REPORT_FAIL
					: MSG_EVENT_REPORT_OK);
	}
	pg_op_finish(op, rc);
}

void pg_store_op_report(struct pg_store *ps, int64_t sim_id, int mr,
			const char *recipient, int status, int64_t now,
			int64_t window_ms, const char *pdu, int64_t *msg_id,
			const char **new_state, store_done_fn done, void *ud)
{
	struct pg_report_op *r = calloc(1, sizeof(*r));
	struct pg_params p = { .n = 0 };

	if (!r) {
		done(-ENOMEM, ud);
		return;
	}
	r->op = (struct pg_op){ .ps = ps, .done = done, .ud = ud };
	r->msg_id = msg_id;
	r->new_state = new_state;
	pg_param_int(&p, sim_id);
	pg_param_int(&p, mr);
	pg_param_text(&p, recipient);
	pg_param_int(&p, status);
	pg_param_int(&p, now);
	pg_param_int(&p, window_ms);
	pg_param_text(&p, pdu);
	pg_store_send(ps, "SELECT * FROM smsgw_report($1, $2, $3, $4, $5, $6,"
		      " $7)", &p, pg_report_done, &r->op);
}

void pg_count_done(int rc, PGresult *res, const char *err, void *ud)
{
	rc = pg_rc(rc, "housekeeping", err);
	pg_op_finish(ud, rc < 0 ? rc : (int)pg_first_int(res));
}

void pg_store_op_promote(struct pg_store *ps, int64_t now,
			 store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_int(&p, now);
	pg_store_send(ps, "SELECT smsgw_promote($1)", &p, pg_count_done, op);
}

void pg_store_op_campaign_set(struct pg_store *ps, int64_t id,
			      enum outbox_campaign_action a, int64_t now,
			      store_done_fn done, void *ud)
{
	static const char *const actions[] = {
		[OUTBOX_CAMPAIGN_PAUSE] = "pause",
		[OUTBOX_CAMPAIGN_RESUME] = "resume",
		[OUTBOX_CAMPAIGN_CANCEL] = "cancel",
	};
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_int(&p, id);
	pg_param_text(&p, actions[a]);
	pg_param_int(&p, now);
	pg_store_send(ps, "SELECT smsgw_campaign_set($1, $2, $3)", &p,
		      pg_count_done, op);
}

static void pg_void_done(int rc, PGresult *res, const char *err, void *ud)
{
	(void)res;
	pg_op_finish(ud, pg_rc(rc, "the daemon row", err));
}

void pg_store_op_daemon(struct pg_store *ps, enum pg_store_daemon_event ev,
			long pid, const char *version, int64_t now,
			store_done_fn done, void *ud)
{
	static const char *const what[] = {
		[PG_STORE_DAEMON_START] = "start",
		[PG_STORE_DAEMON_BEAT] = "beat",
		[PG_STORE_DAEMON_STOP] = "stop",
	};
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_text(&p, ps->box);
	pg_param_text(&p, what[ev]);
	pg_param_int(&p, pid);
	pg_param_text(&p, version);
	pg_param_int(&p, now);
	pg_store_send(ps, "SELECT smsgw_daemon($1, $2, $3, $4, $5)", &p,
		      pg_void_done, op);
}

void pg_store_op_renew(struct pg_store *ps, const struct outbox_msg *msg,
		       int64_t now, store_done_fn done, void *ud)
{
	struct pg_op *op = pg_op_new(ps, done, ud);
	struct pg_params p = { .n = 0 };

	if (!op)
		return;
	pg_param_int(&p, msg->id);
	pg_param_int(&p, msg->attempt_id);
	pg_param_int(&p, now);
	pg_param_int(&p, ps->lease_ms);
	pg_store_send(ps, "SELECT smsgw_renew($1, $2, $3, $4)", &p,
		      pg_record_done, op);
}

struct pg_usage_op {
	struct pg_op op;
	struct outbox_usage *u;
};

static void pg_usage_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct pg_usage_op *r = ud;
	struct outbox_usage *u = r->u;

	rc = pg_rc(rc, "reading a SIM's usage", err);
	memset(u, 0, sizeof(*u));
	if (rc == 0 && PQntuples(res) == 1 && PQnfields(res) == 5) {
		snprintf(u->day, sizeof(u->day), "%s", PQgetvalue(res, 0, 0));
		u->sent_day = atoi(PQgetvalue(res, 0, 1));
		snprintf(u->month, sizeof(u->month), "%s",
			 PQgetvalue(res, 0, 2));
		u->sent_month = atoi(PQgetvalue(res, 0, 3));
		u->last_send_at = strtoll(PQgetvalue(res, 0, 4), NULL, 10);
	}
	pg_op_finish(&r->op, rc);
}

void pg_store_op_usage(struct pg_store *ps, const char *usage_key,
		       struct outbox_usage *u, store_done_fn done, void *ud)
{
	struct pg_usage_op *r = calloc(1, sizeof(*r));
	struct pg_params p = { .n = 0 };

	if (!r) {
		done(-ENOMEM, ud);
		return;
	}
	r->op = (struct pg_op){ .ps = ps, .done = done, .ud = ud };
	r->u = u;
	pg_param_text(&p, usage_key);
	pg_store_send(ps, "SELECT day, sent_day, month, sent_month,"
		      " coalesce(last_send_at, 0) FROM sim_usage"
		      " WHERE iccid = $1", &p, pg_usage_done, &r->op);
}
