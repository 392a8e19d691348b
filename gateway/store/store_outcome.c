/*
 * store_outcome — what happened to a claimed message: parts sent, sent,
 * retried, failed, unknown; recovery at start; deferral and expiry; status
 * reports; usage counters. See include/store_outcome.h.
 */
#include "store_outcome.h"
#include "store.h"
#include "log.h"
#include "msg_state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void store_outbox_local_day(int64_t ms, char day[11], char month[8])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(day, 11, "%Y-%m-%d", &tm);
	strftime(month, 8, "%Y-%m", &tm);
}

static int store_outcome_end_attempt(struct store *st, int64_t attempt_id,
				     const char *result, const char *error,
				     int64_t now)
{
	sqlite3_stmt *s;

	if (!attempt_id)
		return 0;
	s = store_prepare(st, "UPDATE attempt SET ended_at = ?2, result = ?3,"
			      " error = ?4 WHERE id = ?1");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, attempt_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, result, -1, SQLITE_STATIC);
	if (error)
		sqlite3_bind_text(s, 4, error, -1, SQLITE_TRANSIENT);
	return store_step_done(st, s);
}

static int store_outcome_count_usage(struct store *st, const char *key,
				     int parts, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO sim_usage (iccid, day, sent_day, month, sent_month,"
		" last_send_at) VALUES (?1, ?2, ?4, ?3, ?4, ?5)"
		" ON CONFLICT (iccid) DO UPDATE SET"
		"  sent_day = CASE WHEN day = ?2 THEN sent_day + ?4 ELSE ?4 END,"
		"  sent_month = CASE WHEN month = ?3 THEN sent_month + ?4"
		"   ELSE ?4 END,"
		"  day = ?2, month = ?3, last_send_at = ?5");
	char day[11], month[8];

	if (!s)
		return -EIO;
	store_outbox_local_day(now, day, month);
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, day, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, month, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, parts);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s);
}

int store_outbox_part_sent(struct store *st, const struct outbox_msg *m,
			   int64_t sim_id, const char *usage_key, int seq,
			   int mr, int64_t now)
{
	sqlite3_stmt *s;
	int rc = store_begin(st);

	if (rc < 0)
		return rc;
	s = store_prepare(st,
		"INSERT OR REPLACE INTO part (message_id, seq, sim_id, mr, sent_at)"
		" VALUES (?, ?, ?, ?, ?)");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_int(s, 2, seq);
	sqlite3_bind_int64(s, 3, sim_id);
	sqlite3_bind_int(s, 4, mr);
	sqlite3_bind_int64(s, 5, now);
	if (store_step_done(st, s) < 0)
		goto fail;
	s = store_prepare(st, "UPDATE message SET parts_sent = ?2,"
			      " updated_at = ?3 WHERE id = ?1");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_int(s, 2, seq);
	sqlite3_bind_int64(s, 3, now);
	if (store_step_done(st, s) < 0 ||
	    store_outcome_count_usage(st, usage_key, 1, now) < 0)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return -EIO;
}

int store_outbox_touch_sticky(struct store *st, const char *number,
			      int64_t sim_id, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO sticky (number, sim_id, last_at) VALUES (?1, ?2, ?3)"
		" ON CONFLICT (number) DO UPDATE SET sim_id = ?2, last_at = ?3");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, sim_id);
	sqlite3_bind_int64(s, 3, now);
	return store_step_done(st, s);
}

int store_outbox_sent(struct store *st, const struct outbox_msg *m,
		      int64_t sim_id, int64_t now)
{
	sqlite3_stmt *s;

	if (store_begin(st) < 0)
		return -EIO;
	s = store_prepare(st,
		"UPDATE message SET state = ?3, sent_at = ?2, error = NULL,"
		" parts_sent = parts, updated_at = ?2 WHERE id = ?1");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_text(s, 3, msg_to_name(MSG_EVENT_SENT), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if (store_step_done(st, s) < 0 ||
	    store_outcome_end_attempt(st, m->attempt_id, "sent", NULL,
				      now) < 0 ||
	    store_outbox_touch_sticky(st, m->recipient, sim_id, now) < 0)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return -EIO;
}

int store_outbox_retry(struct store *st, const struct outbox_msg *m,
		       int64_t not_before, bool count_attempt,
		       int64_t avoid_sim, int64_t avoid_until,
		       const char *error, int64_t now)
{
	sqlite3_stmt *s;

	if (store_begin(st) < 0)
		return -EIO;
	s = store_prepare(st,
		"UPDATE message SET state = CASE WHEN ?2 <= ?5 THEN ?8"
		" ELSE ?9 END, not_before = ?2,"
		" attempts = attempts - ?3, error = ?4, updated_at = ?5,"
		" avoid_sim = ?6, avoid_until = ?7 WHERE id = ?1");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_int64(s, 2, not_before);
	sqlite3_bind_int(s, 3, !count_attempt);
	sqlite3_bind_text(s, 4, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, now);
	sqlite3_bind_text(s, 8, msg_to_name(MSG_EVENT_RETRY_NOW), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(s, 9, msg_to_name(MSG_EVENT_RETRY_LATER), -1,
			  SQLITE_STATIC);
	if (avoid_sim) {
		sqlite3_bind_int64(s, 6, avoid_sim);
		sqlite3_bind_int64(s, 7, avoid_until);
	}
	if (store_step_done(st, s) < 0 ||
	    store_outcome_end_attempt(st, m->attempt_id, "retry", error,
				      now) < 0)
		goto fail;
	/* `smsgw outbox show` says when the next try is due. */
	if (m->attempt_id) {
		s = store_prepare(st, "UPDATE attempt SET next_at = ?2"
				      " WHERE id = ?1");
		if (!s)
			goto fail;
		sqlite3_bind_int64(s, 1, m->attempt_id);
		sqlite3_bind_int64(s, 2, not_before);
		if (store_step_done(st, s) < 0)
			goto fail;
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return -EIO;
}

int store_outbox_fail(struct store *st, const struct outbox_msg *m,
		      enum msg_event ev, const char *error, int64_t now)
{
	const char *state = msg_to_name(ev);
	sqlite3_stmt *s;

	if (store_begin(st) < 0)
		return -EIO;
	s = store_prepare(st, "UPDATE message SET state = ?2, error = ?3,"
			      " updated_at = ?4 WHERE id = ?1");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, now);
	if (store_step_done(st, s) < 0 ||
	    store_outcome_end_attempt(st, m->attempt_id, state, error, now) < 0)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return -EIO;
}

int store_outbox_unknown(struct store *st, const struct outbox_msg *m,
			 bool resend, const char *error, int64_t now)
{
	char why[512];
	sqlite3_stmt *s;

	snprintf(why, sizeof(why), "%s; %s", error,
		 resend ? "outcome unknown, sending again"
			: "outcome unknown, not sent again");
	if (store_begin(st) < 0)
		return -EIO;
	s = store_prepare(st, "UPDATE message SET state = ?2, error = ?3,"
			      " not_before = ?4, updated_at = ?4 WHERE id = ?1");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_text(s, 2, msg_to_name(resend ? MSG_EVENT_RESEND
						   : MSG_EVENT_NO_ANSWER),
			  -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, now);
	if (store_step_done(st, s) < 0 ||
	    store_outcome_end_attempt(st, m->attempt_id, "unknown", error,
				      now) < 0)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return -EIO;
}

int store_outbox_recover(struct store *st, bool resend_direct,
			 bool resend_bulk, int64_t now)
{
	sqlite3_stmt *s;
	int n;

	if (store_begin(st) < 0)
		return -EIO;
	s = store_prepare(st,
		"UPDATE attempt SET ended_at = ?1, result = 'unknown',"
		" error = 'interrupted by a restart' WHERE ended_at IS NULL");
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, now);
	if (store_step_done(st, s) < 0)
		goto fail;
	s = store_prepare(st,
		"UPDATE message SET state = CASE WHEN (class = 0 AND ?1)"
		"  OR (class = 1 AND ?2) THEN ?4 ELSE ?5 END,"
		" error = CASE WHEN (class = 0 AND ?1) OR (class = 1 AND ?2)"
		"  THEN 'interrupted while sending; outcome unknown, sending again'"
		"  ELSE 'interrupted while sending; outcome unknown, not sent again'"
		"  END, updated_at = ?3 WHERE state = 'sending'");
	if (!s)
		goto fail;
	sqlite3_bind_int(s, 1, resend_direct);
	sqlite3_bind_int(s, 2, resend_bulk);
	sqlite3_bind_int64(s, 3, now);
	sqlite3_bind_text(s, 4, msg_to_name(MSG_EVENT_RESTART_RESEND), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(s, 5, msg_to_name(MSG_EVENT_RESTART), -1,
			  SQLITE_STATIC);
	if (store_step_done(st, s) < 0)
		goto fail;
	n = sqlite3_changes(store_db(st));
	if (store_commit(st) < 0)
		return -EIO;
	return n;
fail:
	store_rollback(st);
	return -EIO;
}

/* sql moves rows by ev: ?1 is now, ?2 the state they move to. */
static int store_outcome_run_update(struct store *st, const char *sql,
				    enum msg_event ev, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st, sql);

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, msg_to_name(ev), -1, SQLITE_STATIC);
	if (store_step_done(st, s) < 0)
		return -EIO;
	return sqlite3_changes(store_db(st));
}

int store_outbox_promote(struct store *st, int64_t now)
{
	return store_outcome_run_update(st,
		"UPDATE message SET state = ?2, updated_at = ?1"
		" WHERE state = 'deferred' AND hold IS NULL AND not_before <= ?1",
		MSG_EVENT_DUE, now);
}

int store_outbox_expire(struct store *st, int64_t now)
{
	return store_outcome_run_update(st,
		"UPDATE message SET state = ?2, updated_at = ?1,"
		" error = 'not sent before its expiry'"
		" WHERE state IN ('queued', 'deferred')"
		" AND expires_at IS NOT NULL AND expires_at <= ?1",
		MSG_EVENT_EXPIRE, now);
}

int64_t store_outbox_next_due(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT min(t) FROM ("
		" SELECT min(not_before) AS t FROM message"
		"  WHERE state = 'deferred' AND hold IS NULL"
		" UNION ALL"
		" SELECT min(expires_at) FROM message"
		"  WHERE state IN ('queued', 'deferred') AND expires_at IS NOT NULL)");
	int64_t due = 0;

	if (!s)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		due = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return due;
}

int store_outbox_defer_pool(struct store *st, const char *pool_key,
			    int64_t not_before, const char *why, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE message SET state = ?5, not_before = ?2,"
		" error = ?3, updated_at = ?4"
		" WHERE state = 'queued' AND pool = ?1 AND class = 1");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 5, msg_to_name(MSG_EVENT_HOLD), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 1, pool_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, not_before);
	sqlite3_bind_text(s, 3, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, now);
	if (store_step_done(st, s) < 0)
		return -EIO;
	return sqlite3_changes(store_db(st));
}

int store_outbox_usage(struct store *st, const char *usage_key,
		       struct outbox_usage *u)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT day, sent_day, month, sent_month, last_send_at"
		" FROM sim_usage WHERE iccid = ?");

	memset(u, 0, sizeof(*u));
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, usage_key, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW) {
		snprintf(u->day, sizeof(u->day), "%s", sqlite3_column_text(s, 0));
		u->sent_day = sqlite3_column_int(s, 1);
		snprintf(u->month, sizeof(u->month), "%s",
			 sqlite3_column_text(s, 2));
		u->sent_month = sqlite3_column_int(s, 3);
		u->last_send_at = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	return 0;
}

/* ---- status reports ---- */

/*
 * The recipient in a report may be written nationally or internationally
 * by the SMSC: compare the last digits.
 */
static bool store_outcome_same_number(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n = 0;

	while (la && lb && a[la - 1] == b[lb - 1] && a[la - 1] != '+') {
		la--;
		lb--;
		n++;
	}
	return n >= 7 || ((la == 0 || a[la - 1] == '+') &&
			  (lb == 0 || b[lb - 1] == '+') && n > 0);
}

static int64_t store_outcome_find_part(struct store *st, int64_t sim_id, int mr,
				       const char *recipient, int64_t since,
				       int *seq)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT p.message_id, p.seq, m.recipient FROM part p"
		" JOIN message m ON m.id = p.message_id"
		" WHERE p.sim_id = ?1 AND p.mr = ?2 AND p.sent_at >= ?3"
		" ORDER BY p.sent_at DESC LIMIT 16");
	int64_t id = 0;

	if (!s)
		return 0;
	sqlite3_bind_int64(s, 1, sim_id);
	sqlite3_bind_int(s, 2, mr);
	sqlite3_bind_int64(s, 3, since);
	/* MR wraps at 255: the newest send to the same number wins. */
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *to = (const char *)sqlite3_column_text(s, 2);

		if (!recipient || !recipient[0] ||
		    store_outcome_same_number(to, recipient)) {
			id = sqlite3_column_int64(s, 0);
			*seq = sqlite3_column_int(s, 1);
			break;
		}
	}
	sqlite3_reset(s);
	return id;
}

static int store_outcome_record_report(struct store *st, int64_t sim_id, int mr,
				       const char *recipient, int status,
				       int64_t now, const char *pdu,
				       int64_t msg_id)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO status_report (received_at, sim_id, mr, recipient,"
		" status, message_id, pdu) VALUES (?, ?, ?, ?, ?, ?, ?)");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, sim_id);
	sqlite3_bind_int(s, 3, mr);
	if (recipient)
		sqlite3_bind_text(s, 4, recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 5, status);
	if (msg_id)
		sqlite3_bind_int64(s, 6, msg_id);
	if (pdu)
		sqlite3_bind_text(s, 7, pdu, -1, SQLITE_TRANSIENT);
	return store_step_done(st, s);
}

/* Rolls the parts' reports up into the message: any failed part fails it,
 * every part delivered delivers it. Only sent or unknown messages move. */
static int store_outcome_roll_up(struct store *st, int64_t msg_id, int64_t now,
				 const char **new_state)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE message SET"
		" state = CASE WHEN p.bad > 0 THEN ?3 ELSE ?4 END,"
		" delivered_at = CASE WHEN p.bad > 0 THEN NULL ELSE ?2 END,"
		" error = CASE WHEN p.bad > 0"
		"  THEN 'delivery failed (status report)' ELSE error END,"
		" updated_at = ?2"
		" FROM (SELECT count(*) FILTER (WHERE status >= 64) AS bad,"
		"  count(*) FILTER (WHERE status < 32) AS good"
		"  FROM part WHERE message_id = ?1) AS p"
		" WHERE id = ?1 AND state IN ('sent', 'unknown')"
		" AND (p.bad > 0 OR p.good >= parts)"
		" RETURNING state");

	*new_state = NULL;
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, msg_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, msg_to_name(MSG_EVENT_REPORT_FAIL), -1,
			  SQLITE_STATIC);
	sqlite3_bind_text(s, 4, msg_to_name(MSG_EVENT_REPORT_OK), -1,
			  SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*new_state = msg_to_name(
			strcmp((const char *)sqlite3_column_text(s, 0),
			       msg_to_name(MSG_EVENT_REPORT_FAIL)) == 0
				? MSG_EVENT_REPORT_FAIL : MSG_EVENT_REPORT_OK);
		sqlite3_step(s);
	}
	sqlite3_reset(s);
	return 0;
}

int store_outbox_report(struct store *st, int64_t sim_id, int mr,
			const char *recipient, int status, int64_t now,
			int64_t window_ms, const char *pdu, int64_t *msg_id,
			const char **new_state)
{
	sqlite3_stmt *s;
	int seq = 0;

	*new_state = NULL;
	if (store_begin(st) < 0)
		return -EIO;
	*msg_id = store_outcome_find_part(st, sim_id, mr, recipient,
					  now - window_ms, &seq);
	if (store_outcome_record_report(st, sim_id, mr, recipient, status, now,
					pdu, *msg_id) < 0)
		goto fail;
	/* TP-ST 0x20–0x3F: the SC is still trying (TS 23.040 §9.2.3.15). */
	if (*msg_id && (status < 0x20 || status >= 0x40)) {
		s = store_prepare(st, "UPDATE part SET status = ?3, report_at = ?4"
				      " WHERE message_id = ?1 AND seq = ?2");
		if (!s)
			goto fail;
		sqlite3_bind_int64(s, 1, *msg_id);
		sqlite3_bind_int(s, 2, seq);
		sqlite3_bind_int(s, 3, status);
		sqlite3_bind_int64(s, 4, now);
		if (store_step_done(st, s) < 0 ||
		    store_outcome_roll_up(st, *msg_id, now, new_state) < 0)
			goto fail;
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return -EIO;
}
