/* The AT chat over a socketpair: the test plays the modem. */
#include "chat_fixture.h"

struct urc_rec {
	int calls;
	char line[128];
	char pdu[512];
	bool has_pdu;
	int *seq;
	int order;
};

static void urc_cb(const char *line, const char *pdu, void *ud)
{
	struct urc_rec *u = ud;

	u->calls++;
	snprintf(u->line, sizeof(u->line), "%s", line);
	u->has_pdu = pdu != NULL;
	snprintf(u->pdu, sizeof(u->pdu), "%s", pdu ? pdu : "");
	if (u->seq)
		u->order = ++*u->seq;
}

static void noise_cb(const char *line, void *ud)
{
	struct urc_rec *u = ud;

	u->calls++;
	snprintf(u->line, sizeof(u->line), "%s", line);
}

TEST(at_chat_one_command_in_flight_then_the_next)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 }, c = { 0 };
	int seq = 0;

	fx_init(&fx);
	a.seq = b.seq = c.seq = &seq;
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &a) > 0);
	CHECK(at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &b) > 0);
	CHECK(at_chat_send(fx.chat, "ATE0", NULL, rec_cb, &c) > 0);
	CHECK_INT(at_chat_pending(fx.chat), 3);
	CHECK_INT(a.calls, 0); /* never from inside submit */
	fx_expect_str(&fx, "AT\r");
	CHECK(fx_quiet(&fx)); /* the second waits for the first's answer */
	fx_say(&fx, "\r\nOK\r\n");
	fx_expect_str(&fx, "AT+CSQ\r");
	CHECK_INT(a.calls, 1);
	CHECK_INT(a.status, AT_CHAT_STATUS_OK);
	CHECK_STR(a.final, "OK");
	CHECK(fx_quiet(&fx));
	fx_say(&fx, "\r\n+CSQ: 17,99\r\n\r\nOK\r\n");
	fx_expect_str(&fx, "ATE0\r");
	fx_say(&fx, "\r\nERROR\r\n");
	CHECK(fx_until(&fx, &c.calls, 1));
	CHECK_INT(b.nlines, 1);
	CHECK_STR(b.lines[0], "+CSQ: 17,99");
	CHECK_INT(c.status, AT_CHAT_STATUS_ERROR);
	CHECK_STR(c.final, "ERROR");
	CHECK_INT(a.order, 1);
	CHECK_INT(b.order, 2);
	CHECK_INT(c.order, 3);
	CHECK_INT(at_chat_pending(fx.chat), 0);
	fx_done(&fx);
}

TEST(at_chat_unexpected_lines_are_noise_raw_lines_kept)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 };
	struct urc_rec noise = { 0 };
	struct at_request req = { .command = "AT+CGSN", .raw_lines = true,
				  .cb = rec_cb, .ud = &b };
	struct at_chat_stats st;

	fx_init(&fx);
	at_chat_set_noise(fx.chat, noise_cb, &noise);
	/* A line before any command, a stray OK, a RING nobody claims. */
	fx_say(&fx, "\r\n+CPIN: READY\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &noise.calls, 2));
	CHECK(at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &a) > 0);
	fx_expect_str(&fx, "AT+CSQ\r");
	fx_say(&fx, "\r\n+CSQ: 17,99\r\n\r\nRING\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(a.nlines, 1);
	CHECK_STR(noise.line, "RING");
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	fx_expect_str(&fx, "AT+CGSN\r");
	fx_say(&fx, "\r\n490154203237518\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &b.calls, 1));
	CHECK_INT(b.nlines, 1);
	CHECK_STR(b.lines[0], "490154203237518");
	at_chat_stats(fx.chat, &st);
	CHECK_INT(st.noise, 3);
	CHECK_INT(st.commands, 2);
	fx_done(&fx);
}

TEST(at_chat_final_table_extended_at_run_time)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 };
	struct at_request req = { .command = "AT+MODE=2", .timeout_ms = 100,
				  .cb = rec_cb, .ud = &a };

	fx_init(&fx);
	/* Huawei E1752 (captures/huawei-e1752/init.at): not in the table,
	 * so the command times out... */
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	fx_expect_str(&fx, "AT+MODE=2\r");
	fx_say(&fx, "AT+MODE=2\r\r\nCOMMAND NOT SUPPORT\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(a.status, AT_CHAT_STATUS_TIMEOUT);
	CHECK_INT(a.stage, AT_CHAT_STAGE_WRITTEN);
	/* ...until a driver adds the row. */
	CHECK_INT(at_chat_add_final(fx.chat, "COMMAND NOT SUPPORT", false,
				    false), 0);
	req.ud = &b;
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	fx_expect_str(&fx, "AT+MODE=2\r");
	fx_say(&fx, "AT+MODE=2\r\r\nCOMMAND NOT SUPPORT\r\n");
	CHECK(fx_until(&fx, &b.calls, 1));
	CHECK_INT(b.status, AT_CHAT_STATUS_ERROR);
	CHECK_STR(b.final, "COMMAND NOT SUPPORT");
	CHECK_INT(at_chat_add_final(fx.chat, "", true, true), -EINVAL);
	fx_done(&fx);
}

TEST(at_chat_later_final_rows_win)
{
	struct fx fx;
	struct rec a = { 0 };

	fx_init(&fx);
	/* A made-up quirk: a vendor whose "ERROR: 3" means success. */
	CHECK_INT(at_chat_add_final(fx.chat, "ERROR: 3", false, true), 0);
	CHECK(at_chat_send(fx.chat, "AT^X", NULL, rec_cb, &a) > 0);
	fx_expect_str(&fx, "AT^X\r");
	fx_say(&fx, "\r\nERROR: 3\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(a.status, AT_CHAT_STATUS_OK);
	fx_done(&fx);
}

TEST(at_chat_urc_in_the_middle_of_a_listing)
{
	struct fx fx;
	struct rec a = { 0 };
	struct urc_rec cmti = { 0 };
	static const char *const prefixes[] = { "+CMGL:", NULL };
	struct at_request req = { .command = "AT+CMGL=4",
				  .prefixes = prefixes, .pdu_lines = true,
				  .cb = rec_cb, .ud = &a };
	int seq = 0;

	fx_init(&fx);
	a.seq = cmti.seq = &seq;
	CHECK(at_chat_register(fx.chat, "+CMTI:", false, urc_cb, &cmti) > 0);
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	fx_expect_str(&fx, "AT+CMGL=4\r");
	fx_say(&fx, "\r\n+CMGL: 1,1,,21\r\n0791AA\r\n"
		    "\r\n+CMTI: \"SM\",3\r\n"
		    "+CMGL: 2,0,\"Ann\",23\r\n\r\n+CMTI: \"SM\",4\r\n0791BB\r\n"
		    "\r\nOK\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(cmti.calls, 2);
	CHECK_STR(cmti.line, "+CMTI: \"SM\",4");
	CHECK(cmti.order < a.order);
	CHECK_INT(a.status, AT_CHAT_STATUS_OK);
	CHECK_INT(a.nlines, 4);
	CHECK_STR(a.lines[0], "+CMGL: 1,1,,21");
	CHECK_STR(a.lines[1], "0791AA");
	CHECK_STR(a.lines[2], "+CMGL: 2,0,\"Ann\",23");
	/* The URC between a header and its PDU kept the PDU owed. */
	CHECK_STR(a.lines[3], "0791BB");
	fx_done(&fx);
}

TEST(at_chat_cmt_with_its_pdu_inside_a_command)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 };
	struct urc_rec cmt = { 0 };

	fx_init(&fx);
	CHECK(at_chat_register(fx.chat, "+CMT:", true, urc_cb, &cmt) > 0);
	CHECK(at_chat_send(fx.chat, "AT+CSQ", "+CSQ:", rec_cb, &a) > 0);
	fx_expect_str(&fx, "AT+CSQ\r");
	fx_say(&fx, "\r\n+CMT: ,21\r\n");
	fx_say(&fx, "07915155000000F0040B915155214365F7000062117260000000"
		    "02C834\r\n\r\n+CSQ: 9,99\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(cmt.calls, 1);
	CHECK_STR(cmt.line, "+CMT: ,21");
	CHECK(cmt.has_pdu);
	CHECK_STR(cmt.pdu,
		  "07915155000000F0040B915155214365F7000062117260000000"
		  "02C834");
	CHECK_INT(a.nlines, 1);
	CHECK_STR(a.lines[0], "+CSQ: 9,99");

	/* A header whose PDU never comes: the handler hears NULL and the
	 * line after it still counts. */
	CHECK(at_chat_send(fx.chat, "AT", NULL, rec_cb, &b) > 0);
	fx_expect_str(&fx, "AT\r");
	fx_say(&fx, "\r\n+CMT: ,21\r\n\r\nOK\r\n");
	CHECK(fx_until(&fx, &b.calls, 1));
	CHECK_INT(cmt.calls, 2);
	CHECK(!cmt.has_pdu);
	CHECK_INT(b.status, AT_CHAT_STATUS_OK);
	/* And with no command at all. */
	fx_say(&fx, "\r\n+CMT: \"\",23\r\n00AB\r\n");
	CHECK(fx_until(&fx, &cmt.calls, 3));
	CHECK_STR(cmt.pdu, "00AB");
	fx_done(&fx);
}

TEST(at_chat_unregister_and_shared_prefixes)
{
	struct fx fx;
	struct urc_rec x = { 0 }, y = { 0 };
	int id;

	fx_init(&fx);
	id = at_chat_register(fx.chat, "^RSSI:", false, urc_cb, &x);
	CHECK(id > 0);
	CHECK(at_chat_register(fx.chat, "^RSSI", false, urc_cb, &y) > 0);
	CHECK_INT(at_chat_register(fx.chat, "", false, urc_cb, &y), -EINVAL);
	fx_say(&fx, "\r\n^RSSI:14\r\n");
	CHECK(fx_until(&fx, &y.calls, 1));
	CHECK_INT(x.calls, 1);
	at_chat_unregister(fx.chat, id);
	fx_say(&fx, "\r\n^RSSI:10\r\n");
	CHECK(fx_until(&fx, &y.calls, 2));
	CHECK_INT(x.calls, 1);
	fx_done(&fx);
}

TEST(at_chat_removed_final_becomes_a_urc_inside_a_response)
{
	struct fx fx;
	struct rec a = { 0 };
	struct urc_rec nc = { 0 };

	fx_init(&fx);
	/* A caller hangs up while AT+CMGR runs: NO CARRIER must not end it. */
	CHECK_INT(at_chat_remove_final(fx.chat, "NO CARRIER"), 1);
	CHECK_INT(at_chat_remove_final(fx.chat, "NO CARRIER"), 0);
	CHECK(at_chat_register(fx.chat, "NO CARRIER", false, urc_cb, &nc) > 0);
	CHECK(at_chat_send(fx.chat, "AT+CMGR=1", "+CMGR:", rec_cb, &a) > 0);
	fx_expect_str(&fx, "AT+CMGR=1\r");
	fx_say(&fx, "\r\nNO CARRIER\r\n\r\n+CMGR: 0,,4\r\n\r\nOK\r\n");
	fx_ok_one_line(&fx, &a, "+CMGR: 0,,4");
	CHECK_INT(nc.calls, 1);
	fx_done(&fx);
}
