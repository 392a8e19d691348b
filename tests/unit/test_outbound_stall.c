/*
 * Outbound: nothing waits for ever. A message or a SIM in an unusual spot
 * (pool of one, pinned, partly sent, sticky to a SIM that cannot take it,
 * many dropped rows ahead, unknown outcomes, dual SIM) still goes, or ends.
 */
#include "outbound_env.h"

TEST(outbound_retry_in_a_pool_of_one_is_not_stranded)
{
	int64_t id;

	if (!setup("modem \"a\" { device = \"/dev/null-a\"\n"
		   "  sim \"1\" { pool = \"mkt\" } }\n"
		   "modem \"b\" { device = \"/dev/null-b\" }\n"))
		return;
	id = add_to("+15550000001", MSG_KIND_BULK, "mkt", 0, NULL);
	pump();
	answer(0, MODEM_SEND_CMS_ERROR, 42);
	hours_pass(2);
	CHECK_STR(state_of(id), "sent");
	CHECK_STR(env.sends[env.nsends - 1].sim->name, "a/1");
	teardown();
}

TEST(outbound_pinned_retry_stays_on_its_sim)
{
	int64_t id;

	if (!setup(TWO_MODEMS))
		return;
	id = add_to("+15550000001", MSG_KIND_DIRECT, NULL, env.reg.sims[0].id, NULL);
	pump();
	answer(0, MODEM_SEND_CMS_ERROR, 42);
	hours_pass(2);
	CHECK_STR(state_of(id), "sent");
	for (int i = 0; i < env.nsends; i++)
		CHECK_STR(env.sends[i].sim->name, "a/1");
	teardown();
}

TEST(outbound_partly_sent_multipart_retries_on_its_sim)
{
	char body[400];
	int64_t id;

	if (!setup(TWO_MODEMS))
		return;
	memset(body, 'x', 300);
	body[300] = '\0';
	id = add_to("+15550000001", MSG_KIND_BULK, NULL, 0, body);
	pump();
	answer(0, MODEM_SEND_OK, 10);
	answer(1, MODEM_SEND_CMS_ERROR, 42);
	hours_pass(2);
	CHECK_STR(state_of(id), "sent");
	CHECK_INT(env.nsends, 3);
	CHECK_STR(env.sends[2].sim->name, env.sends[0].sim->name);
	teardown();
}

TEST(outbound_sticky_to_a_receive_only_or_failing_sim_gives_way)
{
	int64_t a, b;

	if (!setup("modem \"a\" { device = \"/dev/null-a\"\n"
		   "  sim \"1\" { send = false } }\n"
		   "modem \"b\" { device = \"/dev/null-b\" }\n"
		   "modem \"c\" { device = \"/dev/null-c\" }\n"))
		return;
	/* An old sticky entry for a SIM that does not send. */
	store_outbox_touch_sticky(env.st, "+15552220000", env.reg.sims[0].id,
				  env.now);
	a = add_to("+15552220000", MSG_KIND_DIRECT, NULL, 0, NULL);
	hours_pass(1);
	CHECK_STR(state_of(a), "sent");
	/* Sticky to b, and the message fails on b: c takes it. */
	store_outbox_touch_sticky(env.st, "+15553330000", env.reg.sims[1].id,
				  env.now);
	b = add_to("+15553330000", MSG_KIND_DIRECT, NULL, 0, NULL);
	pump();
	CHECK_STR(env.sends[env.nsends - 1].sim->name, "b/1");
	answer(env.nsends - 1, MODEM_SEND_CMS_ERROR, 42);
	env.now += 2000;	/* the quick move to another SIM */
	outbound_kick(env.ob);
	pump();
	CHECK_STR(env.sends[env.nsends - 1].sim->name, "c/1");
	answer(env.nsends - 1, MODEM_SEND_OK, 77);
	CHECK_STR(state_of(b), "sent");
	teardown();
}

TEST(outbound_claim_looks_again_after_many_dropped_rows)
{
	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	add_bulk("+1555400", 300);
	add("+15559999999", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	sqlite3_exec(store_db(env.st),
		     "INSERT INTO optout (number, opted_out_at, active, source,"
		     " updated_at) SELECT recipient, 0, 1, 'manual', 0 FROM"
		     " message WHERE recipient LIKE '+1555400%'",
		     NULL, NULL, NULL);
	outbound_kick(env.ob);
	pump();
	pump();
	CHECK_INT(env.nsends, 1);
	CHECK_STR(dest_of(0), "+15559999999");
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE state = 'suppressed'"),
		  300);
	teardown();
}

TEST(outbound_unknown_resends_stop_at_max_attempts)
{
	int64_t id;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"
		   "resend_unknown_direct = true\n"))
		return;
	id = add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	for (int i = 0; i < 8 && i < env.nsends; i++) {
		answer(i, MODEM_SEND_AMBIGUOUS, 0);
		env.now += 3600 * 1000LL;
		outbound_kick(env.ob);
		pump();
	}
	/* max_attempts = 3 in setup(). */
	CHECK_INT(env.nsends, 3);
	CHECK_STR(state_of(id), "unknown");
	teardown();
}

TEST(outbound_dual_sim_retry_is_not_stranded)
{
	int64_t id;

	if (!setup("modem \"d\" { device = \"/dev/null-d\"\n"
		   "  sim \"1\" { }\n  sim \"2\" { }\n}\n"))
		return;
	env.reg.sims[1].standby = true;
	sim_update(&env.reg, &env.reg.sims[1]);
	id = add("+15550000001", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(0, MODEM_SEND_CMS_ERROR, 42);
	hours_pass(2);
	CHECK_STR(state_of(id), "sent");
	teardown();
}
