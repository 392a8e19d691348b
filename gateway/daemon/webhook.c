/*
 * webhook — the queue: subscriptions, fan-out, scheduling and outcomes.
 * The transfers themselves are webhook_curl.c. See webhook.h.
 */
#include "webhook_priv.h"
#include "backoff.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "store_pg_http.h"
#include "store_webhook.h"

#include <errno.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int64_t webhook_backoff_ms(int attempts)
{
	return backoff_ms(attempts > 1 ? (unsigned)attempts - 1 : 0,
			  WEBHOOK_BACKOFF_FIRST_MS, WEBHOOK_BACKOFF_MAX_MS);
}

void webhook_signature(const char *secret, int64_t t, const char *body,
		       size_t len, char *out, size_t size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char head[32], hex[2 * EVP_MAX_MD_SIZE + 1];
	size_t hl = (size_t)snprintf(head, sizeof(head), "%lld.", (long long)t);
	unsigned char *msg = malloc(hl + len);

	if (!msg) {
		snprintf(out, size, "t=%lld", (long long)t);
		return;
	}
	memcpy(msg, head, hl);
	memcpy(msg + hl, body, len);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), msg, hl + len, md, &n);
	free(msg);
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(out, size, "t=%lld,v1=%s", (long long)t, hex);
}

/* webhook_sub := the events some configured webhook wants (on
 * PostgreSQL: this box's webhooks and their events). */
static int webhook_sync_subs(struct webhook *wh, bool start)
{
	const char *names[32];
	unsigned want = 0;
	size_t n = 0;

	if (store_is_pg(wh->store))
		return webhook_pg_subscribe(wh, start);
	for (size_t i = 0; i < wh->cfg->nwebhooks; i++)
		want |= wh->cfg->webhooks[i].events;
	for (unsigned i = 0; config_webhook_event_names[i] &&
			     n < sizeof(names) / sizeof(names[0]); i++)
		if (want & (1u << i))
			names[n++] = config_webhook_event_names[i];
	return store_webhook_subscribe(wh->store, names, n);
}

/* {"event", "event_id", "at", the row's fields}; NULL when the row is gone. */
static char *webhook_body(struct webhook *wh, const char *event, int64_t ref,
			  int64_t at, const char *uid)
{
	json_t *o = store_webhook_row(wh->store, event, ref);
	char iso[32], *body;

	if (!o)
		return NULL;
	store_format_time(at, iso, sizeof(iso));
	json_object_set_new(o, "event", json_string(event));
	json_object_set_new(o, "event_id", json_string(uid));
	json_object_set_new(o, "at", json_string(iso));
	body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return body;
}

static void webhook_uid(char out[33])
{
	unsigned char r[16];

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		memset(r, 0, sizeof(r));
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static int webhook_queue_one(struct webhook *wh, const char *event,
			     int64_t ref, int64_t at, int64_t now)
{
	unsigned bit = config_webhook_event_bit(event);
	char uid[33], *body;
	int rc = 0;

	webhook_uid(uid);
	body = webhook_body(wh, event, ref, at, uid);
	if (!body)
		return 0;	/* the row went away (pruned): nothing to tell */
	for (size_t i = 0; i < wh->cfg->nwebhooks && rc == 0; i++) {
		const struct config_webhook *w = &wh->cfg->webhooks[i];

		if (!(w->events & bit))
			continue;
		rc = store_webhook_queue(wh->store, uid, w->name, event, body,
					 now);
	}
	free(body);
	return rc;
}

#define WEBHOOK_FAN_OUT 200	/* events a transaction */

struct webhook_fan {
	struct webhook *wh;
	int64_t now, last;
	int n;
};

static int webhook_fan_one(void *ud, const struct store_webhook_event *e)
{
	struct webhook_fan *f = ud;
	char event[16];

	f->last = e->id;
	f->n++;
	snprintf(event, sizeof(event), "%s", e->event);
	return webhook_queue_one(f->wh, event, e->ref, e->at, f->now);
}

/* webhook_event rows → deliveries, in one transaction. 1 when more wait. */
static int webhook_fan_out(struct webhook *wh)
{
	struct webhook_fan f = { .wh = wh, .now = clock_now_ms() };
	int rc;

	/* Most sweeps find nothing: no write transaction for them. */
	rc = store_webhook_pending(wh->store);
	if (rc <= 0)
		return rc;
	if (store_begin(wh->store) < 0)
		return -EIO;
	rc = store_webhook_events(wh->store, WEBHOOK_FAN_OUT, webhook_fan_one,
				  &f);
	if (rc < 0)
		goto fail;
	if (f.n && store_webhook_events_done(wh->store, f.last) < 0)
		goto fail;
	if (store_commit(wh->store) < 0)
		return -EIO;
	return f.n == WEBHOOK_FAN_OUT;
fail:
	store_rollback(wh->store);
	return -EIO;
}

const struct config_webhook *webhook_find(const struct webhook *wh,
					  const char *name)
{
	for (size_t i = 0; i < wh->cfg->nwebhooks; i++)
		if (strcmp(wh->cfg->webhooks[i].name, name) == 0)
			return &wh->cfg->webhooks[i];
	return NULL;
}

static void webhook_outcome(struct webhook *wh, const struct webhook_job *job,
			    enum store_webhook_outcome o, int attempts,
			    int64_t now, int64_t delay, const char *why)
{
	if (store_is_pg(wh->store))
		webhook_pg_outcome(wh, job, o, attempts, delay, why);
	else
		store_webhook_outcome(wh->store, job->id, o, attempts,
				      now + delay, why);
}

void webhook_done(struct webhook *wh, const struct webhook_job *job,
		  long status, const char *error)
{
	const struct config_webhook *w = webhook_find(wh, job->webhook);
	int64_t now = clock_now_ms();
	int attempts = job->attempts + 1;
	char why[256];

	if (!error && status >= 200 && status < 300) {
		webhook_outcome(wh, job, STORE_WEBHOOK_DELIVERED, attempts, now,
				0, NULL);
		log_info("webhook %s: %s %s delivered (HTTP %ld)", job->webhook,
			 job->event, job->uid, status);
		return;
	}
	if (error)
		snprintf(why, sizeof(why), "%s", error);
	else
		snprintf(why, sizeof(why), "HTTP %ld", status);
	if (!w || now - job->created_at >= w->give_up_ms) {
		webhook_outcome(wh, job, STORE_WEBHOOK_DEAD, attempts, now, 0,
				why);
		log_error("webhook %s: %s %s dead after %d attempts: %s",
			  job->webhook, job->event, job->uid, attempts, why);
		store_event(wh->store, STORE_EVENT_ERROR, "webhook",
			    "%s: %s event %s dead after %d attempts: %s",
			    job->webhook, job->event, job->uid, attempts, why);
		return;
	}
	webhook_outcome(wh, job, STORE_WEBHOOK_RETRY, attempts, now,
			webhook_backoff_ms(attempts), why);
	log_info("webhook %s: %s %s attempt %d failed (%s); retry in %lld ms",
		 job->webhook, job->event, job->uid, attempts, why,
		 (long long)webhook_backoff_ms(attempts));
}

struct webhook_due {
	struct webhook *wh;
	int64_t now, next;
};

static int webhook_start_one(void *ud, const struct store_webhook_delivery *d)
{
	struct webhook_due *due = ud;
	struct webhook *wh = due->wh;
	struct webhook_job job = { .id = d->id };

	if (webhook_curl_busy(wh, job.id))
		return 0;
	/* Rows come by next_at: the first one not due is the next wake-up.
	 * With every slot taken, a finished transfer runs the queue again
	 * (webhook_kick). */
	if (d->next_at > due->now) {
		due->next = d->next_at;
		return 1;
	}
	if (wh->running >= WEBHOOK_PARALLEL)
		return 1;
	snprintf(job.webhook, sizeof(job.webhook), "%s", d->webhook);
	if (webhook_curl_running(wh, job.webhook) >= WEBHOOK_PARALLEL_EACH)
		return 0;
	snprintf(job.uid, sizeof(job.uid), "%s", d->uid);
	snprintf(job.event, sizeof(job.event), "%s", d->event);
	job.body = strdup(d->body);
	job.attempts = d->attempts;
	job.created_at = d->created_at;
	if (!webhook_find(wh, job.webhook)) {
		webhook_done(wh, &job, 0, "no webhook of this name is "
			     "configured");
		free(job.body);
		return 0;
	}
	webhook_curl_start(wh, &job, webhook_find(wh, job.webhook));
	return 0;
}

/* Starts what is due, as far as WEBHOOK_PARALLEL allows; the next due
 * time, or 0 when nothing waits. */
static int64_t webhook_start_due(struct webhook *wh)
{
	struct webhook_due due = { .wh = wh, .now = clock_now_ms() };

	store_webhook_due(wh->store, WEBHOOK_PARALLEL * 8, webhook_start_one,
			  &due);
	return due.next;
}

static int64_t webhook_on_due(struct loop_timer *t, void *ud)
{
	struct webhook *wh = ud;
	int64_t next, now;
	int more;

	(void)t;
	if (store_is_pg(wh->store)) {
		webhook_pg_due(wh);	/* re-armed by the claim's answer */
		return LOOP_TIMER_DONE;
	}
	if (!wh->cfg->nwebhooks)
		return LOOP_TIMER_DONE;
	more = webhook_fan_out(wh);
	next = webhook_start_due(wh);
	now = clock_now_ms();
	if (more > 0)
		return 0;
	if (next && next - now < WEBHOOK_SWEEP_MS)
		return next > now ? next - now : 0;
	return WEBHOOK_SWEEP_MS;
}

void webhook_kick(struct webhook *wh)
{
	loop_timer_arm(&wh->due, 0);
}

void webhook_poke(struct webhook *wh)
{
	if (wh && wh->cfg->nwebhooks)
		webhook_kick(wh);
}

int webhook_new(struct loop *loop, struct store *store,
		const struct config *cfg, struct webhook **out)
{
	struct webhook *wh = calloc(1, sizeof(*wh));
	int rc;

	*out = NULL;
	if (!wh)
		return -ENOMEM;
	wh->loop = loop;
	wh->store = store;
	wh->cfg = cfg;
	loop_timer_init(loop, &wh->due, webhook_on_due, wh);
	rc = webhook_curl_init(wh);
	if (rc == 0)
		rc = webhook_sync_subs(wh, true);
	if (rc < 0) {
		webhook_free(wh);
		return rc;
	}
	/* What was waiting for a retry when we stopped goes at once (on
	 * PostgreSQL: with the subscription, for this box's webhooks). */
	if (!store_is_pg(store))
		store_webhook_rearm(store, clock_now_ms());
	webhook_poke(wh);
	*out = wh;
	return 0;
}

void webhook_free(struct webhook *wh)
{
	if (!wh)
		return;
	loop_timer_disarm(&wh->due);
	webhook_curl_cleanup(wh);
	/* A claim or subscription still to answer (PostgreSQL) frees it. */
	if (wh->claiming || wh->subscribing)
		wh->dying = true;
	else
		free(wh);
}

void webhook_set_config(struct webhook *wh, const struct config *cfg)
{
	if (!wh)
		return;
	wh->cfg = cfg;
	webhook_sync_subs(wh, false);
	webhook_poke(wh);
}
