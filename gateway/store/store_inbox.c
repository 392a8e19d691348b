/* store_inbox — raw PDUs, fragments, inbox rows, opt-outs; see the header. */
#include "store_inbox.h"
#include "store.h"
#include "forget.h"
#include "log.h"
#include "msg_state.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void store_inbox_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

int store_inbox_raw(struct store *st, int64_t sim_id, const char *iccid,
		    const char *pdu, int64_t now, int64_t *raw_id)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO raw_pdu (received_at, sim_id, iccid, pdu)"
		" VALUES (?, ?, ?, ?) ON CONFLICT (iccid, pdu) DO NOTHING"
		" RETURNING id");
	int rc;

	*raw_id = 0;
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, sim_id);
	/* Without an ICCID the card is unknown; the SIM row stands for it. */
	if (iccid && iccid[0])
		sqlite3_bind_text(s, 3, iccid, -1, SQLITE_TRANSIENT);
	else {
		char key[32];

		snprintf(key, sizeof(key), "sim:%lld", (long long)sim_id);
		sqlite3_bind_text(s, 3, key, -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_text(s, 4, pdu, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*raw_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_error("store: raw_pdu: %s", store_errmsg(st));
		return -EIO;
	}
	return rc == SQLITE_ROW ? 1 : 0;
}

int store_inbox_raw_error(struct store *st, int64_t raw_id, const char *error)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE raw_pdu SET error = ? WHERE id = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, error, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, raw_id);
	return store_step_done(st, s);
}

void store_inbox_parts_free(struct inbox_parts *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->texts[i]);
	free(p->texts);
	free(p->parts);
	memset(p, 0, sizeof(*p));
}

static int store_inbox_grow_parts(struct inbox_parts *p, size_t *cap)
{
	size_t c = *cap ? *cap * 2 : 16;
	struct reasm_part *np = realloc(p->parts, c * sizeof(*np));
	char **nt;

	if (!np)
		return -ENOMEM;
	p->parts = np;
	nt = realloc(p->texts, c * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	p->texts = nt;
	*cap = c;
	return 0;
}

int store_inbox_parts(struct store *st, int64_t sim_id, const char *sender,
		      int32_t ref, int total, int64_t since,
		      struct inbox_parts *out)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT id, received_at, seq, body, state,"
		" coalesce(inbound_id, 0) FROM inbound_part"
		" WHERE sim_id = ? AND sender = ? AND ref = ? AND total = ?"
		" AND received_at >= ? ORDER BY id");
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, sim_id);
	sqlite3_bind_text(s, 2, sender, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, ref);
	sqlite3_bind_int(s, 4, total);
	sqlite3_bind_int64(s, 5, since);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct reasm_part *p;
		enum reasm_state state = REASM_STATE_ORPHAN;

		if (out->n == cap && store_inbox_grow_parts(out, &cap) < 0)
			break;
		p = &out->parts[out->n];
		out->texts[out->n] = strdup((const char *)sqlite3_column_text(s, 3));
		if (!out->texts[out->n])
			break;
		reasm_state_parse((const char *)sqlite3_column_text(s, 4), &state);
		*p = (struct reasm_part){
			.id = sqlite3_column_int64(s, 0),
			.received_at = sqlite3_column_int64(s, 1),
			.total = total,
			.seq = sqlite3_column_int(s, 2),
			.text = out->texts[out->n],
			.state = state,
			.message_id = sqlite3_column_int64(s, 5),
		};
		out->n++;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		store_inbox_parts_free(out);
		return -EIO;
	}
	return 0;
}

int store_inbox_add_part(struct store *st, int64_t sim_id, const char *sender,
			 int32_t ref, int total, int seq, const char *body,
			 int64_t raw_id, enum reasm_state state,
			 int64_t message_id, const char *reason, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO inbound_part (received_at, sim_id, sender, ref,"
		" total, seq, body, raw_id, inbound_id, state, reason)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, sim_id);
	sqlite3_bind_text(s, 3, sender, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, ref);
	sqlite3_bind_int(s, 5, total);
	sqlite3_bind_int(s, 6, seq);
	sqlite3_bind_text(s, 7, body, -1, SQLITE_TRANSIENT);
	if (raw_id)
		sqlite3_bind_int64(s, 8, raw_id);
	if (message_id)
		sqlite3_bind_int64(s, 9, message_id);
	sqlite3_bind_text(s, 10, reasm_state_name(state), -1, SQLITE_STATIC);
	store_inbox_bind_text_or_null(s, 11, reason);
	return store_step_done(st, s);
}

int store_inbox_assign_parts(struct store *st, int64_t sim_id,
			     const char *sender, int32_t ref, int total,
			     int64_t message_id)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE inbound_part SET state = 'assembled', inbound_id = ?"
		" WHERE sim_id = ? AND sender = ? AND ref = ? AND total = ?"
		" AND state = 'waiting'");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, message_id);
	sqlite3_bind_int64(s, 2, sim_id);
	sqlite3_bind_text(s, 3, sender, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, ref);
	sqlite3_bind_int(s, 5, total);
	return store_step_done(st, s);
}

int store_inbox_orphan_key(struct store *st, int64_t sim_id,
			   const char *sender, int32_t ref, int total,
			   const char *reason)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE inbound_part SET state = 'orphan', reason = ?"
		" WHERE sim_id = ? AND sender = ? AND ref = ? AND total = ?"
		" AND state = 'waiting'");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, sim_id);
	sqlite3_bind_text(s, 3, sender, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, ref);
	sqlite3_bind_int(s, 5, total);
	return store_step_done(st, s);
}

int store_inbox_open_keys(struct store *st, int64_t before,
			  struct inbox_key **keys, size_t *n)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT sim_id, sender, ref, total FROM inbound_part"
		" WHERE state = 'waiting' GROUP BY sim_id, sender, ref, total"
		" HAVING min(received_at) <= ?");
	size_t cap = 0;
	int rc;

	*keys = NULL;
	*n = 0;
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, before);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct inbox_key *k;

		if (*n == cap) {
			size_t c = cap ? cap * 2 : 8;
			struct inbox_key *nk = realloc(*keys, c * sizeof(*nk));

			if (!nk)
				break;
			*keys = nk;
			cap = c;
		}
		k = &(*keys)[(*n)++];
		k->sim_id = sqlite3_column_int64(s, 0);
		snprintf(k->sender, sizeof(k->sender), "%s",
			 sqlite3_column_text(s, 1));
		k->ref = sqlite3_column_int(s, 2);
		k->total = sqlite3_column_int(s, 3);
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int64_t store_inbox_oldest_waiting(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT min(received_at) FROM inbound_part WHERE state = 'waiting'");
	int64_t t = 0;

	if (!s)
		return 0;
	if (sqlite3_step(s) == SQLITE_ROW)
		t = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return t;
}

int store_inbox_add(struct store *st, const struct inbox_new *m, int64_t now,
		    int64_t *id)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO inbound (received_at, sender, sender_type, recipient,"
		" sim_id, body, parts, total, partial, keyword, in_reply_to, scts,"
		" concat_ref, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
		" ?9, ?10, ?11, ?12, ?13, ?1) RETURNING id");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, m->sender, -1, SQLITE_TRANSIENT);
	store_inbox_bind_text_or_null(s, 3, m->sender_type);
	store_inbox_bind_text_or_null(s, 4, m->recipient &&
				      m->recipient[0] ? m->recipient
							       : NULL);
	sqlite3_bind_int64(s, 5, m->sim_id);
	sqlite3_bind_text(s, 6, m->body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 7, m->parts);
	sqlite3_bind_int(s, 8, m->total);
	sqlite3_bind_int(s, 9, m->partial);
	store_inbox_bind_text_or_null(s, 10, m->keyword);
	if (m->in_reply_to)
		sqlite3_bind_int64(s, 11, m->in_reply_to);
	store_inbox_bind_text_or_null(s, 12, m->scts);
	if (m->concat_ref >= 0)
		sqlite3_bind_int(s, 13, m->concat_ref);
	if (sqlite3_step(s) != SQLITE_ROW) {
		log_error("store: inbound from %s: %s", m->sender,
			  store_errmsg(st));
		sqlite3_reset(s);
		return -EIO;
	}
	*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return 0;
}

int store_inbox_amend(struct store *st, int64_t id, const char *body,
		      int parts, bool partial, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE inbound SET body = ?2, parts = ?3, partial = ?4,"
		" updated_at = ?5 WHERE id = ?1");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 3, parts);
	sqlite3_bind_int(s, 4, partial);
	sqlite3_bind_int64(s, 5, now);
	return store_step_done(st, s);
}

void store_inbox_info(struct store *st, int64_t id, struct inbox_info *in)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT s.imsi, s.imei, i.received_at, i.scts FROM inbound i"
		" LEFT JOIN sim s ON s.id = i.sim_id WHERE i.id = ?");
	const unsigned char *v;

	if (!s)
		return;
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW) {
		v = sqlite3_column_text(s, 0);
		snprintf(in->imsi, sizeof(in->imsi), "%s",
			 v ? (const char *)v : "");
		v = sqlite3_column_text(s, 1);
		snprintf(in->imei, sizeof(in->imei), "%s",
			 v ? (const char *)v : "");
		in->received_at = sqlite3_column_int64(s, 2);
		v = sqlite3_column_text(s, 3);
		snprintf(in->scts, sizeof(in->scts), "%s",
			 v ? (const char *)v : "");
	}
	sqlite3_reset(s);
}

int64_t store_inbox_last_sent(struct store *st, const char *number)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT id FROM message WHERE recipient = ? AND sent_at IS NOT NULL"
		" ORDER BY sent_at DESC LIMIT 1");
	int64_t id = 0;

	if (!s)
		return 0;
	sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(s) == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return id;
}

int store_inbox_auto_replies(struct store *st, const char *number,
			     int64_t since)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT count(*) FROM message WHERE recipient = ?"
		" AND created_at >= ? AND origin IN ('optout-reply',"
		" 'optin-reply', 'rule-reply', 'help-reply')");
	int n = -EIO;

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, since);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n;
}

/* ---- opt-outs ---- */

int store_optout_active(struct store *st, const char *number)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT active FROM optout WHERE number = ?");
	int r = 0, rc;

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		r = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	/* A number erased with smsgw forget is kept only as its hash: still
	 * opted out (issue 19). */
	if (rc == SQLITE_DONE)
		return forget_is_forgotten(st, number);
	return r;
}

int store_optout_add(struct store *st, const char *number,
		     const char *keyword, int64_t sim_id, const char *source,
		     const char *how, int64_t now, bool *was_active,
		     int *suppressed)
{
	sqlite3_stmt *s;
	int active = store_optout_active(st, number);

	if (active < 0)
		return -EIO;
	*was_active = active;
	*suppressed = 0;
	if (active)
		return 0;
	s = store_prepare(st,
		"INSERT INTO optout (number, opted_out_at, keyword, sim_id, active,"
		" source, how, updated_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?2)"
		" ON CONFLICT (number) DO UPDATE SET opted_out_at = ?2,"
		" keyword = ?3, sim_id = ?4, active = 1, source = ?5, how = ?6,"
		" updated_at = ?2");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	store_inbox_bind_text_or_null(s, 3, keyword);
	if (sim_id)
		sqlite3_bind_int64(s, 4, sim_id);
	sqlite3_bind_text(s, 5, source, -1, SQLITE_TRANSIENT);
	store_inbox_bind_text_or_null(s, 6, how);
	if (store_step_done(st, s) < 0)
		return -EIO;
	/* What is not yet in a modem's hands is not sent; the confirmation
	 * the caller queues after this is the one message that still goes. */
	s = store_prepare(st,
		"UPDATE message SET state = ?3, hold = NULL,"
		" error = 'recipient opted out', updated_at = ?2"
		" WHERE recipient = ?1 AND state IN ('queued', 'deferred')");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, msg_to_name(MSG_EVENT_OPT_OUT), -1,
			  SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, now);
	if (store_step_done(st, s) < 0)
		return -EIO;
	*suppressed = sqlite3_changes(store_db(st));
	return 0;
}

int store_optout_remove(struct store *st, const char *number, int64_t now,
			bool *was_active)
{
	sqlite3_stmt *s;
	int active = store_optout_active(st, number);

	if (active < 0)
		return -EIO;
	*was_active = active;
	if (!active)
		return 0;
	if (forget_unforget(st, number) < 0)
		return -EIO;
	s = store_prepare(st, "UPDATE optout SET active = 0, updated_at = ?2"
			      " WHERE number = ?1");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, number, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 2, now);
	return store_step_done(st, s);
}
