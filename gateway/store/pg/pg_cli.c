/*
 * pg_cli — the CLI's synchronous PostgreSQL connection and cursor; see
 * include/pg_cli.h. The CLI's writes are in pg_cli_ops.c.
 */
#include "pg_cli.h"
#include "pg_cli_priv.h"
#include "pg_conn.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs (src/include/catalog/pg_type.dat): what a column is as
 * SQLite would call it. */
#define PG_CLI_BOOL 16
#define PG_CLI_INT8 20
#define PG_CLI_INT2 21
#define PG_CLI_INT4 23
#define PG_CLI_OID 26
#define PG_CLI_FLOAT4 700
#define PG_CLI_FLOAT8 701
#define PG_CLI_NUMERIC 1700

struct pg_rows {
	PGresult *res;
	int row;		/* the current row; -1 before the first */
	int nrows;
};

static void pg_cli_set_err(struct pg_cli *pc, const char *msg)
{
	size_t n;

	snprintf(pc->err, sizeof(pc->err), "%s", msg && *msg ? msg
							      : "unknown error");
	/* libpq's messages end with a newline, some have a DETAIL line. */
	n = strcspn(pc->err, "\n");
	pc->err[n] = '\0';
}

const char *pg_cli_errmsg(struct pg_cli *pc)
{
	return pc->err;
}

PGresult *pg_cli_exec(struct pg_cli *pc, const char *sql,
		      const struct store_bind *b, size_t n)
{
	char nums[16][24];
	const char *vals[16];
	PGresult *res;
	ExecStatusType s;

	if (n > 16) {
		pg_cli_set_err(pc, "too many parameters");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (b[i].type == STORE_BIND_TEXT) {
			vals[i] = b[i].text;
		} else if (b[i].type == STORE_BIND_INT) {
			snprintf(nums[i], sizeof(nums[i]), "%" PRId64, b[i].i);
			vals[i] = nums[i];
		} else {
			vals[i] = NULL;
		}
	}
	res = PQexecParams(pc->conn, sql, (int)n, NULL, vals, NULL, NULL, 0);
	s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK)
		return res;
	pg_cli_set_err(pc, res ? PQresultErrorMessage(res)
			       : PQerrorMessage(pc->conn));
	PQclear(res);
	return NULL;
}

int pg_cli_run(struct pg_cli *pc, const char *sql)
{
	PGresult *res = pg_cli_exec(pc, sql, NULL, 0);

	PQclear(res);
	return res ? 0 : -EIO;
}

/* The schema, as a daemon applies it at connect (pg_conn.c): only when
 * this build's last file is missing, so that a reader never needs the
 * rights to create. */
static int pg_cli_schema(struct pg_cli *pc)
{
	PGresult *res = pg_cli_exec(pc, "SELECT to_regclass('smsgw_schema')"
				    " IS NULL OR to_regproc('smsgw_prune')"
				    " IS NULL OR to_regproc('smsgw_intake_take')"
				    " IS NULL", NULL, 0);
	bool missing = res && strcmp(PQgetvalue(res, 0, 0), "t") == 0;

	PQclear(res);
	if (!res)
		return -EIO;
	for (int i = 0; missing && pg_schema_sql(i); i++) {
		res = PQexec(pc->conn, pg_schema_sql(i));
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    PQresultStatus(res) != PGRES_TUPLES_OK) {
			pg_cli_set_err(pc, PQresultErrorMessage(res));
			PQclear(res);
			pg_cli_run(pc, "ROLLBACK");
			return -EIO;
		}
		PQclear(res);
	}
	return 0;
}

int pg_cli_open(const char *uri, const char *box, struct pg_cli **out,
		char *err, size_t errsize)
{
	const char *keys[] = { "dbname", "connect_timeout",
			       "application_name", NULL };
	const char *vals[] = { uri, "10", "smsgw", NULL };
	struct pg_cli *pc = calloc(1, sizeof(*pc));
	const char *tz = getenv("TZ");

	*out = NULL;
	if (!pc) {
		snprintf(err, errsize, "out of memory");
		return -ENOMEM;
	}
	snprintf(pc->box, sizeof(pc->box), "%s", box ? box : "");
	/* expand_dbname: the URI's own settings win over these defaults. */
	pc->conn = PQconnectdbParams(keys, vals, 1);
	if (!pc->conn || PQstatus(pc->conn) != CONNECTION_OK) {
		snprintf(err, errsize, "PostgreSQL: %s",
			 pc->conn ? PQerrorMessage(pc->conn) : "out of memory");
		err[strcspn(err, "\n")] = '\0';
		pg_cli_close(pc);
		return -ECONNREFUSED;
	}
	/* Quotas' days and the sims view's sent_today are the configured
	 * zone's, as on SQLite (cli.c sets TZ from the configuration). */
	if (tz && *tz) {
		const struct store_bind b[] = { STORE_TEXT(tz) };

		PQclear(pg_cli_exec(pc, "SELECT set_config('TimeZone', $1,"
				    " false)", b, 1));
	}
	if (pg_cli_schema(pc) < 0) {
		snprintf(err, errsize, "PostgreSQL: the database has no smsgw "
			 "schema and it could not be made (%s); start smsgwd "
			 "once, or run this as the daemon's role", pc->err);
		pg_cli_close(pc);
		return -EIO;
	}
	*out = pc;
	return 0;
}

void pg_cli_close(struct pg_cli *pc)
{
	if (!pc)
		return;
	PQfinish(pc->conn);
	free(pc);
}

bool pg_cli_readonly(struct pg_cli *pc)
{
	PGresult *res = pg_cli_exec(pc, "SELECT has_table_privilege('message',"
				    " 'UPDATE')", NULL, 0);
	bool ro = !res || strcmp(PQgetvalue(res, 0, 0), "t") != 0;

	PQclear(res);
	return ro;
}

int64_t pg_cli_size(struct pg_cli *pc)
{
	PGresult *res = pg_cli_exec(pc, "SELECT pg_database_size("
				    "current_database())", NULL, 0);
	int64_t n = res ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;

	PQclear(res);
	return n;
}

/* res as a cursor (res is the cursor's, or cleared). */
static struct store_rows *pg_cli_rows(struct pg_cli *pc, PGresult *res)
{
	struct pg_rows *r;

	if (!res)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		PQclear(res);
		pg_cli_set_err(pc, "out of memory");
		return NULL;
	}
	*r = (struct pg_rows){ .res = res, .row = -1, .nrows = PQntuples(res) };
	return store_rows_pg(r);
}

struct store_rows *pg_cli_query(struct pg_cli *pc, enum store_query q,
				const struct store_bind *b, size_t n)
{
	const char *sql = pg_cli_query_text(q);

	if (!sql) {
		pg_cli_set_err(pc, "this is not available on PostgreSQL");
		return NULL;
	}
	return pg_cli_rows(pc, pg_cli_exec(pc, sql, b, n));
}

int pg_rows_next(struct pg_rows *r)
{
	if (r->row + 1 >= r->nrows) {
		r->row = r->nrows;
		return 0;
	}
	r->row++;
	return 1;
}

void pg_rows_close(struct pg_rows *r)
{
	if (!r)
		return;
	PQclear(r->res);
	free(r);
}

int pg_rows_ncols(const struct pg_rows *r)
{
	return PQnfields(r->res);
}

const char *pg_rows_name(const struct pg_rows *r, int c)
{
	return PQfname(r->res, c);
}

enum store_type pg_rows_type(const struct pg_rows *r, int c)
{
	const char *v;

	if (PQgetisnull(r->res, r->row, c))
		return STORE_TYPE_NULL;
	switch (PQftype(r->res, c)) {
	case PG_CLI_BOOL:
	case PG_CLI_INT2:
	case PG_CLI_INT4:
	case PG_CLI_INT8:
	case PG_CLI_OID:
		return STORE_TYPE_INT;
	case PG_CLI_FLOAT4:
	case PG_CLI_FLOAT8:
		return STORE_TYPE_REAL;
	case PG_CLI_NUMERIC:
		/* sum() of integers is numeric here, an integer in SQLite. */
		v = PQgetvalue(r->res, r->row, c);
		return strpbrk(v, ".eEN") ? STORE_TYPE_REAL : STORE_TYPE_INT;
	default:
		return STORE_TYPE_TEXT;
	}
}

const char *pg_rows_text(const struct pg_rows *r, int c)
{
	if (PQgetisnull(r->res, r->row, c))
		return NULL;
	if (PQftype(r->res, c) == PG_CLI_BOOL)
		return *PQgetvalue(r->res, r->row, c) == 't' ? "1" : "0";
	return PQgetvalue(r->res, r->row, c);
}

size_t pg_rows_bytes(const struct pg_rows *r, int c)
{
	const char *t = pg_rows_text(r, c);

	return t ? strlen(t) : 0;
}

int64_t pg_rows_int(const struct pg_rows *r, int c)
{
	const char *t = pg_rows_text(r, c);

	if (!t)
		return 0;
	return strchr(t, '.') ? (int64_t)strtod(t, NULL)
			      : (int64_t)strtoll(t, NULL, 10);
}

double pg_rows_real(const struct pg_rows *r, int c)
{
	const char *t = pg_rows_text(r, c);

	return t ? strtod(t, NULL) : 0;
}

/* A box whose heartbeat is three beats old is silent (the sims view says
 * its SIMs are offline after the same time, pg_schema.sql). */
#define PG_CLI_BOX_STATE                                                 \
	"CASE WHEN stopped_at IS NOT NULL THEN 'stopped'"                \
	" WHEN coalesce(heartbeat_at, started_at) < smsgw_now_ms() - 180000" \
	" THEN 'silent' ELSE 'running' END"

struct store_rows *pg_cli_boxes(struct pg_cli *pc)
{
	PGresult *res = pg_cli_exec(pc,
		"SELECT box, " PG_CLI_BOX_STATE " AS state, pid, version,"
		" smsgw_iso(started_at) AS started_at,"
		" smsgw_iso(heartbeat_at) AS heartbeat_at FROM daemon"
		" ORDER BY box COLLATE \"C\"", NULL, 0);

	return pg_cli_rows(pc, res);
}

int pg_cli_box_running(struct pg_cli *pc, const char *box, long *pid)
{
	const struct store_bind b[] = { STORE_TEXT(box) };
	PGresult *res = pg_cli_exec(pc, "SELECT " PG_CLI_BOX_STATE ", pid"
				    " FROM daemon WHERE box = $1", b, 1);
	int running;

	*pid = 0;
	if (!res)
		return -EIO;
	running = PQntuples(res) == 1 &&
		  strcmp(PQgetvalue(res, 0, 0), "running") == 0;
	if (running)
		*pid = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	return running;
}

struct store_rows *pg_cli_query_user(struct pg_cli *pc, const char *sql)
{
	PGresult *res;

	if (pg_cli_run(pc, "BEGIN READ ONLY") < 0)
		return NULL;
	/* pg_has_role() is false for a role that does not exist. */
	res = pg_cli_exec(pc, "SELECT set_config('role', 'smsgw_read', true)"
			  " FROM pg_roles WHERE rolname = 'smsgw_read'"
			  " AND pg_has_role(current_user, oid, 'MEMBER')",
			  NULL, 0);
	PQclear(res);
	/* Parameters (none): one statement only, by libpq's rule. */
	res = res ? pg_cli_exec(pc, sql, NULL, 0) : NULL;
	if (res && PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		res = NULL;
		pg_cli_set_err(pc, "only a statement that returns rows runs here");
	}
	{
		char keep[sizeof(pc->err)];

		memcpy(keep, pc->err, sizeof(keep));
		pg_cli_run(pc, "ROLLBACK");
		memcpy(pc->err, keep, sizeof(keep));
	}
	return pg_cli_rows(pc, res);
}
