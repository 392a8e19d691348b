/*
 * store_outbox — accepting and claiming outgoing messages; see
 * include/store_outbox.h. Results, reports and counters are in
 * store_outcome.c.
 */
#include "store_outbox.h"
#include "store.h"
#include "store_inbox.h"
#include "log.h"

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

/* 1 when number is opted out for a message of this origin, 0, or -EIO.
 * Automatic replies that must reach an opted-out number pass: the one
 * confirmation of the opt-out and the answer to HELP. */
static int opted_out(struct store *st, const char *origin, const char *number)
{
	if (origin && (strcmp(origin, "optout-reply") == 0 ||
		       strcmp(origin, "help-reply") == 0))
		return 0;
	return store_optout_active(st, number);
}

static void bind_pool(sqlite3_stmt *s, int i, const struct outbox_new *m)
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
	const char *state = "queued";
	sqlite3_stmt *s;
	int out;

	out = opted_out(st, m->origin, m->recipient);
	if (out < 0)
		return -EIO;
	if (out) {
		state = "suppressed";
		*res = OUTBOX_ADDED_SUPPRESSED;
	} else if (campaign_paused || m->not_before > now) {
		state = "deferred";
		*res = OUTBOX_ADDED_DEFERRED;
	} else {
		*res = OUTBOX_ADDED_QUEUED;
	}
	/* Staged rows wait as "deferred" under a hold nothing releases but
	 * store_staging_release(). */
	if (m->staging && !out)
		state = "deferred";
	s = store_prepare(st,
		"INSERT INTO message (file_id, created_at, recipient, body, kind,"
		" class, campaign_id, priority, state, not_before, expires_at,"
		" pool, pin_sim, hold, report, flash, validity, ucs2, parts,"
		" origin, in_reply_to, error, language, max_attempts, updated_at,"
		" smsc, from_header, msg_class, autosplit, pdu_flags,"
		" replace_type)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
		" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?2,"
		" ?25, ?26, ?27, ?28, ?29, ?30)"
		" RETURNING id");
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
	sqlite3_bind_text(s, 9, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 10, m->not_before);
	if (m->expires_at)
		sqlite3_bind_int64(s, 11, m->expires_at);
	bind_pool(s, 12, m);
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
	if (sqlite3_step(s) != SQLITE_ROW) {
		log_error("store: message for %s: %s", m->recipient,
			  store_errmsg(st));
		sqlite3_reset(s);
		return -EIO;
	}
	if (id)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

/* ---- claiming ---- */

/*
 * The best candidate among the three queues a SIM serves: its pool, the
 * unpooled messages (if it takes them), and messages pinned to it. Each
 * branch is one seek in message_queued. A message may wait for another SIM
 * for a while, never for ever:
 *  - one that failed on this SIM goes to another first, until avoid_until
 *    (or at once when no other SIM could send: ?7);
 *  - a direct message waits for the SIM that last talked with its number
 *    while that SIM could take it (ready or busy, serving its pool, not
 *    the one it failed on), and for at most a minute in the queue;
 *  - a partly sent multipart stays with its SIM (its parts carry that
 *    SIM's number as the sender of the whole).
 */
#define CLAIM_FILTER                                                       \
	" AND (?4 OR class = 0) AND parts - parts_sent <= ?5"              \
	" AND (parts_sent = 0 OR sim_id = ?1)"                             \
	" AND (avoid_sim IS NULL OR avoid_sim != ?1 OR avoid_until <= ?8"  \
	"  OR ?7)"                                                         \
	" AND (class = 1 OR pool LIKE '@%' OR updated_at <= ?8 - 60000"    \
	"  OR NOT EXISTS (SELECT 1 FROM sticky k"                          \
	"  JOIN sim s ON s.id = k.sim_id WHERE k.number = m.recipient"     \
	"  AND k.last_at > ?6 AND k.sim_id != ?1"                          \
	"  AND s.state IN ('ready', 'busy')"                               \
	"  AND (m.pool = '' OR s.pool = m.pool)"                           \
	"  AND (m.avoid_sim IS NULL OR m.avoid_sim != k.sim_id"            \
	"   OR m.avoid_until <= ?8)))"                                     \
	" ORDER BY class, priority, id LIMIT 1"

static const char claim_sql[] =
	"SELECT id FROM ("
	" SELECT * FROM (SELECT id, class, priority FROM message m"
	"  WHERE state = 'queued' AND pool = ?2" CLAIM_FILTER ")"
	" UNION ALL"
	" SELECT * FROM (SELECT id, class, priority FROM message m"
	"  WHERE state = 'queued' AND pool = '' AND ?3" CLAIM_FILTER ")"
	" UNION ALL"
	" SELECT * FROM (SELECT id, class, priority FROM message m"
	"  WHERE state = 'queued' AND pool = '@' || ?1" CLAIM_FILTER ")"
	") ORDER BY class, priority, id LIMIT 1";

static int64_t claim_candidate(struct store *st, const struct outbox_claim *c)
{
	sqlite3_stmt *s = store_prepare(st, claim_sql);
	int64_t id = 0;
	int rc;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, c->sim_id);
	sqlite3_bind_text(s, 2, c->pool ? c->pool : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, c->takes_unpooled);
	sqlite3_bind_int(s, 4, c->allow_bulk);
	sqlite3_bind_int(s, 5, c->quota_left);
	sqlite3_bind_int64(s, 6, c->sticky_cutoff);
	sqlite3_bind_int(s, 7, c->alone);
	sqlite3_bind_int64(s, 8, c->now);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		id = -EIO;
	sqlite3_reset(s);
	return id;
}

static int load_message(struct store *st, int64_t id, struct outbox_msg *m,
			int64_t *expires_at)
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

static int defer(struct store *st, int64_t id, int64_t until,
		 const char *why, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE message SET state = 'deferred', not_before = ?2,"
		" error = ?3, updated_at = ?4 WHERE id = ?1");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, until);
	sqlite3_bind_text(s, 3, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, now);
	return store_step_done(st, s);
}

static int mark_sending(struct store *st, struct outbox_msg *m,
			int64_t sim_id, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE message SET state = 'sending', sim_id = ?2,"
		" attempts = attempts + 1, concat_ref = ?3, updated_at = ?4"
		" WHERE id = ?1");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, m->id);
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
static int claim_one(struct store *st, const struct outbox_claim *c,
		     int64_t id, struct outbox_msg *out)
{
	int64_t expires_at, until;
	int rc = load_message(st, id, out, &expires_at);

	if (rc < 0)
		return rc;
	rc = opted_out(st, out->origin, out->recipient);
	if (rc < 0)
		return rc;
	if (rc)
		rc = store_outbox_fail(st, out, "suppressed",
				       "recipient opted out", c->now);
	else if (expires_at && expires_at <= c->now)
		rc = store_outbox_fail(st, out, "expired",
				       "not sent before its expiry", c->now);
	else if (out->kind == MSG_KIND_BULK && c->hold &&
		 c->hold(out->recipient, c->now, &until, c->hold_ud))
		rc = defer(st, id, until, "quiet hours at the recipient",
			   c->now);
	else
		return mark_sending(st, out, c->sim_id, c->now) < 0 ? -EIO : 1;
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
		int64_t id = claim_candidate(st, c);

		if (id <= 0) {
			rc = (int)id;
			break;
		}
		rc = claim_one(st, c, id, out);
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
