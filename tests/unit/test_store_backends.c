/*
 * test_store_backends — one conformance suite for both storage backends
 * (include/store_backend.h; issue 17 "one contract suite runs against
 * both backends"): the same scenarios through the same table, checked
 * with the same SQL on the contract views. SQLite always runs (a file in
 * the test's directory); PostgreSQL runs when SMSGW_PG_URL is set
 * (tests/e2e/test_pg_store.py starts a server and passes it), and its
 * tests are then registered as well.
 */
#include "backend_env.h"

/* ---- the scenarios ---- */

static void accept_claim_send(bool pg)
{
	struct env e;
	struct outbox_msg m;
	struct wait w = { 0 };
	int64_t sim;

	if (!env_open(&e, pg, "send"))
		return;
	sim = add_sim(&e, "m1");
	CHECK_INT(accept_file(&e, "a", NULL, &(struct rcpts){ .n = 3 }), 0);
	CHECK_STR(scalar(&e, "SELECT count(*) FROM outbox WHERE state ="
			     " 'queued' AND campaign = 'spring'"), "3");
	CHECK_INT(claim(&e, sim, T0, &m), 1);
	CHECK_STR(m.recipient, "+15550000001");
	CHECK_STR(m.body, "hi");
	CHECK_INT(m.attempts, 1);
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE id = 1"),
		  "sending");
	e.ops->part_sent(e.be, &(struct store_sent){
		.msg = &m, .sim_id = sim, .usage_key = "sim:1", .seq = 1,
		.mr = 5, .last = true, .now = T0 + 1000 }, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK_STR(scalar(&e, "SELECT state || ' ' || attempts || ' ' ||"
			     " sent_at FROM outbox WHERE id = 1"),
		  "sent 1 2026-11-27T10:00:01.000Z");
	CHECK_STR(scalar(&e, "SELECT substr(sim_name, length(sim_name) - 3)"
			     " FROM outbox WHERE id = 1"), "m1/1");
	outbox_msg_clear(&m);
	env_close(&e);
}

static void retry_fail_unknown(bool pg)
{
	struct env e;
	struct outbox_msg m;
	int64_t sim;

	if (!env_open(&e, pg, "outcomes"))
		return;
	sim = add_sim(&e, "m1");
	CHECK_INT(accept_file(&e, "a", NULL, &(struct rcpts){ .n = 3 }), 0);
	CHECK_INT(claim(&e, sim, T0, &m), 1);
	CHECK_INT(record(&e, &(struct store_outcome){
		.kind = STORE_OUTCOME_RETRY, .msg = &m, .error = "+CMS 42",
		.now = T0, .not_before = T0 + 60000, .count_attempt = true }),
		0);
	CHECK_STR(scalar(&e, "SELECT state || ' ' || error FROM outbox"
			     " WHERE id = 1"), "deferred +CMS 42");
	outbox_msg_clear(&m);
	CHECK_INT(claim(&e, sim, T0, &m), 1);
	CHECK_INT(m.id, 2);
	CHECK_INT(record(&e, &(struct store_outcome){
		.kind = STORE_OUTCOME_FINAL, .msg = &m, .error = "+CMS 1",
		.now = T0, .event = MSG_EVENT_FAIL }), 0);
	outbox_msg_clear(&m);
	CHECK_INT(claim(&e, sim, T0, &m), 1);
	CHECK_INT(record(&e, &(struct store_outcome){
		.kind = STORE_OUTCOME_UNKNOWN, .msg = &m, .error = "timeout",
		.now = T0, .resend = false }), 0);
	outbox_msg_clear(&m);
	/* Portable SQL only: the same text runs on both. */
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE id = 1"),
		  "deferred");
	CHECK_STR(scalar(&e, "SELECT state || ' ' || error FROM outbox"
			     " WHERE id = 2"), "failed +CMS 1");
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE id = 3"),
		  "unknown");
	CHECK_INT(claim(&e, sim, T0, &m), 0);
	env_close(&e);
}

static void stop_suppresses(bool pg)
{
	struct env e;
	struct outbox_msg m;
	struct wait w = { 0 };
	int64_t sim, id = 0;

	if (!env_open(&e, pg, "stop"))
		return;
	sim = add_sim(&e, "m1");
	CHECK_INT(accept_file(&e, "a", NULL, &(struct rcpts){ .n = 2 }), 0);
	e.ops->inbound(e.be, &(struct inbox_new){
		.sender = "+15550000001", .sender_type = "international",
		.sim_id = sim, .body = "STOP", .parts = 1, .total = 1,
		.keyword = "optout", .concat_ref = -1 }, T0, &id, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK(id > 0);
	CHECK_STR(scalar(&e, "SELECT sender || ' ' || body || ' ' || keyword"
			     " FROM inbox"), "+15550000001 STOP optout");
	CHECK_STR(scalar(&e, "SELECT number || ' ' || keyword || ' ' || active"
			     " FROM optouts"), "+15550000001 STOP 1");
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE recipient ="
			     " '+15550000001'"), "suppressed");
	CHECK_INT(claim(&e, sim, T0, &m), 1);
	CHECK_STR(m.recipient, "+15550000002");
	outbox_msg_clear(&m);
	/* START: opted back in. */
	w = (struct wait){ 0 };
	e.ops->inbound(e.be, &(struct inbox_new){
		.sender = "+15550000001", .sender_type = "international",
		.sim_id = sim, .body = "START", .parts = 1, .total = 1,
		.keyword = "optin", .concat_ref = -1 }, T0, &id, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK_STR(scalar(&e, "SELECT active FROM optouts"), "0");
	env_close(&e);
}

static void duplicate_and_refused_files(bool pg)
{
	struct env e;

	if (!env_open(&e, pg, "files"))
		return;
	CHECK_INT(accept_file(&e, "a", "order-1", &(struct rcpts){ .n = 2 }),
		  0);
	CHECK_INT(accept_file(&e, "b", "order-1", &(struct rcpts){ .n = 2 }),
		  1);
	CHECK_STR(scalar(&e, "SELECT count(*) FROM outbox"), "2");
	CHECK_INT(accept_file(&e, "c", NULL,
			      &(struct rcpts){ .n = 3, .bad = 2 }), -EBADMSG);
	CHECK_STR(scalar(&e, "SELECT count(*) FROM outbox"), "2");
	env_close(&e);
}

BOTH(accept_claim_send)
BOTH(retry_fail_unknown)
BOTH(stop_suppresses)
BOTH(duplicate_and_refused_files)

__attribute__((constructor)) static void register_both(void)
{
	REG(accept_claim_send);
	REG(retry_fail_unknown);
	REG(stop_suppresses);
	REG(duplicate_and_refused_files);
}
