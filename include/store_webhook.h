/*
 * store_webhook — the webhook queue in the database: which events are
 * wanted (triggers fill webhook_event only for those), the events waiting
 * to be fanned out, and one delivery row per event and webhook with its
 * attempts and outcome. The transfers are gateway/daemon/webhook*.c.
 */
#ifndef SMSGW_STORE_WEBHOOK_H
#define SMSGW_STORE_WEBHOOK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/*
 * The events some configured webhook wants, in one transaction; with
 * none, the events queued earlier are dropped (no one to go to). 0 or
 * -EIO.
 */
int store_webhook_subscribe(struct store *st, const char *const *events,
			    size_t n);

/* 1 when an event waits to be fanned out, 0 when none, -EIO. */
int store_webhook_pending(struct store *st);

/* An event waiting in webhook_event; event is valid during the call. */
struct store_webhook_event {
	int64_t id, at, ref;
	const char *event;
};

/*
 * Calls cb for the oldest limit events in id order until it returns
 * non-zero (that value is returned); the caller holds the transaction.
 * 0 after all, -EIO.
 */
int store_webhook_events(struct store *st, int limit,
			 int (*cb)(void *ud,
				   const struct store_webhook_event *e),
			 void *ud);
/* Drops the events up to id, fanned out. 0 or -EIO. */
int store_webhook_events_done(struct store *st, int64_t id);

/* The row an event is about, as a new JSON object ("received": the inbox
 * message ref, "optout": the opt-out, else the outbox message); NULL when
 * it is gone or on an error. */
json_t *store_webhook_row(struct store *st, const char *event, int64_t ref);

/* A pending delivery of body to webhook, due now. 0 or -EIO. */
int store_webhook_queue(struct store *st, const char *uid,
			const char *webhook, const char *event,
			const char *body, int64_t now);

/* A pending delivery; strings are valid during the call. */
struct store_webhook_delivery {
	int64_t id, created_at, next_at;
	const char *uid, *webhook, *event, *body;
	int attempts;
};

/* Calls cb for the first limit pending deliveries by next_at until it
 * returns non-zero. 0, or -EIO. */
int store_webhook_due(struct store *st, int limit,
		      int (*cb)(void *ud,
				const struct store_webhook_delivery *d),
		      void *ud);

enum store_webhook_outcome {
	STORE_WEBHOOK_DELIVERED,	/* done_at := when */
	STORE_WEBHOOK_DEAD,		/* done_at := when, gave up */
	STORE_WEBHOOK_RETRY,		/* next_at := when */
};

/* Records attempt number attempts of delivery id; error NULL or why it
 * failed. 0 or -EIO. */
int store_webhook_outcome(struct store *st, int64_t id,
			  enum store_webhook_outcome o, int attempts,
			  int64_t when, const char *error);

/* Every pending delivery due at now: what waited for a retry when the
 * daemon stopped goes at once. 0 or -EIO. */
int store_webhook_rearm(struct store *st, int64_t now);

#endif
