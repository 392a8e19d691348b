/*
 * webhook_pg — the webhook queue on PostgreSQL (doc/http.md "Webhooks on
 * PostgreSQL: delivered once across boxes"): the queue is shared by every
 * box on the database, so a delivery is claimed (leased, FOR UPDATE SKIP
 * LOCKED) before it is sent, and sent by the one box that claimed it.
 * There is no fan-out step: triggers of pg_http.sql write one delivery per
 * subscribed webhook with the change itself. Transfers, backoff and
 * give-up are webhook.c's and webhook_curl.c's, as on SQLite.
 */
#include "webhook_priv.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "store_pg_http.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A lease outlives the longest transfer by this much: the outcome is
 * recorded in time unless the box stalls, and then another box may send
 * the event again (at least once, as after a crash). */
#define WEBHOOK_PG_LEASE_SLACK_MS 30000
/* The database away (connecting at the start): the subscription is tried
 * again this soon, as pg_conn reconnects (PG_CONN_BACKOFF_MIN_MS). */
#define WEBHOOK_PG_RETRY_MS 100

static void webhook_pg_subscribed(int rc, void *ud)
{
	struct webhook *wh = ud;

	wh->subscribing = false;
	if (wh->dying) {
		if (!wh->claiming)
			free(wh);
		return;
	}
	if (rc < 0) {
		/* The database is away (or still connecting at the start):
		 * again with the next claim. */
		log_info("webhook: this box's subscriptions are not written "
			 "yet; trying again");
		loop_timer_arm(&wh->due, WEBHOOK_PG_RETRY_MS);
		return;
	}
	wh->subscribed = true;
	wh->sub_start = false;
	webhook_kick(wh);
}

int webhook_pg_subscribe(struct webhook *wh, bool start)
{
	wh->subscribed = false;
	wh->sub_start = wh->sub_start || start;
	webhook_kick(wh);
	return 0;
}

/* Writes this box's webhooks and their events (webhook_sub). */
static int webhook_pg_write_subs(struct webhook *wh)
{
	struct pg_store *ps = store_pg(wh->store);
	size_t n = wh->cfg->nwebhooks;
	const char **hooks = calloc(n + 1, sizeof(*hooks));
	const char **events = calloc(n + 1, sizeof(*events));
	char (*lists)[96] = calloc(n + 1, sizeof(*lists));

	if (!ps || !hooks || !events || !lists) {
		free(hooks);
		free(events);
		free(lists);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct config_webhook *w = &wh->cfg->webhooks[i];
		size_t len = 0;

		for (unsigned b = 0; config_webhook_event_names[b]; b++)
			if (w->events & (1u << b))
				len += (size_t)snprintf(lists[i] + len,
						sizeof(lists[i]) - len, "%s%s",
						len ? "," : "",
						config_webhook_event_names[b]);
		hooks[i] = w->name;
		events[i] = lists[i];
	}
	/* The arrays are copied into the query's parameters. */
	wh->subscribing = true;
	pg_store_webhook_subscribe(ps, hooks, events, n, wh->sub_start,
				   webhook_pg_subscribed, wh);
	free(hooks);
	free(events);
	free(lists);
	return 0;
}

/* The body as webhook.c makes it on SQLite (compact, keys sorted): the
 * database keeps it as jsonb, whose text is neither. NULL when it does
 * not parse. */
static char *webhook_pg_body(const char *jsonb)
{
	json_t *o = json_loads(jsonb, 0, NULL);
	char *body = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	json_decref(o);
	return body;
}

static void webhook_pg_row(void *ud, const struct store_webhook_delivery *d)
{
	struct webhook *wh = ud;
	const struct config_webhook *w = webhook_find(wh, d->webhook);
	struct webhook_job job = { .id = d->id, .attempts = d->attempts,
				   .created_at = d->created_at };

	/* Stopping: the lease lapses, or this box takes it back at its
	 * next start (webhook_pg_subscribe()). */
	if (wh->dying)
		return;
	snprintf(job.webhook, sizeof(job.webhook), "%s", d->webhook);
	snprintf(job.uid, sizeof(job.uid), "%s", d->uid);
	snprintf(job.event, sizeof(job.event), "%s", d->event);
	job.body = webhook_pg_body(d->body);
	if (!w || !job.body) {
		webhook_done(wh, &job, 0, job.body ? "no webhook of this name "
			     "is configured" : "the stored body is not JSON");
		free(job.body);
		return;
	}
	webhook_curl_start(wh, &job, w);
}

static void webhook_pg_claimed(int rc, int64_t next, void *ud)
{
	struct webhook *wh = ud;
	int64_t now = clock_now_ms(), in = WEBHOOK_SWEEP_MS;

	wh->claiming = false;
	if (wh->dying) {
		if (!wh->subscribing)
			free(wh);
		return;
	}
	if (rc < 0)
		in = WEBHOOK_BACKOFF_FIRST_MS;
	else if (next && next - now < WEBHOOK_SWEEP_MS)
		in = next > now ? next - now : 0;
	loop_timer_arm(&wh->due, in);
}

/* Claims what is due for the free transfer slots; the timer is armed
 * again when the claim answers. */
void webhook_pg_due(struct webhook *wh)
{
	size_t n = wh->cfg->nwebhooks;
	const char **hooks;
	int *slots;
	int64_t lease = 0;

	/* Stopping (the store is closed): nothing to claim. */
	if (wh->claiming || wh->subscribing || !store_pg(wh->store))
		return;
	if (!wh->subscribed) {
		if (webhook_pg_write_subs(wh) < 0)
			loop_timer_arm(&wh->due, WEBHOOK_BACKOFF_FIRST_MS);
		return;
	}
	if (!n)
		return;		/* no webhooks here: nothing to claim */
	hooks = calloc(n + 1, sizeof(*hooks));
	slots = calloc(n + 1, sizeof(*slots));
	if (!hooks || !slots) {
		free(hooks);
		free(slots);
		loop_timer_arm(&wh->due, WEBHOOK_BACKOFF_FIRST_MS);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct config_webhook *w = &wh->cfg->webhooks[i];
		unsigned busy = webhook_curl_running(wh, w->name);

		hooks[i] = w->name;
		slots[i] = busy >= WEBHOOK_PARALLEL_EACH
				   ? 0 : (int)(WEBHOOK_PARALLEL_EACH - busy);
		if (w->timeout_ms > lease)
			lease = w->timeout_ms;
	}
	wh->claiming = true;
	pg_store_webhook_claim(store_pg(wh->store), &(struct pg_webhook_claim){
		.hooks = hooks, .slots = slots, .n = n,
		.total = wh->running >= WEBHOOK_PARALLEL
				 ? 0 : (int)(WEBHOOK_PARALLEL - wh->running),
		.now = clock_now_ms(),
		.lease_ms = lease + WEBHOOK_PG_LEASE_SLACK_MS,
		.row = webhook_pg_row, .done = webhook_pg_claimed, .ud = wh });
	free(hooks);
	free(slots);
}

static void webhook_pg_recorded(int rc, void *ud)
{
	(void)ud;
	if (rc == 0)
		log_warn("webhook: an outcome came after this box's lease "
			 "lapsed; another box has the delivery now");
}

void webhook_pg_outcome(struct webhook *wh, const struct webhook_job *job,
			enum store_webhook_outcome o, int attempts,
			int64_t delay_ms, const char *error)
{
	/* Stopping: the lease lapses, the delivery is sent again. */
	if (store_pg(wh->store))
		pg_store_webhook_outcome(store_pg(wh->store), job->id, o,
					 attempts, delay_ms, error,
					 webhook_pg_recorded, NULL);
}
