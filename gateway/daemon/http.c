/*
 * http — libmicrohttpd on the daemon's loop; authentication, the rate
 * limit and the body limit. Routes are in http_api.c. See http.h.
 */
#include "http_priv.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "store_pg_http.h"
#include "token.h"

#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static int64_t http_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void http_rearm(struct http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES)
		loop_timer_arm(&h->timer, (int64_t)ms);
	else
		loop_timer_disarm(&h->timer);
}

int http_txn_join(struct http_req *r)
{
	struct http *h = r->h;

	if (!h->in_run)
		return -1;
	if (!h->in_txn) {
		if (store_begin(h->deps.store) < 0)
			return -1;
		h->in_txn = true;
	}
	/* The caller's own begin/commit nest inside as a savepoint. */
	return 0;
}

enum MHD_Result http_json_after_commit(struct http_req *r, unsigned status,
				       json_t *v)
{
	r->after_commit = v;
	r->after_status = status;
	r->next_waiting = r->h->waiting;
	r->h->waiting = r;
	MHD_suspend_connection(r->conn);
	return MHD_YES;
}

/*
 * One MHD_run() inside one write transaction (opened only if a request
 * needs it): a burst of POSTs costs one commit (one fsync), and no 202
 * leaves before it. The waiting connections are resumed with their
 * answers and run again, which may open the next batch.
 */
static void http_run(struct http *h)
{
	for (int round = 0; round < 8; round++) {
		int64_t took = 0;
		bool ok = true;

		h->in_run = true;
		MHD_run(h->mhd);
		h->in_run = false;
		if (h->in_txn) {
			took = http_us();
			ok = store_commit(h->deps.store) == 0;
			took = http_us() - took;
			h->in_txn = false;
		}
		if (!h->waiting)
			break;
		while (h->waiting) {
			struct http_req *r = h->waiting;

			h->waiting = r->next_waiting;
			r->commit_us = took > 0 ? took : 1;
			if (!ok) {
				json_decref(r->after_commit);
				r->after_commit = NULL;
			}
			MHD_resume_connection(r->conn);
		}
	}
	http_rearm(h);
}

static void http_on_ready(struct loop_watch *w, uint32_t events, void *ud)
{
	(void)w;
	(void)events;
	http_run(ud);
}

static int64_t http_on_timer(struct loop_timer *t, void *ud)
{
	(void)t;
	http_run(ud);
	return LOOP_TIMER_DONE;
}

enum MHD_Result http_text(struct http_req *r, unsigned status,
			  const char *ctype, const char *text, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	resp = MHD_create_response_from_buffer(len, (void *)text,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_UNAUTHORIZED) {
		/* Two challenges, two headers: browsers read Basic alone. */
		MHD_add_response_header(resp, "WWW-Authenticate",
					"Basic realm=\"smsgw\", charset=\"UTF-8\"");
		MHD_add_response_header(resp, "WWW-Authenticate",
					"Bearer realm=\"smsgw\"");
	}
	if (status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(resp, "Retry-After", "1");
	if (r->start_us) {
		char st[96];
		int64_t all = http_us() - r->start_us;

		/* W3C Server-Timing: what the commit took, and the rest of
		 * the time from the headers to this answer. */
		snprintf(st, sizeof(st), "commit;dur=%.3f, app;dur=%.3f",
			 (double)r->commit_us / 1000.0,
			 (double)(all - r->commit_us) / 1000.0);
		MHD_add_response_header(resp, "Server-Timing", st);
	}
	rc = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->answered = true;
	/* The access log, at debug level (smsgwd -v or log_level = debug). */
	log_debug("http: %s %s %u%s%s", r->method, r->url, status,
		  r->token[0] ? " token " : "", r->token);
	return rc;
}

enum MHD_Result http_json(struct http_req *r, unsigned status, json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
	enum MHD_Result rc;

	json_decref(v);
	if (!s)
		return MHD_NO;
	rc = http_text(r, status, "application/json", s, strlen(s));
	free(s);
	return rc;
}

enum MHD_Result http_problem(struct http_req *r, unsigned status,
			     const char *reason, const char *title,
			     const char *detail, json_t *extra)
{
	json_t *p = json_pack("{s:s+, s:s, s:i, s:s, s:s}", "type",
			      "urn:smsgw:problem:", reason, "title", title,
			      "status", (int)status, "instance", r->url,
			      "reason", reason);
	enum MHD_Result rc;
	char *s;

	if (!p)
		return MHD_NO;
	if (detail)
		json_object_set_new(p, "detail", json_string(detail));
	if (extra)
		json_object_update(p, extra);
	json_decref(extra);
	s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	if (!s)
		return MHD_NO;
	rc = http_text(r, status, "application/problem+json", s, strlen(s));
	free(s);
	return rc;
}

/* The token from "Authorization: Bearer …" or basic auth's password. */
static const char *http_credential(struct http_req *r, char **user,
				   char **pass)
{
	const char *a = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);

	*user = *pass = NULL;
	if (a && strncasecmp(a, "Bearer ", 7) == 0)
		return a + 7 + strspn(a + 7, " ");
	*user = MHD_basic_auth_get_username_password(r->conn, pass);
	return *pass;
}

static int http_auth(struct http_req *r)
{
	char *user, *pass;
	const char *tok = http_credential(r, &user, &pass);
	int rc = tok ? token_lookup(r->h->deps.store, tok, strlen(tok),
				    r->token, sizeof(r->token), &r->rights)
		     : 0;

	MHD_free(user);
	MHD_free(pass);
	return rc;
}

/* api_token.used_at, at most once a minute a token: `smsgw token list`
 * shows which tokens are still in use without a write per request. */
static void http_note_use(struct http *h, struct http_bucket *b, int64_t now)
{
	if (b->used_noted && now - b->used_noted < 60000)
		return;
	b->used_noted = now;
	if (http_pg(h))
		pg_store_token_note_use(http_pg(h), b->name, store_now_ms());
	else if (!http_is_pg(h))
		token_note_use(h->deps.store, b->name, store_now_ms());
}

/* Token bucket per token name: rate_limit a second, rate_burst at once. */
static bool http_rate_ok(struct http *h, const char *name)
{
	const struct config_http *c = &h->cfg->http;
	int64_t now = loop_clock_ms();
	struct http_bucket *b = NULL, *oldest = &h->buckets[0];

	for (size_t i = 0; i < HTTP_RATE_SLOTS && !b; i++) {
		if (strcmp(h->buckets[i].name, name) == 0)
			b = &h->buckets[i];
		else if (h->buckets[i].at < oldest->at)
			oldest = &h->buckets[i];
	}
	if (!b) {
		b = oldest;
		snprintf(b->name, sizeof(b->name), "%s", name);
		b->tokens = c->rate_burst;
		b->at = now;
		b->used_noted = 0;
	}
	http_note_use(h, b, now);
	b->tokens += (double)(now - b->at) * c->rate_limit / 1000.0;
	if (b->tokens > c->rate_burst)
		b->tokens = c->rate_burst;
	b->at = now;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

/* Headers are in and the token looked up (rc as token_lookup()'s): may
 * they, may they now, will it fit. */
static enum MHD_Result http_admit_token(struct http_req *r, int rc)
{
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	int right = http_api_right(r->method, r->url);

	if (rc < 0)
		return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE, "database",
				    "Database error", NULL, NULL);
	if (rc == 0)
		return http_problem(r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
				    "A valid token is required",
				    "give it as 'Authorization: Bearer TOKEN' "
				    "(smsgw token add NAME)", NULL);
	if (right > 0 && !(r->rights & (unsigned)right)) {
		char need[16];

		token_rights_format((unsigned)right, need, sizeof(need));
		return http_problem(r, MHD_HTTP_FORBIDDEN, "forbidden",
				    "The token lacks a right",
				    NULL, json_pack("{s:s}", "right", need));
	}
	if (!http_rate_ok(r->h, r->token))
		return http_problem(r, MHD_HTTP_TOO_MANY_REQUESTS, "rate-limit",
				    "Too many requests",
				    "this token is over the http section's "
				    "rate_limit; try again in a second", NULL);
	if (cl && strtoll(cl, NULL, 10) > r->h->cfg->http.max_body)
		return http_problem(r, MHD_HTTP_CONTENT_TOO_LARGE, "too-large",
				    "Request body too large",
				    "the body is larger than the http section's "
				    "max_body", NULL);
	return MHD_YES;
}

/* PostgreSQL: the token is looked up while the connection waits. */
struct http_auth_wait {
	struct http_wait w;
};

static enum MHD_Result http_admit_resumed(struct http_req *r)
{
	return http_admit_token(r, r->later_rc);
}

static void http_auth_found(int rc, const char *name, unsigned rights,
			    void *ud)
{
	struct http_auth_wait *a = ud;
	struct http_req *r = http_wait_end(&a->w);

	free(a);
	if (!r)
		return;
	if (rc == 1) {
		snprintf(r->token, sizeof(r->token), "%s", name);
		r->rights = rights;
	}
	r->later_rc = rc;
	http_wait_resume(r, http_admit_resumed);
}

/* Headers are in: who is it, may they, may they now, will it fit. */
static enum MHD_Result http_admit(struct http_req *r)
{
	struct http_auth_wait *a;
	char *user, *pass;
	const char *tok;

	if (!http_is_pg(r->h))
		return http_admit_token(r, http_auth(r));
	if (!http_pg(r->h))
		return http_admit_token(r, -ENOTCONN);	/* stopping */
	tok = http_credential(r, &user, &pass);
	if (!tok) {
		MHD_free(user);
		return http_admit_token(r, 0);
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		MHD_free(user);
		MHD_free(pass);
		return MHD_NO;
	}
	http_wait_start(r, &a->w);
	pg_store_token_lookup(http_pg(r->h), tok, strlen(tok),
			      http_auth_found, a);
	MHD_free(user);
	MHD_free(pass);
	return MHD_YES;
}

static bool http_append(struct http_req *r, const char *data, size_t n)
{
	if (r->too_big || r->len + n > (size_t)r->h->cfg->http.max_body) {
		r->too_big = true;
		return true;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = (r->len + n + 1) * 2;
		char *b = realloc(r->body, cap);

		if (!b)
			return false;
		r->body = b;
		r->cap = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return true;
}

static enum MHD_Result http_handler(void *cls, struct MHD_Connection *conn,
				    const char *url, const char *method,
				    const char *version, const char *data,
				    size_t *data_size, void **con_cls)
{
	struct http *h = cls;
	struct http_req *r = *con_cls;

	(void)version;
	if (r && r->resume) {
		/* Resumed after a wait for the store. MHD calls again in
		 * the state it was suspended in: after the headers
		 * (the token's lookup) it still expects the first call's
		 * answer; the body and the end of the request come next. */
		enum MHD_Result (*fn)(struct http_req *r) = r->resume;

		r->resume = NULL;
		return fn(r);
	}
	if (r && r->after_status) {
		/* Resumed after the group commit. */
		unsigned status = r->after_status;
		json_t *v = r->after_commit;

		r->after_status = 0;
		r->after_commit = NULL;
		if (!v)
			return http_problem(r, MHD_HTTP_SERVICE_UNAVAILABLE,
					    "database", "Not accepted",
					    "the database failed; nothing was "
					    "queued, try again", NULL);
		return http_json(r, status, v);
	}
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->h = h;
		r->start_us = http_us();
		r->conn = conn;
		r->method = method;
		r->url = url;
		*con_cls = r;
		return http_admit(r);
	}
	if (r->answered) {
		*data_size = 0;	/* the rest of a refused upload is dropped */
		return MHD_YES;
	}
	if (*data_size) {
		if (!http_append(r, data, *data_size))
			return MHD_NO;
		*data_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		return http_problem(r, MHD_HTTP_CONTENT_TOO_LARGE, "too-large",
				    "Request body too large",
				    "the body is larger than the http section's "
				    "max_body", NULL);
	return http_api_route(r);
}

/*
 * A whole request must arrive within the timeout. MHD's own timeout is one
 * of inactivity, which a client sending a byte a second never trips; this
 * deadline runs from the connection's start, and again from each answered
 * request, and ends the connection with shutdown(2), which MHD sees as the
 * peer going away.
 */
struct http_conn {
	struct loop_timer deadline;
	int fd;
};

static int64_t http_conn_expired(struct loop_timer *t, void *ud)
{
	struct http_conn *c = ud;

	(void)t;
	log_info("http: closed a connection that did not finish its request "
		 "in time");
	shutdown(c->fd, SHUT_RDWR);
	return LOOP_TIMER_DONE;
}

static void http_conn_notify(void *cls, struct MHD_Connection *conn,
			     void **socket_context,
			     enum MHD_ConnectionNotificationCode code)
{
	struct http *h = cls;
	struct http_conn *c = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c) {
			loop_timer_disarm(&c->deadline);
			free(c);
		}
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	c = ci ? calloc(1, sizeof(*c)) : NULL;
	if (!c)
		return;
	c->fd = ci->connect_fd;
	loop_timer_init(h->deps.loop, &c->deadline, http_conn_expired, c);
	loop_timer_arm(&c->deadline, h->cfg->http.timeout_ms);
	*socket_context = c;
}

static void http_completed(void *cls, struct MHD_Connection *conn,
			   void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;
	struct http *h = cls;
	const union MHD_ConnectionInfo *ci;

	(void)toe;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context) {
		struct http_conn *c = ci->socket_context;

		/* Kept alive: the next request has its own deadline. */
		loop_timer_arm(&c->deadline, h->cfg->http.timeout_ms);
	}
	if (r) {
		json_decref(r->after_commit);
		json_decref(r->later);
		if (r->later_ctx && r->later_free)
			r->later_free(r->later_ctx);
		free(r->body);
		free(r);
	}
	*con_cls = NULL;
}

static void http_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_info("http: %s", buf);
}

static int http_resolve(const char *listen, struct sockaddr_storage *ss,
			bool *v6)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	char host[256], port[8];
	int p, rc;

	if (!config_http_split_listen(listen, host, sizeof(host), &p))
		return -EINVAL;
	snprintf(port, sizeof(port), "%d", p);
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc != 0) {
		log_error("http: listen %s: %s", listen, gai_strerror(rc));
		return -EINVAL;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*v6 = ai->ai_family == AF_INET6;
	freeaddrinfo(ai);
	return 0;
}

int http_new(const struct http_deps *deps, const struct config *cfg,
	     struct http **out)
{
	struct sockaddr_storage ss = { 0 };
	const union MHD_DaemonInfo *info;
	struct http *h;
	bool v6 = false;
	int rc;

	*out = NULL;
	if (!cfg->http.listen)
		return 0;
	rc = http_resolve(cfg->http.listen, &ss, &v6);
	if (rc < 0)
		return rc;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->deps = *deps;
	h->cfg = cfg;
	h->waits.next = h->waits.prev = &h->waits;
	/* No thread of ours: MHD_USE_EPOLL without MHD_USE_INTERNAL_POLLING
	 * _THREAD gives one epoll fd that the loop watches. */
	h->mhd = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
			(v6 ? MHD_USE_IPv6 : 0),
		0, NULL, NULL, http_handler, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)(cfg->http.timeout_ms / 1000),
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)cfg->http.max_connections,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, http_conn_notify, h,
		MHD_OPTION_EXTERNAL_LOGGER, http_log, h,
		MHD_OPTION_END);
	if (!h->mhd) {
		log_error("http: cannot listen on %s: %m", cfg->http.listen);
		free(h);
		return -EADDRNOTAVAIL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	loop_timer_init(deps->loop, &h->timer, http_on_timer, h);
	rc = info ? loop_watch_add(deps->loop, &h->watch, info->epoll_fd,
				   EPOLLIN, http_on_ready, h) : -EINVAL;
	if (rc < 0) {
		MHD_stop_daemon(h->mhd);
		free(h);
		return rc;
	}
	http_rearm(h);
	log_notice("http: listening on %s", cfg->http.listen);
	*out = h;
	return 0;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	loop_watch_del(&h->watch);
	loop_timer_disarm(&h->timer);
	/* Store answers still to come find no request; MHD closes the
	 * connections (resumed first, as it wants them). */
	while (h->waits.next != &h->waits) {
		struct http_req *r = h->waits.next->r;

		h->waits.next->r = NULL;
		http_wait_end(h->waits.next);
		MHD_resume_connection(r->conn);
	}
	MHD_stop_daemon(h->mhd);
	free(h->status_html);
	free(h);
}

void http_set_config(struct http *h, const struct config *cfg)
{
	if (!h) {
		if (cfg->http.listen)
			log_notice("http: a new http section needs a restart");
		return;
	}
	if (!cfg->http.listen || strcmp(cfg->http.listen, h->cfg->http.listen))
		log_notice("http: a new listen address needs a restart");
	/* The old config is freed after this: keep nothing of it. */
	h->cfg = cfg;
}
