/*
 * The storage interface (include/store_ops.h) on SQLite: each operation
 * calls done exactly once, with the result the synchronous function
 * gives, and leaves the rows it says; every state change is one of the
 * transition table's.
 */
#include "harness.h"
#include "msg_state_check.h"
#include "store.h"
#include "sim.h"
#include "store_ops.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* 2026-11-27T10:00:00Z */
#define T0 1795773600000LL

static struct {
	int calls, rc;
} done_seen;

static void done(int rc, void *ud)
{
	(void)ud;
	done_seen.calls++;
	done_seen.rc = rc;
}

/* Runs one operation's statement; true when done was called once. */
#define ONCE(call)                                                       \
	(done_seen.calls = 0, done_seen.rc = -12345, (call),             \
	 CHECK_INT(done_seen.calls, 1))

/* The recipients of a test file: n numbers, the k-th (1-based) bad. */
struct rcpts {
	int n, i, bad, added;
	char num[32];
};

static int produce(store_add_fn add, void *ctx, void *ud)
{
	struct rcpts *r = ud;

	while (r->i < r->n) {
		struct outbox_new m;
		enum outbox_add_result res;

		if (++r->i == r->bad)
			return -EBADMSG;
		snprintf(r->num, sizeof(r->num), "+1555000%04d", r->i);
		m = (struct outbox_new){
			.recipient = r->num, .body = "hi",
			.kind = MSG_KIND_BULK, .priority = MSG_PRIORITY_NORMAL,
			.validity_minutes = -1, .parts = 1,
		};
		if (add(&m, NULL, &res, ctx) < 0)
			return -EIO;
		if (res == OUTBOX_ADDED_QUEUED)
			r->added++;
	}
	return 0;
}

static struct store_accept file(const char *name, const char *id,
				struct rcpts *r)
{
	return (struct store_accept){
		.name = name, .claim = name, .hash = "h", .idem_key = id,
		.campaign = "spring", .now = T0, .produce = produce,
		.produce_ud = r, .recipients = r->n,
	};
}

TEST(store_ops_accept_commits_dedups_and_rolls_back)
{
	struct store *st = msg_state_store_open("accept.db");
	struct rcpts a = { .n = 3 }, b = { .n = 3 }, c = { .n = 3, .bad = 2 };
	struct store_accept req;

	if (!st)
		return;
	req = file("a", "id-1", &a);
	ONCE(store_op_accept(st, &req, NULL, done, NULL));
	CHECK_INT(done_seen.rc, 0);
	CHECK_INT(a.added, 3);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message"), 3);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE campaign_id"
			    " = (SELECT id FROM campaign WHERE name = 'spring')"),
		  3);
	/* The same Id: again: a duplicate, nothing stored. */
	req = file("b", "id-1", &b);
	ONCE(store_op_accept(st, &req, NULL, done, NULL));
	CHECK_INT(done_seen.rc, 1);
	CHECK_INT(b.i, 0);
	/* The file fails half way: nothing of it stays. */
	req = file("c", "id-2", &c);
	ONCE(store_op_accept(st, &req, NULL, done, NULL));
	CHECK_INT(done_seen.rc, -EBADMSG);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message"), 3);
	CHECK_INT(db_int(st, "SELECT count(*) FROM spool_file"), 1);
	msg_state_check(st);
	store_close(st);
}

TEST(store_ops_claim_record_and_inbound)
{
	struct store *st = msg_state_store_open("claim.db");
	struct rcpts a = { .n = 3 };
	struct store_accept req;
	struct outbox_msg m;
	struct outbox_claim c;
	int64_t sim_id;

	if (!st)
		return;
	req = file("a", NULL, &a);
	ONCE(store_op_accept(st, &req, NULL, done, NULL));
	CHECK_INT(sqlite3_exec(store_db(st),
			       "INSERT INTO sim (modem, slot, pool, state,"
			       " updated_at) VALUES ('m', '1', 'default',"
			       " 'ready', 0)", NULL, NULL, NULL), SQLITE_OK);
	sim_id = db_int(st, "SELECT max(id) FROM sim");
	c = (struct outbox_claim){
		.sim_id = sim_id, .pool = "default", .takes_unpooled = true,
		.allow_bulk = true, .quota_left = 100, .now = T0,
		.sticky_cutoff = T0 - 3600000, .alone = true,
	};
	ONCE(store_op_claim(st, &c, NULL, NULL, &m, done, NULL));
	CHECK_INT(done_seen.rc, 1);
	CHECK_STR(m.recipient, "+15550000001");
	CHECK_INT(db_int(st, "SELECT count(*) FROM message"
			    " WHERE state = 'sending'"), 1);
	ONCE(store_op_record(st, &(struct store_outcome){
		.kind = STORE_OUTCOME_RETRY, .msg = &m, .error = "+CMS 42",
		.now = T0, .not_before = T0 + 60000, .count_attempt = true },
		done, NULL));
	CHECK_INT(done_seen.rc, 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message"
			    " WHERE state = 'deferred'"), 1);
	outbox_msg_clear(&m);

	ONCE(store_op_claim(st, &c, NULL, NULL, &m, done, NULL));
	CHECK_INT(done_seen.rc, 1);
	ONCE(store_op_record(st, &(struct store_outcome){
		.kind = STORE_OUTCOME_FINAL, .msg = &m, .error = "+CMS 1",
		.now = T0, .event = MSG_EVENT_FAIL }, done, NULL));
	CHECK_INT(done_seen.rc, 0);
	outbox_msg_clear(&m);

	ONCE(store_op_claim(st, &c, NULL, NULL, &m, done, NULL));
	CHECK_INT(done_seen.rc, 1);
	ONCE(store_op_record(st, &(struct store_outcome){
		.kind = STORE_OUTCOME_UNKNOWN, .msg = &m, .error = "timeout",
		.now = T0, .resend = false }, done, NULL));
	CHECK_INT(done_seen.rc, 0);
	outbox_msg_clear(&m);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE state IN"
			    " ('failed', 'unknown', 'deferred')"), 3);

	/* Nothing left to claim. */
	ONCE(store_op_claim(st, &c, NULL, NULL, &m, done, NULL));
	CHECK_INT(done_seen.rc, 0);

	/* A PDU that does not decode is kept raw, once per card. */
	{
		struct sim sim = { .id = sim_id, .name = "m/1",
				   .iccid = "8901" };
		struct reasm_opts ro;
		struct store_inbound in = {
			.sim = &sim, .pdu_hex = "00ZZ", .error = "bad hex",
			.now = T0, .ro = &ro,
		};
		struct store_inbound_out out;

		reasm_opts_init(&ro);
		ONCE(store_op_inbound(st, &in, &out, done, NULL));
		CHECK_INT(done_seen.rc, 0);
		CHECK_INT((long long)out.n, 0);
		ONCE(store_op_inbound(st, &in, &out, done, NULL));
		CHECK_INT(done_seen.rc, 0);
		CHECK_INT(db_int(st, "SELECT count(*) FROM raw_pdu WHERE error"
				    " = 'bad hex'"), 1);
		store_inbound_out_free(&out);
	}
	CHECK(msg_state_check(st) >= 5);
	store_close(st);
}

static int claimed_seen = -100;

static void claimed(int rc, void *ud)
{
	(void)ud;
	claimed_seen = rc;
}

/* A two-part message: part 1, then part 2 with "sent" and the next claim
 * in one commit; the hook hears the claim inside it. */
TEST(store_ops_part_sent_and_next_claim)
{
	struct store *st = msg_state_store_open("parts.db");
	struct rcpts a = { .n = 2 };
	struct store_accept req;
	struct outbox_msg m, next;
	struct outbox_claim c;
	int64_t sim_id;

	if (!st)
		return;
	req = file("a", NULL, &a);
	ONCE(store_op_accept(st, &req, NULL, done, NULL));
	CHECK_INT(sqlite3_exec(store_db(st),
			       "INSERT INTO sim (modem, slot, pool, state,"
			       " updated_at) VALUES ('m', '1', 'default',"
			       " 'ready', 0)", NULL, NULL, NULL), SQLITE_OK);
	sim_id = db_int(st, "SELECT max(id) FROM sim");
	c = (struct outbox_claim){
		.sim_id = sim_id, .pool = "default", .takes_unpooled = true,
		.allow_bulk = true, .quota_left = 100, .now = T0,
		.sticky_cutoff = T0 - 3600000, .alone = true,
	};
	ONCE(store_op_claim(st, &c, NULL, NULL, &m, done, NULL));
	CHECK_INT(done_seen.rc, 1);
	ONCE(store_op_part_sent(st, &(struct store_sent){
		.msg = &m, .sim_id = sim_id, .usage_key = "sim:1", .seq = 1,
		.mr = 7, .now = T0 }, done, NULL));
	CHECK_INT(done_seen.rc, 0);
	CHECK_INT(db_int(st, "SELECT parts_sent FROM message WHERE id = 1"),
		  1);
	ONCE(store_op_part_sent(st, &(struct store_sent){
		.msg = &m, .sim_id = sim_id, .usage_key = "sim:1", .seq = 2,
		.mr = 8, .now = T0, .last = true, .next = &c,
		.next_out = &next, .claimed = claimed }, done, NULL));
	CHECK_INT(done_seen.rc, 1);
	CHECK_INT(claimed_seen, 1);
	CHECK_STR(next.recipient, "+15550000002");
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE id = 1"
			    " AND state = 'sent'"), 1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE id = 2"
			    " AND state = 'sending'"), 1);
	CHECK_INT(db_int(st, "SELECT sent_day FROM sim_usage"), 2);
	/* The last one: sent, nothing left to claim. */
	outbox_msg_clear(&m);
	ONCE(store_op_part_sent(st, &(struct store_sent){
		.msg = &next, .sim_id = sim_id, .usage_key = "sim:1", .seq = 1,
		.mr = 9, .now = T0, .last = true, .next = &c,
		.next_out = &m, .claimed = claimed }, done, NULL));
	CHECK_INT(done_seen.rc, 0);
	CHECK_INT(claimed_seen, 0);
	outbox_msg_clear(&m);
	outbox_msg_clear(&next);
	msg_state_check(st);
	store_close(st);
}

/* smsgw outbox cancel|resend: only the table's moves; a refused one says
 * the state it found and changes nothing. */
TEST(store_outbox_by_hand_follows_the_table)
{
	struct store *st = msg_state_store_open("hand.db");
	struct rcpts a = { .n = 2 };
	struct store_accept req;
	enum msg_state was;

	if (!st)
		return;
	req = file("a", NULL, &a);
	ONCE(store_op_accept(st, &req, NULL, done, NULL));
	CHECK_INT(store_outbox_by_hand(st, 1, MSG_EVENT_REQUEUE, T0, &was), 0);
	CHECK_INT(was, MSG_STATE_QUEUED);
	CHECK_INT(store_outbox_by_hand(st, 1, MSG_EVENT_CANCEL, T0, &was), 1);
	CHECK_INT(was, MSG_STATE_QUEUED);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE id = 1"
			    " AND state = 'cancelled'"), 1);
	CHECK_INT(store_outbox_by_hand(st, 1, MSG_EVENT_CANCEL, T0, &was), 0);
	CHECK_INT(was, MSG_STATE_CANCELLED);
	CHECK_INT(store_outbox_by_hand(st, 1, MSG_EVENT_REQUEUE, T0, &was), 1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE id = 1"
			    " AND state = 'queued'"), 1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM events WHERE message LIKE"
			    " 'message #1 %by hand%'"), 2);
	CHECK_INT(store_outbox_by_hand(st, 99, MSG_EVENT_CANCEL, T0, &was),
		  -ENOENT);
	CHECK_INT(store_outbox_by_hand(st, 1, MSG_EVENT_CLAIM, T0, &was),
		  -EINVAL);
	msg_state_check(st);
	store_close(st);
}

/* An intake row (INSERT INTO outbox) goes with the commit that takes it:
 * accepted, or refused as a failed message. */
TEST(store_ops_intake_rows_removed_in_the_same_commit)
{
	struct store *st = msg_state_store_open("intake.db");
	struct rcpts a = { .n = 1 };
	struct store_accept req;
	int64_t file_id = 0;

	if (!st)
		return;
	CHECK_INT(sqlite3_exec(store_db(st), "INSERT INTO outbox_in (seq,"
			       " recipient, body) VALUES (1, '+15550000001',"
			       " 'hi'), (2, 'nobody', 'hi')", NULL, NULL,
			       NULL), SQLITE_OK);
	req = file("sql:1", NULL, &a);
	req.intake_seq = 1;
	ONCE(store_op_accept(st, &req, &file_id, done, NULL));
	CHECK_INT(done_seen.rc, 0);
	CHECK(file_id > 0);
	ONCE(store_op_refuse(st, &(struct store_refusal){
		.intake_seq = 2, .recipient = "nobody", .body = "hi",
		.via = "sql", .why = "not a number", .now = T0 }, done, NULL));
	CHECK_INT(done_seen.rc, 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM outbox_in"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE state ="
			    " 'failed' AND error = 'not a number'"), 1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM events WHERE message LIKE"
			    " 'INSERT INTO outbox (row 2, nobody) not queued%'"),
		  1);
	/* A failed acceptance keeps its intake row for the next try. */
	a = (struct rcpts){ .n = 2, .bad = 2 };
	CHECK_INT(sqlite3_exec(store_db(st), "INSERT INTO outbox_in (seq,"
			       " recipient, body) VALUES (3, '+1', 'x')",
			       NULL, NULL, NULL), SQLITE_OK);
	req = file("sql:3", NULL, &a);
	req.intake_seq = 3;
	ONCE(store_op_accept(st, &req, NULL, done, NULL));
	CHECK_INT(done_seen.rc, -EBADMSG);
	CHECK_INT(db_int(st, "SELECT count(*) FROM outbox_in"), 1);
	msg_state_check(st);
	store_close(st);
}
