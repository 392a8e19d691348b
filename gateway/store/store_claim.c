/*
 * store_claim — the claim policy; see include/store_claim.h.
 */
#include "store_claim.h"
#include "store_outbox.h"
#include "store.h"
#include "store_inbox.h"
#include "log.h"
#include "msg_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char store_claim_sql[] =
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
	sqlite3_stmt *s = store_prepare(st, store_claim_sql);
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
