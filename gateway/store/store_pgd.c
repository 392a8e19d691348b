/*
 * store_pgd — the daemon's PostgreSQL store beside the operations; see
 * include/store_pgd.h.
 */
#include "store_pgd.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "pg_conn.h"
#include "sim.h"
#include "store.h"
#include "store_pg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct store_pgd_event {
	struct store_pgd_event *next;
	struct store_pgd *x;
	char at[24];
	const char *level;		/* static */
	char *source, *msg;
};

struct store_pgd {
	struct store *st;
	struct loop *loop;
	struct pg_conn *conn;		/* NULL once shut down */
	char box[64];
	bool resend_direct, resend_bulk;
	/* Events waiting for the connection, in order. */
	struct store_pgd_event *head, **tail;
	size_t nwaiting, dropped;
	unsigned inflight;		/* this module's queries not answered */
	bool stopping;
	bool locked;			/* holds the box's advisory lock */
	void (*state_fn)(enum store_pg_state s, void *ud);
	void *state_ud;
	void (*queue_fn)(void *ud);
	void *queue_ud;
	void (*intake_fn)(void *ud);	/* INSERT INTO outbox rows */
	void *intake_ud;
	/* The daemon row's start, sent at each connect until recorded. */
	bool start_wanted;
	long pid;
};

bool store_ready(struct store *st)
{
	struct store_pgd *x;

	if (!store_is_pg(st))
		return true;
	x = store_pgd_of(st);
	return x->conn && !x->stopping && x->locked && pg_conn_ready(x->conn);
}

const char *store_pg_box(struct store *st)
{
	return store_is_pg(st) ? store_pgd_of(st)->box : "";
}

void store_pg_on_state(struct store *st,
		       void (*fn)(enum store_pg_state s, void *ud), void *ud)
{
	struct store_pgd *x = store_pgd_of(st);

	x->state_fn = fn;
	x->state_ud = ud;
}

void store_pg_on_queue(struct store *st, void (*fn)(void *ud), void *ud)
{
	struct store_pgd *x = store_pgd_of(st);

	x->queue_fn = fn;
	x->queue_ud = ud;
}

void store_pg_on_intake(struct store *st, void (*fn)(void *ud), void *ud)
{
	struct store_pgd *x = store_pgd_of(st);

	x->intake_fn = fn;
	x->intake_ud = ud;
}

/* ---- the event log ---- */

static void store_pgd_event_free(struct store_pgd_event *e)
{
	free(e->source);
	free(e->msg);
	free(e);
}

static void store_pgd_event_wait(struct store_pgd *x,
				 struct store_pgd_event *e)
{
	if (x->nwaiting >= STORE_PGD_EVENTS_MAX) {
		if (!x->dropped++)
			log_error("postgresql: the database is away and %d "
				  "events wait; further events are only in "
				  "this log", STORE_PGD_EVENTS_MAX);
		log_info("event (not stored): %s %s: %s", e->level, e->source,
			 e->msg);
		store_pgd_event_free(e);
		return;
	}
	e->next = NULL;
	*x->tail = e;
	x->tail = &e->next;
	x->nwaiting++;
}

static void store_pgd_event_sent(int rc, PGresult *res, const char *err,
				 void *ud)
{
	struct store_pgd_event *e = ud;
	struct store_pgd *x = e->x;

	(void)res;
	x->inflight--;
	if (rc == -ENOTCONN || rc == -ECONNRESET) {
		/* After a reset it may have been written: an event twice is
		 * better than none. */
		if (!x->stopping) {
			store_pgd_event_wait(x, e);
			return;
		}
		log_info("event (not stored): %s %s: %s", e->level, e->source,
			 e->msg);
	} else if (rc < 0) {
		log_warn("postgresql: an event was refused: %s",
			 err ? err : strerror(-rc));
	}
	store_pgd_event_free(e);
}

static void store_pgd_event_send(struct store_pgd *x,
				 struct store_pgd_event *e)
{
	const char *v[] = { e->at, e->level, e->source, e->msg, x->box };

	x->inflight++;
	if (pg_conn_query(x->conn, "INSERT INTO event (at, level, source,"
			  " message, box) VALUES ($1, $2, $3, $4, $5)", 5, v,
			  store_pgd_event_sent, e) < 0) {
		x->inflight--;
		store_pgd_event_wait(x, e);
	}
}

static void store_pgd_flush_events(struct store_pgd *x)
{
	while (x->head && x->conn && x->locked && pg_conn_ready(x->conn)) {
		struct store_pgd_event *e = x->head;

		x->head = e->next;
		if (!x->head)
			x->tail = &x->head;
		x->nwaiting--;
		store_pgd_event_send(x, e);
	}
	if (x->dropped && !x->head) {
		log_warn("postgresql: %zu events were not stored while the "
			 "database was away (they are in this log)",
			 x->dropped);
		x->dropped = 0;
	}
}

int store_pgd_event(struct store_pgd *x, const char *level,
		    const char *source, const char *msg)
{
	struct store_pgd_event *e = calloc(1, sizeof(*e));

	if (!e || !(e->source = strdup(source)) || !(e->msg = strdup(msg))) {
		if (e)
			store_pgd_event_free(e);
		return -ENOMEM;
	}
	e->x = x;
	e->level = level;
	snprintf(e->at, sizeof(e->at), "%" PRId64, store_now_ms());
	if (!x->conn) {
		log_info("event (not stored): %s %s: %s", level, source, msg);
		store_pgd_event_free(e);
		return -ENOTCONN;
	}
	if (x->head || !x->locked || !pg_conn_ready(x->conn))
		store_pgd_event_wait(x, e);	/* keeps the order */
	else
		store_pgd_event_send(x, e);
	return 0;
}

/* ---- the daemon row, SIM rows ---- */

static void store_pgd_done(int rc, PGresult *res, const char *err, void *ud)
{
	struct store_pgd *x = ud;

	(void)res;
	x->inflight--;
	if (rc == -EIO)
		log_warn("postgresql: %s", err ? err : "a write was refused");
}

static void store_pgd_query(struct store_pgd *x, const char *sql, int n,
			    const char *const *v)
{
	if (!x->conn)
		return;
	x->inflight++;
	if (pg_conn_query(x->conn, sql, n, v, store_pgd_done, x) < 0)
		x->inflight--;
}

static void store_pgd_daemon_done(int rc, void *ud)
{
	struct store_pgd *x = ud;

	x->inflight--;
	if (rc == 0)
		x->start_wanted = false;
}

void store_pgd_daemon(struct store *st, int what, long pid, int64_t now)
{
	struct store_pgd *x = store_pgd_of(st);
	struct pg_store *ps = store_pg(st);

	if (what == PG_STORE_DAEMON_START) {
		x->start_wanted = true;
		x->pid = pid;
	}
	if (!ps || !x->locked || !pg_conn_ready(x->conn))
		return;		/* the start goes at the connect */
	x->inflight++;
	pg_store_op_daemon(ps, what, x->pid, SMSGW_VERSION, now,
			   store_pgd_daemon_done, x);
}

void store_pgd_sim_row(struct store *st, const struct sim *sim,
		       const char *state, int64_t now)
{
	struct store_pgd *x = store_pgd_of(st);
	char n[7][24];
	const char *v[15];

	if (!sim->id || !x->conn || !x->locked || !pg_conn_ready(x->conn))
		return;		/* written again at the next connect */
	snprintf(n[0], sizeof(n[0]), "%" PRId64, sim->id);
	snprintf(n[1], sizeof(n[1]), "%d", sim->signal_dbm);
	snprintf(n[2], sizeof(n[2]), "%d", sim->registered);
	snprintf(n[3], sizeof(n[3]), "%" PRId64, sim->paused_until);
	snprintf(n[4], sizeof(n[4]), "%" PRId64, now);
	snprintf(n[5], sizeof(n[5]), "%d", sim->cfg->daily_limit);
	snprintf(n[6], sizeof(n[6]), "%d", sim->cfg->monthly_limit);
	v[0] = n[0];
	v[1] = sim->iccid[0] ? sim->iccid : NULL;
	v[2] = sim->imsi[0] ? sim->imsi : NULL;
	v[3] = sim->imei[0] ? sim->imei : NULL;
	v[4] = sim->number[0] ? sim->number : NULL;
	v[5] = sim->operator_name[0] ? sim->operator_name : NULL;
	v[6] = sim->signal_dbm ? n[1] : NULL;
	v[7] = n[2];
	v[8] = state;
	v[9] = sim->device[0] ? sim->device : NULL;
	v[10] = sim->model[0] ? sim->model : NULL;
	v[11] = sim->paused_until > now ? n[3] : NULL;
	v[12] = n[4];
	v[13] = sim->cfg->daily_limit ? n[5] : NULL;
	v[14] = sim->cfg->monthly_limit ? n[6] : NULL;
	store_pgd_query(x, "UPDATE sim SET iccid = coalesce($2, iccid),"
			" imsi = coalesce($3, imsi), imei = coalesce($4, imei),"
			" number = coalesce($5, number), operator = $6,"
			" signal = $7, registered = $8, state = $9,"
			" device = coalesce($10, device),"
			" model = coalesce($11, model), paused_until = $12,"
			" updated_at = $13, daily_limit = $14,"
			" monthly_limit = $15 WHERE id = $1", 15, v);
}

void store_pgd_sims_absent(struct store *st, const int64_t *ids, size_t n,
			   int64_t now)
{
	struct store_pgd *x = store_pgd_of(st);
	char list[16384], at[24];
	size_t k;
	const char *v[3] = { x->box, at, list };

	k = (size_t)snprintf(list, sizeof(list), "{");
	for (size_t i = 0; i < n && k < sizeof(list) - 32; i++)
		k += (size_t)snprintf(list + k, sizeof(list) - k,
				      "%s%" PRId64, i ? "," : "", ids[i]);
	snprintf(list + k, sizeof(list) - k, "}");
	snprintf(at, sizeof(at), "%" PRId64, now);
	store_pgd_query(x, "UPDATE sim SET state = 'absent', updated_at = $2"
			" WHERE box = $1 AND state <> 'absent'"
			" AND NOT (id = ANY ($3::bigint[]))", 3, v);
}

/* ---- the connection ---- */

/* The box's lock: one smsgwd per box name on a database. */
static void store_pgd_locked(int rc, PGresult *res, const char *err,
			     void *ud)
{
	struct store_pgd *x = ud;

	x->inflight--;
	if (rc < 0 || x->stopping) {
		if (rc == -EIO)
			log_warn("postgresql: the box's lock: %s", err);
		return;		/* a reconnect asks again */
	}
	if (PQntuples(res) != 1 || PQgetvalue(res, 0, 0)[0] != 't') {
		log_error("postgresql: another smsgwd already runs as box %s "
			  "on this database (each needs its own box name)",
			  x->box);
		if (x->state_fn)
			x->state_fn(STORE_PG_BOX_TAKEN, x->state_ud);
		return;
	}
	x->locked = true;
	store_pgd_flush_events(x);
	if (x->start_wanted)
		store_pgd_daemon(x->st, PG_STORE_DAEMON_START, x->pid,
				 store_now_ms());
	if (x->state_fn)
		x->state_fn(STORE_PG_UP, x->state_ud);
	/* Rows inserted while this box was away (stopped, disconnected):
	 * their NOTIFY went to nobody. */
	if (x->intake_fn)
		x->intake_fn(x->intake_ud);
}

static void store_pgd_on_state(bool up, void *ud)
{
	struct store_pgd *x = ud;
	const char *v[1] = { x->box };

	x->locked = false;
	if (!up) {
		if (x->state_fn && !x->stopping)
			x->state_fn(STORE_PG_DOWN, x->state_ud);
		return;
	}
	/* A session lock: it goes with the connection, and is taken again
	 * at each connect, before anything is written. */
	x->inflight++;
	if (pg_conn_query(x->conn, "SELECT pg_try_advisory_lock(hashtext("
			  "'smsgw box ' || $1))", 1, v, store_pgd_locked,
			  x) < 0)
		x->inflight--;
}

static void store_pgd_on_notify(const char *channel, const char *payload,
				void *ud)
{
	struct store_pgd *x = ud;

	(void)payload;
	if (strcmp(channel, "smsgw_queue") == 0 && x->queue_fn &&
	    !x->stopping)
		x->queue_fn(x->queue_ud);
	else if (strcmp(channel, "smsgw_intake") == 0 && x->intake_fn &&
		 !x->stopping && x->locked)
		x->intake_fn(x->intake_ud);
}

void store_pgd_resend(struct store *st, char direct[2], char bulk[2])
{
	struct store_pgd *x = store_pgd_of(st);

	snprintf(direct, 2, "%s", x->resend_direct ? "t" : "f");
	snprintf(bulk, 2, "%s", x->resend_bulk ? "t" : "f");
}

int store_pgd_new(struct store *st, struct loop *loop, struct pg_store *ps,
		  const struct pg_store_options *o, struct store_pgd **out,
		  char *err, size_t errsize)
{
	struct store_pgd *x = calloc(1, sizeof(*x));

	*out = NULL;
	if (!x) {
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	x->st = st;
	x->loop = loop;
	x->conn = pg_store_conn(ps);
	x->tail = &x->head;
	snprintf(x->box, sizeof(x->box), "%s", o->box);
	x->resend_direct = o->resend_direct;
	x->resend_bulk = o->resend_bulk;
	pg_conn_on_state(x->conn, store_pgd_on_state, x);
	pg_conn_on_notify(x->conn, store_pgd_on_notify, x);
	if (pg_conn_listen(x->conn, "smsgw_queue") < 0 ||
	    pg_conn_listen(x->conn, "smsgw_intake") < 0) {
		snprintf(err, errsize, "out of memory");
		free(x);
		return -ENOMEM;
	}
	*out = x;
	return 0;
}

void store_pg_shutdown(struct store *st, int drain_ms)
{
	struct store_pgd *x = store_pgd_of(st);
	struct pg_store *ps = store_pg(st);
	int64_t until = loop_clock_ms() + drain_ms;

	if (!ps)
		return;
	/* What this module sent last (the daemon row, "stopped") comes
	 * back after everything sent before it: one connection, in order. */
	while (x->inflight && pg_conn_ready(x->conn) &&
	       loop_clock_ms() < until)
		loop_run_once(x->loop, 50);
	x->stopping = true;
	store_pg_detach(st);
	pg_store_free(ps);		/* answers the rest -ENOTCONN */
	x->conn = NULL;
	if (x->nwaiting)
		log_warn("postgresql: %zu events not stored: the database "
			 "was away at the stop (they are in this log)",
			 x->nwaiting);
	while (x->head) {
		struct store_pgd_event *e = x->head;

		x->head = e->next;
		log_info("event (not stored): %s %s: %s", e->level, e->source,
			 e->msg);
		store_pgd_event_free(e);
	}
	x->tail = &x->head;
	x->nwaiting = 0;
}

void store_pgd_free(struct store_pgd *x)
{
	free(x);
}
