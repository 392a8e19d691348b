/*
 * http_api — the routes of the HTTP API (doc/openapi.json): reads are one
 * query of the contract views each, shaped by jansson (on PostgreSQL
 * answered later, the connection waiting: http_wait.c); campaign control is
 * the CLI's; POST /v1/messages is http_send.c.
 */
#include "http_priv.h"
#include "store.h"
#include "store_campaign.h"
#include "store_ops.h"
#include "store_metrics.h"
#include "store_pg_http.h"
#include "store_query.h"
#include "token.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>


#define HTTP_LIMIT_DEFAULT 100
#define HTTP_LIMIT_MAX 1000

static const char *http_api_arg(struct http_req *r, const char *key)
{
	const char *v = MHD_lookup_connection_value(r->conn,
						    MHD_GET_ARGUMENT_KIND, key);

	return v && v[0] ? v : NULL;
}

static enum MHD_Result http_api_db_error(struct http_req *r)
{
	return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database",
			    "Database error", store_errmsg(r->h->deps.store),
			    NULL);
}

static enum MHD_Result http_api_bad_arg(struct http_req *r, const char *arg,
					const char *why)
{
	return http_problem(r, MHD_HTTP_BAD_REQUEST, "argument",
			    "Bad query argument", why,
			    json_pack("{s:s}", "field", arg));
}

/* ?limit=: 1 to HTTP_LIMIT_MAX, default HTTP_LIMIT_DEFAULT; -1 if bad. */
static long http_api_limit(struct http_req *r)
{
	const char *v = http_api_arg(r, "limit");
	char *end;
	long n;

	if (!v)
		return HTTP_LIMIT_DEFAULT;
	n = strtol(v, &end, 10);
	return *end || n < 1 || n > HTTP_LIMIT_MAX ? -1 : n;
}

/*
 * PostgreSQL: the query runs while the connection waits; the answer is
 * the rows as {key: rows}, or (key NULL) the first row, 404 with
 * not_found when there is none.
 */
struct http_api_wait {
	struct http_wait w;		/* first: http_wait_*() */
	const char *key, *not_found;
};

static enum MHD_Result http_api_pg_answer(struct http_req *r)
{
	struct http_api_wait *x = r->later_ctx;
	json_t *rows = r->later, *row;

	r->later_ctx = NULL;
	r->later = NULL;
	if (!rows) {
		free(x);
		return http_db_problem(r);
	}
	if (x->key) {
		row = json_pack("{s:o}", x->key, rows);
		free(x);
		return http_json(r, MHD_HTTP_OK, row);
	}
	row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	if (!row) {
		enum MHD_Result rc = http_problem(r, MHD_HTTP_NOT_FOUND,
						  "not-found", x->not_found,
						  NULL, NULL);

		free(x);
		return rc;
	}
	free(x);
	return http_json(r, MHD_HTTP_OK, row);
}

static void http_api_pg_rows(int rc, json_t *rows, void *ud)
{
	struct http_api_wait *x = ud;
	struct http_req *r = http_wait_end(&x->w);

	if (!r) {
		json_decref(rows);
		free(x);
		return;
	}
	r->later = rc < 0 ? NULL : rows;
	r->later_ctx = x;
	r->later_free = free;
	http_wait_resume(r, http_api_pg_answer);
}

enum MHD_Result http_api_pg(struct http_req *r, const char *key,
			    const char *not_found, enum store_query q,
			    const struct store_bind *b, size_t n)
{
	struct http_api_wait *x;

	if (!http_pg(r->h))
		return http_db_problem(r);	/* stopping */
	x = calloc(1, sizeof(*x));
	if (!x)
		return MHD_NO;
	x->key = key;
	x->not_found = not_found;
	http_wait_start(r, &x->w);
	pg_store_query_json(http_pg(r->h), q, b, n, http_api_pg_rows, x);
	return MHD_YES;
}

static enum MHD_Result http_api_list(struct http_req *r, const char *key,
				     enum store_query q,
				     const struct store_bind *b, size_t n)
{
	json_t *a;

	if (http_is_pg(r->h))
		return http_api_pg(r, key, NULL, q, b, n);
	a = store_query_json(r->h->deps.store, q, b, n);

	if (!a)
		return http_api_db_error(r);
	return http_json(r, MHD_HTTP_OK, json_pack("{s:o}", key, a));
}

static enum MHD_Result http_api_message(struct http_req *r, const char *idstr)
{
	char *end;
	long long id = strtoll(idstr, &end, 10);
	struct store_bind b[1];
	json_t *a;

	if (*end || id <= 0)
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such message", NULL, NULL);
	b[0] = STORE_INT(id);
	if (http_is_pg(r->h))
		return http_api_pg(r, NULL, "No such message",
				   STORE_Q_API_MESSAGE, b, 1);
	a = store_query_json(r->h->deps.store, STORE_Q_API_MESSAGE, b, 1);
	if (!a)
		return http_api_db_error(r);
	if (!json_array_size(a)) {
		json_decref(a);
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such message", NULL, NULL);
	}
	json_incref(json_array_get(a, 0));
	json_t *row = json_array_get(a, 0);
	json_decref(a);
	return http_json(r, MHD_HTTP_OK, row);
}

/* The outbox states (doc/contract.md, the database views): a typo is an error, not an empty list. */
static bool http_api_state_ok(const char *state)
{
	static const char *const states[] = {
		"queued", "deferred", "sending", "sent", "delivered", "failed",
		"expired", "suppressed", "unknown", "cancelled",
	};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(state, states[i]) == 0)
			return true;
	return false;
}

static enum MHD_Result http_api_messages(struct http_req *r)
{
	const char *since = http_api_arg(r, "since");
	const char *state = http_api_arg(r, "state");
	char iso[32] = "";
	long limit = http_api_limit(r);
	int64_t ms;

	if (limit < 0)
		return http_api_bad_arg(r, "limit", "limit must be 1 to 1000");
	if (state && !http_api_state_ok(state))
		return http_api_bad_arg(r, "state", "state is one of queued, "
					"deferred, sending, sent, delivered, "
					"failed, expired, suppressed, unknown, "
					"cancelled");
	if (since) {
		if (!store_parse_time(since, &ms))
			return http_api_bad_arg(r, "since", "since must be an "
						"ISO-8601 time with an offset");
		store_format_time(ms, iso, sizeof(iso));
	}
	{
		const char *from = since ? iso : NULL;
		const struct store_bind b[] = {
			STORE_TEXT(state), STORE_TEXT(http_api_arg(r, "campaign")),
			STORE_TEXT(from), STORE_INT(limit),
		};

		return http_api_list(r, "messages", STORE_Q_API_MESSAGES, b, 4);
	}
}

static enum MHD_Result http_api_inbox(struct http_req *r)
{
	const char *since = http_api_arg(r, "since");
	long limit = http_api_limit(r);
	long long after = 0;
	char *end;

	if (limit < 0)
		return http_api_bad_arg(r, "limit", "limit must be 1 to 1000");
	if (since) {
		after = strtoll(since, &end, 10);
		if (*end || after < 0)
			return http_api_bad_arg(r, "since", "since is the last "
						"inbox id you have (0 for all)");
	}
	{
		const struct store_bind b[] = { STORE_INT(after),
						STORE_INT(limit) };

		return http_api_list(r, "messages", STORE_Q_API_INBOX, b, 2);
	}
}

static enum MHD_Result http_api_sims(struct http_req *r)
{
	return http_api_list(r, "sims", STORE_Q_API_SIMS, NULL, 0);
}

static enum MHD_Result http_api_campaign(struct http_req *r, const char *name)
{
	const struct store_bind b[] = { STORE_TEXT(name) };
	json_t *a, *row;

	if (http_is_pg(r->h))
		return http_api_pg(r, NULL, "No such campaign",
				   STORE_Q_CAMPAIGN, b, 1);
	a = store_query_json(r->h->deps.store, STORE_Q_CAMPAIGN, b, 1);
	if (!a)
		return http_api_db_error(r);
	row = json_array_get(a, 0);
	if (!row) {
		json_decref(a);
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such campaign", NULL, NULL);
	}
	json_incref(row);
	json_decref(a);
	return http_json(r, MHD_HTTP_OK, row);
}

/*
 * PostgreSQL: the campaign's id, then store_op_campaign_set() (every box
 * at once), then its row, each answered later; the connection waits.
 */
struct http_api_camp {
	struct http_api_wait q;		/* first: the row's read */
	char name[96], who[96], verb[16];
	enum outbox_campaign_action a;
};

static enum MHD_Result http_api_camp_failed(struct http_req *r)
{
	int rc = r->later_rc;

	if (rc == 0)
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such campaign", NULL, NULL);
	return http_db_problem(r);
}

/* A step failed (rc 0: no such campaign): answer, or only free. */
static void http_api_camp_end(struct http_api_camp *x, int rc)
{
	struct http_req *r = http_wait_end(&x->q.w);

	free(x);
	if (!r)
		return;
	r->later_rc = rc;
	http_wait_resume(r, http_api_camp_failed);
}

static void http_api_camp_set(int rc, void *ud)
{
	struct http_api_camp *x = ud;
	struct http_req *r = x->q.w.r;
	const struct store_bind b[] = { STORE_TEXT(x->name) };

	if (!r || rc < 0 || !http_pg(r->h)) {
		http_api_camp_end(x, -EIO);
		return;
	}
	store_event(r->h->deps.store, STORE_EVENT_INFO, x->who,
		    "campaign %s: %s", x->name, x->verb);
	if (r->h->deps.kick)
		r->h->deps.kick(r->h->deps.ud);
	/* Still waiting: now for the campaign's row (http_api_pg_rows). */
	x->q.not_found = "No such campaign";
	pg_store_query_json(http_pg(r->h), STORE_Q_CAMPAIGN, b, 1,
			    http_api_pg_rows, &x->q);
}

static void http_api_camp_id(int rc, int64_t id, void *ud)
{
	struct http_api_camp *x = ud;
	struct http_req *r = x->q.w.r;

	if (!r || rc <= 0) {
		http_api_camp_end(x, rc);
		return;
	}
	store_op_campaign_set(r->h->deps.store, id, x->a, store_now_ms(),
			      http_api_camp_set, x);
}

static enum MHD_Result http_api_pg_campaign_verb(struct http_req *r,
						 const char *name,
						 const char *verb)
{
	struct http_api_camp *x;

	if (!http_pg(r->h))
		return http_db_problem(r);	/* stopping */
	x = calloc(1, sizeof(*x));
	if (!x)
		return MHD_NO;
	snprintf(x->name, sizeof(x->name), "%s", name);
	snprintf(x->verb, sizeof(x->verb), "%.15s", verb);
	snprintf(x->who, sizeof(x->who), "http %s", r->token);
	x->a = !strcmp(verb, "pause")	 ? OUTBOX_CAMPAIGN_PAUSE
	       : !strcmp(verb, "resume") ? OUTBOX_CAMPAIGN_RESUME
					 : OUTBOX_CAMPAIGN_CANCEL;
	http_wait_start(r, &x->q.w);
	pg_store_campaign_id(http_pg(r->h), name, http_api_camp_id, x);
	return MHD_YES;
}

static enum MHD_Result http_api_campaign_verb(struct http_req *r,
					      const char *name,
					      const char *verb)
{
	struct store *st = r->h->deps.store;
	int64_t id = http_is_pg(r->h) ? 0 : store_campaign_id(st, name);
	const struct store_bind b[] = { STORE_TEXT(name) };
	char who[96];
	int n = 0, rc;
	bool batched;
	json_t *a, *row;

	if (http_is_pg(r->h))
		return http_api_pg_campaign_verb(r, name, verb);
	if (id < 0)
		return http_api_db_error(r);
	if (!id)
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such campaign", NULL, NULL);
	snprintf(who, sizeof(who), "http %s", r->token);
	batched = http_txn_join(r) == 0;
	rc = store_campaign_apply(st, id, name, verb, who, &n);
	if (rc < 0)
		return http_api_db_error(r);
	if (r->h->deps.kick)
		r->h->deps.kick(r->h->deps.ud);
	if (!batched)
		return http_api_campaign(r, name);
	a = store_query_json(st, STORE_Q_CAMPAIGN, b, 1);
	row = a ? json_array_get(a, 0) : NULL;
	json_incref(row);
	json_decref(a);
	if (!row)
		return http_api_db_error(r);
	return http_json_after_commit(r, MHD_HTTP_OK, row);
}

/* PostgreSQL: /metrics of the whole database, read while it waits. */
struct http_api_met {
	struct http_wait w;		/* first: http_wait_*() */
	char *text;			/* NULL: the read failed */
};

static void http_api_met_free(void *ud)
{
	struct http_api_met *x = ud;

	free(x->text);
	free(x);
}

static enum MHD_Result http_api_met_answer(struct http_req *r)
{
	struct http_api_met *x = r->later_ctx;
	enum MHD_Result rc;

	r->later_ctx = NULL;
	rc = x->text ? http_text(r, MHD_HTTP_OK, "text/plain; version=0.0.4",
				 x->text, strlen(x->text))
		     : http_db_problem(r);
	http_api_met_free(x);
	return rc;
}

static void http_api_met_read(int rc, const char *text, void *ud)
{
	struct http_api_met *x = ud;
	struct http_req *r = http_wait_end(&x->w);

	if (!r) {
		http_api_met_free(x);
		return;
	}
	x->text = rc == 0 && text ? strdup(text) : NULL;
	r->later_ctx = x;
	r->later_free = http_api_met_free;
	http_wait_resume(r, http_api_met_answer);
}

static enum MHD_Result http_api_pg_metrics(struct http_req *r)
{
	struct http_api_met *x;

	if (!http_pg(r->h))
		return http_db_problem(r);	/* stopping */
	x = calloc(1, sizeof(*x));
	if (!x)
		return MHD_NO;
	http_wait_start(r, &x->w);
	pg_store_metrics(http_pg(r->h), http_api_met_read, x);
	return MHD_YES;
}

static enum MHD_Result http_api_metrics(struct http_req *r)
{
	char *text = NULL;
	size_t len = 0;
	enum MHD_Result rc;
	FILE *f;

	if (http_is_pg(r->h))
		return http_api_pg_metrics(r);
	f = open_memstream(&text, &len);
	if (!f)
		return MHD_NO;
	rc = store_metrics_write(r->h->deps.store, true, f) == 0;
	fclose(f);
	rc = rc ? http_text(r, MHD_HTTP_OK, "text/plain; version=0.0.4",
			    text, len)
		: http_api_db_error(r);
	free(text);
	return rc;
}

/* Splits url into at most three segments after prefix; the count. */
static int http_api_split(const char *url, const char *prefix, char seg[3][96])
{
	size_t n = strlen(prefix);
	int k = 0;

	if (strncmp(url, prefix, n) != 0 || (url[n] && url[n] != '/'))
		return -1;
	url += n;
	while (*url == '/' && k < 3) {
		size_t len = strcspn(++url, "/");

		if (!len || len >= 96)
			return -1;
		snprintf(seg[k++], 96, "%.*s", (int)len, url);
		url += len;
	}
	return *url ? -1 : k;
}

static bool http_api_verb(const char *v)
{
	return !strcmp(v, "pause") || !strcmp(v, "resume") ||
	       !strcmp(v, "cancel");
}

int http_api_right(const char *method, const char *url)
{
	bool post = strcmp(method, "POST") == 0;
	char seg[3][96];
	int n;

	if (!strcmp(url, "/v1/openapi.json"))
		return 0;
	if (!strcmp(url, "/") || !strcmp(url, "/metrics") ||
	    !strcmp(url, "/v1/inbox") || !strcmp(url, "/v1/sims"))
		return TOKEN_RIGHT_READ;
	n = http_api_split(url, "/v1/messages", seg);
	if (n == 0)
		return post ? TOKEN_RIGHT_SEND : TOKEN_RIGHT_READ;
	if (n == 1)
		return TOKEN_RIGHT_READ;
	n = http_api_split(url, "/v1/campaigns", seg);
	if (n == 1)
		return TOKEN_RIGHT_READ;
	if (n == 2 && http_api_verb(seg[1]))
		return TOKEN_RIGHT_ADMIN;
	n = http_api_split(url, "/v1/tokens", seg);
	if (n == 0 || n == 1)
		return TOKEN_RIGHT_ADMIN;
	return -1;
}

static enum MHD_Result http_api_405(struct http_req *r, const char *allow)
{
	return http_problem(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method",
			    "Method not allowed", NULL,
			    json_pack("{s:s}", "allow", allow));
}

static enum MHD_Result http_api_get(struct http_req *r)
{
	char seg[3][96];
	int n;

	if (!strcmp(r->url, "/"))
		return http_status_page(r);
	if (!strcmp(r->url, "/metrics"))
		return http_api_metrics(r);
	if (!strcmp(r->url, "/v1/openapi.json"))
		return http_text(r, MHD_HTTP_OK, "application/json",
				 http_openapi_json, http_openapi_len());
	if (!strcmp(r->url, "/v1/inbox"))
		return http_api_inbox(r);
	if (!strcmp(r->url, "/v1/sims"))
		return http_api_sims(r);
	n = http_api_split(r->url, "/v1/messages", seg);
	if (n == 0)
		return http_api_messages(r);
	if (n == 1)
		return http_api_message(r, seg[0]);
	if (http_api_split(r->url, "/v1/campaigns", seg) == 1)
		return http_api_campaign(r, seg[0]);
	return http_api_405(r, "POST");
}

enum MHD_Result http_api_route(struct http_req *r)
{
	char seg[3][96];
	bool get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");

	if (http_api_right(r->method, r->url) < 0)
		return http_problem(r, MHD_HTTP_NOT_FOUND, "not-found",
				    "No such resource", NULL, NULL);
	switch (http_api_split(r->url, "/v1/tokens", seg)) {
	case 0:
		return http_tokens(r, NULL);
	case 1:
		return http_tokens(r, seg[0]);
	}
	if (get)
		return http_api_get(r);
	if (strcmp(r->method, "POST") != 0)
		return http_api_405(r, "GET, POST");
	if (!strcmp(r->url, "/v1/messages"))
		return http_send(r);
	if (http_api_split(r->url, "/v1/campaigns", seg) == 2)
		return http_api_campaign_verb(r, seg[0], seg[1]);
	return http_api_405(r, "GET");
}
