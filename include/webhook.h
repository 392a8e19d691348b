/*
 * webhook — signed HTTP callbacks of the webhook sections (README
 * "Webhooks"), delivered at least once.
 *
 * The queue is in the database. Triggers (store_schema.c v6) append to
 * webhook_event in the same transaction as the inbox row, the state change
 * or the opt-out, for the events listed in webhook_sub, which this module
 * keeps equal to what the configured webhooks want. The fan-out turns each
 * of those rows into one webhook_delivery per webhook that wants it, with
 * its body and a random event id fixed once, so every retry sends the same
 * bytes. A crash at any point loses no event; one may be delivered twice,
 * and receivers dedupe by the Smsgw-Event-Id header.
 *
 * Deliveries are POSTs by libcurl's multi interface on the daemon's loop
 * (its sockets are loop watches, its timer a loop timer), at most
 * WEBHOOK_PARALLEL at a time and WEBHOOK_PARALLEL_EACH to one webhook. A 2xx answer delivers; anything else is
 * retried after webhook_backoff_ms() (1 s doubling, at most 5 minutes) and
 * at once after a restart; after give_up (24 h) the delivery is dead and
 * an error in the events log says so.
 *
 * Headers: Content-Type: application/json, Smsgw-Event: <event>,
 * Smsgw-Event-Id: <32 hex digits>, Smsgw-Signature: t=<unix seconds>,
 * v1=<hex HMAC-SHA256(secret, "<t>.<body>")>.
 */
#ifndef SMSGW_WEBHOOK_H
#define SMSGW_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct loop;
struct store;
struct webhook;

#define WEBHOOK_PARALLEL 8
#define WEBHOOK_PARALLEL_EACH 4	/* so one slow receiver leaves room */
#define WEBHOOK_BACKOFF_FIRST_MS 1000
#define WEBHOOK_BACKOFF_MAX_MS 300000
/* Events are poked by the daemon's own commits and by `smsgw` through the
 * control socket; the sweep is a safety net for other writers. */
#define WEBHOOK_SWEEP_MS 30000

/* Starts delivering (idle without webhook sections, so that a reload may
 * add some). cfg is borrowed until the next webhook_set_config() or
 * webhook_free(). Returns 0 or -errno. */
int webhook_new(struct loop *loop, struct store *store,
		const struct config *cfg, struct webhook **out);
/* Transfers in flight are dropped; they stay pending for the next start. */
void webhook_free(struct webhook *wh);
void webhook_set_config(struct webhook *wh, const struct config *cfg);
/* Something was committed that may have queued events: fan out soon. */
void webhook_poke(struct webhook *wh);

/* The wait before attempt attempts + 1, after attempts failures. */
int64_t webhook_backoff_ms(int attempts);
/* "t=<t>,v1=<hex>" for body signed with secret at unix time t. */
void webhook_signature(const char *secret, int64_t t, const char *body,
		       size_t len, char *out, size_t size);

#endif
