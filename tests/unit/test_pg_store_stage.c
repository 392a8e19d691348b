/*
 * test_pg_store_stage — the PostgreSQL twins of a big file's steps
 * (store_op_stage_*(), store_op_staging()), store_op_refuse(),
 * store_op_defer_pool(), quiet hours at the claim (outbox_claim.hold),
 * forgotten numbers and INSERT INTO outbox's rows leased to a box
 * (pg_intake.sql), against a real server. Needs SMSGW_PG_URL
 * (tests/e2e/test_pg_store.py).
 */
#include "pg_test.h"

__attribute__((constructor)) static void need_server(void)
{
	url = getenv("SMSGW_PG_URL");
	if (!url) {
		printf("ok - pg_store_stage # SKIP needs SMSGW_PG_URL (run by"
		       " tests/e2e/test_pg_store.py with PostgreSQL 15)\n");
		exit(0);
	}
}

static struct store_accept big(const char *claim, const char *idem,
			       const struct file *f, const char *campaign)
{
	return (struct store_accept){
		.name = claim, .claim = claim, .hash = "h", .idem_key = idem,
		.campaign = campaign, .now = T0, .produce = produce,
		.produce_ud = (void *)f, .recipients = f->n,
	};
}

static int stage_begin(struct pg_store *ps, const struct store_accept *req,
		       struct store_staged *f)
{
	struct wait w = { 0 };

	pg_store_op_stage_begin(ps, req, f, on_done, &w);
	return wait_rc(&w);
}

static int stage_add(struct pg_store *ps, const struct store_staged *f,
		     const struct store_accept *req)
{
	struct wait w = { 0 };

	pg_store_op_stage_add(ps, f, req, on_done, &w);
	return wait_rc(&w);
}

static int stage_accept(struct pg_store *ps, int64_t id, long n)
{
	struct wait w = { 0 };

	pg_store_op_stage_accept(ps, id, n, 0, on_done, &w);
	return wait_rc(&w);
}

/* stop() says stop after `steps` transactions. */
static int steps;

static bool stop_after(void *ud)
{
	(void)ud;
	return --steps <= 0;
}

static int release(struct pg_store *ps, int64_t id, int rows, int nsteps,
		   int64_t *next)
{
	struct wait w = { 0 };

	steps = nsteps;
	pg_store_op_stage_release(ps, id, T0, rows, stop_after, next, on_done,
				  &w);
	return wait_rc(&w);
}

static int purge(struct pg_store *ps, int64_t id, int rows, int nsteps)
{
	struct wait w = { 0 };

	steps = nsteps;
	pg_store_op_stage_purge(ps, id, rows, stop_after, on_done, &w);
	return wait_rc(&w);
}

static int staging(struct pg_store *ps, const char *claim, int64_t *id)
{
	struct wait w = { 0 };
	int state = 99;

	pg_store_op_staging(ps, claim, &state, id, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	return state;
}

static long count(struct pg_store *ps, const char *state)
{
	char q[128];

	snprintf(q, sizeof(q), "SELECT count(*) FROM message WHERE state ="
		 " '%s'", state);
	return sql_int(ps, q);
}

TEST(a_big_file_is_staged_then_released_in_steps)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct file f = { .n = 5 };
	struct store_accept req = big("active/big", "big-1", &f, NULL);
	struct store_staged st = { 0 };
	struct outbox_msg m;
	int64_t id = 0, next = -1;

	reset(a);
	sim(a, "m1");
	CHECK_INT(stage_begin(a, &req, &st), 0);
	CHECK(st.file_id > 0);
	CHECK_INT(staging(a, "active/big", &id), STORE_STAGING_ADDING);
	CHECK_INT(id, st.file_id);
	/* Another box's claim of the same name is another file. */
	CHECK_INT(staging(b, "active/big", &id), STORE_STAGING_NONE);
	CHECK_INT(stage_add(a, &st, &req), 0);
	CHECK_INT(stage_add(a, &st, &req), 0);
	/* Staged rows are never claimed. */
	CHECK_INT(claim(a, 1, T0, &m), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE hold ="
			     " 'staging'"), 10);
	CHECK_INT(stage_accept(a, st.file_id, 10), 0);
	CHECK_INT(staging(a, NULL, &id), STORE_STAGING_RELEASING);
	CHECK_INT(id, st.file_id);
	CHECK_INT(staging(b, NULL, &id), STORE_STAGING_NONE);
	/* Transactions of 3 rows; stop after the first: more is left. */
	CHECK_INT(release(a, st.file_id, 3, 1, &next), 1);
	CHECK_INT(count(a, "queued"), 3);
	CHECK_INT(release(a, st.file_id, 3, 99, &next), 0);
	CHECK_INT(next, 0);
	CHECK_INT(count(a, "queued"), 10);
	CHECK_INT(staging(a, "active/big", &id), STORE_STAGING_DONE);
	CHECK_INT(sql_int(a, "SELECT recipients FROM spool_file"), 10);
	/* The same Id: again is a duplicate that stores nothing. */
	req.claim = req.name = "active/big2";
	CHECK_INT(stage_begin(a, &req, &st), 1);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM spool_file"), 1);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_big_file_not_accepted_is_purged_whole)
{
	struct pg_store *a = box("a", 60000, false);
	struct file f = { .n = 4, .to = "+15550000100" };
	struct store_accept req = big("active/p", NULL, &f, "spring");
	struct store_staged st = { 0 };

	reset(a);
	CHECK_INT(stage_begin(a, &req, &st), 0);
	CHECK(st.campaign_id > 0);
	CHECK(!st.paused);
	CHECK_INT(stage_add(a, &st, &req), 0);
	CHECK_INT(stage_add(a, &st, &req), 0);
	/* An opt-out meanwhile takes rows out of staging: they go too. */
	sql(a, "UPDATE message SET state = 'suppressed', hold = NULL"
	       " WHERE id = 1");
	CHECK_INT(purge(a, st.file_id, 3, 1), 1);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 5);
	CHECK_INT(purge(a, st.file_id, 3, 99), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM spool_file"), 0);
	pg_store_free(a);
}

TEST(a_paused_campaign_holds_what_is_released_and_optouts_count)
{
	struct pg_store *a = box("a", 60000, false);
	struct file f = { .n = 3 };
	struct store_accept req = big("active/c", NULL, &f, "autumn");
	struct store_staged st = { 0 };
	int64_t next;

	reset(a);
	sql(a, "INSERT INTO optout (number, opted_out_at, updated_at) VALUES"
	       " ('+15550000001', 0, 0)");
	CHECK_INT(stage_begin(a, &req, &st), 0);
	CHECK_INT(stage_add(a, &st, &req), 0);
	CHECK_INT(count(a, "suppressed"), 1);
	CHECK_INT(stage_accept(a, st.file_id, 3), 0);
	sql(a, "UPDATE campaign SET state = 'paused'");
	CHECK_INT(release(a, st.file_id, 100, 99, &next), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE state ="
			     " 'deferred' AND hold = 'paused'"), 2);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE hold IS NULL"
			     " AND state = 'suppressed'"), 1);
	pg_store_free(a);
}

TEST(an_intake_refusal_is_kept_failed_with_an_event)
{
	struct pg_store *a = box("a", 60000, false);
	struct store_refusal r = { .intake_seq = 7, .recipient = "+1555",
				   .body = "hi", .via = "sql",
				   .why = "no such pool", .now = T0 };
	struct wait w = { 0 };

	reset(a);
	sql(a, "TRUNCATE outbox_in");
	/* Another box holds row 7 (a's lease lapsed): a records nothing. */
	sql(a, "INSERT INTO outbox_in (seq, recipient, body, taken_by,"
	       " taken_until) VALUES (7, '+1555', 'hi', 'b', 0)");
	pg_store_op_refuse(a, &r, on_done, &w);
	CHECK(wait_rc(&w) < 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox_in"), 1);
	sql(a, "UPDATE outbox_in SET taken_by = 'a'");
	w = (struct wait){ 0 };
	pg_store_op_refuse(a, &r, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_STR(sql(a, "SELECT state || '|' || error || '|' || origin FROM"
			 " outbox"), "failed|no such pool|sql");
	CHECK_STR(sql(a, "SELECT message FROM events"),
		  "INSERT INTO outbox (row 7, +1555) not queued: no such pool");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox_in"), 0);
	pg_store_free(a);
}

static int defer_pool(struct pg_store *ps, const char *key)
{
	struct wait w = { 0 };

	pg_store_op_defer_pool(ps, key, T0 + 3600000, "quota", T0, on_done,
			       &w);
	return wait_rc(&w);
}

TEST(the_quota_deferral_leaves_bulk_to_another_live_box)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct wait w = { 0 };

	reset(a);
	sim(a, "m1");
	sim(b, "m1");
	sql(a, "INSERT INTO message (created_at, recipient, body, kind, class,"
	       " state, pool, updated_at) SELECT 0, '+1', 'x', 'bulk', 1,"
	       " 'queued', 'default', 0 FROM generate_series(1, 4)");
	pg_store_op_daemon(b, PG_STORE_DAEMON_START, 1, "t", T0, on_done,
			   &w);
	CHECK_INT(wait_rc(&w), 0);
	/* b is alive with a SIM of the pool: it keeps sending them. */
	CHECK_INT(defer_pool(a, "default"), 0);
	CHECK_INT(count(a, "queued"), 4);
	w.done = false;
	pg_store_op_daemon(b, PG_STORE_DAEMON_STOP, 1, "t", T0, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(defer_pool(a, "default"), 4);
	CHECK_STR(sql(a, "SELECT DISTINCT state || '|' || error || '|' ||"
			 " not_before FROM message"),
		  "deferred|quota|1764723600000");
	pg_store_free(a);
	pg_store_free(b);
}

/* Quiet hours for every number ending in 1. */
static bool quiet(const char *recipient, int64_t now, int64_t *until,
		  void *ud)
{
	int *asked = ud;

	(*asked)++;
	*until = now + 3600000;
	return recipient[strlen(recipient) - 1] == '1';
}

TEST(quiet_hours_defer_bulk_at_the_claim_as_if_never_claimed)
{
	struct pg_store *a = box("a", 60000, false);
	struct outbox_claim c;
	struct outbox_msg m;
	struct wait w = { 0 };
	int asked = 0;
	int64_t s;

	reset(a);
	s = sim(a, "m1");
	/* Bulk to ...1 (quiet) and ...2, in turn. */
	sql(a, "INSERT INTO message (created_at, recipient, body, kind, class,"
	       " state, pool, updated_at) SELECT 0, '+155500000' || (2 - i % 2),"
	       " 'x', 'bulk', 1, 'queued', '', 0 FROM generate_series(1, 40) i");
	c = claim_for(s, T0);
	c.hold = quiet;
	c.hold_ud = &asked;
	pg_store_op_claim(a, &c, &m, on_done, &w);
	CHECK_INT(wait_rc(&w), 1);
	CHECK_STR(m.recipient, "+1555000002");
	outbox_msg_clear(&m);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE state ="
			     " 'deferred' AND error = 'quiet hours at the"
			     " recipient' AND not_before = 1764723600000"), 1);
	/* Held rows have no attempt and did not count one. */
	CHECK_INT(sql_int(a, "SELECT count(*) FROM attempt"), 1);
	CHECK_INT(sql_int(a, "SELECT sum(attempts) FROM message WHERE state"
			     " = 'deferred'"), 0);
	/* Only quiet rows left: after 16 holds in one call, -EAGAIN. (The
	 * claimed row is sent, the others cancelled: moves of the table,
	 * which the check after every test holds this SQL to as well.) */
	sql(a, "UPDATE message SET state = CASE state WHEN 'sending'"
	       " THEN 'sent' ELSE 'cancelled' END WHERE recipient ="
	       " '+1555000002'");
	w.done = false;
	pg_store_op_claim(a, &c, &m, on_done, &w);
	CHECK_INT(wait_rc(&w), -EAGAIN);
	w.done = false;
	pg_store_op_claim(a, &c, &m, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(count(a, "deferred"), 20);
	pg_store_free(a);
}

TEST(a_forgotten_number_is_suppressed_at_acceptance_and_claim)
{
	struct pg_store *a = box("a", 60000, false);
	struct outbox_msg m;
	int64_t s;

	reset(a);
	s = sim(a, "m1");
	CHECK_INT(accept_file(a, "before", NULL, &(struct file){ .n = 1,
				  .to = "+15550000042" }), 0);
	/* smsgw forget on PostgreSQL keeps the number's keyed hash only. */
	sql(a, "INSERT INTO forgotten (hash, forgotten_at) VALUES"
	       " (smsgw_forget_hash('+15550000042'), 0)");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM forgotten WHERE hash ~"
			     " '^[0-9a-f]{64}$'"), 1);
	CHECK_INT(claim(a, s, T0, &m), 0);
	CHECK_STR(sql(a, "SELECT state FROM message WHERE id = 1"),
		  "suppressed");
	CHECK_INT(accept_file(a, "after", NULL, &(struct file){ .n = 1,
				  .to = "+15550000042" }), 0);
	CHECK_STR(sql(a, "SELECT state FROM message WHERE id = 2"),
		  "suppressed");
	/* Another number is not. */
	CHECK_INT(accept_file(a, "other", NULL, &(struct file){ .n = 1,
				  .to = "+15550000043" }), 0);
	CHECK_INT(claim(a, s, T0, &m), 1);
	CHECK_STR(m.recipient, "+15550000043");
	outbox_msg_clear(&m);
	pg_store_free(a);
}

TEST(a_file_of_many_rows_goes_in_batches_in_order)
{
	struct pg_store *a = box("a", 60000, false);

	reset(a);
	sql(a, "INSERT INTO optout (number, opted_out_at, updated_at) VALUES"
	       " ('+15550000700', 0, 0)");
	/* 1,201 rows: two full batches of 500 and one of 201. */
	CHECK_INT(accept_file(a, "many", NULL, &(struct file){ .n = 1201 }),
		  0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 1201);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE recipient"
			     " <> '+1555000' || lpad((id - 1)::text, 4, '0')"),
		  0);
	CHECK_STR(sql(a, "SELECT state || '|' || error FROM message WHERE"
			 " recipient = '+15550000700'"),
		  "suppressed|recipient opted out");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE state ="
			     " 'queued' AND kind = 'direct' AND parts = 1 AND"
			     " validity IS NULL AND origin = 'spool'"), 1200);
	pg_store_free(a);
}

static int produce_full(store_add_fn add, void *ctx, void *ud)
{
	struct outbox_new m = {
		.recipient = "+15550000800", .body = "caf\xc3\xa9 \"q\" \\",
		.kind = MSG_KIND_BULK, .priority = MSG_PRIORITY_LOW,
		.parts = 2, .validity_minutes = 90, .origin = "http",
		.expires_at = T0 + 5000, .max_attempts = 4, .smsc = "+4470",
		.from = "Shop", .has_class = true, .msg_class = 0,
		.has_autosplit = true, .autosplit = 2, .pdu_flags = 5,
		.replace = 3, .report = 1, .flash = 1, .ucs2 = 1,
		.pin_sim = "a/m1/1", .pin_sim_id = 7, .in_reply_to = 0,
	};
	enum outbox_add_result res;

	(void)ud;
	return add(&m, NULL, &res, ctx) < 0 ? -EIO : 0;
}

TEST(every_field_of_a_message_reaches_its_row)
{
	struct pg_store *a = box("a", 60000, false);
	struct store_accept req = {
		.name = "full", .claim = "full", .hash = "h", .now = T0,
		.produce = produce_full, .recipients = 1,
	};
	struct wait w = { 0 };

	reset(a);
	pg_store_op_accept(a, &req, NULL, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_STR(sql(a, "SELECT concat_ws('|', body, kind, class, priority,"
			 " parts, validity, origin, expires_at, max_attempts,"
			 " smsc, from_header, msg_class, autosplit, pdu_flags,"
			 " replace_type, report, flash, ucs2, pin_sim, pool,"
			 " coalesce(in_reply_to, -1)) FROM message"),
		  "caf\xc3\xa9 \"q\" \\|bulk|1|2|2|90|http|1764720005000|4|"
		  "+4470|Shop|0|2|5|3|1|1|1|a/m1/1|@7|-1");
	pg_store_free(a);
}

/* fn and done share their ud: the wait first (on_done's). */
struct taking {
	struct wait w;
	char *seen;
};

static int intake_row(int64_t seq, const char *const col[], void *ud)
{
	struct taking *t = ud;

	snprintf(t->seen + strlen(t->seen), 64, "%lld:%s,", (long long)seq,
		 col[1] ? col[1] : "-");
	return 0;
}

static int take(struct pg_store *ps, int64_t now, int n, char *seen)
{
	struct taking t = { .seen = seen };

	seen[0] = '\0';
	pg_store_op_intake_take(ps, now, n, intake_row, on_done, &t);
	return wait_rc(&t.w);
}

TEST(intake_rows_are_leased_to_one_box_and_removed_fenced)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct store_accept req = {
		.name = "sql:1", .hash = "h", .now = T0,
		.produce = produce_full, .recipients = 1, .intake_seq = 1,
	};
	struct wait w = { 0 };
	char seen[512];

	reset(a);
	sql(a, "TRUNCATE outbox_in RESTART IDENTITY");
	sql(a, "INSERT INTO outbox (recipient, body) VALUES ('+1555001', 'x'),"
	       " ('+1555002', 'y'), ('+1555003', 'z')");
	CHECK_INT(take(a, T0, 2, seen), 2);
	CHECK_STR(seen, "1:+1555001,2:+1555002,");
	/* b skips a's lease; a takes its own again (a restart). */
	CHECK_INT(take(b, T0, 10, seen), 1);
	CHECK_STR(seen, "3:+1555003,");
	CHECK_INT(take(a, T0, 10, seen), 2);
	/* Past a's lease b takes them over: a's acceptance then stores
	 * nothing and leaves the row to b. */
	CHECK_INT(take(b, T0 + 60001, 10, seen), 3);
	pg_store_op_accept(a, &req, NULL, on_done, &w);
	CHECK(wait_rc(&w) < 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox_in"), 3);
	w = (struct wait){ 0 };
	pg_store_op_accept(b, &req, NULL, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 1);
	CHECK_STR(sql(a, "SELECT string_agg(seq::text, ',' ORDER BY seq)"
			 " FROM outbox_in"), "2,3");
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_file_cut_short_is_found_hidden_for_a_resume)
{
	struct pg_store *a = box("a", 60000, false);
	struct file f = { .n = 3 };
	struct store_accept req = big("active/r", NULL, &f, "winter");
	struct store_staged st = { 0 };
	char q[160];

	reset(a);
	CHECK_INT(stage_begin(a, &req, &st), 0);
	CHECK_INT(stage_add(a, &st, &req), 0);
	snprintf(q, sizeof(q), "SELECT concat_ws('|', campaign_id, paused,"
		 " rows, last, hidden) FROM smsgw_stage_resume(%" PRId64
		 ", 'winter', %lld)", st.file_id, T0);
	CHECK_STR(sql(a, q), "1|f|3|+15550000002|t");
	snprintf(q, sizeof(q), "SELECT concat_ws('|', campaign_id, paused,"
		 " rows, last, hidden) FROM smsgw_stage_resume(%" PRId64
		 ", NULL, %lld)", st.file_id + 1, T0);
	CHECK_STR(sql(a, q), "f|0||f");
	pg_store_free(a);
}
