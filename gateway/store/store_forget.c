/*
 * store_forget — the database side of smsgw forget; see include/store_forget.h.
 *
 * Rows that are the person's (messages to them, messages from them, their
 * opt-out, sticky SIM, status reports, raw PDUs and fragments) are deleted;
 * what they counted moves to daily_stats first, so the funnel keeps its
 * figures. Every other text that quotes the number (events, other
 * messages, errors) has each form replaced by "[forgotten]".
 */
#include "store_forget.h"
#include "store.h"
#include "msg_state.h"
#include "store_prune.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORGOTTEN "[forgotten]"

static int store_forget_exec_sql(struct store *st, const char *sql)
{
	return store_exec(st, sql);
}

static int store_forget_count(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

static int store_forget_run_n(struct store *st, const char *sql, int *n)
{
	if (store_forget_exec_sql(st, sql) < 0)
		return -EIO;
	if (n)
		*n += sqlite3_changes(store_db(st));
	return 0;
}

static int store_forget_load_forms(struct store *st,
				   const struct forget_forms *f)
{
	sqlite3_stmt *s;

	if (store_forget_exec_sql(st,
				  "CREATE TEMP TABLE IF NOT EXISTS forget_text"
			 " (form TEXT PRIMARY KEY);"
			 "CREATE TEMP TABLE IF NOT EXISTS forget_semi"
			 " (form TEXT PRIMARY KEY);"
			 "DELETE FROM temp.forget_text;"
			 "DELETE FROM temp.forget_semi") < 0)
		return -EIO;
	for (int pass = 0; pass < 2; pass++) {
		size_t n = pass ? f->nsemi : f->ntext;

		if (sqlite3_prepare_v2(store_db(st), pass
				? "INSERT OR IGNORE INTO temp.forget_semi VALUES (?)"
				: "INSERT OR IGNORE INTO temp.forget_text VALUES (?)",
				-1, &s, NULL) != SQLITE_OK)
			return -EIO;
		for (size_t i = 0; i < n; i++) {
			sqlite3_bind_text(s, 1, pass ? f->semi[i] : f->text[i],
					  -1, SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_DONE) {
				sqlite3_finalize(s);
				return -EIO;
			}
			sqlite3_reset(s);
		}
		sqlite3_finalize(s);
	}
	return 0;
}

#define IS_FORM(col) col " IN (SELECT form FROM temp.forget_text)"
#define HAS_SEMI(col) "EXISTS (SELECT 1 FROM temp.forget_semi f" \
	" WHERE instr(upper(" col "), f.form) > 0)"

/* The text columns of table, as "c1", "c2", … into cols; their count. */
static int store_forget_text_columns(struct store *st, const char *table,
				     char cols[][64],
			int max)
{
	sqlite3_stmt *s;
	int n = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT name, upper(type) FROM"
			       " pragma_table_info(?)", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, table, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW && n < max) {
		const char *name = (const char *)sqlite3_column_text(s, 0);
		const char *type = (const char *)sqlite3_column_text(s, 1);

		if (!type || !type[0] || strstr(type, "TEXT") ||
		    strstr(type, "CHAR") || strstr(type, "CLOB"))
			snprintf(cols[n++], 64, "%s", name);
	}
	sqlite3_finalize(s);
	return n;
}

/*
 * Replaces every form in every text column of every table, longest form
 * first: events, other messages, errors, and tables other parts of smsgw
 * add (a webhook queue's payloads) without this file knowing them. One
 * scan per table. Rows a modem is sending keep their recipient.
 */
static int store_forget_redact_texts(struct store *st,
				     const struct forget_forms *f,
			int *n)
{
	char tables[64][64], cols[64][64];
	char *sql = NULL, *p;
	size_t size = 262144;
	int ntables = 0, ncols, rc = 0;
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(store_db(st), "SELECT name FROM main.sqlite_master"
			       " WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
			       " AND name != 'forgotten'", -1, &s, NULL) !=
	    SQLITE_OK)
		return -EIO;
	while (sqlite3_step(s) == SQLITE_ROW && ntables < 64)
		snprintf(tables[ntables++], 64, "%s",
			 (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	sql = malloc(size);
	if (!sql)
		return -ENOMEM;
	for (int t = 0; t < ntables && rc == 0; t++) {
		ncols = store_forget_text_columns(st, tables[t], cols, 64);
		if (ncols <= 0)
			continue;
		p = sql;
		p += sprintf(p, "UPDATE main.\"%s\" SET ", tables[t]);
		for (int c = 0; c < ncols; c++) {
			p += sprintf(p, "%s\"%s\" = ", c ? ", " : "", cols[c]);
			for (size_t k = 0; k < f->ntext; k++)
				p += sprintf(p, "replace(");
			p += sprintf(p, "\"%s\"", cols[c]);
			for (size_t k = 0; k < f->ntext; k++)
				p += sprintf(p, ", ?%zu, '" FORGOTTEN "')", k + 1);
		}
		p += sprintf(p, " WHERE (");
		for (int c = 0; c < ncols; c++)
			for (size_t k = 0; k < f->ntext; k++)
				p += sprintf(p, "%sinstr(\"%s\", ?%zu) > 0",
					     c || k ? " OR " : "", cols[c], k + 1);
		p += sprintf(p, ")%s", strcmp(tables[t], "message") == 0
				 ? " AND state != 'sending'" : "");
		if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) !=
		    SQLITE_OK) {
			rc = -EIO;
			break;
		}
		for (size_t k = 0; k < f->ntext; k++)
			sqlite3_bind_text(s, (int)k + 1, f->text[k], -1,
					  SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			rc = -EIO;
		else
			*n += sqlite3_changes(store_db(st));
		sqlite3_finalize(s);
	}
	free(sql);
	return rc;
}

/* MSG_EVENT_CANCEL of the transition table (include/msg_state.h): its
 * from-states written out, as every statement over many rows has them. */
static int store_forget_cancel(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE message SET state = ?1,"
					" hold = NULL WHERE " IS_FORM("recipient")
					" AND state IN ('queued', 'deferred')");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, msg_to_name(MSG_EVENT_CANCEL), -1,
			  SQLITE_STATIC);
	return store_step_done(st, s);
}

static int store_forget_erase(struct store *st, const struct forget_forms *f,
			      struct forget_counts *n)
{
	if (store_forget_load_forms(st, f) < 0)
		return -EIO;
	n->inflight = store_forget_count(st, "SELECT count(*) FROM message"
					 " WHERE " IS_FORM("recipient")
					 " AND state = 'sending'");
	/* Messages to the person: what was still to go is cancelled (and
	 * counted so), then all are counted in daily_stats and gone. */
	if (store_forget_cancel(st) < 0 ||
	    store_prune_set_clear(st) < 0 ||
	    store_forget_run_n(st, "INSERT INTO temp.prune_ids SELECT id"
			       " FROM message WHERE " IS_FORM("recipient")
			       " AND state != 'sending'", &n->messages) < 0 ||
	    store_forget_run_n(st, "DELETE FROM status_report WHERE message_id"
			       " IN (SELECT id FROM temp.prune_ids) OR "
			       IS_FORM("recipient") " OR " HAS_SEMI("pdu"),
			       &n->reports) < 0 ||
	    store_prune_messages_in_set(st) < 0)
		return -EIO;
	/* Messages from the person. */
	if (store_prune_set_clear(st) < 0 ||
	    store_forget_run_n(st, "INSERT INTO temp.prune_ids SELECT id"
			       " FROM inbound WHERE " IS_FORM("sender"),
			       &n->inbound) < 0 ||
	    store_prune_inbound_in_set(st) < 0 ||
	    store_forget_run_n(st, "DELETE FROM inbound_part WHERE "
			       IS_FORM("sender"), &n->fragments) < 0 ||
	    store_forget_run_n(st, "DELETE FROM raw_pdu WHERE " HAS_SEMI("pdu"),
			       &n->raw_pdus) < 0)
		return -EIO;
	if (store_forget_run_n(st, "DELETE FROM optout WHERE "
			       IS_FORM("number"), &n->optouts) < 0 ||
	    store_forget_run_n(st, "DELETE FROM sticky WHERE "
			       IS_FORM("number"), NULL) < 0)
		return -EIO;
	n->events = store_forget_count(st, "SELECT count(*) FROM event e"
				       " WHERE EXISTS"
				       " (SELECT 1 FROM temp.forget_text f"
				       " WHERE instr(e.message, f.form) > 0)");
	return store_forget_redact_texts(st, f, &n->texts);
}

int forget_store(struct store *st, const char *e164,
		 const struct forget_forms *f, int64_t now,
		 struct forget_counts *n, char *err, size_t errsize)
{
	unsigned char key[FORGET_KEY_BYTES];
	char hex[FORGET_HASH_HEX];
	const char *db = sqlite3_db_filename(store_db(st), "main");
	sqlite3_stmt *s;
	int rc;

	*n = (struct forget_counts){ 0 };
	rc = forget_key_load(db, true, key, err, errsize);
	if (rc < 0)
		return rc;
	if (forget_hash(key, e164, hex) < 0) {
		snprintf(err, errsize, "cannot compute the hash");
		return -EIO;
	}
	/* Pages freed from here on are zeroed, in the WAL and the file. */
	if (store_forget_exec_sql(st, "PRAGMA secure_delete = ON") < 0 ||
	    store_prune_fk(st, false) < 0 || store_begin(st) < 0) {
		snprintf(err, errsize, "%s", store_errmsg(st));
		store_prune_fk(st, true);
		return -EIO;
	}
	rc = store_forget_erase(st, f, n);
	if (rc == 0) {
		s = store_prepare(st, "INSERT OR IGNORE INTO forgotten"
				      " (hash, forgotten_at) VALUES (?, ?)");
		rc = s ? 0 : -EIO;
		if (s) {
			sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(s, 2, now);
			rc = store_step_done(st, s);
		}
	}
	if (rc == 0)
		rc = store_event(st, STORE_EVENT_INFO, "forget",
				 "a number was forgotten (%d messages, %d "
				 "received)", n->messages, n->inbound);
	if (rc < 0) {
		snprintf(err, errsize, "%s", store_errmsg(st));
		store_rollback(st);
	} else if (store_commit(st) < 0) {
		snprintf(err, errsize, "commit: %s", store_errmsg(st));
		rc = -EIO;
	}
	store_prune_fk(st, true);
	return rc;
}
