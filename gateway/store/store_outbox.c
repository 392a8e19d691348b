/*
 * store_outbox — accepting and claiming outgoing messages; see
 * include/store_outbox.h. Results, reports and counters are in
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

/* 1 when number is opted out for a message of this origin, 0, or -EIO.
 * Automatic replies that must reach an opted-out number pass: the one
 * confirmation of the opt-out and the answer to HELP. */
static int store_outbox_opted_out(struct store *st, const char *origin,
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
	/* Staged rows wait as "deferred" under a hold nothing releases but
	 * store_staging_release(). */
	if (m->staging && !out)
		ev = MSG_EVENT_ACCEPT_LATER;
	s = store_prepare(st,
		"INSERT INTO message (file_id, created_at, recipient, body, kind,"
		" class, campaign_id, priority, state, not_before, expires_at,"
		" pool, pin_sim, hold, report, flash, validity, ucs2, parts,"
		" origin, in_reply_to, error, language, max_attempts, updated_at,"
		" smsc, from_header, msg_class, autosplit, pdu_flags,"
		" replace_type)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?2,"
		" ?25, ?26, ?27, ?28, ?29, ?30)");
	if (!s)
		return -EIO;
	if (file_id)
		sqlite3_bind_int64(s, 1, file_id);
	sqlite3_bind_int64(s, 2, now);
	sqlite3_bind_text(s, 3, m->recipient, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, m->body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, msg_kind_name(m->kind), -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, m->kind == MSG_KIND_BULK);
	if (m->campaign_id)
		sqlite3_bind_int64(s, 7, m->campaign_id);
	sqlite3_bind_int(s, 8, m->priority);
	sqlite3_bind_text(s, 9, msg_to_name(ev), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, m->not_before);
	if (m->expires_at)
		sqlite3_bind_int64(s, 11, m->expires_at);
	store_outbox_bind_pool(s, 12, m);
	if (m->pin_sim)
		sqlite3_bind_text(s, 13, m->pin_sim, -1, SQLITE_TRANSIENT);
	if (m->staging)
		sqlite3_bind_text(s, 14, "staging", -1, SQLITE_STATIC);
	else if (campaign_paused && !out)
		sqlite3_bind_text(s, 14, "paused", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 15, m->report);
	sqlite3_bind_int(s, 16, m->flash);
	if (m->validity_minutes >= 0)
		sqlite3_bind_int(s, 17, m->validity_minutes);
	sqlite3_bind_int(s, 18, m->ucs2);
	sqlite3_bind_int(s, 19, m->parts > 0 ? m->parts : 1);
	sqlite3_bind_text(s, 20, m->origin ? m->origin : "spool", -1,
			  SQLITE_TRANSIENT);
	if (m->in_reply_to)
		sqlite3_bind_int64(s, 21, m->in_reply_to);
	if (out)
		sqlite3_bind_text(s, 22, "recipient opted out", -1, SQLITE_STATIC);
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

/* ---- claiming ---- */

/*
 * The claim policy: the best candidate among the three queues a SIM
 * serves, its pool, the unpooled messages (if it takes them) and the
 * messages pinned to it. Each queue is one seek in message_queued, so the
 * same filter is applied to each branch of a UNION ALL. A message may wait
 * for another SIM for a while, never for ever. The pieces, each a named
 * rule over the named parameters bound in store_outbox_claim_candidate():
 */
/* Bulk only on a SIM that takes bulk now. */
#define CLAIM_KIND_ALLOWED	" AND (:allow_bulk OR class = 0)"
/* Every part still to send fits in the SIM's quota. */
#define CLAIM_FITS_QUOTA	" AND parts - parts_sent <= :quota"
/* A partly sent multipart stays with its SIM: its parts carry that SIM's
 * number as the sender of the whole. */
#define CLAIM_MULTIPART_KEEPS_SIM " AND (parts_sent = 0 OR sim_id = :sim)"
/* One that failed on this SIM goes to another first, until avoid_until,
 * or at once when no other SIM could send (:alone). */
#define CLAIM_NOT_AVOIDED						\
	" AND (avoid_sim IS NULL OR avoid_sim != :sim"			\
	"  OR avoid_until <= :now OR :alone)"
/* A direct message waits for the SIM that last talked with its number
 * (sticky sender) while that SIM could take it — ready or busy, serving
 * its pool, not the one it failed on — and for at most a minute in the
 * queue. */
#define CLAIM_STICKY_SENDER						\
	" AND (class = 1 OR pool LIKE '@%' OR updated_at <= :now - 60000"	\
	"  OR NOT EXISTS (SELECT 1 FROM sticky k"			\
	"  JOIN sim s ON s.id = k.sim_id WHERE k.number = m.recipient"	\
	"  AND k.last_at > :sticky_cutoff AND k.sim_id != :sim"		\
	"  AND s.state IN ('ready', 'busy')"				\
	"  AND (m.pool = '' OR s.pool = m.pool)"			\
	"  AND (m.avoid_sim IS NULL OR m.avoid_sim != k.sim_id"		\
	"   OR m.avoid_until <= :now)))"
/* Direct before bulk, then priority, then age. */
#define CLAIM_ORDER " ORDER BY class, priority, id"

#define CLAIM_FILTER							\
	CLAIM_KIND_ALLOWED CLAIM_FITS_QUOTA CLAIM_MULTIPART_KEEPS_SIM	\
	CLAIM_NOT_AVOIDED CLAIM_STICKY_SENDER CLAIM_ORDER " LIMIT 1"

/* The three queues, by pool key: the SIM's pool, '' (unpooled), '@<id>'. */
#define CLAIM_QUEUE(pool_is)						\
	" SELECT * FROM (SELECT id, class, priority FROM message m"	\
	"  WHERE state = 'queued' AND " pool_is CLAIM_FILTER ")"

static const char claim_sql[] =
	"SELECT id FROM ("
	CLAIM_QUEUE("pool = :pool")
	" UNION ALL"
	CLAIM_QUEUE("pool = '' AND :takes_unpooled")
	" UNION ALL"
	CLAIM_QUEUE("pool = '@' || :sim")
	")" CLAIM_ORDER " LIMIT 1";

static void store_outbox_claim_bind_int(sqlite3_stmt *s, const char *name,
					int64_t v)
{
	sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, name), v);
}

static int64_t store_outbox_claim_candidate(struct store *st,
					    const struct outbox_claim *c)
{
	sqlite3_stmt *s = store_prepare(st, claim_sql);
	int64_t id = 0;
	int rc;

	if (!s)
		return -EIO;
	store_outbox_claim_bind_int(s, ":sim", c->sim_id);
	sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":pool"),
			  c->pool ? c->pool : "", -1, SQLITE_TRANSIENT);
	store_outbox_claim_bind_int(s, ":takes_unpooled", c->takes_unpooled);
	store_outbox_claim_bind_int(s, ":allow_bulk", c->allow_bulk);
	store_outbox_claim_bind_int(s, ":quota", c->quota_left);
	store_outbox_claim_bind_int(s, ":sticky_cutoff", c->sticky_cutoff);
	store_outbox_claim_bind_int(s, ":alone", c->alone);
	store_outbox_claim_bind_int(s, ":now", c->now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = -EIO;
	sqlite3_reset(s);
	return id;
}

static int store_outbox_load_message(struct store *st, int64_t id,
				     struct outbox_msg *m, int64_t *expires_at)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT recipient, body, class, report, flash, ucs2,"
		" coalesce(validity, -1), parts, parts_sent, attempts,"
		" coalesce(concat_ref, id % 256), coalesce(expires_at, 0), origin,"
		" language, coalesce(max_attempts, 0), pool LIKE '@%',"
		" coalesce(smsc, ''), coalesce(msg_class, -1),"
		" coalesce(autosplit, -1), pdu_flags, replace_type"
		" FROM message WHERE id = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -EIO;
	}
	memset(m, 0, sizeof(*m));
	m->id = id;
	snprintf(m->recipient, sizeof(m->recipient), "%s",
		 sqlite3_column_text(s, 0));
	m->body = strdup((const char *)sqlite3_column_text(s, 1));
	m->kind = sqlite3_column_int(s, 2) ? MSG_KIND_BULK : MSG_KIND_DIRECT;
	m->report = sqlite3_column_int(s, 3);
	m->flash = sqlite3_column_int(s, 4);
	m->ucs2 = sqlite3_column_int(s, 5);
	m->validity_minutes = sqlite3_column_int(s, 6);
	m->parts = sqlite3_column_int(s, 7);
	m->parts_sent = sqlite3_column_int(s, 8);
	m->attempts = sqlite3_column_int(s, 9) + 1;
	m->concat_ref = sqlite3_column_int(s, 10);
	*expires_at = sqlite3_column_int64(s, 11);
	snprintf(m->origin, sizeof(m->origin), "%s", sqlite3_column_text(s, 12));
	m->language = sqlite3_column_int(s, 13);
	m->max_attempts = sqlite3_column_int(s, 14);
	m->pinned = sqlite3_column_int(s, 15);
	snprintf(m->smsc, sizeof(m->smsc), "%s", sqlite3_column_text(s, 16));
	m->msg_class = sqlite3_column_int(s, 17);
	m->autosplit = sqlite3_column_int(s, 18);
	m->pdu_flags = (unsigned)sqlite3_column_int(s, 19);
	m->replace = sqlite3_column_int(s, 20);
	sqlite3_reset(s);
	return m->body ? 0 : -ENOMEM;
}

static int store_outbox_defer(struct store *st, int64_t id, int64_t until,
			      const char *why, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE message SET state = ?5, not_before = ?2,"
		" error = ?3, updated_at = ?4 WHERE id = ?1");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 5, msg_to_name(MSG_EVENT_HOLD), -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, until);
	sqlite3_bind_text(s, 3, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	return store_step_done(st, s);
}

static int store_outbox_mark_sending(struct store *st, struct outbox_msg *m,
				     int64_t sim_id, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE message SET state = ?5, sim_id = ?2,"
		" attempts = attempts + 1, concat_ref = ?3, updated_at = ?4"
		" WHERE id = ?1");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_text(s, 5, msg_to_name(MSG_EVENT_CLAIM), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, sim_id);
	sqlite3_bind_int(s, 3, m->concat_ref);
	sqlite3_bind_int64(s, 4, now);
	if (store_step_done(st, s) < 0)
		return -EIO;
	s = store_prepare(st, "INSERT INTO attempt (message_id, sim_id,"
			      " started_at) VALUES (?, ?, ?) RETURNING id");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_int64(s, 2, sim_id);
	sqlite3_bind_int64(s, 3, now);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_reset(s);
		return -EIO;
	}
	m->attempt_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* One candidate: 1 claimed, 0 dropped (suppressed/expired), <0 error. */
static int store_outbox_claim_one(struct store *st,
				  const struct outbox_claim *c, int64_t id,
				  struct outbox_msg *out)
{
	int64_t expires_at, until;
	int rc = store_outbox_load_message(st, id, out, &expires_at);

	if (rc < 0)
		return rc;
	rc = store_outbox_opted_out(st, out->origin, out->recipient);
	if (rc < 0)
		return rc;
	if (rc)
		rc = store_outbox_fail(st, out, MSG_EVENT_OPT_OUT,
				       "recipient opted out", c->now);
	else if (expires_at && expires_at <= c->now)
		rc = store_outbox_fail(st, out, MSG_EVENT_EXPIRE,
				       "not sent before its expiry", c->now);
	else if (out->kind == MSG_KIND_BULK && c->hold &&
		 c->hold(out->recipient, c->now, &until, c->hold_ud))
		rc = store_outbox_defer(st, id, until,
					"quiet hours at the recipient", c->now);
	else
		return store_outbox_mark_sending(st, out, c->sim_id,
						 c->now) < 0 ? -EIO : 1;
	/* Dropped from the queue: not claimed. */
	outbox_msg_clear(out);
	return rc < 0 ? -EIO : 0;
}

int store_outbox_claim(struct store *st, const struct outbox_claim *c,
		       struct outbox_msg *out)
{
	int rc = 0, i;

	memset(out, 0, sizeof(*out));
	if (c->quota_left <= 0)
		return 0;
	if (store_begin(st) < 0)
		return -EIO;
	/* Suppressed, expired and held rows drop out as we go; a bounded
	 * number per call keeps one claim from stalling the loop, and the
	 * caller comes back for more. */
	for (i = 0; i < 256 && rc == 0; i++) {
		int64_t id = store_outbox_claim_candidate(st, c);

		if (id <= 0) {
			rc = (int)id;
			break;
		}
		rc = store_outbox_claim_one(st, c, id, out);
	}
	if (rc < 0) {
		outbox_msg_clear(out);
		store_rollback(st);
		return rc;
	}
	if (store_commit(st) < 0) {
		outbox_msg_clear(out);
		return -EIO;
	}
	return rc == 0 && i == 256 ? -EAGAIN : rc;
}
