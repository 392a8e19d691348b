/* store_webhook — the webhook queue's rows; see store_webhook.h. */
#include "store_webhook.h"
#include "store.h"
#include "store_query.h"

#include <errno.h>
#include <string.h>

int store_webhook_subscribe(struct store *st, const char *const *events,
			    size_t n)
{
	sqlite3_stmt *s;

	if (store_begin(st) < 0)
		return -EIO;
	s = store_prepare(st, "DELETE FROM webhook_sub");
	if (!s || store_step_done(st, s) < 0)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		s = store_prepare(st, "INSERT INTO webhook_sub (event)"
				      " VALUES (?)");
		if (!s)
			goto fail;
		sqlite3_bind_text(s, 1, events[i], -1, SQLITE_STATIC);
		if (store_step_done(st, s) < 0)
			goto fail;
	}
	if (!n) {
		s = store_prepare(st, "DELETE FROM webhook_event");
		if (!s || store_step_done(st, s) < 0)
			goto fail;
	}
	return store_commit(st) < 0 ? -EIO : 0;
fail:
	store_rollback(st);
	return -EIO;
}

int store_webhook_pending(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM webhook_event"
					    " LIMIT 1");
	int rc;

	if (!s)
		return -EIO;
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int store_webhook_events(struct store *st, int limit,
			 int (*cb)(void *ud,
				   const struct store_webhook_event *e),
			 void *ud)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, at, event, ref FROM"
					    " webhook_event ORDER BY id"
					    " LIMIT ?");
	int rc = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, limit);
	while (rc == 0 && sqlite3_step(s) == SQLITE_ROW) {
		struct store_webhook_event e = {
			.id = sqlite3_column_int64(s, 0),
			.at = sqlite3_column_int64(s, 1),
			.event = (const char *)sqlite3_column_text(s, 2),
			.ref = sqlite3_column_int64(s, 3),
		};

		rc = cb(ud, &e);
	}
	sqlite3_reset(s);
	return rc;
}

int store_webhook_events_done(struct store *st, int64_t id)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM webhook_event"
					    " WHERE id <= ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	return store_step_done(st, s);
}

json_t *store_webhook_row(struct store *st, const char *event, int64_t ref)
{
	const struct store_bind b[] = { STORE_INT(ref) };
	enum store_query q = STORE_Q_WEBHOOK_MESSAGE;
	bool failed;

	if (strcmp(event, "received") == 0)
		q = STORE_Q_WEBHOOK_RECEIVED;
	else if (strcmp(event, "optout") == 0)
		q = STORE_Q_WEBHOOK_OPTOUT;
	return store_query_json_row(st, q, b, 1, &failed);
}

int store_webhook_queue(struct store *st, const char *uid,
			const char *webhook, const char *event,
			const char *body, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st, "INSERT INTO webhook_delivery (uid,"
		" webhook, event, body, created_at, next_at)"
		" VALUES (?, ?, ?, ?, ?, ?)");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, uid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, webhook, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, event, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_int64(s, 6, now);
	return store_step_done(st, s);
}

int store_webhook_due(struct store *st, int limit,
		      int (*cb)(void *ud,
				const struct store_webhook_delivery *d),
		      void *ud)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, uid, webhook, event,"
		" body, attempts, created_at, next_at FROM webhook_delivery"
		" WHERE state = 'pending' ORDER BY next_at LIMIT ?");
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_webhook_delivery d = {
			.id = sqlite3_column_int64(s, 0),
			.uid = (const char *)sqlite3_column_text(s, 1),
			.webhook = (const char *)sqlite3_column_text(s, 2),
			.event = (const char *)sqlite3_column_text(s, 3),
			.body = (const char *)sqlite3_column_text(s, 4),
			.attempts = sqlite3_column_int(s, 5),
			.created_at = sqlite3_column_int64(s, 6),
			.next_at = sqlite3_column_int64(s, 7),
		};

		if (cb(ud, &d))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int store_webhook_outcome(struct store *st, int64_t id,
			  enum store_webhook_outcome o, int attempts,
			  int64_t when, const char *error)
{
	static const char *const sql[] = {
		[STORE_WEBHOOK_DELIVERED] = "UPDATE webhook_delivery SET state ="
			" 'delivered', attempts = ?2, done_at = ?3,"
			" last_error = NULL WHERE id = ?1",
		[STORE_WEBHOOK_DEAD] = "UPDATE webhook_delivery SET state ="
			" 'dead', attempts = ?2, done_at = ?3, last_error = ?4"
			" WHERE id = ?1",
		[STORE_WEBHOOK_RETRY] = "UPDATE webhook_delivery SET"
			" attempts = ?2, next_at = ?3, last_error = ?4"
			" WHERE id = ?1",
	};
	sqlite3_stmt *s = store_prepare(st, sql[o]);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, attempts);
	sqlite3_bind_int64(s, 3, when);
	if (error && o != STORE_WEBHOOK_DELIVERED)
		sqlite3_bind_text(s, 4, error, -1, SQLITE_TRANSIENT);
	return store_step_done(st, s);
}

int store_webhook_rearm(struct store *st, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE webhook_delivery"
					    " SET next_at = ?"
					    " WHERE state = 'pending'");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	return store_step_done(st, s);
}
