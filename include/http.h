/*
 * http — the HTTP API, the status page and /metrics inside smsgwd
 * (README "HTTP API", doc/openapi.json). libmicrohttpd does all of HTTP;
 * it runs without a thread of its own: its epoll descriptor is a watch on
 * the daemon's loop and MHD_get_timeout() arms a loop timer, so every
 * request is handled on the loop, between modem lines, and a 202 leaves
 * only after the SQLite commit of its messages.
 *
 * Off unless the configuration has an http section. Every request needs a
 * bearer token (`smsgw token add`), looked up per request; browsers may
 * give it as the password of HTTP basic auth. Rights: send for POST
 * /v1/messages, read for the rest, admin for campaign control.
 *
 * Hardening, each a config option of the http section (config_http.h):
 * request bodies past max_body get 413, more than rate_limit requests a
 * second per token (bursts of rate_burst) get 429, a connection idle or
 * slow to send its headers for timeout is closed, at most max_connections.
 */
#ifndef SMSGW_HTTP_H
#define SMSGW_HTTP_H

#include <stdint.h>

struct config;
struct loop;
struct sim_registry;
struct spool;
struct store;

struct http_deps {
	struct loop *loop;
	struct store *store;
	struct spool *spool;
	struct sim_registry *reg;
	/* Something changed that the scheduler must look at (a campaign
	 * resumed); called on the loop. */
	void (*kick)(void *ud);
	void *ud;
};

struct http;

/*
 * Starts listening on cfg->http.listen. *out is NULL (and 0 returned) when
 * the configuration has no http section. deps is copied; cfg is borrowed
 * until http_set_config() or http_free(). Returns 0 or -errno (logged).
 */
int http_new(const struct http_deps *deps, const struct config *cfg,
	     struct http **out);
void http_free(struct http *h);
/* SIGHUP: limits of the new configuration (the address stays). */
void http_set_config(struct http *h, const struct config *cfg);

#endif
