/*
 * Outbound scheduling and the send pipeline at fixed `now`: ordering,
 * spreading, sticky sending, quotas, error classes, multipart, reports,
 * restart, quiet hours, dual SIM (outbound_env.h has the rig).
 */
#include "outbound_env.h"

#include <errno.h>

TEST(outbound_direct_before_bulk_then_priority)
{
	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	/* One SIM, busy with the first message; the rest queue behind. */
	add("+15550000001", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 1);
	add("+15550000002", MSG_KIND_BULK, MSG_PRIORITY_LOW, NULL);
	add("+15550000003", MSG_KIND_BULK, MSG_PRIORITY_HIGH, NULL);
	add("+15550000004", MSG_KIND_DIRECT, MSG_PRIORITY_LOW, NULL);
	pump();
	CHECK_INT(env.nsends, 1);
	answer(0, MODEM_SEND_OK, 1);
	CHECK_STR(dest_of(1), "+15550000004");
	answer(1, MODEM_SEND_OK, 2);
	CHECK_STR(dest_of(2), "+15550000003");
	answer(2, MODEM_SEND_OK, 3);
	CHECK_STR(dest_of(3), "+15550000002");
	answer(3, MODEM_SEND_OK, 4);
	CHECK_INT(env.nsends, 4);
	CHECK_INT(env.events_sent, 4);
	CHECK_INT(scalar("SELECT count(*) FROM outbox WHERE state = 'sent'"), 4);
	teardown();
}

TEST(outbound_spreads_over_sims_and_scales)
{
	if (!setup(TWO_MODEMS "modem \"c\" { device = \"/dev/null-c\" }\n"))
		return;
	add_bulk("+1555100", 30);
	pump();
	/* Every SIM works at once. */
	CHECK_INT(env.nsends, 3);
	for (int i = 0; i < env.nsends; i++)
		if (!env.sends[i].answered)
			answer(i, MODEM_SEND_OK, i % 256);
	CHECK_INT(env.nsends, 30);
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE state = 'sent'"), 30);
	/* Ten each: least-loaded kept them even. */
	CHECK_INT(scalar("SELECT max(n) - min(n) FROM (SELECT count(*) n FROM"
			 " message GROUP BY sim_id)"), 0);
	teardown();
}

TEST(outbound_sticky_sender_holds_and_falls_back)
{
	if (!setup(TWO_MODEMS))
		return;
	/* b talked with this number last. */
	sqlite3_exec(store_db(env.st),
		     "INSERT INTO sticky VALUES ('+15552220000',"
		     " (SELECT id FROM sim WHERE modem = 'b'), 1795773000000)",
		     NULL, NULL, NULL);
	add("+15553330000", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 1);
	CHECK_STR(env.sends[0].sim->name, "a/1");
	/* b is idle... */
	add("+15552220000", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 2);
	CHECK_STR(env.sends[1].sim->name, "b/1");
	answer(1, MODEM_SEND_OK, 7);
	/* ...and stays the one even when a is free and b is busy. */
	answer(0, MODEM_SEND_OK, 8);
	add("+15550009999", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_STR(env.sends[2].sim->name, "a/1");
	add("+15552220000", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 4);
	CHECK_STR(env.sends[3].sim->name, "b/1");
	answer(3, MODEM_SEND_OK, 9);
	answer(2, MODEM_SEND_OK, 10);
	/* b goes away: a takes the conversation. */
	env.reg.sims[1].link = SIM_STATE_ABSENT;
	sim_update(&env.reg, &env.reg.sims[1]);
	add("+15552220000", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 5);
	CHECK_STR(env.sends[4].sim->name, "a/1");
	teardown();
}

TEST(outbound_quota_moves_bulk_then_defers_rest)
{
	if (!setup("modem \"a\" { device = \"/dev/null-a\"\n"
		   "  sim \"1\" { daily_limit = 2 } }\n"
		   "modem \"b\" { device = \"/dev/null-b\"\n"
		   "  sim \"1\" { daily_limit = 3 } }\n"))
		return;
	add_bulk("+1555200", 8);
	pump();
	for (int i = 0; i < env.nsends; i++)
		if (!env.sends[i].answered)
			answer(i, MODEM_SEND_OK, i);
	CHECK_INT(env.nsends, 5);
	CHECK_INT(scalar("SELECT count(*) FROM message m JOIN sim s ON"
			 " s.id = m.sim_id WHERE s.modem = 'a' AND m.state = 'sent'"), 2);
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE state = 'deferred'"), 3);
	CHECK_INT(scalar("SELECT count(*) FROM sims WHERE state = 'quota-exhausted'"), 2);
	/* The next day the quota is back and the rest goes. */
	env.now += 86400000LL;
	outbound_kick(env.ob);
	pump();
	for (int i = 0; i < env.nsends; i++)
		if (!env.sends[i].answered)
			answer(i, MODEM_SEND_OK, i);
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE state = 'sent'"), 8);
	teardown();
}

TEST(outbound_error_classes)
{
	int64_t perm, temp, amb_d, amb_b;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"
		   "resend_unknown_direct = true\nresend_unknown_bulk = false\n"))
		return;
	perm = add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(0, MODEM_SEND_CMS_ERROR, 1);	/* unassigned number */
	CHECK_STR(state_of(perm), "failed");
	temp = add("+15550000002", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(1, MODEM_SEND_CMS_ERROR, 42);	/* congestion */
	CHECK_STR(state_of(temp), "deferred");
	CHECK(scalar("SELECT not_before FROM message WHERE state = 'deferred'") >=
	      T0 + 22000);
	amb_d = add("+15550000003", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(2, MODEM_SEND_AMBIGUOUS, 0);
	CHECK_STR(state_of(amb_d), "sending"); /* resent at once, same SIM */
	answer(3, MODEM_SEND_OK, 5);
	CHECK_STR(state_of(amb_d), "sent");
	amb_b = add("+15550000004", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(4, MODEM_SEND_CMS_ERROR, 332);	/* network timeout */
	CHECK_STR(state_of(amb_b), "unknown");
	/* The temporary one comes back after its backoff and gives up at
	 * max_attempts = 3. */
	for (int round = 0; round < 2; round++) {
		env.now += 20 * 60 * 1000;
		outbound_kick(env.ob);
		pump();
		answer(env.nsends - 1, MODEM_SEND_CMS_ERROR, 42);
	}
	CHECK_STR(state_of(temp), "failed");
	CHECK_INT(scalar("SELECT attempts FROM message WHERE state = 'failed'"
			 " AND error LIKE 'gave up%'"), 3);
	teardown();
}

TEST(outbound_bad_message_does_not_block_queue)
{
	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	add("+15550000001", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	add("+15550000002", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	add("+15550000003", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(0, MODEM_SEND_CMS_ERROR, 38);	/* long backoff */
	CHECK_INT(env.nsends, 2);
	CHECK_STR(dest_of(1), "+15550000002");
	answer(1, MODEM_SEND_OK, 1);
	CHECK_STR(dest_of(2), "+15550000003");
	teardown();
}

TEST(outbound_barring_errors_pause_the_sim)
{
	if (!setup(TWO_MODEMS))
		return;
	add_bulk("+1555300", 6);
	pump();
	/* a meets spam blocks three times; b is fine but slow. */
	for (int k = 0; k < 3; k++) {
		int i;

		for (i = env.nsends - 1; i >= 0; i--)
			if (!env.sends[i].answered &&
			    strcmp(env.sends[i].sim->name, "a/1") == 0)
				break;
		if (!CHECK(i >= 0))
			break;
		answer(i, MODEM_SEND_CMS_ERROR, 21);
	}
	CHECK_INT(scalar("SELECT count(*) FROM sims WHERE name = 'a/1'"
			 " AND state = 'blocked'"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM events WHERE message LIKE"
			 " 'SIM a/1 paused%'"), 1);
	teardown();
}

TEST(outbound_multipart_keeps_sim_and_ref_on_resend)
{
	char body[400];
	int64_t id;
	int ref1 = -1, ref2 = -1;

	if (!setup(TWO_MODEMS "resend_unknown_direct = true\n"))
		return;
	memset(body, 'x', 300);
	body[300] = '\0';
	id = add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, body);
	pump();
	CHECK_INT(env.nsends, 1);
	answer(0, MODEM_SEND_OK, 10);		/* part 1 */
	CHECK_INT(env.nsends, 2);
	CHECK_STR(env.sends[1].sim->name, env.sends[0].sim->name);
	answer(1, MODEM_SEND_AMBIGUOUS, 0);	/* part 2: no answer */
	/* Resent: from part 2, same SIM, same reference. */
	CHECK_INT(env.nsends, 3);
	CHECK_STR(env.sends[2].sim->name, env.sends[0].sim->name);
	{
		struct sms_pdu a, b;
		char err[128];

		sms_pdu_decode(env.sends[1].pdu, strlen(env.sends[1].pdu), &a, err, sizeof(err));
		sms_pdu_decode(env.sends[2].pdu, strlen(env.sends[2].pdu), &b, err, sizeof(err));
		ref1 = a.submit.ud.concat.ref;
		ref2 = b.submit.ud.concat.ref;
		CHECK_INT(b.submit.ud.concat.seq, 2);
	}
	CHECK_INT(ref1, ref2);
	answer(2, MODEM_SEND_OK, 11);
	CHECK_INT(env.nsends, 3);
	CHECK_STR(state_of(id), "sent");
	CHECK_INT(scalar("SELECT count(*) FROM part"), 2);
	teardown();
}

TEST(outbound_status_report_matches_with_mr_wrap)
{
	struct sms_encoded_part rep;
	struct sms_time t = { 2026, 11, 27, 10, 0, 5, 0 };
	char err[128];
	int64_t a, b;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	a = add("+15550000001", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(0, MODEM_SEND_OK, 5);
	env.now += 60000;
	b = add("+15550000002", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	answer(1, MODEM_SEND_OK, 5);	/* the MR came round again */
	CHECK(sms_encode_status_report("", 5, "+15550000001", &t, &t, 0, &rep,
				       err, sizeof(err)));
	CHECK_INT(outbound_status_report(env.ob, &env.reg.sims[0], rep.pdu,
					 NULL, NULL), 0);
	CHECK_STR(state_of(a), "delivered");
	CHECK_STR(state_of(b), "sent");
	CHECK(sms_encode_status_report("", 5, "+15550000002", &t, &t, 0x41, &rep,
				       err, sizeof(err)));
	CHECK_INT(outbound_status_report(env.ob, &env.reg.sims[0], rep.pdu,
					 NULL, NULL), 0);
	CHECK_STR(state_of(b), "failed");
	CHECK_INT(scalar("SELECT count(*) FROM status_report"), 2);
	teardown();
}

TEST(outbound_restart_turns_sending_into_unknown_by_policy)
{
	int64_t d, b;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"
		   "modem \"b\" { device = \"/dev/null-b\" }\n"))
		return;
	d = add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	b = add("+15550000002", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_STR(state_of(d), "sending");
	CHECK_STR(state_of(b), "sending");
	/* The daemon dies here; a new one starts on the same database. */
	CHECK_INT(store_outbox_recover(env.st, true, false, env.now), 2);
	CHECK_STR(state_of(d), "queued");
	CHECK_STR(state_of(b), "unknown");
	teardown();
}

TEST(outbound_quiet_hours_defer_bulk_not_direct)
{
	int64_t ny_bulk, berlin_bulk, ny_direct;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"
		   "quiet_hours = \"21:00-08:00\"\n"))
		return;
	/* 10:00Z: 05:00 in New York (EST), 11:00 in Berlin. */
	ny_bulk = add("+12125550100", MSG_KIND_BULK, MSG_PRIORITY_HIGH, NULL);
	berlin_bulk = add("+4930123456", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_STR(state_of(ny_bulk), "deferred");
	CHECK_STR(state_of(berlin_bulk), "sending");
	CHECK_INT(scalar("SELECT not_before FROM message WHERE state = 'deferred'"),
		  T0 + 3 * 3600 * 1000LL);
	answer(0, MODEM_SEND_OK, 1);
	ny_direct = add("+12125550100", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_STR(state_of(ny_direct), "sending");
	answer(1, MODEM_SEND_OK, 2);
	/* At 08:00 in New York the bulk message goes. */
	env.now = T0 + 3 * 3600 * 1000LL;
	outbound_kick(env.ob);
	pump();
	CHECK_STR(state_of(ny_bulk), "sending");
	teardown();
}

TEST(outbound_dual_sim_switches_only_when_active_is_exhausted)
{
	if (!setup("modem \"d\" { device = \"/dev/null-d\"\n"
		   "  sim \"1\" { daily_limit = 2 }\n"
		   "  sim \"2\" { }\n}\n"))
		return;
	/* Slot 2 is on standby: the modem layer would switch to use it. */
	env.reg.sims[1].standby = true;
	sim_update(&env.reg, &env.reg.sims[1]);
	add_bulk("+1555400", 4);
	pump();
	/* One send per modem at a time, from the active slot. */
	CHECK_INT(env.nsends, 1);
	CHECK_STR(env.sends[0].sim->name, "d/1");
	answer(0, MODEM_SEND_OK, 1);
	CHECK_STR(env.sends[1].sim->name, "d/1");
	answer(1, MODEM_SEND_OK, 2);
	/* Slot 1 reached its quota: slot 2 takes over. */
	CHECK_INT(env.nsends, 3);
	CHECK_STR(env.sends[2].sim->name, "d/2");
	answer(2, MODEM_SEND_OK, 3);
	CHECK_STR(env.sends[3].sim->name, "d/2");
	teardown();
}

TEST(outbound_failing_sim_hands_its_traffic_to_the_other)
{
	int a = 0, b = 0;

	if (!setup(TWO_MODEMS))
		return;
	add_bulk("+1555600", 10);
	pump();
	/* a answers +CMS ERROR: 500 to everything; b works. */
	for (int round = 0; round < 40; round++) {
		bool any = false;

		for (int i = 0; i < env.nsends; i++) {
			if (env.sends[i].answered)
				continue;
			any = true;
			if (strcmp(env.sends[i].sim->name, "a/1") == 0)
				answer(i, MODEM_SEND_CMS_ERROR, 500);
			else
				answer(i, MODEM_SEND_OK, i);
		}
		/* Time passes: moved messages come due. */
		env.now += 2000;
		outbound_kick(env.ob);
		pump();
		if (!any)
			break;
	}
	for (int i = 0; i < env.nsends; i++) {
		if (strcmp(env.sends[i].sim->name, "a/1") == 0)
			a++;
		else
			b++;
	}
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE state = 'sent'"), 10);
	/* a tried three times, then rested; b sent everything. */
	CHECK_INT(a, 3);
	CHECK_INT(b, 10);
	CHECK_INT(scalar("SELECT count(*) FROM events WHERE message LIKE"
			 " 'SIM a/1 rests 30 s%'"), 1);
	teardown();
}

/*
 * The database refuses to record the parts that went out: the message
 * still goes whole (a part not recorded is not sent again; only its MR is
 * lost), the last part's "sent" is recorded, and the SIM goes on.
 */
TEST(outbound_part_not_recorded_still_sends_and_records_sent)
{
	char body[400];
	int64_t id, next;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	memset(body, 'x', 300);
	body[300] = '\0';
	id = add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, body);
	pump();
	CHECK_INT(env.nsends, 1);
	CHECK_INT(sqlite3_exec(store_db(env.st),
			       "CREATE TEMP TRIGGER no_parts BEFORE INSERT ON"
			       " main.part BEGIN SELECT RAISE(ABORT, 'disk"
			       " full'); END;", NULL, NULL, NULL), SQLITE_OK);
	answer(0, MODEM_SEND_OK, 10);		/* part 1 went out */
	CHECK_INT(env.nsends, 2);		/* part 2 goes too */
	CHECK_STR(state_of(id), "sending");
	answer(1, MODEM_SEND_OK, 11);
	CHECK_STR(state_of(id), "sent");
	CHECK_INT(scalar("SELECT count(*) FROM part"), 0);
	CHECK_INT(sqlite3_exec(store_db(env.st), "DROP TRIGGER temp.no_parts",
			       NULL, NULL, NULL), SQLITE_OK);
	next = add("+15550000002", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 3);
	CHECK_STR(dest_of(2), "+15550000002");
	answer(2, MODEM_SEND_OK, 12);
	CHECK_STR(state_of(next), "sent");
	teardown();
}

/*
 * The last part's answer records "sent" and asks for the SIM's next message
 * in one commit; with nothing to claim the SIM looks free before that
 * commit's answer. A dispatch in between (a kick queued earlier in the
 * turn: another modem, the spool) must not claim into the message still
 * being recorded: the claim wiped it (its body leaked, "sent" named id 0)
 * or put another message under its "sent".
 */
static void dispatch_before_the_sent_answer(bool another)
{
	int64_t id, next = 0;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	/* As in the daemon: outcomes wait for the turn's commit. */
	store_batch_attach(env.st, env.loop);
	id = add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL,
		 "a body long enough to be its own allocation, 52 bytes");
	pump();
	CHECK_INT(env.nsends, 1);
	/* The kick is queued first, the answer's commit after it. */
	outbound_kick(env.ob);
	env.sends[0].answered = true;
	env.sends[0].cb(&(struct modem_send_result){ .status = MODEM_SEND_OK,
						    .mr = 1 },
			env.sends[0].ud);
	if (another) {
		/* Queued after the answer's claim looked, before the kick. */
		struct outbox_new m = {
			.recipient = "+15550000002", .body = "next",
			.kind = MSG_KIND_DIRECT, .priority = MSG_PRIORITY_NORMAL,
			.validity_minutes = -1, .parts = 1,
		};
		enum outbox_add_result res;

		CHECK_INT(store_outbox_add(env.st, 0, &m, false, env.now,
					   &next, &res), 0);
	}
	pump();
	CHECK_STR(state_of(id), "sent");
	CHECK_INT(env.events_sent, 1);
	CHECK_INT(env.last_sent_id, id);
	if (another) {
		pump();
		CHECK_INT(env.nsends, 2);
		CHECK_STR(dest_of(1), "+15550000002");
		answer(1, MODEM_SEND_OK, 2);
		CHECK_STR(state_of(next), "sent");
		CHECK_INT(env.last_sent_id, next);
	} else {
		CHECK_INT(env.nsends, 1);
	}
	pump();
	store_batch_attach(env.st, NULL);
	teardown();
}

TEST(outbound_dispatch_before_the_sent_answer_claims_nothing)
{
	dispatch_before_the_sent_answer(false);
}

TEST(outbound_dispatch_before_the_sent_answer_sends_the_next_after)
{
	dispatch_before_the_sent_answer(true);
}

/*
 * A claim is out from the dispatch to the turn's commit, and the SIM is
 * taken meanwhile. Its row, written in that window for another reason (a
 * signal reading), said busy, and an empty claim left it so until the
 * next change: "busy" on an idle SIM for a health interval.
 */
TEST(outbound_empty_claim_leaves_the_row_ready)
{
	struct sim *sim;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	store_batch_attach(env.st, env.loop);
	sim = &env.reg.sims[0];
	outbound_kick(env.ob);
	loop_run_once(env.loop, 0);	/* the dispatch: a claim is out */
	CHECK(sim->sending);
	sim->signal_dbm = -71;
	sim_update(&env.reg, sim);
	CHECK_STR(scalar_text("SELECT state FROM sim"), "busy");
	pump();
	CHECK(!sim->sending);
	CHECK_STR(scalar_text("SELECT state FROM sim"), "ready");
	CHECK_INT(env.nsends, 0);
	store_batch_attach(env.st, NULL);
	teardown();
}

/* A report that does not decode says why; only a PDU of another type is
 * "not a status report". */
TEST(outbound_status_report_not_understood_says_why)
{
	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 1);
	CHECK_INT(outbound_status_report(env.ob, &env.reg.sims[0], "00ZZ",
					 NULL, NULL), -EINVAL);
	CHECK_INT(scalar("SELECT count(*) FROM events WHERE message LIKE"
			 " 'status report on a/1 not understood (%'"
			 " AND message NOT LIKE '%not a status report%'"), 1);
	CHECK_INT(outbound_status_report(env.ob, &env.reg.sims[0],
					 env.sends[0].pdu, NULL, NULL), -EINVAL);
	CHECK_INT(scalar("SELECT count(*) FROM events WHERE message LIKE"
			 " '%(not a status report (an SMS-SUBMIT))%'"), 1);
	teardown();
}

/* modem_send_pdu() refuses the PDU itself (-EINVAL): the message fails
 * instead of going round the queue, and the next one goes. */
TEST(outbound_refused_pdu_fails_the_message)
{
	int64_t id, next;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	env.send_rc = -EINVAL;
	id = add("+15550000001", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_STR(state_of(id), "failed");
	CHECK_INT(env.events_failed, 1);
	CHECK_INT(env.nsends, 0);
	env.send_rc = 0;
	next = add("+15550000002", MSG_KIND_DIRECT, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_INT(env.nsends, 1);
	answer(0, MODEM_SEND_OK, 1);
	CHECK_STR(state_of(next), "sent");
	teardown();
}
