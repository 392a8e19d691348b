/* sqlin — INSERT INTO outbox from any SQLite client; see include/sqlin.h. */
#include "sqlin.h"

#include "backoff.h"
#include "config.h"
#include "fsutil.h"
#include "fswatch.h"
#include "log.h"
#include "loop.h"
#include "sim.h"
#include "sms.h"
#include "spool_parse.h"
#include "store.h"
#include "store_outbox.h"
#include "store_schema.h"

#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* Rows per loop turn: a big INSERT … SELECT does not hold the loop. */
#define SQLIN_BATCH 200
/* After a write to the database or its WAL that showed no new rows yet,
 * look again in 5 ms, doubling, until 640 ms (the writer's commit). */
#define SQLIN_RECHECK_FIRST_MS 5
#define SQLIN_RECHECK_LAST_MS 640

struct sqlin {
	struct loop *loop;
	struct store *store;
	const struct config *cfg;
	struct sim_registry *reg;
	sqlin_accepted_fn accepted;
	void *ud;
	struct fswatch_sub ino;		/* the database's directory, on the
					   daemon's one inotify instance */
	struct loop_deferred work;
	struct loop_timer recheck;	/* after a write, until the commit */
	unsigned recheck_round;		/* 5 ms doubling to 640 ms */
	char wal[NAME_MAX + 1];		/* "smsgw.db-wal" */
	char db[NAME_MAX + 1];
	int64_t data_version;
};

/*
 * The views and triggers the migrations made, as SQLite keeps them: the
 * text from "CREATE VIEW|TRIGGER name" to the end of the statement (a
 * trigger's "END"), the last definition winning (a later migration may
 * drop and create a view again). NULL when no migration makes name.
 */
static char *sqlin_expected(const char *type, const char *name)
{
	char key[96];
	const char *found = NULL, *end;
	size_t klen;

	snprintf(key, sizeof(key), "CREATE %s %s ", type, name);
	klen = strlen(key);
	for (int v = 1; v <= store_schema_latest(); v++) {
		const char *m = store_schema_migration(v);

		for (const char *a = strstr(m, key); a; a = strstr(a + klen, key))
			found = a;
	}
	if (!found)
		return NULL;
	if (strcmp(type, "TRIGGER") == 0) {
		end = strstr(found, "END;");
		return end ? strndup(found, (size_t)(end - found) + 3) : NULL;
	}
	end = strchr(found, ';');
	return end ? strndup(found, (size_t)(end - found)) : strdup(found);
}

/* Appends name to a comma-separated list, cut when full. */
static void sqlin_list(char *buf, size_t size, const char *name)
{
	size_t used = strlen(buf);

	if (used + 1 < size)
		snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
			 name);
}

/* How many CREATE statements of type the migrations hold, by name. */
static size_t sqlin_count_expected(const char *type)
{
	char key[32], name[80];
	size_t n = 0, klen;
	/* Names seen, so a view made twice counts once. */
	char seen[2048] = ",";

	snprintf(key, sizeof(key), "CREATE %s ", type);
	klen = strlen(key);
	for (int v = 1; v <= store_schema_latest(); v++) {
		const char *m = store_schema_migration(v);

		for (const char *a = strstr(m, key); a; a = strstr(a + klen, key)) {
			size_t len = strcspn(a + klen, " (");
			char tag[84];

			if (len >= sizeof(name))
				continue;
			snprintf(tag, sizeof(tag), ",%.*s,", (int)len, a + klen);
			if (strstr(seen, tag))
				continue;
			if (strlen(seen) + strlen(tag) < sizeof(seen))
				strcat(seen, tag + 1);
			n++;
		}
	}
	return n;
}

int sqlin_check_schema(struct store *store, char *foreign, size_t fsize,
		       char *err, size_t errsize)
{
	sqlite3_stmt *s = store_prepare(store,
		"SELECT type, name, sql FROM sqlite_schema"
		" WHERE type IN ('trigger', 'view') ORDER BY type, name");
	size_t ours_views = 0, ours_triggers = 0, want_views, want_triggers;
	int rc = 0;

	foreign[0] = '\0';
	if (!s) {
		snprintf(err, errsize, "cannot read the schema: %s",
			 store_errmsg(store));
		return -EIO;
	}
	while (!rc && sqlite3_step(s) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);
		const char *sql = (const char *)sqlite3_column_text(s, 2);
		bool trigger = strcmp(type, "trigger") == 0;
		char *want = sqlin_expected(trigger ? "TRIGGER" : "VIEW", name);

		if (!want) {
			sqlin_list(foreign, fsize, name);
		} else if (!sql || strcmp(want, sql) != 0) {
			snprintf(err, errsize, "%s %s is not the one smsgw made; "
				 "someone changed the schema (restore it from a "
				 "backup)", type, name);
			rc = -EPERM;
		} else if (trigger) {
			ours_triggers++;
		} else {
			ours_views++;
		}
		free(want);
	}
	sqlite3_reset(s);
	want_views = sqlin_count_expected("VIEW");
	want_triggers = sqlin_count_expected("TRIGGER");
	if (!rc && (ours_views != want_views || ours_triggers != want_triggers)) {
		snprintf(err, errsize, "the database lacks some of smsgw's views "
			 "or triggers (%zu of %zu views, %zu of %zu triggers); "
			 "someone dropped them (restore it from a backup)",
			 ours_views, want_views, ours_triggers, want_triggers);
		rc = -EPERM;
	}
	return rc;
}

/* ---- one row ---- */

struct sqlin_row {
	int64_t seq;
	const char *via, *recipient, *body, *campaign, *kind, *priority;
	const char *send_at, *pool, *idem, *report, *validity, *msg_class;
};

struct sqlin_ctx {
	struct sqlin *si;
	const struct spool_message *msg;
	struct outbox_new base;
	struct sms_encode_opts opts;
	int64_t file_id, now;
	bool paused;
	bool db_failed;		/* the store refused a row */
	char why[300];
	long queued;
};

/* A header value must stay one header: no line breaks. */
static bool sqlin_header(char **buf, size_t *len, size_t *cap,
			 const char *name, const char *v, char *why,
			 size_t whysize)
{
	size_t need;
	char *b;

	if (!v || !v[0])
		return true;
	if (strpbrk(v, "\r\n")) {
		snprintf(why, whysize, "%s contains a line break", name);
		return false;
	}
	need = *len + strlen(name) + strlen(v) + 4;
	if (need > *cap) {
		b = realloc(*buf, need * 2);
		if (!b) {
			snprintf(why, whysize, "out of memory");
			return false;
		}
		*buf = b;
		*cap = need * 2;
	}
	*len += (size_t)sprintf(*buf + *len, "%s: %s\n", name, v);
	return true;
}

/* The spool file a row stands for, malloc'd; NULL with why. */
static char *sqlin_file(const struct sqlin_row *r, size_t *len, char *why,
			size_t whysize)
{
	static const char *const names[] = { "To", "Campaign", "Kind",
					     "Priority", "Send-At", "Pool",
					     "Id", "Report", "Validity",
					     "Class" };
	const char *vals[] = { r->recipient, r->campaign, r->kind,
			       r->priority, r->send_at, r->pool, r->idem,
			       r->report, r->validity, r->msg_class };
	size_t cap = 256, blen = r->body ? strlen(r->body) : 0;
	char *buf = malloc(cap), *b;

	*len = 0;
	if (!buf) {
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	if (!r->recipient || !r->recipient[0]) {
		snprintf(why, whysize, "no recipient");
		goto fail;
	}
	if (!r->body || !r->body[0]) {
		snprintf(why, whysize, "no body");
		goto fail;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!sqlin_header(&buf, len, &cap, names[i], vals[i], why,
				  whysize))
			goto fail;
	b = realloc(buf, *len + blen + 2);
	if (!b) {
		snprintf(why, whysize, "out of memory");
		goto fail;
	}
	buf = b;
	buf[(*len)++] = '\n';
	/* The body is text whatever it holds: no Alphabet: header is written,
	 * so it is read as UTF-8 (or ISO-8859-15 when it is not UTF-8). */
	memcpy(buf + *len, r->body, blen);
	*len += blen;
	return buf;
fail:
	free(buf);
	return NULL;
}

static bool sqlin_add(const struct spool_recipient *r, void *ud)
{
	struct sqlin_ctx *c = ud;
	struct outbox_new m = c->base;
	enum outbox_add_result res;
	struct sms_preview pv;
	char err[160];

	if (!sms_preview(r->body, r->body_len, &c->opts, &pv, err,
			 sizeof(err))) {
		snprintf(c->why, sizeof(c->why), "the text cannot be sent: %s",
			 err);
		return false;
	}
	if (pv.parts > c->si->cfg->max_parts) {
		snprintf(c->why, sizeof(c->why), "the text needs %d SMS parts; "
			 "max_parts is %d", pv.parts, c->si->cfg->max_parts);
		return false;
	}
	m.parts = pv.parts;
	m.recipient = r->number;
	m.body = r->body;
	if (store_outbox_add(c->si->store, c->file_id, &m, c->paused, c->now,
			     NULL, &res) < 0) {
		c->db_failed = true;
		return false;
	}
	c->queued++;
	return true;
}

static void sqlin_base(struct sqlin_ctx *c)
{
	const struct spool_message *msg = c->msg;
	const struct config *cfg = c->si->cfg;

	c->base = (struct outbox_new){
		.kind = msg->kind == SPOOL_KIND_BULK ? MSG_KIND_BULK
						     : MSG_KIND_DIRECT,
		.priority = msg->priority == SPOOL_PRIORITY_HIGH
				    ? MSG_PRIORITY_HIGH
			    : msg->priority == SPOOL_PRIORITY_LOW
				    ? MSG_PRIORITY_LOW
				    : MSG_PRIORITY_NORMAL,
		.not_before = msg->has_send_at ? msg->send_at_ms : 0,
		.pool = msg->pool,
		.report = msg->report < 0 ? cfg->report_default : msg->report,
		.flash = msg->flash,
		.validity_minutes = msg->validity_minutes,
		.has_class = msg->msg_class >= 0,
		.msg_class = msg->msg_class,
		.origin = "sql",
	};
	c->base.expires_at = (c->base.not_before > c->now ? c->base.not_before
							  : c->now) +
			     cfg->expire_after_ms;
	sms_encode_opts_init(&c->opts);
}

/* Records a row that cannot be queued as a failed outbox row. */
static int sqlin_fail(struct sqlin *si, const struct sqlin_row *r,
		      const char *why, int64_t now)
{
	if (store_outbox_add_refused(si->store, r->recipient, r->body, r->via,
				     why, now) < 0)
		return -EIO;
	log_notice("sqlin: row %lld for %s failed: %s", (long long)r->seq,
		   r->recipient ? r->recipient : "(none)", why);
	store_event(si->store, STORE_EVENT_WARNING, "sql",
		    "INSERT INTO %s (row %lld, %s) not queued: %s",
		    strcmp(r->via, "gammu") == 0 ? "gammu_outbox" : "outbox",
		    (long long)r->seq, r->recipient ? r->recipient : "",
		    why);
	return 0;
}

/* Queues the row; 1 queued, 0 refused (why filled), -EIO. */
static int sqlin_queue(struct sqlin *si, const struct sqlin_row *r,
		       const char *file, size_t len, struct sqlin_ctx *c)
{
	struct spool_rules rules;
	struct spool_parser *p;
	char name[40];
	bool dup;
	int rc = 0;

	spool_rules_init(&rules, si->cfg);
	rules.strict_headers = true;	/* we wrote every header */
	p = spool_parse_new(&rules);
	if (!p)
		return -EIO;
	if (!spool_parse_feed(p, file, len) || !spool_parse_finish(p)) {
		/* "line N" of a file we wrote means nothing to the user. */
		struct spool_error e = *spool_parse_error(p);

		e.line = 0;
		spool_error_format(&e, c->why, sizeof(c->why));
		goto out;
	}
	c->msg = spool_parse_message(p);
	sqlin_base(c);
	snprintf(name, sizeof(name), "sql:%lld", (long long)r->seq);
	if (store_outbox_file_begin(si->store, name, NULL, c->msg->hash,
				    c->msg->id, c->now, &c->file_id, &dup) < 0)
		goto db;
	if (dup) {
		snprintf(c->why, sizeof(c->why), "id '%s' was queued before",
			 c->msg->id);
		goto out;
	}
	if (c->msg->campaign &&
	    store_outbox_campaign(si->store, c->msg->campaign, c->now,
				  &c->base.campaign_id, &c->paused) < 0)
		goto db;
	/* Pass 2 in memory: one callback a recipient. */
	if (!spool_parse_rewind(p, sqlin_add, c) ||
	    !spool_parse_feed(p, file, len) || !spool_parse_finish(p)) {
		if (c->db_failed)
			goto db;
		if (!c->why[0])
			spool_error_format(spool_parse_error(p), c->why,
					   sizeof(c->why));
		goto out;
	}
	if (store_outbox_file_done(si->store, c->file_id,
				   (long)c->msg->recipients,
				   (long)c->msg->duplicates) < 0)
		goto db;
	rc = 1;
out:
	spool_parse_free(p);
	return rc;
db:
	spool_parse_free(p);
	return -EIO;
}

static int sqlin_one(struct sqlin *si, const struct sqlin_row *r)
{
	struct sqlin_ctx c = { .si = si, .now = store_now_ms() };
	sqlite3_stmt *del;
	size_t len;
	char *file;
	int rc;

	if (store_begin(si->store) < 0)
		return -EIO;
	file = sqlin_file(r, &len, c.why, sizeof(c.why));
	rc = file ? sqlin_queue(si, r, file, len, &c) : 0;
	free(file);
	if (rc == 0) {
		/* Whatever pass 2 added is undone with the savepoint-free
		 * way: roll back and record the failure alone. */
		store_rollback(si->store);
		if (store_begin(si->store) < 0)
			return -EIO;
		rc = sqlin_fail(si, r, c.why, c.now);
	}
	if (rc < 0)
		goto db;
	del = store_prepare(si->store, "DELETE FROM outbox_in WHERE seq = ?");
	if (!del)
		goto db;
	sqlite3_bind_int64(del, 1, r->seq);
	if (store_step_done(si->store, del) < 0)
		goto db;
	if (store_commit(si->store) < 0)
		return -EIO;
	if (rc == 1)
		log_info("sqlin: row %lld queued for %s", (long long)r->seq,
			 r->recipient);
	return rc;
db:
	store_rollback(si->store);
	return -EIO;
}

static const char *sqlin_col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

int sqlin_take(struct sqlin *si)
{
	struct sqlin_row rows[SQLIN_BATCH];
	char *copies[SQLIN_BATCH][12];
	sqlite3_stmt *s = store_prepare(si->store,
		"SELECT seq, via, recipient, body, campaign, kind, priority,"
		" send_at, pool, CAST(idem AS TEXT), report,"
		" CAST(validity AS TEXT), CAST(class AS TEXT) FROM outbox_in"
		" ORDER BY seq"
		" LIMIT " "200");
	int n = 0, queued = 0, rc = 0;

	if (!s)
		return -EIO;
	/* Copy the batch out first: queuing writes to the same database. */
	while (n < SQLIN_BATCH && sqlite3_step(s) == SQLITE_ROW) {
		struct sqlin_row *r = &rows[n];
		const char **f[] = { &r->via, &r->recipient, &r->body,
				     &r->campaign, &r->kind, &r->priority,
				     &r->send_at, &r->pool, &r->idem,
				     &r->report, &r->validity, &r->msg_class };

		r->seq = sqlite3_column_int64(s, 0);
		for (int i = 0; i < 12; i++) {
			const char *v = sqlin_col(s, i + 1);

			copies[n][i] = v ? strdup(v) : NULL;
			*f[i] = copies[n][i];
		}
		n++;
	}
	sqlite3_reset(s);
	for (int i = 0; i < n; i++) {
		if (rc >= 0) {
			rc = sqlin_one(si, &rows[i]);
			if (rc > 0)
				queued++;
		}
		for (int k = 0; k < 12; k++)
			free(copies[i][k]);
	}
	if (rc < 0) {
		log_error("sqlin: database error; outbox_in rows stay for the "
			  "next try");
		return -EIO;
	}
	if (queued && si->accepted)
		si->accepted(si->ud);
	if (n == SQLIN_BATCH)
		loop_defer(&si->work);
	return n;
}

/* ---- waking ---- */

static int64_t sqlin_data_version(struct sqlin *si)
{
	sqlite3_stmt *s = store_prepare(si->store, "PRAGMA data_version");
	int64_t v = -1;

	if (s && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	if (s)
		sqlite3_reset(s);
	return v;
}

/* True when another connection committed since the last look. */
static bool sqlin_check(struct sqlin *si)
{
	int64_t v = sqlin_data_version(si);

	/* data_version moves only when another connection committed. */
	if (v == si->data_version)
		return false;
	si->data_version = v;
	sqlin_take(si);
	return true;
}

static void sqlin_work(struct loop_deferred *d, void *ud)
{
	(void)d;
	sqlin_check(ud);
}

/*
 * inotify reports the write() of the WAL frames; the commit becomes
 * visible a little later, when the writer updates the wal-index in the
 * -shm mapping (no event) after its fsync. So a write that did not yet
 * change data_version is looked at again 5 ms later, then after twice the
 * time each time (the commit is seen within about twice its fsync), up to
 * 1.3 s, then no more until the next write: no polling while nothing
 * happens.
 */
static int64_t sqlin_recheck_cb(struct loop_timer *t, void *ud)
{
	struct sqlin *si = ud;

	(void)t;
	if (sqlin_check(si) ||
	    backoff_ms(si->recheck_round, SQLIN_RECHECK_FIRST_MS,
		       SQLIN_RECHECK_LAST_MS) >= SQLIN_RECHECK_LAST_MS)
		return LOOP_TIMER_DONE;
	return backoff_ms(++si->recheck_round, SQLIN_RECHECK_FIRST_MS,
			  SQLIN_RECHECK_LAST_MS);
}

static void sqlin_inotify_cb(struct fswatch_sub *sub, uint32_t mask,
			     const char *name, void *ud)
{
	struct sqlin *si = ud;

	(void)sub;
	(void)mask;
	/* One event per WAL write: a recheck already armed covers them. */
	if (!name || loop_timer_armed(&si->recheck) ||
	    (strcmp(name, si->wal) != 0 && strcmp(name, si->db) != 0))
		return;
	if (!sqlin_check(si)) {
		si->recheck_round = 0;
		loop_timer_arm(&si->recheck, SQLIN_RECHECK_FIRST_MS);
	}
}

int sqlin_new(struct loop *loop, struct store *store, const struct config *cfg,
	      struct sim_registry *reg, sqlin_accepted_fn accepted, void *ud,
	      struct sqlin **out, char *err, size_t errsize)
{
	struct sqlin *si;
	char dir[PATH_MAX], foreign[256];
	const char *base;
	int rc;

	*out = NULL;
	rc = sqlin_check_schema(store, foreign, sizeof(foreign), err, errsize);
	if (rc < 0)
		return rc;
	if (foreign[0]) {
		log_warn("sqlin: views or triggers smsgw did not make: %s (a "
			 "database writer is an administrator)", foreign);
		store_event(store, STORE_EVENT_WARNING, "sql",
			    "views or triggers smsgw did not make: %s", foreign);
	}
	si = calloc(1, sizeof(*si));
	if (!si)
		return -ENOMEM;
	si->loop = loop;
	si->store = store;
	si->cfg = cfg;
	si->reg = reg;
	si->accepted = accepted;
	si->ud = ud;
	si->data_version = -1;
	base = strrchr(cfg->database, '/');
	base = base ? base + 1 : cfg->database;
	snprintf(si->db, sizeof(si->db), "%s", base);
	snprintf(si->wal, sizeof(si->wal), "%s-wal", base);
	fs_dirname(cfg->database, dir, sizeof(dir));
	loop_deferred_init(loop, &si->work, sqlin_work, si);
	loop_timer_init(loop, &si->recheck, sqlin_recheck_cb, si);
	fswatch_sub_init(&si->ino, sqlin_inotify_cb, si);
	rc = fswatch_add(loop, &si->ino, dir,
			 IN_MODIFY | IN_CREATE | IN_MOVED_TO);
	if (rc < 0) {
		snprintf(err, errsize, "inotify on %s: %s", dir, strerror(-rc));
		free(si);
		return rc;
	}
	loop_defer(&si->work);
	*out = si;
	return 0;
}

void sqlin_set_config(struct sqlin *si, const struct config *cfg)
{
	si->cfg = cfg;
}

void sqlin_free(struct sqlin *si)
{
	if (!si)
		return;
	loop_deferred_cancel(&si->work);
	loop_timer_disarm(&si->recheck);
	fswatch_rm(&si->ino);
	free(si);
}
