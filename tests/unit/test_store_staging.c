/*
 * A big file through the storage interface (include/store_ops.h): the
 * rows store_op_stage_add() inserts many to a statement are the rows
 * store_op_accept() makes one by one — every column, with an opt-out, a
 * paused campaign and a later Send-At; stage_resume says what a file cut
 * short has; stage_accept makes it whole.
 */
#include "harness.h"
#include "msg_state_check.h"
#include "store.h"
#include "store_inbox.h"
#include "store_ops.h"
#include "store_outbox.h"

#include <errno.h>
#include <stdio.h>

#define T0 1800000000000LL
/* 2 × 64 + 2 × 8 + 6 × 1 in one step: every statement size. */
#define ROWS 150

static int done_calls, done_rc;

static void done(int rc, void *ud)
{
	(void)ud;
	done_calls++;
	done_rc = rc;
}

/* Every column but id and file_id, for EXCEPT both ways. */
#define COLS								\
	"created_at, recipient, body, kind, class, campaign_id, priority,"	\
	" state, not_before, expires_at, pool, pin_sim, hold, report, flash,"	\
	" validity, ucs2, parts, origin, in_reply_to, error, language,"	\
	" max_attempts, updated_at, smsc, from_header, msg_class, autosplit,"	\
	" pdu_flags, replace_type, sim_id, attempts, parts_sent"

static void same_rows(struct store *st, int64_t a, int64_t b)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM (SELECT " COLS " FROM message WHERE"
		 " file_id = %lld EXCEPT SELECT " COLS " FROM message WHERE"
		 " file_id = %lld)", (long long)a, (long long)b);
	CHECK_INT(db_int(st, sql), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM (SELECT " COLS " FROM message WHERE"
		 " file_id = %lld EXCEPT SELECT " COLS " FROM message WHERE"
		 " file_id = %lld)", (long long)b, (long long)a);
	CHECK_INT(db_int(st, sql), 0);
}

/* ROWS recipients from first, one text each; ids asked for or not. */
struct gen {
	const struct outbox_new *base;
	int first, n;
	bool want_id;
	long got[3];
};

/* Bodies this long (0: short): the store's arena for a step fills
 * before 64 rows do, and one body alone outgrows it. */
static size_t body_len;

static int produce(store_add_fn add, void *ctx, void *ud)
{
	struct gen *g = ud;

	for (int i = g->first; i < g->first + g->n; i++) {
		struct outbox_new m = *g->base;
		static char body[40000];
		char num[20];
		enum outbox_add_result res;
		int64_t id = 0;
		size_t len;

		snprintf(num, sizeof(num), "+1555%07d", i);
		len = (size_t)snprintf(body, sizeof(body), "Hello N%d ", i);
		/* every 50th row much longer than the rest */
		for (size_t k = body_len * (i % 50 ? 1 : 100); len < k &&
		     len < sizeof(body) - 1; len++)
			body[len] = 'a' + (char)(len % 26);
		body[len] = '\0';
		m.recipient = num;
		m.body = body;
		m.parts = 1 + i % 3;
		/* The strings change under the store: it copies them. */
		if (add(&m, g->want_id ? &id : NULL, &res, ctx) < 0)
			return -EIO;
		g->got[res]++;
	}
	return 0;
}

/* The same ROWS rows both ways; the batched file's staged row into *f. */
static void both_ways(struct store *st, const struct outbox_new *base,
		      const char *campaign, const char *tag, long got[3])
{
	struct gen one = { .base = base, .n = ROWS, .want_id = true };
	struct gen many = { .base = base, .n = ROWS };
	char n1[32], n2[32];
	struct store_accept req = { .hash = "h", .campaign = campaign,
				    .now = T0, .produce = produce,
				    .recipients = ROWS };
	struct store_staged f = { 0 };
	int64_t id = 0;

	snprintf(n1, sizeof(n1), "%s-one", tag);
	snprintf(n2, sizeof(n2), "%s-many", tag);
	req.name = req.claim = n1;
	req.produce_ud = &one;
	done_calls = 0;
	store_op_accept(st, &req, &id, done, NULL);
	CHECK_INT(done_calls, 1);
	CHECK_INT(done_rc, 0);
	req.name = req.claim = n2;
	req.produce_ud = &many;
	store_op_stage_begin(st, &req, &f, done, NULL);
	CHECK_INT(done_rc, 0);
	store_op_stage_add(st, &f, &req, done, NULL);
	CHECK_INT(done_rc, 0);
	store_op_stage_accept(st, f.file_id, ROWS, 0, done, NULL);
	CHECK_INT(done_rc, 0);
	CHECK_INT(done_calls, 4);
	same_rows(st, id, f.file_id);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(many.got[i], one.got[i]);
		got[i] = many.got[i];
	}
}

TEST(stage_add_makes_the_rows_accept_makes)
{
	struct store *st = msg_state_store_open("rows.db");
	struct outbox_new base = {
		.kind = MSG_KIND_BULK, .priority = MSG_PRIORITY_LOW,
		.validity_minutes = 90, .origin = "spool", .expires_at = T0 + 5,
		.pool = "eu", .report = 1, .flash = 1, .ucs2 = 1, .language = 2,
		.max_attempts = 4, .smsc = "+4917200000", .from = "shop",
		.has_class = true, .msg_class = 1, .has_autosplit = true,
		.autosplit = 2, .pdu_flags = OUTBOX_PDU_REPLY_PATH, .replace = 3,
	};
	long got[3];
	bool was, paused;
	int64_t cid;
	int sup;

	if (!st)
		return;
	/* Plain rows, no opt-out anywhere: nothing to look up. */
	CHECK_INT(store_staging_no_optouts(st), 1);
	both_ways(st, &base, NULL, "plain", got);
	CHECK_INT(got[OUTBOX_ADDED_QUEUED], ROWS);
	/* One opted out: suppressed in both. */
	CHECK_INT(store_optout_add(st, "+15550000007", "STOP", 0, "manual",
				   "exact", T0, &was, &sup), 0);
	CHECK_INT(store_staging_no_optouts(st), 0);
	both_ways(st, &base, NULL, "optout", got);
	CHECK_INT(got[OUTBOX_ADDED_SUPPRESSED], 1);
	CHECK_INT(got[OUTBOX_ADDED_QUEUED], ROWS - 1);
	/* A paused campaign holds them; a later Send-At defers them. */
	CHECK_INT(store_outbox_campaign(st, "spring", T0, &cid, &paused), 0);
	CHECK_INT(store_staging_campaign_paused(st, cid), 0);
	CHECK_INT(store_outbox_campaign_set(st, cid, OUTBOX_CAMPAIGN_PAUSE,
					    T0) >= 0, 1);
	CHECK_INT(store_staging_campaign_paused(st, cid), 1);
	both_ways(st, &base, "spring", "paused", got);
	CHECK_INT(got[OUTBOX_ADDED_DEFERRED], ROWS - 1);
	base.not_before = T0 + 60000;
	both_ways(st, &base, NULL, "later", got);
	CHECK_INT(got[OUTBOX_ADDED_DEFERRED], ROWS - 1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE hold ="
				" 'paused'"), 2 * (ROWS - 1));
	CHECK_INT(db_int(st, "SELECT count(*) FROM spool_file WHERE"
				" staging != 0"), 0);
	/* Long texts: the batches are cut by the arena, not by 64 rows. */
	base.not_before = 0;
	body_len = 300;
	both_ways(st, &base, NULL, "long", got);
	body_len = 0;
	CHECK_INT(got[OUTBOX_ADDED_QUEUED], ROWS - 1);
	CHECK_INT(db_int(st, "SELECT max(length(body)) FROM message"),
		  30000);
	msg_state_check(st);
	store_close(st);
}

TEST(stage_resume_says_what_a_file_has)
{
	struct store *st = msg_state_store_open("resume.db");
	struct outbox_new base = { .kind = MSG_KIND_BULK, .origin = "spool",
				   .validity_minutes = -1 };
	struct gen g = { .base = &base, .n = 3 };
	struct store_accept req = { .name = "c1", .claim = "c1", .hash = "h",
				    .campaign = "fall", .now = T0,
				    .produce = produce, .produce_ud = &g };
	struct store_staged f = { 0 }, r = { 0 };
	int64_t fid, id;
	bool paused;

	if (!st)
		return;
	store_op_stage_begin(st, &req, &f, done, NULL);
	CHECK_INT(done_rc, 0);
	CHECK_INT(store_staging_of_claim(st, "c1", &fid), STORE_STAGING_ADDING);
	CHECK_INT(fid, f.file_id);
	store_op_stage_resume(st, f.file_id, &req, &r, done, NULL);
	CHECK_INT(done_rc, 0);
	CHECK_INT(r.rows, 0);
	CHECK_STR(r.last, "");
	CHECK_INT(r.hidden, 0);
	CHECK_INT(r.campaign_id, f.campaign_id);
	store_op_stage_add(st, &f, &req, done, NULL);
	CHECK_INT(done_rc, 0);
	store_op_stage_resume(st, f.file_id, &req, &r, done, NULL);
	CHECK_INT(r.rows, 3);
	CHECK_STR(r.last, "+15550000002");
	CHECK_INT(r.hidden, 0);
	/* What a version before this one left: a row under 'staging'. */
	CHECK_INT(store_exec(st, "UPDATE message SET hold = 'staging',"
				 " state = 'deferred' WHERE recipient ="
				 " '+15550000001'"), 0);
	store_op_stage_resume(st, f.file_id, &req, &r, done, NULL);
	CHECK_INT(done_rc, 0);
	CHECK_INT(r.hidden, 1);
	CHECK_INT(store_staging_release(st, f.file_id, T0, 10), 1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE state ="
				" 'queued' AND hold IS NULL"), 3);
	/* The campaign paused meanwhile: the next step's rows wait too. */
	CHECK_INT(store_outbox_campaign(st, "fall", T0, &id, &paused), 0);
	CHECK_INT(store_outbox_campaign_set(st, id, OUTBOX_CAMPAIGN_PAUSE,
					    T0) >= 0, 1);
	g.first = 3;
	store_op_stage_add(st, &f, &req, done, NULL);
	CHECK_INT(done_rc, 0);
	CHECK_INT(g.got[OUTBOX_ADDED_DEFERRED], 3);
	store_op_stage_accept(st, f.file_id, 6, 0, done, NULL);
	CHECK_INT(done_rc, 0);
	CHECK_INT(store_staging_of_claim(st, "c1", &fid), STORE_STAGING_DONE);
	CHECK_INT(db_int(st, "SELECT recipients FROM spool_file"), 6);
	/* foreign keys are on again after the add steps */
	CHECK_INT(db_int(st, "PRAGMA foreign_keys"), 1);
	msg_state_check(st);
	store_close(st);
}
