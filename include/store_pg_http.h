/*
 * store_pg_http — what the HTTP API, the webhooks and the hooks read and
 * write on PostgreSQL (doc/postgresql.md "HTTP API, webhooks and hooks";
 * the tables and functions are gateway/store/pg/pg_http.sql). Like every
 * PostgreSQL operation (include/store_pg.h) each answers later, from the
 * loop, never before the call returns; the caller keeps its request
 * (an HTTP connection suspended) until then.
 *
 * The SQLite forms are store_query.h (named queries), token.h,
 * store_webhook.h and store_hook.h; the daemon picks these when
 * store_pg() says the store is PostgreSQL.
 */
#ifndef SMSGW_STORE_PG_HTTP_H
#define SMSGW_STORE_PG_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "store_hook.h"
#include "store_inbox.h"
#include "store_ops.h"
#include "store_outbox.h"
#include "store_query.h"
#include "store_webhook.h"

struct pg_store;

/*
 * Every row of q as a JSON array of objects, as store_query_json() gives
 * on SQLite (same columns, names and JSON types). rows (NULL when rc < 0)
 * belongs to done, which must json_decref() it. Only the queries the
 * HTTP API asks have PostgreSQL text: the others answer -ENOTSUP.
 */
typedef void (*pg_json_fn)(int rc, json_t *rows, void *ud);
void pg_store_query_json(struct pg_store *ps, enum store_query q,
			 const struct store_bind *b, size_t n, pg_json_fn done,
			 void *ud);
/* Whether q has PostgreSQL text (the HTTP API's reads). */
bool pg_store_query_has(enum store_query q);

/* /metrics (store_metrics_write()'s names and help) for the whole
 * database: done with 0 and the Prometheus text (valid during the call),
 * or -EIO and NULL. */
void pg_store_metrics(struct pg_store *ps,
		      void (*done)(int rc, const char *text, void *ud),
		      void *ud);

/*
 * What the status page shows (store_report.h's sims, queue, rate, errors
 * and the newest ncampaigns campaigns), in one statement: done with 0 and
 * a JSON object {sims, queue, rate, errors, campaigns} (the rate as
 * [minute since start, parts] pairs), which done must json_decref(); -EIO
 * and NULL.
 */
void pg_store_status(struct pg_store *ps, int64_t start, int ncampaigns,
		     pg_json_fn done, void *ud);

/* store_campaign_id(): done with 1 and its id, 0 none, -EIO. */
void pg_store_campaign_id(struct pg_store *ps, const char *name,
			  void (*done)(int rc, int64_t id, void *ud),
			  void *ud);

/* token_lookup(): rc 1 found (name, rights), 0 unknown, -EIO. */
typedef void (*pg_token_fn)(int rc, const char *name, unsigned rights,
			    void *ud);
void pg_store_token_lookup(struct pg_store *ps, const char *token,
			   size_t len, pg_token_fn done, void *ud);
/* token_add() with the token's hash: done 0, -EEXIST (the name is
 * taken), -EIO; token_remove() by name: done 0, -ENOENT, -EIO. */
void pg_store_token_add(struct pg_store *ps, const char *name,
			const char *token, unsigned rights, int64_t now,
			store_done_fn done, void *ud);
void pg_store_token_remove(struct pg_store *ps, const char *name,
			   store_done_fn done, void *ud);
/* token_note_use(): api_token.used_at := now; nothing waits for it (a
 * failure is logged). */
void pg_store_token_note_use(struct pg_store *ps, const char *name,
			     int64_t now);

/*
 * This box's webhooks: hooks[i] wants the events events[i] (a comma-
 * separated list). start: also release this box's leases from before a
 * restart and make what waited for a retry due at once. done 0 or -EIO.
 */
void pg_store_webhook_subscribe(struct pg_store *ps,
				const char *const *hooks,
				const char *const *events, size_t n,
				bool start, store_done_fn done, void *ud);

/*
 * Claims due deliveries for this box, up to slots[i] of webhook hooks[i]
 * and total in all, each leased for lease_ms (another box skips it meanwhile): row is
 * called for each (strings valid during the call; times in the clock of
 * now), then done with rc 0 or -EIO and next, when the next delivery of
 * these webhooks falls due in the clock of now (0: none pending).
 */
struct pg_webhook_claim {
	const char *const *hooks;
	const int *slots;
	size_t n;
	int total;
	int64_t now, lease_ms;
	void (*row)(void *ud, const struct store_webhook_delivery *d);
	void (*done)(int rc, int64_t next, void *ud);
	void *ud;
};
void pg_store_webhook_claim(struct pg_store *ps,
			    const struct pg_webhook_claim *c);

/*
 * Records attempt number attempts of delivery id, which this box claimed:
 * delivered, dead, or retry in delay_ms. done: 1 recorded, 0 the lease
 * was no longer this box's (nothing changed), -EIO.
 */
void pg_store_webhook_outcome(struct pg_store *ps, int64_t id,
			      enum store_webhook_outcome o, int attempts,
			      int64_t delay_ms, const char *error,
			      store_done_fn done, void *ud);

/* store_hook_inbound() / _outbound(): done with rc 1 and the row (its
 * strings valid during the call), 0 and NULL when there is no such
 * message, -EIO and NULL. */
typedef void (*pg_hook_in_fn)(int rc, const struct store_hook_inbound *r,
			      void *ud);
typedef void (*pg_hook_out_fn)(int rc, const struct store_hook_outbound *r,
			       void *ud);
void pg_store_hook_inbound(struct pg_store *ps, int64_t id,
			   pg_hook_in_fn done, void *ud);
void pg_store_hook_outbound(struct pg_store *ps, int64_t id,
			    pg_hook_out_fn done, void *ud);

/* store_outbox_info(): done with 0 and the row (body valid during the
 * call), -ENOENT, or -EIO; o and body NULL unless 0. */
typedef void (*pg_outbox_info_fn)(int rc, const struct outbox_info *o,
				  const char *body, void *ud);
void pg_store_outbox_info(struct pg_store *ps, int64_t id,
			  pg_outbox_info_fn done, void *ud);
/* store_inbox_info(): *in zeroed where the database has nothing (rc 0,
 * or -EIO). */
typedef void (*pg_inbox_info_fn)(int rc, const struct inbox_info *in,
				 void *ud);
void pg_store_inbox_info(struct pg_store *ps, int64_t id,
			 pg_inbox_info_fn done, void *ud);

#endif
