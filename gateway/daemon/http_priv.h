/*
 * http_priv — what the server (http.c), the API (http_api.c) and the
 * status page (http_status.c) share.
 */
#ifndef SMSGW_HTTP_PRIV_H
#define SMSGW_HTTP_PRIV_H

#include "http.h"
#include "loop.h"
#include "store_query.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_RATE_SLOTS 256	/* tokens tracked by the rate limiter */

struct http_bucket {
	char name[65];		/* "" free */
	double tokens;
	int64_t at;		/* monotonic ms of the last refill */
	int64_t used_noted;	/* monotonic ms api_token.used_at was set */
};

struct http_req;
struct pg_store;

/*
 * A request waiting for the store (a PostgreSQL query, or any store
 * operation that answers later): embedded first in the operation's
 * context, linked in http.waits while its connection is suspended. r is
 * NULL once the request is gone (the server stopped): the callback then
 * only frees its context.
 */
struct http_wait {
	struct http_wait *next, *prev;
	struct http_req *r;
};

struct http {
	struct http_deps deps;
	const struct config *cfg;
	struct MHD_Daemon *mhd;
	struct loop_watch watch;
	struct loop_timer timer;
	struct http_bucket buckets[HTTP_RATE_SLOTS];
	/* Group commit: POSTs of one MHD_run() share one transaction; their
	 * connections wait suspended until it committed. */
	bool in_run;
	bool in_txn;
	struct http_req *waiting;
	/* Requests suspended until the store answers them. */
	struct http_wait waits;
	/* The status page, rendered at most every HTTP_STATUS_CACHE_MS: its
	 * campaign funnels read every message of the latest campaigns. */
	char *status_html;
	size_t status_len;
	int64_t status_at;	/* monotonic ms */
};

#define HTTP_STATUS_CACHE_MS 5000

/* One request, from its headers to its response. */
struct http_req {
	struct http *h;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	char token[65];		/* the token's name */
	unsigned rights;
	bool answered;		/* a response is queued already */
	struct http_req *next_waiting;
	json_t *after_commit;	/* the answer once the commit is done */
	unsigned after_status;
	int64_t commit_us;	/* the group commit took (Server-Timing) */
	int64_t start_us;	/* headers in, monotonic µs */
	bool too_big;
	char *body;
	size_t len, cap;
	/* Resumed after a wait (http_wait_*): what answers, or goes on. */
	enum MHD_Result (*resume)(struct http_req *r);
	json_t *later;			/* for resume: the answer's body */
	unsigned later_status;
	int later_rc;
	int64_t later_ms;		/* for resume: a time it needs */
	void *later_ctx;		/* for resume; freed with later_free */
	void (*later_free)(void *ctx);
};

/* Whether the store is PostgreSQL; its backend (NULL on SQLite, and
 * once the daemon's stop closed it: then a request gets 503). */
bool http_is_pg(const struct http *h);
struct pg_store *http_pg(const struct http *h);

/* Suspends r's connection until http_wait_resume(); w is linked in
 * h->waits (w->r := r). */
void http_wait_start(struct http_req *r, struct http_wait *w);
/* In the store's callback: unlinks w; the request, or NULL when it is
 * gone (then only free the context). */
struct http_req *http_wait_end(struct http_wait *w);
/* Resumes r: MHD calls the handler again, which calls fn(r). fn answers
 * (or returns MHD_YES unanswered to go on with the request). */
void http_wait_resume(struct http_req *r,
		      enum MHD_Result (*fn)(struct http_req *r));
/* A 503 "database" problem for a failed store operation. */
enum MHD_Result http_db_problem(struct http_req *r);

/* Queues a JSON response; v is stolen (decref'd). */
enum MHD_Result http_json(struct http_req *r, unsigned status, json_t *v);
/* Queues an RFC 9457 problem: type "urn:smsgw:problem:<reason>". extra
 * (stolen, may be NULL) adds members. */
enum MHD_Result http_problem(struct http_req *r, unsigned status,
			     const char *reason, const char *title,
			     const char *detail, json_t *extra);
/* Opens the shared write transaction of this MHD_run() when there is
 * one to share (0), else -1: the caller commits on its own. */
int http_txn_join(struct http_req *r);
/* After http_txn_join() returned 0 and the work succeeded: answer v
 * (stolen) with status once the transaction committed, 503 if it failed. */
enum MHD_Result http_json_after_commit(struct http_req *r, unsigned status,
				       json_t *v);

/* Queues a response of a buffer (copied). */
enum MHD_Result http_text(struct http_req *r, unsigned status,
			  const char *ctype, const char *text, size_t len);

/* The routes of the API; http_api.c. The request is authenticated and
 * its body complete. */
enum MHD_Result http_api_route(struct http_req *r);
/* The right a route needs (TOKEN_RIGHT_*), 0 for any valid token, and
 * whether it exists at all: -1 no such path (404). */
int http_api_right(const char *method, const char *url);

/* PostgreSQL: runs q while the connection waits and answers its rows as
 * {key: rows}, or (key NULL) the first row, 404 not_found without one;
 * http_api.c. */
enum MHD_Result http_api_pg(struct http_req *r, const char *key,
			    const char *not_found, enum store_query q,
			    const struct store_bind *b, size_t n);

/* POST /v1/messages; http_send.c. */
enum MHD_Result http_send(struct http_req *r);

/* /v1/tokens (name NULL) and /v1/tokens/{name}; http_tokens.c. */
enum MHD_Result http_tokens(struct http_req *r, const char *name);

/* doc/openapi.json, embedded; http_openapi.c. */
extern const char http_openapi_json[];
size_t http_openapi_len(void);

/* GET /: the status page; http_status.c. */
enum MHD_Result http_status_page(struct http_req *r);

#endif
