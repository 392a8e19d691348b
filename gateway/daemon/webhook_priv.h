/*
 * webhook_priv — what the queue (webhook.c) and the transfers
 * (webhook_curl.c) share.
 */
#ifndef SMSGW_WEBHOOK_PRIV_H
#define SMSGW_WEBHOOK_PRIV_H

#include "loop.h"
#include "webhook.h"

#include "store_webhook.h"

#include <curl/curl.h>
#include <stdbool.h>

struct config_webhook;

/* One delivery attempt. */
struct webhook_job {
	struct webhook_job *next;
	int64_t id;			/* webhook_delivery.id */
	char uid[33];
	char webhook[128];
	char event[16];
	char *body;			/* owned */
	int attempts;			/* before this one */
	int64_t created_at;
	CURL *easy;
	struct curl_slist *headers;
	char error[CURL_ERROR_SIZE];
};

struct webhook {
	struct loop *loop;
	struct store *store;
	const struct config *cfg;
	struct loop_timer due;		/* fan-out and the next retry */
	CURLM *multi;
	struct loop_timer curl_timer;	/* CURLMOPT_TIMERFUNCTION */
	struct webhook_job *jobs;	/* in flight */
	unsigned running;
	bool claiming;			/* PostgreSQL: a claim in flight */
	bool dying;			/* freed when the claim answers */
	/* PostgreSQL: this box's webhook_sub rows are written (after a
	 * start or reload; retried until the database takes them). */
	bool subscribed, subscribing, sub_start;
};

int webhook_curl_init(struct webhook *wh);
void webhook_curl_cleanup(struct webhook *wh);
/* Starts job (copied; its body is taken over) for w. */
void webhook_curl_start(struct webhook *wh, const struct webhook_job *job,
			const struct config_webhook *w);
bool webhook_curl_busy(const struct webhook *wh, int64_t id);
/* Transfers in flight for the webhook called name. */
unsigned webhook_curl_running(const struct webhook *wh, const char *name);

/* The outcome of an attempt: status the HTTP code (0 without an answer),
 * error NULL or why there was no answer. */
void webhook_done(struct webhook *wh, const struct webhook_job *job,
		  long status, const char *error);
const struct config_webhook *webhook_find(const struct webhook *wh,
					  const char *name);
/* Runs the queue on the next loop iteration. */
void webhook_kick(struct webhook *wh);

/* PostgreSQL (webhook_pg.c): this box's subscriptions (start: also take
 * back its leases from before a restart); claim and start what is due,
 * the timer armed from the answer; record an outcome of this box's
 * claim. */
int webhook_pg_subscribe(struct webhook *wh, bool start);
void webhook_pg_due(struct webhook *wh);
void webhook_pg_outcome(struct webhook *wh, const struct webhook_job *job,
			enum store_webhook_outcome o, int attempts,
			int64_t delay_ms, const char *error);

#endif
