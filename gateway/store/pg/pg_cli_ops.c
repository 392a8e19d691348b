/*
 * pg_cli_ops — the CLI's writes on PostgreSQL, each one transaction; see
 * include/pg_cli.h. The texts of their events are cli_*.c's on SQLite.
 */
#include "pg_cli.h"
#include "pg_cli_priv.h"
#include "forget.h"
#include "token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first column of the first row of res as an integer (res cleared). */
static int64_t pg_cli_ops_int(PGresult *res, int col, int64_t none)
{
	int64_t v = none;

	if (res && PQntuples(res) > 0 && !PQgetisnull(res, 0, col))
		v = strtoll(PQgetvalue(res, 0, col), NULL, 10);
	return v;
}

static int pg_cli_ops_rollback(struct pg_cli *pc, int rc)
{
	char keep[sizeof(pc->err)];

	/* The error that made us roll back is the one to tell. */
	memcpy(keep, pc->err, sizeof(keep));
	pg_cli_run(pc, "ROLLBACK");
	memcpy(pc->err, keep, sizeof(keep));
	return rc;
}

int pg_cli_event(struct pg_cli *pc, const char *level, const char *source,
		 const char *message)
{
	const struct store_bind b[] = { STORE_TEXT(level), STORE_TEXT(source),
					STORE_TEXT(message),
					STORE_TEXT(pc->box) };
	PGresult *res = pg_cli_exec(pc, "INSERT INTO event (at, level, source,"
				    " message, box) VALUES (smsgw_now_ms(), $1,"
				    " $2, $3, $4)", b, 4);

	PQclear(res);
	return res ? 0 : -EIO;
}

int64_t pg_cli_campaign_id(struct pg_cli *pc, const char *name)
{
	const struct store_bind b[] = { STORE_TEXT(name) };
	PGresult *res = pg_cli_exec(pc, "SELECT id FROM campaign WHERE name ="
				    " $1", b, 1);
	int64_t id = res ? pg_cli_ops_int(res, 0, 0) : -EIO;

	PQclear(res);
	return id;
}

int pg_cli_campaign_set(struct pg_cli *pc, int64_t id, const char *name,
			const char *action, int64_t now)
{
	const struct store_bind b[] = { STORE_INT(id), STORE_TEXT(action),
					STORE_INT(now) };
	char msg[256];
	PGresult *res;
	int n;

	if (pg_cli_run(pc, "BEGIN") < 0)
		return -EIO;
	res = pg_cli_exec(pc, "SELECT smsgw_campaign_set($1, $2, $3)", b, 3);
	if (!res)
		return pg_cli_ops_rollback(pc, -EIO);
	n = (int)pg_cli_ops_int(res, 0, 0);
	PQclear(res);
	snprintf(msg, sizeof(msg), "campaign %s: %s", name, action);
	if (pg_cli_event(pc, "info", "cli", msg) < 0)
		return pg_cli_ops_rollback(pc, -EIO);
	return pg_cli_run(pc, "COMMIT") < 0 ? -EIO : n;
}

int pg_cli_optout_add(struct pg_cli *pc, const char *number,
		      const char *keyword, int64_t now, bool *was_active,
		      int *suppressed)
{
	const struct store_bind b[] = { STORE_TEXT(number), STORE_TEXT(keyword),
					STORE_INT(now) };
	char msg[256];
	PGresult *res;

	if (pg_cli_run(pc, "BEGIN") < 0)
		return -EIO;
	res = pg_cli_exec(pc, "SELECT was_active, suppressed FROM"
			  " smsgw_optout_add($1, $2, $3)", b, 3);
	if (!res)
		return pg_cli_ops_rollback(pc, -EIO);
	*was_active = pg_cli_ops_int(res, 0, 0) != 0;
	*suppressed = (int)pg_cli_ops_int(res, 1, 0);
	PQclear(res);
	snprintf(msg, sizeof(msg), "%s opted out by hand; %d queued message%s"
		 " suppressed", number, *suppressed,
		 *suppressed == 1 ? "" : "s");
	if (!*was_active && pg_cli_event(pc, "info", "cli", msg) < 0)
		return pg_cli_ops_rollback(pc, -EIO);
	return pg_cli_run(pc, "COMMIT");
}

int pg_cli_optout_remove(struct pg_cli *pc, const char *number, int64_t now,
			 bool *was_active)
{
	const struct store_bind b[] = { STORE_TEXT(number), STORE_INT(now) };
	char msg[256];
	PGresult *res;

	if (pg_cli_run(pc, "BEGIN") < 0)
		return -EIO;
	res = pg_cli_exec(pc, "SELECT smsgw_optout_remove($1, $2)", b, 2);
	if (!res)
		return pg_cli_ops_rollback(pc, -EIO);
	*was_active = pg_cli_ops_int(res, 0, 0) != 0;
	PQclear(res);
	snprintf(msg, sizeof(msg), "%s opted in by hand", number);
	if (*was_active && pg_cli_event(pc, "info", "cli", msg) < 0)
		return pg_cli_ops_rollback(pc, -EIO);
	return pg_cli_run(pc, "COMMIT");
}

/* store_outbox.c's two statements, and the lease dropped: the attempt
 * that held the message (if a box still sends it, its outcome is stale). */
static const char pg_cli_ops_requeue_sql[] =
	"UPDATE message SET state = $3, not_before = 0, attempts = 0,"
	" parts_sent = 0, error = NULL, hold = NULL, avoid_sim = NULL,"
	" avoid_until = NULL, expires_at = NULL, sent_at = NULL,"
	" attempt_id = NULL, lease_until = NULL,"
	" updated_at = $2 WHERE id = $1 AND state = $4";
static const char pg_cli_ops_cancel_sql[] =
	"UPDATE message SET state = $3, hold = NULL,"
	" error = 'cancelled by hand', updated_at = $2"
	" WHERE id = $1 AND state = $4";

static int pg_cli_ops_by_hand_txn(struct pg_cli *pc, int64_t id,
				  enum msg_event ev, int64_t now,
				  enum msg_state *was)
{
	const struct store_bind k[] = { STORE_INT(id) };
	char msg[160];
	PGresult *res;
	bool ok;

	/* FOR UPDATE waits for a box's claim of this row to commit; then
	 * the state says whether a box is sending it. */
	res = pg_cli_exec(pc, "SELECT state FROM message WHERE id = $1"
			  " FOR UPDATE", k, 1);
	if (!res)
		return -EIO;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return -ENOENT;
	}
	ok = msg_state_parse(PQgetvalue(res, 0, 0), was);
	PQclear(res);
	if (!ok)
		return -EIO;
	if (!msg_may(*was, ev))
		return 0;
	{
		const struct store_bind b[] = {
			STORE_INT(id), STORE_INT(now),
			STORE_TEXT(msg_to_name(ev)),
			STORE_TEXT(msg_state_name(*was)),
		};

		res = pg_cli_exec(pc, ev == MSG_EVENT_REQUEUE
					      ? pg_cli_ops_requeue_sql
					      : pg_cli_ops_cancel_sql, b, 4);
	}
	ok = res && strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!ok)
		return -EIO;
	snprintf(msg, sizeof(msg), "message #%lld %s by hand (was %s)",
		 (long long)id,
		 ev == MSG_EVENT_REQUEUE ? "queued again" : "cancelled",
		 msg_state_name(*was));
	return pg_cli_event(pc, "info", "cli", msg) < 0 ? -EIO : 1;
}

int pg_cli_by_hand(struct pg_cli *pc, int64_t id, enum msg_event ev,
		   int64_t now, enum msg_state *was)
{
	int rc;

	if (ev != MSG_EVENT_CANCEL && ev != MSG_EVENT_REQUEUE)
		return -EINVAL;
	if (pg_cli_run(pc, "BEGIN") < 0)
		return -EIO;
	rc = pg_cli_ops_by_hand_txn(pc, id, ev, now, was);
	if (rc <= 0)
		return pg_cli_ops_rollback(pc, rc);
	return pg_cli_run(pc, "COMMIT") < 0 ? -EIO : 1;
}

/* A text[] literal of n strings ({"a","b"}); the forms are digits, '+'
 * and hex, quoted anyway. */
static void pg_cli_ops_array(char *buf, size_t size, const char (*v)[40],
			     size_t n)
{
	size_t k = 0;

	k += (size_t)snprintf(buf + k, size - k, "{");
	for (size_t i = 0; i < n && k < size; i++)
		k += (size_t)snprintf(buf + k, size - k, "%s\"%s\"",
				      i ? "," : "", v[i]);
	if (k < size)
		snprintf(buf + k, size - k, "}");
}

int pg_cli_forget(struct pg_cli *pc, const char *e164,
		  const struct forget_forms *f, int64_t now,
		  struct forget_counts *n)
{
	char text[FORGET_FORMS_MAX * (FORGET_FORM_MAX + 4) + 4];
	char semi[sizeof(text)];
	const char *tp = text, *sp = semi;
	PGresult *res;

	pg_cli_ops_array(text, sizeof(text), f->text, f->ntext);
	pg_cli_ops_array(semi, sizeof(semi), f->semi, f->nsemi);
	{
		const struct store_bind b[] = {
			STORE_TEXT(e164), STORE_TEXT(tp), STORE_TEXT(sp),
			STORE_TEXT(pc->box), STORE_INT(now),
		};

		res = pg_cli_exec(pc, "SELECT messages, in_flight, received,"
				  " fragments, raw_pdus, reports, texts, optouts"
				  " FROM smsgw_forget($1, $2, $3, $4, $5)", b, 5);
	}
	if (!res)
		return -EIO;
	*n = (struct forget_counts){
		.messages = (int)pg_cli_ops_int(res, 0, 0),
		.inflight = (int)pg_cli_ops_int(res, 1, 0),
		.inbound = (int)pg_cli_ops_int(res, 2, 0),
		.fragments = (int)pg_cli_ops_int(res, 3, 0),
		.raw_pdus = (int)pg_cli_ops_int(res, 4, 0),
		.reports = (int)pg_cli_ops_int(res, 5, 0),
		.texts = (int)pg_cli_ops_int(res, 6, 0),
		.optouts = (int)pg_cli_ops_int(res, 7, 0),
	};
	PQclear(res);
	return 0;
}

/* ---- smsgw token (the API's tokens, pg_http.sql) ---- */

int pg_cli_token_add(struct pg_cli *pc, const char *name, const char *token,
		     unsigned rights, int64_t now)
{
	char hash[TOKEN_HASH_LEN + 1], r[32], msg[160];
	const struct store_bind b[] = {
		STORE_TEXT(name),
		{ .type = STORE_BIND_TEXT, .text = hash },
		{ .type = STORE_BIND_TEXT, .text = r },
		STORE_INT(now) };
	PGresult *res;
	int64_t id;

	token_hash(token, strlen(token), hash);
	token_rights_format(rights, r, sizeof(r));
	if (pg_cli_run(pc, "BEGIN") < 0)
		return -EIO;
	/* Only the hash is kept, as on SQLite (token.c). */
	res = pg_cli_exec(pc, "INSERT INTO api_token (name, hash, rights,"
			  " created_at) VALUES ($1, $2, $3, $4)"
			  " ON CONFLICT DO NOTHING RETURNING id", b, 4);
	if (!res)
		return pg_cli_ops_rollback(pc, -EIO);
	id = pg_cli_ops_int(res, 0, 0);
	PQclear(res);
	if (!id)
		return pg_cli_ops_rollback(pc, -EEXIST);
	snprintf(msg, sizeof(msg), "token %s added (%s)", name, r);
	if (pg_cli_event(pc, "info", "cli", msg) < 0)
		return pg_cli_ops_rollback(pc, -EIO);
	return pg_cli_run(pc, "COMMIT") < 0 ? -EIO : 0;
}

int pg_cli_token_remove(struct pg_cli *pc, const char *name)
{
	const struct store_bind b[] = { STORE_TEXT(name) };
	char msg[160];
	PGresult *res;
	int n;

	if (pg_cli_run(pc, "BEGIN") < 0)
		return -EIO;
	res = pg_cli_exec(pc, "DELETE FROM api_token WHERE name = $1", b, 1);
	if (!res)
		return pg_cli_ops_rollback(pc, -EIO);
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	if (!n)
		return pg_cli_ops_rollback(pc, -ENOENT);
	snprintf(msg, sizeof(msg), "token %s removed", name);
	if (pg_cli_event(pc, "info", "cli", msg) < 0)
		return pg_cli_ops_rollback(pc, -EIO);
	return pg_cli_run(pc, "COMMIT") < 0 ? -EIO : 0;
}
