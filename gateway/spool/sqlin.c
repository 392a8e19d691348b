/* sqlin — INSERT INTO outbox from any SQLite or PostgreSQL client; see
 * include/sqlin.h. */
#include "sqlin.h"

#include "backoff.h"
#include "config.h"
#include "fsutil.h"
#include "fswatch.h"
#include "log.h"
#include "loop.h"
#include "sim.h"
#include "sms.h"
#include "spool.h"
#include "spool_parse.h"
#include "store.h"
#include "store_intake.h"
#include "store_ops.h"
#include "store_outbox.h"
#include "store_pgd.h"

#include <errno.h>
#include <limits.h>
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
/* PostgreSQL: rows leased to this box at a time, so that several boxes
 * share a big INSERT … SELECT; and the next try after a failure (the
 * database away, a row another box took over). */
#define SQLIN_PG_BATCH 50
#define SQLIN_PG_RETRY_MS 1000
#define SQLIN_PG_RETRY_MAX_MS 60000

struct sqlin_row {
	int64_t seq;
	const char *via, *recipient, *body, *campaign, *kind, *priority;
	const char *send_at, *pool, *idem, *report, *validity, *msg_class;
};

/* Rows read from outbox_in, taken one at a time. */
struct sqlin_batch {
	struct sqlin_row rows[SQLIN_BATCH];
	char *copies[SQLIN_BATCH][STORE_INTAKE_COLS];
	int n, i, queued;
	bool out;			/* row i is with the store */
	bool failed;
	char why[300];			/* row i's refusal */
};

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
	struct sqlin_batch *batch;	/* rows being taken, or NULL */
	bool running;			/* inside sqlin_run() */
	bool pg;			/* PostgreSQL: NOTIFY smsgw_intake wakes
					   it, rows are leased (no inotify) */
	struct sqlin_batch *taking;	/* PostgreSQL: rows being leased */
	bool more;			/* rows may be left: take, do not
					   wait for another writer's commit */
	int last_rc;			/* the last batch: rows, or -EIO */
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

/*
 * A row's answers: accepted (through spool_accept_text(), the HTTP API's
 * acceptance) or refused (store_op_refuse()); either removes its intake
 * row in the same commit. Rows go one at a time, in their order; the
 * store may answer later (a networked backend), and the next row starts
 * from the answer.
 */
static void sqlin_run(struct sqlin *si);

/*
 * PostgreSQL: after a failure (the database away, a row another box took
 * over, a row that keeps failing) look again in 1 s, doubling to a
 * minute while it keeps failing, so one bad row does not fill the log.
 */
static void sqlin_pg_retry(struct sqlin *si, bool failed)
{
	if (!failed) {
		si->recheck_round = 0;
		return;
	}
	loop_timer_arm(&si->recheck, backoff_ms(si->recheck_round++,
						SQLIN_PG_RETRY_MS,
						SQLIN_PG_RETRY_MAX_MS));
}

static void sqlin_row_done(struct sqlin *si, bool failed)
{
	struct sqlin_batch *b = si->batch;

	if (failed)
		b->failed = true;
	b->out = false;
	b->i++;
	if (!si->running)
		sqlin_run(si);
}

static void sqlin_refused(int rc, void *ud)
{
	struct sqlin *si = ud;
	struct sqlin_batch *b = si->batch;
	const struct sqlin_row *r = &b->rows[b->i];

	if (rc == 0)
		log_notice("sqlin: row %lld for %s failed: %s",
			   (long long)r->seq,
			   r->recipient ? r->recipient : "(none)", b->why);
	sqlin_row_done(si, rc < 0);
}

/* Records the current row as a failed outbox row (b->why says why). */
static void sqlin_refuse(struct sqlin *si)
{
	struct sqlin_batch *b = si->batch;
	const struct sqlin_row *r = &b->rows[b->i];

	store_op_refuse(si->store, &(struct store_refusal){
		.intake_seq = r->seq, .recipient = r->recipient,
		.body = r->body, .via = r->via, .why = b->why,
		.now = store_now_ms() }, sqlin_refused, si);
}

static void sqlin_accepted_row(int rc, const struct spool_error *err,
			       int64_t file_id, void *ud)
{
	struct sqlin *si = ud;
	struct sqlin_batch *b = si->batch;
	const struct sqlin_row *r = &b->rows[b->i];

	(void)file_id;
	if (rc == 1) {
		log_info("sqlin: row %lld queued for %s", (long long)r->seq,
			 r->recipient);
		b->queued++;
		sqlin_row_done(si, false);
		return;
	}
	if (rc < -1) {
		sqlin_row_done(si, true);
		return;
	}
	if (rc == 0)
		snprintf(b->why, sizeof(b->why), "id '%s' was queued before",
			 r->idem);
	else
		spool_error_format(err, b->why, sizeof(b->why));
	sqlin_refuse(si);
}

static void sqlin_row_start(struct sqlin *si, const struct sqlin_row *r)
{
	struct sqlin_batch *b = si->batch;
	char name[40];
	size_t len;
	char *file;

	b->out = true;
	b->why[0] = '\0';
	file = sqlin_file(r, &len, b->why, sizeof(b->why));
	if (!file) {
		sqlin_refuse(si);
		return;
	}
	snprintf(name, sizeof(name), "sql:%lld", (long long)r->seq);
	/* "line N" of a file we wrote means nothing to the user. */
	spool_accept_text(si->store, si->cfg, si->reg, &(struct spool_text){
		.name = name, .text = file, .len = len, .origin = "sql",
		.strict_headers = true, .no_lines = true, .quiet = true,
		.intake_seq = r->seq }, sqlin_accepted_row, si);
	free(file);
}

static void sqlin_batch_free(struct sqlin_batch *b)
{
	for (int i = 0; i < b->n; i++)
		for (int k = 0; k < STORE_INTAKE_COLS; k++)
			free(b->copies[i][k]);
	free(b);
}

/* Runs the batch's rows until one waits for the store, or the end. */
static void sqlin_run(struct sqlin *si)
{
	struct sqlin_batch *b = si->batch;
	bool full;

	si->running = true;
	while (b->i < b->n && !b->failed && !b->out)
		sqlin_row_start(si, &b->rows[b->i]);
	si->running = false;
	if (b->out)
		return;		/* its answer runs the rest */
	si->batch = NULL;
	si->last_rc = b->failed ? -EIO : b->n;
	full = b->n == (si->pg ? SQLIN_PG_BATCH : SQLIN_BATCH);
	if (b->failed)
		log_error("sqlin: database error; outbox_in rows stay for the "
			  "next try");
	else if (b->queued && si->accepted)
		si->accepted(si->ud);
	sqlin_batch_free(b);
	/* No later write wakes PostgreSQL's intake for rows left with this
	 * box: look again in a while. */
	if (si->pg)
		sqlin_pg_retry(si, si->last_rc < 0);
	/* Our own commits do not move data_version: look again ourselves
	 * when rows may be left (a full batch, or rows that came while this
	 * one was out). */
	if ((full || si->more) && si->last_rc > 0) {
		si->more = true;
		loop_defer(&si->work);
	}
}

/* Copies one outbox_in row into the batch. */
static int sqlin_copy_row(int64_t seq, const char *const col[STORE_INTAKE_COLS],
			  void *ud)
{
	struct sqlin_batch *b = ud;
	struct sqlin_row *r = &b->rows[b->n];
	const char **f[] = { &r->via, &r->recipient, &r->body,
			     &r->campaign, &r->kind, &r->priority,
			     &r->send_at, &r->pool, &r->idem,
			     &r->report, &r->validity, &r->msg_class };

	r->seq = seq;
	for (int i = 0; i < STORE_INTAKE_COLS; i++) {
		b->copies[b->n][i] = col[i] ? strdup(col[i]) : NULL;
		*f[i] = b->copies[b->n][i];
	}
	b->n++;
	return 0;
}

/* PostgreSQL: a leased row into the batch being taken. */
static int sqlin_copy_row_pg(int64_t seq,
			     const char *const col[STORE_INTAKE_COLS],
			     void *ud)
{
	struct sqlin *si = ud;

	return si->taking->n < SQLIN_BATCH
	       ? sqlin_copy_row(seq, col, si->taking) : 0;
}

static void sqlin_taken_pg(int rc, void *ud)
{
	struct sqlin *si = ud;
	struct sqlin_batch *b = si->taking;

	si->taking = NULL;
	if (rc < 0 || !b->n) {
		sqlin_batch_free(b);
		if (rc < 0 && store_ready(si->store))
			sqlin_pg_retry(si, true);
		else if (si->more)
			loop_defer(&si->work);
		return;
	}
	/* A wake-up while the lease was out (si->more) may be a commit the
	 * lease did not see: the batch's end looks again. */
	si->batch = b;
	si->last_rc = 0;
	sqlin_run(si);
}

/* PostgreSQL: lease the next rows to this box; they run when they come.
 * Only while the box holds its name (another smsgwd of the same box
 * would take this box's rows). */
static int sqlin_take_pg(struct sqlin *si)
{
	if (!store_ready(si->store))
		return 0;	/* the connect's wake-up takes them */
	si->taking = calloc(1, sizeof(*si->taking));
	if (!si->taking)
		return -ENOMEM;
	si->more = false;
	store_intake_take(si->store, SQLIN_PG_BATCH, store_now_ms(),
			  sqlin_copy_row_pg, sqlin_taken_pg, si);
	return 0;
}

int sqlin_take(struct sqlin *si)
{
	struct sqlin_batch *b;

	/* A batch still out with the store: its end looks again. */
	if (si->batch || si->taking) {
		si->more = true;
		return 0;
	}
	if (si->pg)
		return sqlin_take_pg(si);
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	/* Copy the batch out first: queuing writes to the same database. */
	if (store_intake_rows(si->store, SQLIN_BATCH, sqlin_copy_row, b) < 0) {
		sqlin_batch_free(b);
		return -EIO;
	}
	if (!b->n) {
		free(b);
		return 0;
	}
	si->batch = b;
	si->last_rc = 0;
	sqlin_run(si);
	/* The store answered every row already (SQLite): its result. */
	return si->batch ? 0 : si->last_rc;
}

/* ---- waking ---- */

static int64_t sqlin_data_version(struct sqlin *si)
{
	return store_intake_data_version(si->store);
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
	struct sqlin *si = ud;

	(void)d;
	if (si->more || si->pg) {
		si->more = false;
		sqlin_take(si);
	} else {
		sqlin_check(si);
	}
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
	if (si->pg) {
		sqlin_take(si);
		return LOOP_TIMER_DONE;
	}
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

static void sqlin_wake_pg(void *ud)
{
	sqlin_take(ud);
}

/*
 * PostgreSQL: NOTIFY smsgw_intake (the outbox view's trigger,
 * pg_intake.sql) and each connect wake it; no schema walk (every box
 * applies the schema, the trigger with it, at each connect).
 */
static void sqlin_new_pg(struct sqlin *si)
{
	si->pg = true;
	store_pg_on_intake(si->store, sqlin_wake_pg, si);
	loop_defer(&si->work);
}

/* Either backend's: NULL when out of memory. */
static struct sqlin *sqlin_alloc(struct loop *loop, struct store *store,
				 const struct config *cfg,
				 struct sim_registry *reg,
				 sqlin_accepted_fn accepted, void *ud)
{
	struct sqlin *si = calloc(1, sizeof(*si));

	if (!si)
		return NULL;
	si->loop = loop;
	si->store = store;
	si->cfg = cfg;
	si->reg = reg;
	si->accepted = accepted;
	si->ud = ud;
	si->data_version = -1;
	loop_deferred_init(loop, &si->work, sqlin_work, si);
	loop_timer_init(loop, &si->recheck, sqlin_recheck_cb, si);
	return si;
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
	if (store_is_pg(store)) {
		si = sqlin_alloc(loop, store, cfg, reg, accepted, ud);
		if (!si)
			return -ENOMEM;
		sqlin_new_pg(si);
		*out = si;
		return 0;
	}
	rc = sqlin_check_schema(store, foreign, sizeof(foreign), err, errsize);
	if (rc < 0)
		return rc;
	if (foreign[0]) {
		log_warn("sqlin: views or triggers smsgw did not make: %s (a "
			 "database writer is an administrator)", foreign);
		store_event(store, STORE_EVENT_WARNING, "sql",
			    "views or triggers smsgw did not make: %s", foreign);
	}
	si = sqlin_alloc(loop, store, cfg, reg, accepted, ud);
	if (!si)
		return -ENOMEM;
	base = strrchr(cfg->database, '/');
	base = base ? base + 1 : cfg->database;
	snprintf(si->db, sizeof(si->db), "%s", base);
	snprintf(si->wal, sizeof(si->wal), "%s-wal", base);
	fs_dirname(cfg->database, dir, sizeof(dir));
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
	if (si->pg)
		store_pg_on_intake(si->store, NULL, NULL);
	else
		fswatch_rm(&si->ino);
	/* A batch out with the store (a networked backend) would answer
	 * into si: the store completes its operations before it closes,
	 * which the daemon does after this. */
	if (si->batch)
		sqlin_batch_free(si->batch);
	if (si->taking)
		sqlin_batch_free(si->taking);
	free(si);
}
