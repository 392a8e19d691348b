/*
 * webhook — the queue: subscriptions, fan-out, scheduling and outcomes.
 * The transfers themselves are webhook_curl.c. See webhook.h.
 */
#include "webhook_priv.h"
#include "backoff.h"
#include "clock.h"
#include "config.h"
#include "json_row.h"
#include "log.h"
#include "store.h"

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

/* webhook_sub := the events some configured webhook wants. */
static int webhook_sync_subs(struct webhook *wh)
{
	unsigned want = 0;
	sqlite3_stmt *s;

	for (size_t i = 0; i < wh->cfg->nwebhooks; i++)
		want |= wh->cfg->webhooks[i].events;
	if (store_begin(wh->store) < 0)
		return -EIO;
	s = store_prepare(wh->store, "DELETE FROM webhook_sub");
	if (!s || store_step_done(wh->store, s) < 0)
		goto fail;
	for (unsigned i = 0; config_webhook_event_names[i]; i++) {
		if (!(want & (1u << i)))
			continue;
		s = store_prepare(wh->store, "INSERT INTO webhook_sub (event)"
					     " VALUES (?)");
		if (!s)
			goto fail;
		sqlite3_bind_text(s, 1, config_webhook_event_names[i], -1,
				  SQLITE_STATIC);
		if (store_step_done(wh->store, s) < 0)
			goto fail;
	}
	/* Without webhooks, events queued earlier have no one to go to. */
	if (!want) {
		s = store_prepare(wh->store, "DELETE FROM webhook_event");
		if (!s || store_step_done(wh->store, s) < 0)
			goto fail;
	}
	return store_commit(wh->store) < 0 ? -EIO : 0;
fail:
	store_rollback(wh->store);
	return -EIO;
}

static const char *webhook_row_sql(const char *event)
{
	if (strcmp(event, "received") == 0)
		return "SELECT id, received_at, sender, recipient,"
		       " sim_name AS sim, body, parts, keyword, partial,"
		       " in_reply_to FROM inbox WHERE id = ?";
	if (strcmp(event, "optout") == 0)
		return "SELECT number, strftime('%Y-%m-%dT%H:%M:%fZ',"
		       " opted_out_at / 1000.0, 'unixepoch') AS opted_out_at,"
		       " keyword, source FROM optout WHERE rowid = ?";
	return "SELECT id, created_at, recipient, body, kind, campaign,"
	       " priority, state, sim_name AS sim, parts, attempts, sent_at,"
	       " delivered_at, error FROM outbox WHERE id = ?";
}

/* {"event", "event_id", "at", the row's fields}; NULL when the row is gone. */
static char *webhook_body(struct webhook *wh, const char *event, int64_t ref,
			  int64_t at, const char *uid)
{
	sqlite3_stmt *s = NULL;
	json_t *o = NULL;
	char iso[32], *body;

	sqlite3_prepare_v2(store_db(wh->store), webhook_row_sql(event), -1, &s,
			   NULL);
	if (!s)
		return NULL;
	sqlite3_bind_int64(s, 1, ref);
	if (sqlite3_step(s) == SQLITE_ROW)
		o = json_row(s);
	sqlite3_finalize(s);
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
		sqlite3_stmt *s;

		if (!(w->events & bit))
			continue;
		s = store_prepare(wh->store, "INSERT INTO webhook_delivery (uid,"
			" webhook, event, body, created_at, next_at)"
			" VALUES (?, ?, ?, ?, ?, ?)");
		if (!s) {
			rc = -EIO;
			break;
		}
		sqlite3_bind_text(s, 1, uid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, w->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, event, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, body, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 5, now);
		sqlite3_bind_int64(s, 6, now);
		rc = store_step_done(wh->store, s);
	}
	free(body);
	return rc;
}

/* webhook_event rows → deliveries, in one transaction. 1 when more wait. */
static int webhook_fan_out(struct webhook *wh)
{
	sqlite3_stmt *s;
	int64_t now = clock_now_ms(), last = 0;
	int n = 0, rc = 0;

	/* Most sweeps find nothing: no write transaction for them. */
	s = store_prepare(wh->store, "SELECT 1 FROM webhook_event LIMIT 1");
	if (!s)
		return -EIO;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : -EIO;
	rc = 0;
	if (store_begin(wh->store) < 0)
		return -EIO;
	s = store_prepare(wh->store, "SELECT id, at, event, ref FROM"
				     " webhook_event ORDER BY id LIMIT 200");
	while (s && rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		char event[16];
		int64_t at = sqlite3_column_int64(s, 1);
		int64_t ref = sqlite3_column_int64(s, 3);

		last = sqlite3_column_int64(s, 0);
		snprintf(event, sizeof(event), "%s", sqlite3_column_text(s, 2));
		rc = webhook_queue_one(wh, event, ref, at, now);
		n++;
	}
	if (s)
		sqlite3_reset(s);
	if (!s || rc < 0)
		goto fail;
	if (n) {
		s = store_prepare(wh->store, "DELETE FROM webhook_event"
					     " WHERE id <= ?");
		if (!s)
			goto fail;
		sqlite3_bind_int64(s, 1, last);
		if (store_step_done(wh->store, s) < 0)
			goto fail;
	}
	if (store_commit(wh->store) < 0)
		return -EIO;
	return n == 200;
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

static int webhook_update(struct webhook *wh, const char *sql, int64_t id,
			  int attempts, int64_t when, const char *error)
{
	sqlite3_stmt *s = store_prepare(wh->store, sql);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, attempts);
	sqlite3_bind_int64(s, 3, when);
	if (error)
		sqlite3_bind_text(s, 4, error, -1, SQLITE_TRANSIENT);
	return store_step_done(wh->store, s);
}

void webhook_done(struct webhook *wh, const struct webhook_job *job,
		  long status, const char *error)
{
	const struct config_webhook *w = webhook_find(wh, job->webhook);
	int64_t now = clock_now_ms();
	int attempts = job->attempts + 1;
	char why[256];

	if (!error && status >= 200 && status < 300) {
		webhook_update(wh, "UPDATE webhook_delivery SET state ="
			       " 'delivered', attempts = ?2, done_at = ?3,"
			       " last_error = NULL WHERE id = ?1", job->id,
			       attempts, now, NULL);
		log_info("webhook %s: %s %s delivered (HTTP %ld)", job->webhook,
			 job->event, job->uid, status);
		return;
	}
	if (error)
		snprintf(why, sizeof(why), "%s", error);
	else
		snprintf(why, sizeof(why), "HTTP %ld", status);
	if (!w || now - job->created_at >= w->give_up_ms) {
		webhook_update(wh, "UPDATE webhook_delivery SET state = 'dead',"
			       " attempts = ?2, done_at = ?3, last_error = ?4"
			       " WHERE id = ?1", job->id, attempts, now, why);
		log_error("webhook %s: %s %s dead after %d attempts: %s",
			  job->webhook, job->event, job->uid, attempts, why);
		store_event(wh->store, STORE_EVENT_ERROR, "webhook",
			    "%s: %s event %s dead after %d attempts: %s",
			    job->webhook, job->event, job->uid, attempts, why);
		return;
	}
	webhook_update(wh, "UPDATE webhook_delivery SET attempts = ?2,"
		       " next_at = ?3, last_error = ?4 WHERE id = ?1", job->id,
		       attempts, now + webhook_backoff_ms(attempts), why);
	log_info("webhook %s: %s %s attempt %d failed (%s); retry in %lld ms",
		 job->webhook, job->event, job->uid, attempts, why,
		 (long long)webhook_backoff_ms(attempts));
}

/* Starts what is due, as far as WEBHOOK_PARALLEL allows; the next due
 * time, or 0 when nothing waits. */
static int64_t webhook_start_due(struct webhook *wh)
{
	int64_t now = clock_now_ms(), next = 0;
	sqlite3_stmt *s;

	s = store_prepare(wh->store, "SELECT id, uid, webhook, event, body,"
		" attempts, created_at, next_at FROM webhook_delivery"
		" WHERE state = 'pending' ORDER BY next_at LIMIT ?");
	if (!s)
		return 0;
	sqlite3_bind_int(s, 1, WEBHOOK_PARALLEL * 8);
	while (sqlite3_step(s) == SQLITE_ROW) {
		struct webhook_job job = { 0 };
		int64_t at = sqlite3_column_int64(s, 7);

		job.id = sqlite3_column_int64(s, 0);
		if (webhook_curl_busy(wh, job.id))
			continue;
		/* Rows come by next_at: the first one not due is the next
		 * wake-up. With every slot taken, a finished transfer runs
		 * the queue again (webhook_kick). */
		if (at > now) {
			next = at;
			break;
		}
		if (wh->running >= WEBHOOK_PARALLEL)
			break;
		snprintf(job.webhook, sizeof(job.webhook), "%s",
			 sqlite3_column_text(s, 2));
		if (webhook_curl_running(wh, job.webhook) >= WEBHOOK_PARALLEL_EACH)
			continue;
		snprintf(job.uid, sizeof(job.uid), "%s", sqlite3_column_text(s, 1));
		snprintf(job.event, sizeof(job.event), "%s",
			 sqlite3_column_text(s, 3));
		job.body = strdup((const char *)sqlite3_column_text(s, 4));
		job.attempts = sqlite3_column_int(s, 5);
		job.created_at = sqlite3_column_int64(s, 6);
		if (!webhook_find(wh, job.webhook)) {
			webhook_done(wh, &job, 0, "no webhook of this name is "
				     "configured");
			free(job.body);
			continue;
		}
		webhook_curl_start(wh, &job, webhook_find(wh, job.webhook));
	}
	sqlite3_reset(s);
	return next;
}

static int64_t webhook_on_due(struct loop_timer *t, void *ud)
{
	struct webhook *wh = ud;
	int64_t next, now;
	int more;

	(void)t;
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
	sqlite3_stmt *s;
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
		rc = webhook_sync_subs(wh);
	if (rc < 0) {
		webhook_free(wh);
		return rc;
	}
	/* What was waiting for a retry when we stopped goes at once. */
	s = store_prepare(store, "UPDATE webhook_delivery SET next_at = ?"
				 " WHERE state = 'pending'");
	if (s) {
		sqlite3_bind_int64(s, 1, clock_now_ms());
		store_step_done(store, s);
	}
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
	free(wh);
}

void webhook_set_config(struct webhook *wh, const struct config *cfg)
{
	if (!wh)
		return;
	wh->cfg = cfg;
	webhook_sync_subs(wh);
	webhook_poke(wh);
}
