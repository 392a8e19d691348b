/*
 * test_pg_store — the PostgreSQL queue operations (include/store_pg.h)
 * against a real server: several boxes, each with its own connection, on
 * one database. Needs SMSGW_PG_URL; tests/e2e/test_pg_store.py starts
 * PostgreSQL 15 and runs this program with it. Without it the program
 * says so as one skip.
 */
#include "pg_test.h"

static int pg_bench(const char *spec);

__attribute__((constructor)) static void need_server(void)
{
	url = getenv("SMSGW_PG_URL");
	if (url && getenv("SMSGW_PG_BENCH"))
		exit(pg_bench(getenv("SMSGW_PG_BENCH")));
	if (!url) {
		printf("ok - pg_store # SKIP needs SMSGW_PG_URL (run by "
		       "tests/e2e/test_pg_store.py with PostgreSQL 15)\n");
		exit(0);
	}
}

/* ---- several claimers at once ---- */

struct worker {
	struct pg_store *ps;
	int64_t sim_id;
	struct outbox_msg msg;
	struct outbox_claim c;
	struct store_sent s;
	bool finished;
	int claimed;
	int *seen, seen_max;
	int errors;
	char usage_key[32];
};

static void worker_claim(struct worker *w);

static void worker_sent(int rc, void *ud)
{
	struct worker *w = ud;

	if (rc != 0)
		w->errors++;
	outbox_msg_clear(&w->msg);
	worker_claim(w);
}

static void worker_claimed(int rc, void *ud)
{
	struct worker *w = ud;

	if (rc != 1) {
		if (rc < 0)
			w->errors++;
		w->finished = true;
		return;
	}
	w->claimed++;
	if (w->msg.id >= 1 && w->msg.id <= w->seen_max)
		w->seen[w->msg.id]++;
	else
		w->errors++;
	/* Each SIM its own usage row, as in life (one shared row would
	 * serialise every claimer's commit on its lock). */
	snprintf(w->usage_key, sizeof(w->usage_key), "sim:%lld",
		 (long long)w->sim_id);
	w->s = (struct store_sent){ .msg = &w->msg, .sim_id = w->sim_id,
				    .usage_key = w->usage_key, .seq = 1,
				    .mr = 1, .last = true, .now = T0 + 1 };
	pg_store_op_part_sent(w->ps, &w->s, worker_sent, w);
}

static void worker_claim(struct worker *w)
{
	w->c = claim_for(w->sim_id, T0 + 1);
	pg_store_op_claim(w->ps, &w->c, &w->msg, worker_claimed, w);
}

TEST(two_boxes_claim_each_message_exactly_once)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct pg_store *a2 = box("a", 60000, false);
	struct pg_store *b2 = box("b", 60000, false);
	static int seen[1001];
	struct worker w[4] = {
		{ .ps = a }, { .ps = a2 }, { .ps = b }, { .ps = b2 },
	};
	struct file f = { .n = 400 };
	bool all;
	int64_t start, end;

	reset(a);
	w[0].sim_id = sim(a, "m1");
	w[1].sim_id = sim(a, "m2");
	w[2].sim_id = sim(b, "m1");
	w[3].sim_id = sim(b, "m2");
	CHECK_INT(accept_file(a, "f1", NULL, &f), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox WHERE state = 'queued'"),
		  400);
	memset(seen, 0, sizeof(seen));
	/* Four connections claim at once: their claims run in parallel on
	 * the server, where SKIP LOCKED keeps them apart. */
	for (int i = 0; i < 4; i++) {
		w[i].seen = seen;
		w[i].seen_max = 1000;
		worker_claim(&w[i]);
	}
	start = loop_clock_ms();
	end = start + 60000;
	do {
		loop_run_once(loop, 50);
		all = true;
		for (int i = 0; i < 4; i++)
			all = all && w[i].finished;
	} while (!all && loop_clock_ms() < end);
	CHECK(all);
	/* A figure for the log, not a goal (make bench has those). */
	printf("# 400 messages claimed and recorded sent by 4 claimers on 2"
	       " boxes in %lld ms\n", (long long)(loop_clock_ms() - start));
	for (int i = 1; i <= 400; i++)
		if (!CHECK_INT(seen[i], 1))
			break;
	CHECK_INT(w[0].claimed + w[1].claimed + w[2].claimed + w[3].claimed,
		  400);
	for (int i = 0; i < 4; i++) {
		CHECK_INT(w[i].errors, 0);
		CHECK(w[i].claimed > 0);	/* every claimer took some */
	}
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox WHERE state = 'sent'"),
		  400);
	CHECK_INT(sql_int(a, "SELECT count(DISTINCT message_id) FROM attempt"),
		  400);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM attempt"), 400);
	CHECK_STR(sql(a, "SELECT string_agg(DISTINCT box, ',' ORDER BY box)"
			 " FROM attempt"), "a,b");
	pg_store_free(a);
	pg_store_free(a2);
	pg_store_free(b);
	pg_store_free(b2);
}

TEST(a_stale_attempt_records_nothing)
{
	struct pg_store *a = box("a", 1000, true);
	struct pg_store *b = box("b", 1000, true);
	struct outbox_msg ma, mb, none;
	struct file f = { .n = 1 };
	int64_t sa, sb;
	char q[200];

	reset(a);
	sa = sim(a, "m1");
	sb = sim(b, "m1");
	CHECK_INT(accept_file(a, "f1", NULL, &f), 0);
	CHECK_INT(claim(a, sa, T0, &ma), 1);
	CHECK(ma.attempt_id > 0);
	CHECK_INT(ma.attempts, 1);
	/* Within A's lease, B cannot have it. */
	CHECK_INT(claim(b, sb, T0 + 500, &none), 0);
	/* A stalls past its lease: B's claim finds it lapsed, queued
	 * again (resend policy), and takes it under a new attempt. */
	CHECK_INT(claim(b, sb, T0 + 2000, &mb), 1);
	CHECK_INT(mb.id, ma.id);
	CHECK(mb.attempt_id != ma.attempt_id);
	CHECK_INT(mb.attempts, 2);
	/* A comes back: nothing it says about its attempt counts. */
	CHECK_INT(sent(a, &ma, sa, T0 + 2100), -ESTALE);
	CHECK_INT(record(a, &ma, STORE_OUTCOME_FINAL, T0 + 2100), -ESTALE);
	CHECK_INT(record(a, &ma, STORE_OUTCOME_UNKNOWN, T0 + 2100), -ESTALE);
	CHECK_INT(record(a, &ma, STORE_OUTCOME_RETRY, T0 + 2100), -ESTALE);
	snprintf(q, sizeof(q), "SELECT state || ' ' || attempt_id || ' ' ||"
		 " sim_id FROM message WHERE id = %" PRId64, ma.id);
	{
		char want[80];

		snprintf(want, sizeof(want), "sending %" PRId64 " %" PRId64,
			 mb.attempt_id, sb);
		CHECK_STR(sql(a, q), want);
	}
	snprintf(q, sizeof(q), "SELECT result FROM attempt WHERE id = %" PRId64,
		 ma.attempt_id);
	CHECK_STR(sql(a, q), "lease expired");
	/* B's outcome is the one recorded. */
	CHECK_INT(sent(b, &mb, sb, T0 + 2200), 0);
	CHECK_STR(sql(a, "SELECT state FROM outbox"), "sent");
	CHECK_STR(sql(a, "SELECT sim_name FROM outbox"), "b/m1/1");
	/* And once sent, B's own attempt is spent too. */
	CHECK_INT(record(b, &mb, STORE_OUTCOME_FINAL, T0 + 2300), -ESTALE);
	CHECK_STR(sql(a, "SELECT state FROM outbox"), "sent");
	outbox_msg_clear(&ma);
	outbox_msg_clear(&mb);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_lapsed_lease_without_resend_becomes_unknown)
{
	struct pg_store *a = box("a", 1000, false);
	struct pg_store *b = box("b", 1000, false);
	struct outbox_msg ma, none;
	struct file f = { .n = 1 };
	int64_t sa, sb;

	reset(a);
	sa = sim(a, "m1");
	sb = sim(b, "m1");
	CHECK_INT(accept_file(a, "f1", NULL, &f), 0);
	CHECK_INT(claim(a, sa, T0, &ma), 1);
	CHECK_INT(claim(b, sb, T0 + 5000, &none), 0);
	CHECK_STR(sql(a, "SELECT state || ': ' || error FROM outbox"),
		  "unknown: lease expired: its box stopped answering while"
		  " sending");
	CHECK_INT(sent(a, &ma, sa, T0 + 5100), -ESTALE);
	outbox_msg_clear(&ma);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(outcomes_move_the_message)
{
	struct pg_store *a = box("a", 60000, false);
	struct outbox_msg m;
	struct file f = { .n = 1 };
	int64_t s;

	reset(a);
	s = sim(a, "m1");
	CHECK_INT(accept_file(a, "f1", NULL, &f), 0);
	CHECK_INT(claim(a, s, T0, &m), 1);
	CHECK_INT(record(a, &m, STORE_OUTCOME_RETRY, T0 + 10), 0);
	CHECK_STR(sql(a, "SELECT state || ' ' || attempts FROM outbox"),
		  "queued 1");
	outbox_msg_clear(&m);
	CHECK_INT(claim(a, s, T0 + 20, &m), 1);
	CHECK_INT(m.attempts, 2);
	CHECK_INT(record(a, &m, STORE_OUTCOME_FINAL, T0 + 30), 0);
	CHECK_STR(sql(a, "SELECT state || ' ' || error FROM outbox"),
		  "failed boom");
	CHECK_STR(sql(a, "SELECT string_agg(result, ',' ORDER BY id)"
			 " FROM attempt"), "retry,failed");
	outbox_msg_clear(&m);
	pg_store_free(a);
}

TEST(a_stop_on_one_box_suppresses_on_every_box)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct file to_x = { .n = 2, .to = "+15559990001" };
	struct file later_x = { .n = 1, .to = "+15559990001",
				.not_before = T0 + 3600000 };
	struct file to_y = { .n = 1, .to = "+15559990002" };
	struct inbox_new stop = { .sender = "+15559990001", .body = "STOP",
				  .parts = 1, .total = 1, .keyword = "optout",
				  .concat_ref = -1 };
	struct outbox_msg m, none;
	struct wait w = { 0 };
	int64_t sa, sb, inbox_id = 0;

	reset(a);
	sa = sim(a, "m1");
	sb = sim(b, "m1");
	CHECK_INT(accept_file(a, "x", NULL, &to_x), 0);
	CHECK_INT(accept_file(a, "x-later", NULL, &later_x), 0);
	CHECK_INT(accept_file(a, "y", NULL, &to_y), 0);
	CHECK_STR(sql(a, "SELECT string_agg(state, ',' ORDER BY id) FROM outbox"),
		  "queued,queued,deferred,queued");
	/* The STOP arrives on box B's SIM. */
	stop.sim_id = sb;
	pg_store_op_inbound(b, &stop, T0 + 5, &inbox_id, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK(inbox_id > 0);
	CHECK_STR(sql(a, "SELECT keyword || ' ' || sim_name FROM inbox"),
		  "optout b/m1/1");
	CHECK_STR(sql(a, "SELECT number || ' ' || active FROM optouts"),
		  "+15559990001 1");
	CHECK_STR(sql(a, "SELECT string_agg(state, ',' ORDER BY id) FROM outbox"),
		  "suppressed,suppressed,suppressed,queued");
	/* Box A sends only to the other number. */
	CHECK_INT(claim(a, sa, T0 + 10, &m), 1);
	CHECK_STR(m.recipient, "+15559990002");
	outbox_msg_clear(&m);
	CHECK_INT(claim(a, sa, T0 + 10, &none), 0);
	/* Accepted after the STOP: suppressed at once. */
	CHECK_INT(accept_file(a, "x-again", NULL, &to_x), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox WHERE recipient ="
			     " '+15559990001' AND state = 'suppressed'"), 5);
	/* An opt-out that lands between acceptance and claim (another
	 * box's row, written without touching the queue) is honoured by
	 * the claim's re-check. */
	CHECK_INT(accept_file(a, "z", NULL,
			      &(struct file){ .n = 1, .to = "+15559990003" }),
		  0);
	sql(b, "INSERT INTO optout (number, opted_out_at, updated_at)"
	       " VALUES ('+15559990003', 1, 1)");
	CHECK_INT(claim(a, sa, T0 + 20, &none), 0);
	CHECK_STR(sql(a, "SELECT state FROM outbox WHERE recipient ="
			 " '+15559990003'"), "suppressed");
	pg_store_free(a);
	pg_store_free(b);
}

static bool notified;
static char notify_payload[64];

static void on_notify(const char *channel, const char *payload, void *ud)
{
	(void)ud;
	if (strcmp(channel, "smsgw_queue") == 0) {
		snprintf(notify_payload, sizeof(notify_payload), "%s", payload);
		notified = true;
	}
}

TEST(a_message_queued_on_one_box_wakes_the_others)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct file f = { .n = 3 };

	reset(a);
	pg_conn_on_notify(pg_store_conn(b), on_notify, NULL);
	pg_conn_listen(pg_store_conn(b), "smsgw_queue");
	sql(b, "SELECT 1");	/* LISTEN is in force after this */
	notified = false;
	CHECK_INT(accept_file(a, "f", NULL, &f), 0);
	{
		int64_t t = loop_clock_ms();

		CHECK(turn_until(&notified));
		printf("# NOTIFY reached the other box %lld ms after the"
		       " commit's answer\n", (long long)(loop_clock_ms() - t));
	}
	CHECK_STR(notify_payload, "a");
	pg_store_free(a);
	pg_store_free(b);
}

static int daemon_row(struct pg_store *ps, enum pg_store_daemon_event ev,
		      int64_t now)
{
	struct wait w = { 0 };

	pg_store_op_daemon(ps, ev, 1234, "test", now, on_done, &w);
	return wait_rc(&w);
}

TEST(a_stopped_or_silent_box_shows_its_sims_offline)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	/* The sims view compares the heartbeat with the server's clock,
	 * so these use the real clock, not T0. */
	int64_t now = clock_now_ms();

	reset(a);
	sql(a, "TRUNCATE daemon");
	sim(a, "m1");
	sim(b, "m1");
	CHECK_INT(daemon_row(a, PG_STORE_DAEMON_START, now), 0);
	CHECK_INT(daemon_row(b, PG_STORE_DAEMON_START, now), 0);
	CHECK_STR(sql(a, "SELECT string_agg(name || ' ' || state, ','"
			 " ORDER BY name) FROM sims"),
		  "a/m1/1 ready,b/m1/1 ready");
	CHECK_INT(daemon_row(b, PG_STORE_DAEMON_STOP, now + 1), 0);
	CHECK_STR(sql(a, "SELECT string_agg(name || ' ' || state, ','"
			 " ORDER BY name) FROM sims"),
		  "a/m1/1 ready,b/m1/1 offline");
	/* A box killed: its last beat is more than three beats old. */
	CHECK_INT(daemon_row(a, PG_STORE_DAEMON_START, now - 200000), 0);
	CHECK_STR(sql(a, "SELECT state FROM sims WHERE name = 'a/m1/1'"),
		  "offline");
	CHECK_INT(daemon_row(a, PG_STORE_DAEMON_BEAT, now), 0);
	CHECK_STR(sql(a, "SELECT state FROM sims WHERE name = 'a/m1/1'"),
		  "ready");
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_lease_renewed_while_sending_is_kept)
{
	struct pg_store *a = box("a", 1000, true);
	struct pg_store *b = box("b", 1000, true);
	struct outbox_msg m, none;
	struct outbox_usage u;
	struct wait w = { 0 };
	int64_t sa, sb;

	reset(a);
	sa = sim(a, "m1");
	sb = sim(b, "m1");
	CHECK_INT(accept_file(a, "f", NULL, &(struct file){ .n = 1 }), 0);
	CHECK_INT(claim(a, sa, T0, &m), 1);
	/* A slow modem: A renews before its lease ends, so B's claim at
	 * T0 + 1500 finds the message still A's. */
	pg_store_op_renew(a, &m, T0 + 900, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(claim(b, sb, T0 + 1500, &none), 0);
	CHECK_STR(sql(a, "SELECT state FROM outbox"), "sending");
	CHECK_INT(sent(a, &m, sa, T0 + 1600), 0);
	/* Spent: renewing now is stale. */
	w = (struct wait){ 0 };
	pg_store_op_renew(a, &m, T0 + 1700, on_done, &w);
	CHECK_INT(wait_rc(&w), -ESTALE);
	/* The card's usage, read from any box. */
	w = (struct wait){ 0 };
	pg_store_op_usage(b, "sim:x", &u, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(u.sent_day, 1);
	CHECK_INT(u.sent_month, 1);
	CHECK_INT(u.last_send_at, T0 + 1600);
	outbox_msg_clear(&m);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(rows_another_box_holds_locked_are_skipped_not_waited_for)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *holder = box("b", 60000, false);
	struct outbox_msg m;
	int64_t sa;

	reset(a);
	sa = sim(a, "m1");
	CHECK_INT(accept_file(a, "f", NULL, &(struct file){ .n = 40 }), 0);
	/* Another box's transaction holds the 20 best rows (more than the
	 * 16 candidates a claim looks at first). */
	sql(holder, "BEGIN");
	sql(holder, "SELECT count(*) FROM (SELECT id FROM message ORDER BY id"
		    " LIMIT 20 FOR UPDATE) x");
	CHECK_INT(claim(a, sa, T0, &m), 1);
	CHECK_INT(m.id, 21);
	outbox_msg_clear(&m);
	sql(holder, "ROLLBACK");
	CHECK_INT(claim(a, sa, T0, &m), 1);
	CHECK_INT(m.id, 1);
	outbox_msg_clear(&m);
	pg_store_free(a);
	pg_store_free(holder);
}

/*
 * SMSGW_PG_BENCH="BOXES,CLAIMERS,MESSAGES" (tests/bench/pg_queue.py): the
 * queue alone — every claimer its own connection and SIM, as a box's
 * modems would be — claiming and recording sent until the queue is empty.
 * Prints the figure; exits 1 unless each message was claimed once.
 */
static int pg_bench(const char *spec)
{
	int nbox = 0, per = 0, n = 0, dup = 0, missing = 0, errors = 0;
	struct worker *w;
	int *seen;
	struct pg_store *first;
	int64_t start, end;
	bool all;

	if (sscanf(spec, "%d,%d,%d", &nbox, &per, &n) != 3 || nbox < 1 ||
	    per < 1 || n < 1) {
		fprintf(stderr, "SMSGW_PG_BENCH: BOXES,CLAIMERS,MESSAGES\n");
		return 2;
	}
	w = calloc((size_t)(nbox * per), sizeof(*w));
	seen = calloc((size_t)n + 1, sizeof(*seen));
	if (!w || !seen)
		return 2;
	for (int b = 0; b < nbox; b++)
		for (int c = 0; c < per; c++) {
			struct worker *x = &w[b * per + c];
			char name[16], modem[16];

			snprintf(name, sizeof(name), "box%d", b + 1);
			snprintf(modem, sizeof(modem), "m%d", c + 1);
			x->ps = box(name, 60000, false);
			if (b == 0 && c == 0)
				reset(x->ps);
			x->sim_id = sim(x->ps, modem);
			x->seen = seen;
			x->seen_max = n;
		}
	first = w[0].ps;
	for (int left = n, f = 0; left > 0; f++) {
		/* Files of up to 1,000, as several spools would drop them. */
		struct file fl = { .n = left < 1000 ? left : 1000 };
		char fname[32];

		snprintf(fname, sizeof(fname), "bench-%d", f);
		if (accept_file(w[f % (nbox * per)].ps, fname, NULL, &fl)) {
			fprintf(stderr, "accepting %s failed\n", fname);
			return 1;
		}
		left -= fl.n;
	}
	start = loop_clock_ms();
	for (int i = 0; i < nbox * per; i++)
		worker_claim(&w[i]);
	end = start + 600000;
	do {
		loop_run_once(loop, 50);
		all = true;
		for (int i = 0; i < nbox * per; i++)
			all = all && w[i].finished;
	} while (!all && loop_clock_ms() < end);
	end = loop_clock_ms();
	for (int i = 1; i <= n; i++) {
		dup += seen[i] > 1;
		missing += seen[i] == 0;
	}
	for (int i = 0; i < nbox * per; i++)
		errors += w[i].errors;
	printf("%d boxes x %d claimers, %d messages: %lld ms, %.0f messages/s"
	       " (claim + sent), %d claimed twice, %d never, %d errors, %s\n",
	       nbox, per, n, (long long)(end - start),
	       n * 1000.0 / (double)(end - start > 0 ? end - start : 1), dup,
	       missing, errors, sql(first, "SELECT count(*) || ' sent'"
					  " FROM outbox WHERE state = 'sent'"));
	for (int i = 0; i < nbox * per; i++)
		pg_store_free(w[i].ps);
	free(w);
	free(seen);
	return dup || missing || errors || !all ? 1 : 0;
}
