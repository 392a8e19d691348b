/*
 * pg_http — the HTTP API's reads and tokens on PostgreSQL; see
 * include/store_pg_http.h. The query texts are the PostgreSQL forms of
 * store_query_text.c's (same columns, names, order): $N for ?N, typed
 * where a parameter may be NULL, count(*) FILTER for SQLite's summed
 * booleans, greatest() for its two-argument max(), smsgw_iso() for
 * strftime().
 */
#include "store_pg_http.h"
#include "log.h"
#include "pg_store_priv.h"
#include "token.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's type oids (catalog/pg_type.h, stable across versions). */
#define PG_HTTP_BOOLOID 16
#define PG_HTTP_INT8OID 20
#define PG_HTTP_INT2OID 21
#define PG_HTTP_INT4OID 23
#define PG_HTTP_FLOAT4OID 700
#define PG_HTTP_FLOAT8OID 701
#define PG_HTTP_NUMERICOID 1700

#define PG_HTTP_API_MESSAGE_COLS                                          \
	"SELECT id, created_at, recipient, body, kind, campaign, priority," \
	" state, sim_name AS sim, parts, attempts, sent_at, delivered_at," \
	" error, not_before, updated_at FROM outbox"

/* A campaign's counts: the columns of store_query_text.c's CAMPAIGN_ROWS. */
#define PG_HTTP_COUNT(cond) "count(m.id) FILTER (WHERE " cond ")"
#define PG_HTTP_CAMPAIGN_ROWS                                            \
	"SELECT c.name, c.state, smsgw_iso(c.created_at) AS created_at,"  \
	" count(m.id) AS total, "                                        \
	PG_HTTP_COUNT("m.state IN ('queued', 'deferred', 'sending')")    \
	" AS pending, "                                                  \
	PG_HTTP_COUNT("m.state IN ('sent', 'delivered')") " AS sent, "   \
	PG_HTTP_COUNT("m.state = 'delivered'") " AS delivered, "         \
	PG_HTTP_COUNT("m.state IN ('failed', 'expired', 'unknown')")     \
	" AS failed, "                                                   \
	PG_HTTP_COUNT("m.state IN ('suppressed', 'cancelled')")          \
	" AS not_sent"                                                   \
	" FROM campaign c LEFT JOIN message m ON m.campaign_id = c.id"

static const char *const pg_http_texts[STORE_Q_COUNT] = {
	[STORE_Q_API_MESSAGE] = PG_HTTP_API_MESSAGE_COLS
		" WHERE id = $1::bigint",
	[STORE_Q_API_MESSAGES] = PG_HTTP_API_MESSAGE_COLS
		" WHERE ($1::text IS NULL OR state = $1)"
		" AND ($2::text IS NULL OR campaign = $2)"
		" AND ($3::text IS NULL OR created_at >= $3)"
		" ORDER BY id DESC LIMIT $4::bigint",
	[STORE_Q_API_INBOX] =
		"SELECT id, received_at, sender, recipient,"
		" sim_name AS sim, body, parts, keyword, partial,"
		" in_reply_to FROM inbox WHERE id > $1::bigint"
		" ORDER BY id LIMIT $2::bigint",
	[STORE_Q_API_SIMS] =
		"SELECT name, modem, slot, iccid, imsi, number, operator,"
		" signal, registered, state, pool, sent_today, daily_limit,"
		" CASE WHEN daily_limit > 0 THEN greatest(daily_limit -"
		" sent_today, 0) END AS quota_left, sent_month, monthly_limit,"
		" updated_at FROM sims ORDER BY id",
	[STORE_Q_CAMPAIGN] = PG_HTTP_CAMPAIGN_ROWS
		" WHERE c.name = $1 GROUP BY c.id",
	[STORE_Q_FILE_MESSAGES] =
		"SELECT id, recipient, state FROM message"
		" WHERE file_id = $1::bigint ORDER BY id",
	[STORE_Q_TOKENS] =
		"SELECT name, rights, smsgw_iso(created_at) AS created_at,"
		" smsgw_iso(used_at) AS used_at FROM api_token ORDER BY name",
};

bool pg_store_query_has(enum store_query q)
{
	return q < STORE_Q_COUNT && pg_http_texts[q];
}

static json_t *pg_http_value(PGresult *res, int row, int col)
{
	const char *v = PQgetvalue(res, row, col);

	if (PQgetisnull(res, row, col))
		return json_null();
	switch (PQftype(res, col)) {
	case PG_HTTP_INT8OID:
	case PG_HTTP_INT4OID:
	case PG_HTTP_INT2OID:
		return json_integer(strtoll(v, NULL, 10));
	case PG_HTTP_FLOAT4OID:
	case PG_HTTP_FLOAT8OID:
		return json_real(strtod(v, NULL));
	case PG_HTTP_NUMERICOID:
		/* SQLite's integers summed: a whole number stays one. */
		if (!strpbrk(v, ".eE"))
			return json_integer(strtoll(v, NULL, 10));
		return json_real(strtod(v, NULL));
	case PG_HTTP_BOOLOID:
		return json_integer(v[0] == 't');
	default:
		return json_stringn(v, (size_t)PQgetlength(res, row, col));
	}
}

/* The rows of res as store_query_json() makes them on SQLite. */
static json_t *pg_http_rows(PGresult *res)
{
	json_t *a = json_array();
	int rows = PQntuples(res), cols = PQnfields(res);

	for (int r = 0; a && r < rows; r++) {
		json_t *o = json_object();

		for (int c = 0; o && c < cols; c++)
			json_object_set_new(o, PQfname(res, c),
					    pg_http_value(res, r, c));
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

struct pg_http_q {
	pg_json_fn done;
	void *ud;
};

static void pg_http_query_done(int rc, PGresult *res, const char *err,
			       void *ud)
{
	struct pg_http_q q = *(struct pg_http_q *)ud;
	json_t *rows = NULL;

	free(ud);
	rc = pg_rc(rc, "an HTTP API query", err);
	if (rc == 0 && !(rows = pg_http_rows(res)))
		rc = -ENOMEM;
	q.done(rc, rows, q.ud);
}

void pg_store_query_json(struct pg_store *ps, enum store_query q,
			 const struct store_bind *b, size_t n, pg_json_fn done,
			 void *ud)
{
	struct pg_params p = { .n = 0 };
	struct pg_http_q *x;

	if (!pg_store_query_has(q) || n > PG_PARAMS_MAX) {
		done(-ENOTSUP, NULL, ud);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (b[i].type == STORE_BIND_INT)
			pg_param_int(&p, b[i].i);
		else
			pg_param_text(&p, b[i].type == STORE_BIND_TEXT
						  ? b[i].text : NULL);
	}
	x = malloc(sizeof(*x));
	if (!x) {
		done(-ENOMEM, NULL, ud);
		return;
	}
	*x = (struct pg_http_q){ .done = done, .ud = ud };
	if (pg_conn_query(ps->conn, pg_http_texts[q], p.n, p.v,
			  pg_http_query_done, x) < 0) {
		free(x);
		done(-ENOMEM, NULL, ud);
	}
}

/* ---- /metrics ---- */

/* store_metrics.c's, in the order of the query's first column. */
static const struct {
	const char *name, *type, *help, *label;
} pg_http_metrics[] = {
	{ "smsgw_messages", "gauge", "Outgoing messages by state.", "state" },
	{ "smsgw_sms_parts_sent_total", "counter",
	  "SMS parts handed to the network.", NULL },
	{ "smsgw_attempts_total", "counter", "Send attempts by result.",
	  "result" },
	{ "smsgw_received_total", "counter", "Inbound messages stored.", NULL },
	{ "smsgw_status_reports_total", "counter", "Status reports received.",
	  NULL },
	{ "smsgw_optouts", "gauge", "Numbers currently opted out.", NULL },
	{ "smsgw_sim_signal_dbm", "gauge", "Signal strength per SIM.", "sim" },
	{ "smsgw_sim_registered", "gauge", "1 when the SIM is registered.",
	  "sim" },
	{ "smsgw_sim_ready", "gauge", "1 when the SIM can send now.", "sim" },
	{ "smsgw_sim_sent_today", "gauge", "SMS parts sent today per SIM.",
	  "sim" },
	{ "smsgw_sim_daily_limit", "gauge", "Daily quota per SIM.", "sim" },
	{ "smsgw_sim_sent_month", "gauge",
	  "SMS parts sent this month per SIM.", "sim" },
	{ "smsgw_webhook_deliveries", "gauge",
	  "Webhook deliveries by state (pending, delivered, dead).", "state" },
	{ "smsgw_db_bytes", "gauge", "Size of the database.", NULL },
};

/* Every metric's rows in one statement (one snapshot), SIMs of every box
 * by their box/modem/slot names; a SIM's box that stopped is offline in
 * the view, so not ready. */
static const char pg_http_metrics_sql[] =
	"SELECT 0, state, count(*) FROM message GROUP BY state"
	" UNION ALL SELECT 1, NULL, count(*) FROM part WHERE mr IS NOT NULL"
	" UNION ALL SELECT 2, coalesce(result, 'running'), count(*)"
	" FROM attempt GROUP BY result"
	" UNION ALL SELECT 3, NULL, count(*) FROM inbound"
	" UNION ALL SELECT 4, NULL, count(*) FROM status_report"
	" UNION ALL SELECT 5, NULL, count(*) FROM optout WHERE active = 1"
	" UNION ALL SELECT 6, name, signal FROM sims WHERE signal IS NOT NULL"
	" UNION ALL SELECT 7, name, registered FROM sims"
	" UNION ALL SELECT 8, name, (state IN ('ready', 'busy'))::int::bigint"
	" FROM sims"
	" UNION ALL SELECT 9, name, sent_today FROM sims"
	" UNION ALL SELECT 10, name, daily_limit FROM sims"
	" WHERE daily_limit IS NOT NULL"
	" UNION ALL SELECT 11, name, sent_month FROM sims"
	" UNION ALL SELECT 12, state, count(*) FROM webhook_delivery"
	" GROUP BY state"
	" UNION ALL SELECT 13, NULL, pg_database_size(current_database())"
	" ORDER BY 1, 2";

static void pg_http_metrics_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fprintf(f, "\\n");
		else
			putc(*s, f);
	}
}

struct pg_http_met {
	void (*done)(int rc, const char *text, void *ud);
	void *ud;
};

static void pg_http_metrics_done(int rc, PGresult *res, const char *err,
				 void *ud)
{
	struct pg_http_met m = *(struct pg_http_met *)ud;
	size_t n = sizeof(pg_http_metrics) / sizeof(pg_http_metrics[0]);
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int row = 0;

	free(ud);
	if (pg_rc(rc, "reading the metrics", err) < 0 ||
	    !(f = open_memstream(&text, &len))) {
		m.done(-EIO, NULL, m.ud);
		return;
	}
	fprintf(f, "# HELP smsgw_up 1 when smsgwd is running.\n"
		   "# TYPE smsgw_up gauge\nsmsgw_up 1\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n",
			pg_http_metrics[i].name, pg_http_metrics[i].help,
			pg_http_metrics[i].name, pg_http_metrics[i].type);
		for (; row < PQntuples(res) &&
		       strtol(PQgetvalue(res, row, 0), NULL, 10) == (long)i;
		     row++) {
			fprintf(f, "%s", pg_http_metrics[i].name);
			if (pg_http_metrics[i].label &&
			    !PQgetisnull(res, row, 1)) {
				fprintf(f, "{%s=\"", pg_http_metrics[i].label);
				pg_http_metrics_label(f,
						      PQgetvalue(res, row, 1));
				fprintf(f, "\"}");
			}
			fprintf(f, " %s\n", PQgetisnull(res, row, 2)
						     ? "0"
						     : PQgetvalue(res, row, 2));
		}
	}
	if (fclose(f) != 0) {
		free(text);
		m.done(-EIO, NULL, m.ud);
		return;
	}
	m.done(0, text, m.ud);
	free(text);
}

void pg_store_metrics(struct pg_store *ps,
		      void (*done)(int rc, const char *text, void *ud),
		      void *ud)
{
	struct pg_http_met *m = malloc(sizeof(*m));

	if (!m) {
		done(-EIO, NULL, ud);
		return;
	}
	*m = (struct pg_http_met){ .done = done, .ud = ud };
	if (pg_conn_query(ps->conn, pg_http_metrics_sql, 0, NULL,
			  pg_http_metrics_done, m) < 0) {
		free(m);
		done(-EIO, NULL, ud);
	}
}

/* ---- the status page ---- */

/* store_report.c's statements as one JSON document. */
static const char pg_http_status_sql[] =
	"SELECT json_build_object("
	" 'sims', (SELECT coalesce(json_agg(json_build_object('name', name,"
	"  'state', state, 'signal', signal, 'number', number, 'operator',"
	"  operator, 'sent_today', sent_today, 'daily_limit',"
	"  coalesce(daily_limit, 0)) ORDER BY id), '[]') FROM sims),"
	" 'queue', json_build_object("
	"  'queued', (SELECT count(*) FROM message WHERE state = 'queued'),"
	"  'deferred', (SELECT count(*) FROM message WHERE state = 'deferred'),"
	"  'sending', (SELECT count(*) FROM message WHERE state = 'sending')),"
	" 'rate', (SELECT coalesce(json_agg(json_build_array(i, n)), '[]')"
	"  FROM (SELECT (sent_at - $1::bigint) / 60000 AS i, count(*) AS n"
	"  FROM part WHERE sent_at >= $1::bigint GROUP BY 1) r),"
	" 'errors', (SELECT coalesce(json_agg(json_build_object('at', at,"
	"  'level', level, 'source', source, 'message', message)"
	"  ORDER BY id DESC), '[]') FROM (SELECT * FROM events"
	"  WHERE level IN ('error', 'warning') ORDER BY id DESC LIMIT 10) e),"
	" 'campaigns', (SELECT coalesce(json_agg(json_build_object('name',"
	"  name, 'state', state, 'messages', messages, 'sent', sent,"
	"  'delivered', delivered, 'failed', failed, 'replied', replied)"
	"  ORDER BY created_at DESC), '[]') FROM (SELECT c.name, c.state,"
	"  c.created_at, count(m.id) AS messages,"
	"  count(m.id) FILTER (WHERE m.state IN ('sent', 'delivered')) AS sent,"
	"  count(m.id) FILTER (WHERE m.state = 'delivered') AS delivered,"
	"  count(m.id) FILTER (WHERE m.state IN ('failed', 'expired',"
	"  'unknown')) AS failed,"
	"  (SELECT count(*) FROM inbound i WHERE i.in_reply_to IN"
	"  (SELECT id FROM message WHERE campaign_id = c.id)) AS replied"
	"  FROM (SELECT * FROM campaign ORDER BY created_at DESC"
	"  LIMIT $2::int) c LEFT JOIN message m ON m.campaign_id = c.id"
	"  GROUP BY c.id, c.name, c.state, c.created_at) f))";

static void pg_http_status_done(int rc, PGresult *res, const char *err,
				void *ud)
{
	struct pg_http_q q = *(struct pg_http_q *)ud;
	json_t *o = NULL;

	free(ud);
	rc = pg_rc(rc, "reading the status page", err);
	if (rc == 0 && PQntuples(res) == 1)
		o = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	q.done(o ? 0 : -EIO, o, q.ud);
}

void pg_store_status(struct pg_store *ps, int64_t start, int ncampaigns,
		     pg_json_fn done, void *ud)
{
	struct pg_params p = { .n = 0 };
	struct pg_http_q *x = malloc(sizeof(*x));

	if (!x) {
		done(-EIO, NULL, ud);
		return;
	}
	*x = (struct pg_http_q){ .done = done, .ud = ud };
	pg_param_int(&p, start);
	pg_param_int(&p, ncampaigns);
	if (pg_conn_query(ps->conn, pg_http_status_sql, p.n, p.v,
			  pg_http_status_done, x) < 0) {
		free(x);
		done(-EIO, NULL, ud);
	}
}

/* ---- campaigns ---- */

struct pg_http_camp {
	void (*done)(int rc, int64_t id, void *ud);
	void *ud;
};

static void pg_http_campaign_done(int rc, PGresult *res, const char *err,
				  void *ud)
{
	struct pg_http_camp c = *(struct pg_http_camp *)ud;

	free(ud);
	rc = pg_rc(rc, "looking up a campaign", err);
	if (rc < 0)
		c.done(-EIO, 0, c.ud);
	else if (PQntuples(res) < 1)
		c.done(0, 0, c.ud);
	else
		c.done(1, pg_first_int(res), c.ud);
}

void pg_store_campaign_id(struct pg_store *ps, const char *name,
			  void (*done)(int rc, int64_t id, void *ud),
			  void *ud)
{
	struct pg_http_camp *c = malloc(sizeof(*c));
	const char *v[1] = { name };

	if (!c) {
		done(-EIO, 0, ud);
		return;
	}
	*c = (struct pg_http_camp){ .done = done, .ud = ud };
	if (pg_conn_query(ps->conn, "SELECT id FROM campaign WHERE name = $1",
			  1, v, pg_http_campaign_done, c) < 0) {
		free(c);
		done(-EIO, 0, ud);
	}
}

/* ---- tokens ---- */

struct pg_http_tok {
	pg_token_fn done;
	void *ud;
};

static void pg_http_token_done(int rc, PGresult *res, const char *err,
			       void *ud)
{
	struct pg_http_tok t = *(struct pg_http_tok *)ud;
	unsigned rights = 0;
	char why[64];

	free(ud);
	rc = pg_rc(rc, "looking up a token", err);
	if (rc < 0 || PQntuples(res) < 1) {
		t.done(rc < 0 ? -EIO : 0, NULL, 0, t.ud);
		return;
	}
	/* Rights a newer smsgw wrote that this one does not know: none of
	 * them, rather than refusing the token. */
	if (!token_rights_parse(PQgetvalue(res, 0, 1), &rights, why,
				sizeof(why)))
		rights = 0;
	t.done(1, PQgetvalue(res, 0, 0), rights, t.ud);
}

void pg_store_token_lookup(struct pg_store *ps, const char *token,
			   size_t len, pg_token_fn done, void *ud)
{
	char hex[TOKEN_HASH_LEN + 1];
	const char *v[1] = { hex };
	struct pg_http_tok *t = malloc(sizeof(*t));

	if (!t) {
		done(-EIO, NULL, 0, ud);
		return;
	}
	*t = (struct pg_http_tok){ .done = done, .ud = ud };
	/* By hash, as on SQLite: the index finds it, the token itself
	 * never reaches the database. */
	token_hash(token, len, hex);
	if (pg_conn_query(ps->conn, "SELECT name, rights FROM api_token"
			  " WHERE hash = $1", 1, v, pg_http_token_done,
			  t) < 0) {
		free(t);
		done(-EIO, NULL, 0, ud);
	}
}

/* The statement's rows: 0 when it changed one, else none_rc. */
struct pg_http_row {
	store_done_fn done;
	void *ud;
	int none_rc;
};

static void pg_http_row_done(int rc, PGresult *res, const char *err,
			     void *ud)
{
	struct pg_http_row x = *(struct pg_http_row *)ud;

	free(ud);
	rc = pg_rc(rc, "writing a token", err);
	if (rc == 0 && PQntuples(res) < 1)
		rc = x.none_rc;
	x.done(rc, x.ud);
}

static void pg_http_row(struct pg_store *ps, const char *sql,
			const struct pg_params *p, int none_rc,
			store_done_fn done, void *ud)
{
	struct pg_http_row *x = malloc(sizeof(*x));

	if (!x) {
		done(-EIO, ud);
		return;
	}
	*x = (struct pg_http_row){ .done = done, .ud = ud,
				   .none_rc = none_rc };
	if (pg_conn_query(ps->conn, sql, p->n, p->v, pg_http_row_done,
			  x) < 0) {
		free(x);
		done(-EIO, ud);
	}
}

void pg_store_token_add(struct pg_store *ps, const char *name,
			const char *token, unsigned rights, int64_t now,
			store_done_fn done, void *ud)
{
	char hex[TOKEN_HASH_LEN + 1], r[32];
	struct pg_params p = { .n = 0 };

	token_hash(token, strlen(token), hex);
	token_rights_format(rights, r, sizeof(r));
	pg_param_text(&p, name);
	pg_param_text(&p, hex);
	pg_param_text(&p, r);
	pg_param_int(&p, now);
	pg_http_row(ps, "INSERT INTO api_token (name, hash, rights, created_at)"
		    " VALUES ($1, $2, $3, $4::bigint) ON CONFLICT (name)"
		    " DO NOTHING RETURNING id", &p, -EEXIST, done, ud);
}

void pg_store_token_remove(struct pg_store *ps, const char *name,
			   store_done_fn done, void *ud)
{
	struct pg_params p = { .n = 0 };

	pg_param_text(&p, name);
	pg_http_row(ps, "DELETE FROM api_token WHERE name = $1 RETURNING id",
		    &p, -ENOENT, done, ud);
}

static void pg_http_noted(int rc, PGresult *res, const char *err, void *ud)
{
	(void)res;
	(void)ud;
	pg_rc(rc, "noting a token's use", err);
}

void pg_store_token_note_use(struct pg_store *ps, const char *name,
			     int64_t now)
{
	struct pg_params p = { .n = 0 };

	pg_param_int(&p, now);
	pg_param_text(&p, name);
	pg_conn_query(ps->conn, "UPDATE api_token SET used_at = $1::bigint"
		      " WHERE name = $2", p.n, p.v, pg_http_noted, NULL);
}
