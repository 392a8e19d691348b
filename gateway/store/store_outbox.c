/*
 * store_outbox — accepting outgoing messages; see include/store_outbox.h.
 * Claiming is in store_claim.c; results, reports and counters in
 * store_outcome.c.
 */
#include "store_outbox.h"
#include "store.h"
#include "store_inbox.h"
#include "log.h"
#include "msg_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *msg_kind_name(enum msg_kind k)
{
	return k == MSG_KIND_BULK ? "bulk" : "direct";
}

void outbox_msg_clear(struct outbox_msg *m)
{
	free(m->body);
	memset(m, 0, sizeof(*m));
}

int store_outbox_file_begin(struct store *st, const char *name,
			    const char *claim, const char *hash,
			    const char *idem_key, int64_t now,
			    int64_t *file_id, bool *duplicate)
{
	sqlite3_stmt *s;

	*duplicate = false;
	*file_id = 0;
	if (idem_key && idem_key[0]) {
		s = store_prepare(st, "SELECT id FROM spool_file WHERE idem_key = ?");
		if (!s)
			return -EIO;
		sqlite3_bind_text(s, 1, idem_key, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(s) == SQLITE_ROW) {
			*duplicate = true;
			*file_id = sqlite3_column_int64(s, 0);
		}
		sqlite3_reset(s);
		if (*duplicate)
			return 0;
	}
	s = store_prepare(st, "INSERT INTO spool_file (name, claim, hash,"
			      " idem_key, accepted_at) VALUES (?, ?, ?, ?, ?)"
			      " RETURNING id");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, claim, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, hash, -1, SQLITE_TRANSIENT);
	if (idem_key && idem_key[0])
		sqlite3_bind_text(s, 4, idem_key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 5, now);
	if (sqlite3_step(s) != SQLITE_ROW) {
		log_error("store: spool_file %s: %s", name, store_errmsg(st));
		sqlite3_reset(s);
		return -EIO;
	}
	*file_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_outbox_file_done(struct store *st, int64_t file_id,
			   long recipients, long duplicates)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE spool_file SET recipients = ?, duplicates = ? WHERE id = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, recipients);
	sqlite3_bind_int64(s, 2, duplicates);
	sqlite3_bind_int64(s, 3, file_id);
	return store_step_done(st, s);
}

bool store_outbox_file_claimed(struct store *st, const char *claim)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT 1 FROM spool_file WHERE claim = ?");
	bool seen;

	if (!s)
		return false;
	sqlite3_bind_text(s, 1, claim, -1, SQLITE_TRANSIENT);
	seen = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return seen;
}

int store_outbox_campaign(struct store *st, const char *name, int64_t now,
			  int64_t *id, bool *paused)
{
	sqlite3_stmt *s;

	/* A new file for a cancelled campaign starts it again; a paused one
	 * stays paused until resumed. */
	s = store_prepare(st,
		"INSERT INTO campaign (name, created_at) VALUES (?1, ?2)"
		" ON CONFLICT (name) DO UPDATE SET state = 'active'"
		"  WHERE state = 'cancelled'");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	if (store_step_done(st, s) < 0)
		return -EIO;
	s = store_prepare(st, "SELECT id, state FROM campaign WHERE name = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -EIO;
	}
	*id = sqlite3_column_int64(s, 0);
	*paused = strcmp((const char *)sqlite3_column_text(s, 1), "paused") == 0;
	sqlite3_reset(s);
	return 0;
}

static const struct {
	const char *campaign;		/* ?1 the campaign's id */
	const char *messages;		/* ?1 id, ?2 now, ?3 (?4) states */
	enum msg_event ev, ev_later;
} store_campaign_sql[] = {
	[OUTBOX_CAMPAIGN_PAUSE] = {
		"UPDATE campaign SET state = 'paused' WHERE id = ?1",
		"UPDATE message SET hold = 'paused', state = ?3,"
		" updated_at = ?2 WHERE campaign_id = ?1"
		" AND state IN ('queued', 'deferred')",
		MSG_EVENT_HOLD, MSG_EVENT_HOLD },
	/* Only a row still deferred comes back: one that expired or was
	 * suppressed while held keeps its final state. */
	[OUTBOX_CAMPAIGN_RESUME] = {
		"UPDATE campaign SET state = 'active' WHERE id = ?1",
		"UPDATE message SET hold = NULL, updated_at = ?2,"
		" state = CASE WHEN not_before <= ?2 THEN ?3 ELSE ?4 END"
		" WHERE campaign_id = ?1 AND hold = 'paused'"
		" AND state = 'deferred'",
		MSG_EVENT_RESUME_NOW, MSG_EVENT_HOLD },
	[OUTBOX_CAMPAIGN_CANCEL] = {
		"UPDATE campaign SET state = 'cancelled' WHERE id = ?1",
		"UPDATE message SET state = ?3, hold = NULL,"
		" error = 'campaign cancelled', updated_at = ?2"
		" WHERE campaign_id = ?1 AND state IN ('queued', 'deferred')",
		MSG_EVENT_CANCEL, MSG_EVENT_CANCEL },
};

int store_outbox_campaign_set(struct store *st, int64_t id,
			      enum outbox_campaign_action a, int64_t now)
{
	sqlite3_stmt *s;
	int n;

	if (store_begin(st) < 0)
		return -EIO;
	s = store_prepare(st, store_campaign_sql[a].campaign);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	if (store_step_done(st, s) < 0)
		goto fail;
	s = store_prepare(st, store_campaign_sql[a].messages);
	if (!s)
		goto fail;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, msg_to_name(store_campaign_sql[a].ev), -1,
			  SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(s) >= 4)
		sqlite3_bind_text(s, 4,
				  msg_to_name(store_campaign_sql[a].ev_later),
				  -1, SQLITE_STATIC);
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

int store_outbox_opted_out(struct store *st, const char *origin,
			   const char *number)
{
	if (origin && (strcmp(origin, "optout-reply") == 0 ||
		       strcmp(origin, "help-reply") == 0))
		return 0;
	return store_optout_active(st, number);
}

static void store_outbox_bind_pool(sqlite3_stmt *s, int i,
				   const struct outbox_new *m)
{
	char key[32];

	if (m->pin_sim_id) {
		snprintf(key, sizeof(key), "@%lld", (long long)m->pin_sim_id);
		sqlite3_bind_text(s, i, key, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_text(s, i, m->pool ? m->pool : "", -1,
				  SQLITE_TRANSIENT);
	}
}

/* Binds what the rows of one file share, numbered as the INSERT of
 * store_outbox_add() (also store_staging_add()): all but ?3 recipient, ?4
 * body, ?9 state, ?14 hold, ?19 parts and ?22 error. */
void store_outbox_bind_shared(sqlite3_stmt *s, int64_t file_id,
			      const struct outbox_new *m, int64_t now)
{
	if (file_id)
		sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 5, msg_kind_name(m->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, m->kind == MSG_KIND_BULK);
	if (m->campaign_id)
		sqlite3_bind_int64(s, 7, m->campaign_id);
	sqlite3_bind_int(s, 8, m->priority);
	sqlite3_bind_int64(s, 10, m->not_before);
	if (m->expires_at)
		sqlite3_bind_int64(s, 11, m->expires_at);
	store_outbox_bind_pool(s, 12, m);
	if (m->pin_sim)
		sqlite3_bind_text(s, 13, m->pin_sim, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 15, m->report);
	sqlite3_bind_int(s, 16, m->flash);
	if (m->validity_minutes >= 0)
		sqlite3_bind_int(s, 17, m->validity_minutes);
	sqlite3_bind_int(s, 18, m->ucs2);
	sqlite3_bind_text(s, 20, m->origin ? m->origin : "spool", -1,
			  SQLITE_TRANSIENT);
	if (m->in_reply_to)
		sqlite3_bind_int64(s, 21, m->in_reply_to);
	sqlite3_bind_int(s, 23, m->language);
	if (m->max_attempts > 0)
		sqlite3_bind_int(s, 24, m->max_attempts);
	if (m->smsc && m->smsc[0])
		sqlite3_bind_text(s, 25, m->smsc, -1, SQLITE_TRANSIENT);
	if (m->from && m->from[0])
		sqlite3_bind_text(s, 26, m->from, -1, SQLITE_TRANSIENT);
	if (m->has_class)
		sqlite3_bind_int(s, 27, m->msg_class);
	if (m->has_autosplit)
		sqlite3_bind_int(s, 28, m->autosplit);
	sqlite3_bind_int(s, 29, (int)m->pdu_flags);
	sqlite3_bind_int(s, 30, m->replace);
}

int store_outbox_add(struct store *st, int64_t file_id,
		     const struct outbox_new *m, bool campaign_paused,
		     int64_t now, int64_t *id, enum outbox_add_result *res)
{
	enum msg_event ev = MSG_EVENT_ACCEPT;
	sqlite3_stmt *s;
	int out;

	out = store_outbox_opted_out(st, m->origin, m->recipient);
	if (out < 0)
		return -EIO;
	if (out) {
		ev = MSG_EVENT_ACCEPT_OPTED_OUT;
		*res = OUTBOX_ADDED_SUPPRESSED;
	} else if (campaign_paused || m->not_before > now) {
		ev = MSG_EVENT_ACCEPT_LATER;
		*res = OUTBOX_ADDED_DEFERRED;
	} else {
		*res = OUTBOX_ADDED_QUEUED;
	}
	/* Rows an older version staged waited as "deferred" under a hold
	 * nothing releases but store_staging_release(). */
	if (m->staging && !out)
		ev = MSG_EVENT_ACCEPT_LATER;
	s = store_prepare(st,
		"INSERT INTO message " STORE_MESSAGE_COLUMNS
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?2,"
		" ?25, ?26, ?27, ?28, ?29, ?30)");
	if (!s)
		return -EIO;
	store_outbox_bind_shared(s, file_id, m, now);
	sqlite3_bind_text(s, 3, m->recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, m->body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 9, msg_to_name(ev), -1, SQLITE_STATIC);
	if (m->staging)
		sqlite3_bind_text(s, 14, "staging", -1, SQLITE_STATIC);
	else if (campaign_paused && !out)
		sqlite3_bind_text(s, 14, "paused", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 19, m->parts > 0 ? m->parts : 1);
	if (out)
		sqlite3_bind_text(s, 22, "recipient opted out", -1, SQLITE_STATIC);
	/* No RETURNING: it buffers the row in an ephemeral table, a cost a
	 * 1,000,000-row file pays a million times. */
	if (sqlite3_step(s) != SQLITE_DONE) {
		log_error("store: message for %s: %s", m->recipient,
			  store_errmsg(st));
		sqlite3_reset(s);
		return -EIO;
	}
	if (id)
		*id = sqlite3_last_insert_rowid(store_db(st));
	sqlite3_reset(s);
	return 0;
}

int store_outbox_add_refused(struct store *st, const char *recipient,
			     const char *body, const char *origin,
			     const char *why, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO message (created_at, recipient, body, kind, class,"
		" state, error, origin, updated_at)"
		" VALUES (?1, ?2, ?3, 'direct', 0, ?6, ?4, ?5, ?1)");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, recipient ? recipient : "", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, body ? body : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, why, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, origin, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, msg_to_name(MSG_EVENT_ACCEPT_REFUSED), -1,
			  SQLITE_STATIC);
	return store_step_done(st, s);
}

static void store_outbox_copy(char *dst, size_t size, sqlite3_stmt *s,
			      int col)
{
	const unsigned char *v = sqlite3_column_text(s, col);

	snprintf(dst, size, "%s", v ? (const char *)v : "");
}

int store_outbox_info(struct store *st, int64_t id, struct outbox_info *o,
		      char **body)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT m.recipient, m.body, s.modem || '/' || s.slot, s.imsi,"
		" s.imei, c.name, m.from_header, m.error, m.report,"
		" (SELECT mr FROM part WHERE message_id = m.id"
		"  ORDER BY seq DESC LIMIT 1),"
		" coalesce(m.sent_at, m.updated_at),"
		" (SELECT status FROM status_report WHERE message_id = m.id"
		"  ORDER BY id DESC LIMIT 1),"
		" (SELECT received_at FROM status_report WHERE message_id = m.id"
		"  ORDER BY id DESC LIMIT 1)"
		" FROM message m LEFT JOIN sim s ON s.id = m.sim_id"
		" LEFT JOIN campaign c ON c.id = m.campaign_id WHERE m.id = ?");
	int rc = -ENOENT;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		store_outbox_copy(o->recipient, sizeof(o->recipient), s, 0);
		*body = strdup((const char *)sqlite3_column_text(s, 1));
		store_outbox_copy(o->modem, sizeof(o->modem), s, 2);
		store_outbox_copy(o->imsi, sizeof(o->imsi), s, 3);
		store_outbox_copy(o->imei, sizeof(o->imei), s, 4);
		store_outbox_copy(o->campaign, sizeof(o->campaign), s, 5);
		store_outbox_copy(o->from, sizeof(o->from), s, 6);
		store_outbox_copy(o->error, sizeof(o->error), s, 7);
		o->report = sqlite3_column_int(s, 8);
		o->mr = sqlite3_column_type(s, 9) == SQLITE_NULL
				? -1 : sqlite3_column_int(s, 9);
		o->sent_at = sqlite3_column_int64(s, 10);
		o->status = sqlite3_column_type(s, 11) == SQLITE_NULL
				    ? -1 : sqlite3_column_int(s, 11);
		o->report_at = sqlite3_column_int64(s, 12);
		rc = *body ? 0 : -ENOMEM;
	}
	sqlite3_reset(s);
	return rc;
}

/* What a person's move resets, by event; the state is bound as ?3. */
static const char store_outbox_requeue_sql[] =
	"UPDATE message SET state = ?3, not_before = 0, attempts = 0,"
	" parts_sent = 0, error = NULL, hold = NULL, avoid_sim = NULL,"
	" avoid_until = NULL, expires_at = NULL, sent_at = NULL,"
	" updated_at = ?2 WHERE id = ?1 AND state = ?4";
static const char store_outbox_cancel_sql[] =
	"UPDATE message SET state = ?3, hold = NULL,"
	" error = 'cancelled by hand', updated_at = ?2"
	" WHERE id = ?1 AND state = ?4";

static int store_outbox_by_hand_txn(struct store *st, int64_t id,
				    enum msg_event ev, int64_t now,
				    enum msg_state *was)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT state FROM message"
					" WHERE id = ?");
	const char *name;
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	name = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0)
				: NULL;
	if (rc == SQLITE_ROW && (!name || !msg_state_parse(name, was)))
		rc = SQLITE_CORRUPT;
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return -ENOENT;
	if (rc != SQLITE_ROW)
		return -EIO;
	if (!msg_may(*was, ev))
		return 0;
	s = store_prepare(st, ev == MSG_EVENT_REQUEUE
				      ? store_outbox_requeue_sql
				      : store_outbox_cancel_sql);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, msg_to_name(ev), -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, msg_state_name(*was), -1, SQLITE_STATIC);
	if (store_step_done(st, s) < 0 || sqlite3_changes(store_db(st)) != 1)
		return -EIO;
	return store_event(st, STORE_EVENT_INFO, "cli",
			   "message #%lld %s by hand (was %s)", (long long)id,
			   ev == MSG_EVENT_REQUEUE ? "queued again"
						   : "cancelled",
			   msg_state_name(*was)) < 0 ? -EIO : 1;
}

int store_outbox_by_hand(struct store *st, int64_t id, enum msg_event ev,
			 int64_t now, enum msg_state *was)
{
	int rc;

	if (ev != MSG_EVENT_CANCEL && ev != MSG_EVENT_REQUEUE)
		return -EINVAL;
	if (store_begin(st) < 0)
		return -EIO;
	rc = store_outbox_by_hand_txn(st, id, ev, now, was);
	if (rc <= 0) {
		store_rollback(st);
		return rc;
	}
	return store_commit(st) < 0 ? -EIO : 1;
}

int store_outbox_intake_done(struct store *st, int64_t seq)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM outbox_in"
					" WHERE seq = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, seq);
	return store_step_done(st, s);
}
