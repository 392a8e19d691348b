/*
 * test_pg_conn — include/pg_conn.h against a real PostgreSQL.
 *
 * Run alone (tests/run) it tests what needs no server; the end-to-end
 * test tests/e2e/test_pg_conn.py starts PostgreSQL 15
 * (tests/lib/pgserver.py) and drives this program as a probe:
 *
 *   SMSGW_PG_PROBE=URL test_pg_conn
 *
 * stdin, one command a line:  listen CHANNEL | query SQL | ping | quit
 * stdout, one event a line:   state up GENERATION | state down |
 *                             notify CHANNEL PAYLOAD | result RC VALUE |
 *                             pong
 * "result 0 V": V is the first column of the first row ("" if none);
 * "result -N MESSAGE": the error. Everything runs on the one loop, so a
 * "pong" while a query is out shows that the query does not block it.
 */
#include "harness.h"
#include "loop.h"
#include "pg_conn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct probe {
	struct loop *loop;
	struct pg_conn *pg;
	struct loop_watch in;
	char buf[8192];
	size_t len;
};

static void probe_say(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static void probe_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void probe_state(bool up, void *ud)
{
	struct probe *p = ud;
	if (up)
		probe_say("state up %u\n", pg_conn_generation(p->pg));
	else
		probe_say("state down\n");
}

static void probe_notify(const char *channel, const char *payload, void *ud)
{
	(void)ud;
	probe_say("notify %s %s\n", channel, payload);
}

static void probe_result(int rc, PGresult *res, const char *err, void *ud)
{
	char msg[512];

	(void)ud;
	if (rc == 0)
		snprintf(msg, sizeof(msg), "%s",
			 PQntuples(res) > 0 && PQnfields(res) > 0
				 ? PQgetvalue(res, 0, 0) : "");
	else
		snprintf(msg, sizeof(msg), "%s", err ? err : "");
	msg[strcspn(msg, "\n")] = '\0';
	probe_say("result %d %s\n", rc, msg);
}

static void probe_line(struct probe *p, char *line)
{
	if (strncmp(line, "listen ", 7) == 0)
		pg_conn_listen(p->pg, line + 7);
	else if (strncmp(line, "query ", 6) == 0)
		pg_conn_query(p->pg, line + 6, 0, NULL, probe_result, p);
	else if (strcmp(line, "ping") == 0)
		probe_say("pong\n");
	else if (strcmp(line, "quit") == 0)
		loop_stop(p->loop);
	else
		probe_say("error unknown command %s\n", line);
}

static void probe_input(struct loop_watch *w, uint32_t events, void *ud)
{
	struct probe *p = ud;
	ssize_t n = read(0, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
	char *nl;

	(void)events;
	if (n <= 0) {
		loop_watch_del(w);
		loop_stop(p->loop);
		return;
	}
	p->len += (size_t)n;
	p->buf[p->len] = '\0';
	while ((nl = strchr(p->buf, '\n'))) {
		*nl = '\0';
		probe_line(p, p->buf);
		p->len -= (size_t)(nl + 1 - p->buf);
		memmove(p->buf, nl + 1, p->len + 1);
	}
}

static int probe_run(const char *url)
{
	struct probe p = { 0 };
	char err[256];

	if (loop_new(&p.loop) < 0)
		return 1;
	if (pg_conn_new(p.loop, url, &p.pg, err, sizeof(err)) < 0) {
		fprintf(stderr, "test_pg_conn: %s\n", err);
		return 1;
	}
	pg_conn_on_state(p.pg, probe_state, &p);
	pg_conn_on_notify(p.pg, probe_notify, &p);
	if (loop_watch_add(p.loop, &p.in, 0, EPOLLIN, probe_input, &p) < 0)
		return 1;
	loop_run(p.loop);
	if (p.in.active)
		loop_watch_del(&p.in);
	pg_conn_free(p.pg);
	loop_free(p.loop);
	return 0;
}

/* SMSGW_PG_PROBE=URL: the probe instead of the tests. */
__attribute__((constructor)) static void probe_mode(void)
{
	const char *url = getenv("SMSGW_PG_PROBE");

	if (url)
		exit(probe_run(url));
}

/* What needs no server: a URI libpq refuses is refused at once, naming
 * the problem; no connection attempt, no loop activity. */
TEST(pg_conn_refuses_a_bad_uri)
{
	char err[256];
	struct loop *loop;
	struct pg_conn *pg = NULL;

	CHECK_INT(loop_new(&loop), 0);
	CHECK_INT(pg_conn_new(loop, "postgresql://host/db?bogus=1", &pg, err,
			      sizeof(err)), -EINVAL);
	CHECK(strstr(err, "bogus") != NULL);
	CHECK(pg == NULL);
	loop_free(loop);
}
