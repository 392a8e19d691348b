/*
 * test_pg_store_box — the PostgreSQL queue's operations beside the claim
 * (include/store_pg.h) against a real server, over several boxes: Id:
 * de-duplication and a refused file, status reports whichever box accepted
 * the message, pins, campaigns paused everywhere, Send-At and expiry.
 * Needs SMSGW_PG_URL (tests/e2e/test_pg_store.py).
 */
#include "pg_test.h"

__attribute__((constructor)) static void need_server(void)
{
	url = getenv("SMSGW_PG_URL");
	if (!url) {
		printf("ok - pg_store_box # SKIP needs SMSGW_PG_URL (run by"
		       " tests/e2e/test_pg_store.py with PostgreSQL 15)\n");
		exit(0);
	}
}

TEST(a_duplicate_id_stores_nothing)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct file f = { .n = 2 };

	reset(a);
	CHECK_INT(accept_file(a, "f", "order-17", &f), 0);
	/* The same Id: dropped on another box is the same file. */
	CHECK_INT(accept_file(b, "f", "order-17", &f), 1);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox"), 2);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM spool_file"), 1);
	pg_store_free(a);
	pg_store_free(b);
}

/* Adds one row, then finds the file at fault. */
static int bad_producer(store_add_fn add,
			void *ctx, void *ud)
{
	struct outbox_new m = { .recipient = "+15550001111", .body = "x",
				.parts = 1, .validity_minutes = -1,
				.origin = "spool" };
	enum outbox_add_result res;

	(void)ud;
	if (add(&m, NULL, &res, ctx) < 0)
		return -EIO;
	return -EBADMSG;
}

TEST(a_file_the_producer_refuses_leaves_nothing)
{
	struct pg_store *a = box("a", 60000, false);
	struct store_accept req = { .name = "bad", .claim = "bad",
				    .hash = "h", .now = T0,
				    .produce = bad_producer };
	struct wait w = { 0 };

	reset(a);
	pg_store_op_accept(a, &req, NULL, on_done, &w);
	CHECK_INT(wait_rc(&w), -EBADMSG);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message"), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM spool_file"), 0);
	pg_store_free(a);
}

TEST(a_status_report_finds_the_message_whichever_box_accepted_it)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct file f = { .n = 1, .to = "+15550001234" };
	struct outbox_msg m;
	const char *state = "x";
	int64_t sa, sb, id = -1;
	struct wait w = { 0 };

	reset(a);
	sa = sim(a, "m1");
	sb = sim(b, "m1");
	CHECK_INT(accept_file(b, "f", NULL, &f), 0);	/* accepted on B */
	CHECK_INT(claim(a, sa, T0, &m), 1);		/* sent by A's SIM */
	CHECK_INT(sent(a, &m, sa, T0 + 1), 0);		/* MR 7 */
	/* The same MR from B's SIM is another message (none). */
	pg_store_op_report(b, sb, 7, "+15550001234", 0, T0 + 2, 60000, "pdu",
			   &id, &state, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(id, 0);
	CHECK(state == NULL);
	/* The SC still trying (TP-ST 0x21) changes nothing. */
	w = (struct wait){ 0 };
	pg_store_op_report(a, sa, 7, "5550001234", 0x21, T0 + 3, 60000, "pdu",
			   &id, &state, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(id, m.id);
	CHECK(state == NULL);
	CHECK_STR(sql(a, "SELECT state FROM outbox"), "sent");
	/* Delivered, the recipient written nationally by the SMSC. */
	w = (struct wait){ 0 };
	pg_store_op_report(a, sa, 7, "5550001234", 0, T0 + 4, 60000, "pdu",
			   &id, &state, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	CHECK_INT(id, m.id);
	CHECK_STR(state, "delivered");
	CHECK_STR(sql(b, "SELECT state || ' ' || delivered_at FROM outbox"),
		  "delivered 2025-12-03T00:00:00.004Z");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM status_report"), 3);
	outbox_msg_clear(&m);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_message_pinned_to_a_sim_of_another_box_is_sent_only_there)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct outbox_msg m, none;
	int64_t sa, sb;

	reset(a);
	sa = sim(a, "m1");
	sb = sim(b, "m1");
	CHECK_INT(accept_file(a, "pin", NULL,
			      &(struct file){ .n = 1, .pin_sim_id = sb }), 0);
	CHECK_INT(claim(a, sa, T0, &none), 0);
	CHECK_INT(claim(b, sb, T0, &m), 1);
	CHECK(m.pinned);
	outbox_msg_clear(&m);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_campaign_paused_on_one_box_is_paused_on_every_box)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct file f = { .n = 3, .campaign = "spring" };
	struct outbox_msg m, none;
	struct wait w = { 0 };
	int64_t sa, cid;

	reset(a);
	sa = sim(a, "m1");
	sim(b, "m1");
	CHECK_INT(accept_file(a, "c", NULL, &f), 0);
	cid = sql_int(a, "SELECT id FROM campaign WHERE name = 'spring'");
	CHECK(cid > 0);
	pg_store_op_campaign_set(b, cid, OUTBOX_CAMPAIGN_PAUSE, T0 + 1,
				 on_done, &w);
	CHECK_INT(wait_rc(&w), 3);
	CHECK_INT(claim(a, sa, T0 + 2, &none), 0);
	/* Accepted while paused: held too. */
	CHECK_INT(accept_file(a, "c2", NULL, &f), 0);
	CHECK_STR(sql(a, "SELECT string_agg(DISTINCT state, ',') FROM outbox"),
		  "deferred");
	w = (struct wait){ 0 };
	pg_store_op_campaign_set(a, cid, OUTBOX_CAMPAIGN_RESUME, T0 + 3,
				 on_done, &w);
	CHECK_INT(wait_rc(&w), 6);
	CHECK_INT(claim(a, sa, T0 + 4, &m), 1);
	outbox_msg_clear(&m);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(deferred_rows_come_due_and_expire)
{
	struct pg_store *a = box("a", 60000, false);
	struct file f = { .n = 1, .not_before = T0 + 1000 };
	struct wait w = { 0 };

	reset(a);
	CHECK_INT(accept_file(a, "later", NULL, &f), 0);
	CHECK_STR(sql(a, "SELECT state FROM outbox"), "deferred");
	pg_store_op_promote(a, T0 + 999, on_done, &w);
	CHECK_INT(wait_rc(&w), 0);
	w = (struct wait){ 0 };
	pg_store_op_promote(a, T0 + 1000, on_done, &w);
	CHECK_INT(wait_rc(&w), 1);
	CHECK_STR(sql(a, "SELECT state FROM outbox"), "queued");
	sql(a, "UPDATE message SET expires_at = 1764720002000");
	w = (struct wait){ 0 };
	pg_store_op_promote(a, T0 + 2000, on_done, &w);
	CHECK_INT(wait_rc(&w), 1);
	CHECK_STR(sql(a, "SELECT state FROM outbox"), "expired");
	pg_store_free(a);
}
