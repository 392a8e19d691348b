/*
 * pg_conn — one libpq connection on the loop; see include/pg_conn.h.
 *
 * libpq's asynchronous protocol (libpq manual, "Asynchronous Command
 * Processing" and "Connecting" for PQconnectPoll): the socket is watched
 * for what libpq last asked for (reading or writing), PQflush() is
 * called until the query is out, and PQconsumeInput() + PQisBusy() +
 * PQgetResult() read the answer without blocking. PQconnectPoll() has no
 * timeout of its own in this mode, so connecting and each query have a
 * deadline here.
 */
#include "pg_conn.h"
#include "backoff.h"
#include "config_pg.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG_CONN_CONNECT_TIMEOUT_MS 10000
/* A query unanswered this long means a stalled server or a dead link
 * that TCP has not noticed: drop the connection and start again. */
#define PG_CONN_QUERY_TIMEOUT_MS 30000

enum pg_conn_state {
	PG_CONN_DOWN,		/* waiting for the retry timer */
	PG_CONN_CONNECTING,	/* PQconnectPoll() */
	PG_CONN_SETUP,		/* schema and LISTENs */
	PG_CONN_READY,
};

struct pg_query {
	struct pg_query *next;
	char *sql;
	int nparams;
	char **params;
	pg_result_fn done;	/* NULL: internal (setup, LISTEN) */
	void *ud;
	bool last_setup;	/* its success makes the connection ready */
	int rc;			/* for answers waiting in c->answers */
};

struct pg_conn {
	struct loop *loop;
	char *conninfo;
	char what[256];		/* for the log, without a password */
	PGconn *pq;
	enum pg_conn_state state;
	struct loop_watch watch;
	bool watching;
	struct loop_timer timer;	/* retry, connect and query deadline */
	struct loop_deferred kick;	/* answers -ENOTCONN from the loop */
	unsigned failures;		/* breaks in a row: backoff.h's n */
	struct pg_query *head, **tail;	/* waiting to be sent */
	struct pg_query *inflight;
	PGresult *result;		/* of inflight: the last, or the error */
	struct pg_query *answers, **answers_tail;
	char **channels;
	size_t nchannels;
	unsigned generation;
	pg_notify_fn notify;
	void *notify_ud;
	pg_state_fn on_state;
	void *state_ud;
};

static void pg_conn_connect(struct pg_conn *c);
static void pg_conn_pump(struct pg_conn *c);

static void pg_query_free(struct pg_query *q)
{
	if (!q)
		return;
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q->sql);
	free(q);
}

static void pg_conn_answer(struct pg_query *q, int rc, PGresult *res,
			   const char *err)
{
	if (q->done)
		q->done(rc, res, err, q->ud);
	pg_query_free(q);
}

/* Answers q later from the loop, never inside the caller's call. */
static void pg_conn_answer_later(struct pg_conn *c, struct pg_query *q,
				 int rc)
{
	q->rc = rc;
	q->next = NULL;
	*c->answers_tail = q;
	c->answers_tail = &q->next;
	loop_defer(&c->kick);
}

static void pg_conn_on_kick(struct loop_deferred *d, void *ud)
{
	struct pg_conn *c = ud;
	struct pg_query *q;

	(void)d;
	while ((q = c->answers)) {
		c->answers = q->next;
		if (!c->answers)
			c->answers_tail = &c->answers;
		pg_conn_answer(q, q->rc, NULL, q->rc == -ENOTCONN
			       ? "not connected to PostgreSQL"
			       : strerror(-q->rc));
	}
}

static void pg_conn_set_watch(struct pg_conn *c, uint32_t events);

/* Closes the connection, answers what waited, retries after a backoff. */
static void pg_conn_drop(struct pg_conn *c, const char *why)
{
	bool was_ready = c->state == PG_CONN_READY;
	int64_t wait_ms = backoff_ms(c->failures++, PG_CONN_BACKOFF_MIN_MS,
				     PG_CONN_BACKOFF_MAX_MS);
	struct pg_query *q;

	log_warn("postgresql: %s: %s; trying again in %lld ms", c->what, why,
		 (long long)wait_ms);
	if (c->watching) {
		loop_watch_del(&c->watch);
		c->watching = false;
	}
	if (c->pq) {
		PQfinish(c->pq);
		c->pq = NULL;
	}
	PQclear(c->result);
	c->result = NULL;
	c->state = PG_CONN_DOWN;
	loop_timer_arm(&c->timer, wait_ms);
	q = c->inflight;
	c->inflight = NULL;
	if (q)
		pg_conn_answer(q, -ECONNRESET, NULL,
			       "the connection to PostgreSQL broke");
	while ((q = c->head)) {
		c->head = q->next;
		pg_conn_answer(q, -ENOTCONN, NULL,
			       "the connection to PostgreSQL broke");
	}
	c->tail = &c->head;
	if (was_ready && c->on_state)
		c->on_state(false, c->state_ud);
}

static void pg_conn_set_watch(struct pg_conn *c, uint32_t events)
{
	int fd = PQsocket(c->pq);

	if (c->watching && c->watch.fd != fd) {
		loop_watch_del(&c->watch);
		c->watching = false;
	}
	if (!c->watching) {
		if (fd < 0 || loop_watch_add(c->loop, &c->watch, fd, events,
					     c->watch.cb, c) < 0) {
			pg_conn_drop(c, "cannot watch the socket");
			return;
		}
		c->watching = true;
	} else if (c->watch.events != events) {
		loop_watch_set(&c->watch, events);
	}
}

static struct pg_query *pg_query_new(const char *sql, int nparams,
				     const char *const *params)
{
	struct pg_query *q = calloc(1, sizeof(*q));

	if (!q)
		return NULL;
	q->sql = strdup(sql);
	q->nparams = nparams;
	if (nparams > 0)
		q->params = calloc((size_t)nparams, sizeof(char *));
	if (!q->sql || (nparams > 0 && !q->params)) {
		q->nparams = 0;
		pg_query_free(q);
		return NULL;
	}
	for (int i = 0; i < nparams; i++)
		if (params[i] && !(q->params[i] = strdup(params[i]))) {
			pg_query_free(q);
			return NULL;
		}
	return q;
}

static void pg_conn_push(struct pg_conn *c, struct pg_query *q)
{
	q->next = NULL;
	*c->tail = q;
	c->tail = &q->next;
}

static int pg_conn_push_listen(struct pg_conn *c, const char *channel,
			       bool last_setup)
{
	char *id = PQescapeIdentifier(c->pq, channel, strlen(channel));
	char sql[300];
	struct pg_query *q;

	if (!id)
		return -ENOMEM;
	snprintf(sql, sizeof(sql), "LISTEN %s", id);
	PQfreemem(id);
	q = pg_query_new(sql, -1, NULL);
	if (!q)
		return -ENOMEM;
	q->last_setup = last_setup;
	pg_conn_push(c, q);
	return 0;
}

/* Connected: apply the schema, LISTEN again, then ready. */
static void pg_conn_connected(struct pg_conn *c)
{
	struct pg_query *q;

	if (PQsetnonblocking(c->pq, 1) < 0) {
		pg_conn_drop(c, "cannot make the connection non-blocking");
		return;
	}
	loop_timer_disarm(&c->timer);
	c->state = PG_CONN_SETUP;
	for (int i = 0; pg_schema_sql(i); i++) {
		q = pg_query_new(pg_schema_sql(i), -1, NULL);
		if (!q) {
			pg_conn_drop(c, "out of memory");
			return;
		}
		q->last_setup = !pg_schema_sql(i + 1) && c->nchannels == 0;
		pg_conn_push(c, q);
	}
	for (size_t i = 0; i < c->nchannels; i++)
		if (pg_conn_push_listen(c, c->channels[i],
					i + 1 == c->nchannels) < 0) {
			pg_conn_drop(c, "out of memory");
			return;
		}
	pg_conn_set_watch(c, EPOLLIN);
	pg_conn_pump(c);
}

/* A setup query (schema, LISTEN) answered: the last one makes the
 * connection ready; a failed one drops it (the log says why each try). */
static void pg_conn_setup_result(struct pg_conn *c, struct pg_query *q,
				 bool ok, const char *err)
{
	if (!ok) {
		pg_conn_drop(c, err ? err : "setup failed");
		return;
	}
	if (q->last_setup && c->state == PG_CONN_SETUP) {
		c->state = PG_CONN_READY;
		c->failures = 0;
		c->generation++;
		log_notice("postgresql: %s: connected", c->what);
		if (c->on_state)
			c->on_state(true, c->state_ud);
	}
}

/* The in-flight query has all its results. */
static void pg_conn_finish(struct pg_conn *c)
{
	struct pg_query *q = c->inflight;
	PGresult *res = c->result;
	ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
		  st == PGRES_EMPTY_QUERY;

	const char *err = ok ? NULL : res ? PQresultErrorMessage(res)
					  : PQerrorMessage(c->pq);

	c->inflight = NULL;
	c->result = NULL;
	loop_timer_disarm(&c->timer);
	if (q->done) {
		pg_conn_answer(q, ok ? 0 : -EIO, res, err);
	} else {
		pg_conn_setup_result(c, q, ok, err);
		pg_query_free(q);
	}
	PQclear(res);
}

static void pg_conn_read(struct pg_conn *c)
{
	PGnotify *n;

	if (!PQconsumeInput(c->pq)) {
		pg_conn_drop(c, PQerrorMessage(c->pq));
		return;
	}
	while (c->inflight && c->pq && !PQisBusy(c->pq)) {
		PGresult *r = PQgetResult(c->pq);

		if (!r) {
			pg_conn_finish(c);
			continue;
		}
		/* Several statements: keep the first error, else the last. */
		if (c->result && PQresultStatus(c->result) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			PQclear(c->result);
			c->result = r;
		}
	}
	if (!c->pq)
		return;
	while ((n = PQnotifies(c->pq))) {
		if (c->notify)
			c->notify(n->relname, n->extra, c->notify_ud);
		PQfreemem(n);
		if (!c->pq)
			return;
	}
	if (PQstatus(c->pq) == CONNECTION_BAD) {
		pg_conn_drop(c, PQerrorMessage(c->pq));
		return;
	}
	pg_conn_pump(c);
}

static void pg_conn_flush(struct pg_conn *c)
{
	int rc = PQflush(c->pq);

	if (rc < 0)
		pg_conn_drop(c, PQerrorMessage(c->pq));
	else
		pg_conn_set_watch(c, rc ? EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* Sends the next query when nothing is in flight. */
static void pg_conn_pump(struct pg_conn *c)
{
	struct pg_query *q;
	int ok;

	if (!c->pq || c->inflight || !c->head ||
	    (c->state != PG_CONN_SETUP && c->state != PG_CONN_READY))
		return;
	q = c->head;
	c->head = q->next;
	if (!c->head)
		c->tail = &c->head;
	c->inflight = q;
	if (q->nparams < 0)
		ok = PQsendQuery(c->pq, q->sql);
	else
		ok = PQsendQueryParams(c->pq, q->sql, q->nparams, NULL,
				       (const char *const *)q->params, NULL,
				       NULL, 0);
	if (!ok) {
		pg_conn_drop(c, PQerrorMessage(c->pq));
		return;
	}
	loop_timer_arm(&c->timer, PG_CONN_QUERY_TIMEOUT_MS);
	pg_conn_flush(c);
}

static void pg_conn_poll_connect(struct pg_conn *c)
{
	PostgresPollingStatusType st = PQconnectPoll(c->pq);

	/* libpq may have closed the socket and opened another (the next
	 * host or address), possibly under the same number, which epoll
	 * forgot with the close: watch afresh at every step. */
	if (c->watching) {
		loop_watch_del(&c->watch);
		c->watching = false;
	}
	switch (st) {
	case PGRES_POLLING_READING:
		pg_conn_set_watch(c, EPOLLIN);
		break;
	case PGRES_POLLING_WRITING:
		pg_conn_set_watch(c, EPOLLOUT);
		break;
	case PGRES_POLLING_OK:
		pg_conn_connected(c);
		break;
	default:
		pg_conn_drop(c, PQerrorMessage(c->pq));
		break;
	}
}

static void pg_conn_on_io(struct loop_watch *w, uint32_t events, void *ud)
{
	struct pg_conn *c = ud;

	(void)w;
	if (c->state == PG_CONN_CONNECTING) {
		pg_conn_poll_connect(c);
		return;
	}
	if (events & EPOLLOUT) {
		pg_conn_flush(c);
		if (!c->pq)
			return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		pg_conn_read(c);
}

static int64_t pg_conn_on_timer(struct loop_timer *t, void *ud)
{
	struct pg_conn *c = ud;

	(void)t;
	switch (c->state) {
	case PG_CONN_DOWN:
		pg_conn_connect(c);
		break;
	case PG_CONN_CONNECTING:
		pg_conn_drop(c, "no connection within 10 s");
		break;
	default:
		if (c->inflight)
			pg_conn_drop(c, "no answer within 30 s");
		break;
	}
	return LOOP_TIMER_DONE;
}

/* Server notices (NOTICE, WARNING) go to the log, not to stderr. */
static void pg_conn_notice(void *ud, const char *msg)
{
	struct pg_conn *c = ud;

	log_info("postgresql: %s: %.*s", c->what, (int)strcspn(msg, "\n"),
		 msg);
}

static void pg_conn_connect(struct pg_conn *c)
{
	c->pq = PQconnectStart(c->conninfo);
	if (!c->pq) {
		pg_conn_drop(c, "out of memory");
		return;
	}
	if (PQstatus(c->pq) == CONNECTION_BAD) {
		pg_conn_drop(c, PQerrorMessage(c->pq));
		return;
	}
	PQsetNoticeProcessor(c->pq, pg_conn_notice, c);
	c->state = PG_CONN_CONNECTING;
	loop_timer_arm(&c->timer, PG_CONN_CONNECT_TIMEOUT_MS);
	/* As if PQconnectPoll() had said PGRES_POLLING_WRITING. */
	pg_conn_set_watch(c, EPOLLOUT);
}

int pg_conn_new(struct loop *loop, const char *conninfo,
		struct pg_conn **out, char *err, size_t errsize)
{
	struct pg_conn *c;
	char *why = NULL;
	PQconninfoOption *o = PQconninfoParse(conninfo, &why);

	*out = NULL;
	if (!o) {
		snprintf(err, errsize, "not a PostgreSQL URI: %s",
			 why ? why : "out of memory");
		PQfreemem(why);
		return why ? -EINVAL : -ENOMEM;
	}
	PQconninfoFree(o);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->conninfo = strdup(conninfo))) {
		free(c);
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	c->loop = loop;
	config_database_describe(conninfo, c->what, sizeof(c->what));
	c->tail = &c->head;
	c->answers_tail = &c->answers;
	c->watch.cb = pg_conn_on_io;
	loop_timer_init(loop, &c->timer, pg_conn_on_timer, c);
	loop_deferred_init(loop, &c->kick, pg_conn_on_kick, c);
	pg_conn_connect(c);
	*out = c;
	return 0;
}

void pg_conn_free(struct pg_conn *c)
{
	struct pg_query *q;

	if (!c)
		return;
	loop_timer_disarm(&c->timer);
	loop_deferred_cancel(&c->kick);
	if (c->watching)
		loop_watch_del(&c->watch);
	if (c->inflight)
		pg_conn_answer(c->inflight, -ENOTCONN, NULL, "closed");
	while ((q = c->head)) {
		c->head = q->next;
		pg_conn_answer(q, -ENOTCONN, NULL, "closed");
	}
	pg_conn_on_kick(&c->kick, c);
	PQclear(c->result);
	if (c->pq)
		PQfinish(c->pq);
	for (size_t i = 0; i < c->nchannels; i++)
		free(c->channels[i]);
	free(c->channels);
	free(c->conninfo);
	free(c);
}

void pg_conn_on_notify(struct pg_conn *c, pg_notify_fn fn, void *ud)
{
	c->notify = fn;
	c->notify_ud = ud;
}

void pg_conn_on_state(struct pg_conn *c, pg_state_fn fn, void *ud)
{
	c->on_state = fn;
	c->state_ud = ud;
}

int pg_conn_listen(struct pg_conn *c, const char *channel)
{
	char **ch = realloc(c->channels, (c->nchannels + 1) * sizeof(*ch));

	if (!ch)
		return -ENOMEM;
	c->channels = ch;
	if (!(ch[c->nchannels] = strdup(channel)))
		return -ENOMEM;
	c->nchannels++;
	if (c->state != PG_CONN_READY)
		return 0;	/* setup or the next connect issues it */
	if (pg_conn_push_listen(c, channel, false) < 0)
		return -ENOMEM;
	pg_conn_pump(c);
	return 0;
}

bool pg_conn_ready(const struct pg_conn *c)
{
	return c->state == PG_CONN_READY;
}

unsigned pg_conn_generation(const struct pg_conn *c)
{
	return c->generation;
}

int pg_conn_query(struct pg_conn *c, const char *sql, int nparams,
		  const char *const *params, pg_result_fn done, void *ud)
{
	struct pg_query *q = pg_query_new(sql, nparams, params);

	if (!q)
		return -ENOMEM;
	q->done = done;
	q->ud = ud;
	if (c->state != PG_CONN_READY) {
		pg_conn_answer_later(c, q, -ENOTCONN);
		return 0;
	}
	pg_conn_push(c, q);
	pg_conn_pump(c);
	return 0;
}
