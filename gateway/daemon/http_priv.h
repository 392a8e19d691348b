/*
 * http_priv — what the server (http.c), the API (http_api.c) and the
 * status page (http_status.c) share.
 */
#ifndef SMSGW_HTTP_PRIV_H
#define SMSGW_HTTP_PRIV_H

#include "http.h"
#include "loop.h"

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
};

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
