/*
 * What real modems leave in storage is read (issue "real modems"): a read
 * whose answer cannot be parsed is an event with the raw answer and the
 * message is read again by a listing; a modem with indications is still
 * counted every few minutes and listed when it holds more than smsgw
 * knows of; one that refuses every +CNMI is listed every few seconds.
 * Against the scripted modem of modem_rig.h, on the test's clock.
 */
#include "modem_rig.h"

/* SMSC 07 91..., then a 21-octet SMS-DELIVER (test_real_modems.c). */
#define PDU21 "07915155000000F0040B915155214365F700006211726000000002C834"
#define CMGL3 "\r\n+CMGL: 3,0,,21\r\n" PDU21 "\r\n"

static bool start(const char *name)
{
	struct modem_listener l = LISTENER;

	loop_set_clock(fake_clock);
	memset(&env, 0, sizeof(env));
	tmod.fd = -1;
	snprintf(env.link, sizeof(env.link), "%s/modem-%s", harness_tmpdir(),
		 name);
	if (!rig_open(name, conf_text(""), &env.cfg, &env.loop, &env.st,
		      &env.reg))
		return false;
	tm_plug(env.link);
	CHECK_INT(modem_new(env.loop, &env.reg, env.cfg, &env.cfg->modems[0],
			    &l, &env.m), 0);
	ADVANCE_UNTIL(READY, 20000);
	/* The import that follows ready, done. */
	advance(2000);
	return READY;
}

static void stop(void)
{
	modem_free(env.m);
	tm_unplug();
	rig_close(env.cfg, env.loop, env.st, &env.reg);
	loop_set_clock(NULL);
}

TEST(an_unreadable_read_is_an_event_and_read_again)
{
	int lists;

	memset(&tmod, 0, sizeof(tmod));
	if (!start("unreadable"))
		return;
	lists = tmod.cmgl_seen;
	env.watch = "unreadable answer";
	/* The modem garbles the answer once (a PDU shorter than its
	 * <length>); the message is stored. */
	tmod.cmgr_answer = "\r\n+CMGR: 0,,22\r\n" PDU21 "\r\n\r\nOK\r\n";
	tmod.cmgl_answer = CMGL3;
	tmod.cpms_used = 1;
	tm_say("\r\n+CMTI: \"SM\",3\r\n");
	ADVANCE_UNTIL(env.sms_calls == 1, 10000);
	CHECK_INT(tmod.cmgr_seen, 1);
	CHECK(tmod.cmgl_seen > lists);
	CHECK_INT(env.watched, 1);
	CHECK(strstr(env.event, "AT+CMGR=3") != NULL);
	CHECK(strstr(env.event, "+CMGR: 0,,22 | " PDU21 " | OK") != NULL);
	/* Deleted once stored: nothing left behind. */
	ADVANCE_UNTIL(tmod.cmgd_seen == 1, 5000);
	stop();
}

TEST(a_modem_with_indications_is_still_counted_and_listed)
{
	int lists, counts;

	memset(&tmod, 0, sizeof(tmod));
	if (!start("sweep"))
		return;
	/* A message stored without its +CMTI (lost on the line, or stored
	 * while the modem had no indications on). */
	tmod.cmgl_answer = CMGL3;
	tmod.cpms_used = 1;
	lists = tmod.cmgl_seen;
	counts = tmod.cpms_query_seen;
	/* Indications on: no listing every few seconds... */
	advance(60000);
	CHECK_INT(tmod.cmgl_seen, lists);
	CHECK_INT(env.sms_calls, 0);
	/* ...but counted within minutes, and listed as it holds more. */
	ADVANCE_UNTIL(env.sms_calls == 1, 6 * 60 * 1000);
	CHECK(tmod.cpms_query_seen > counts);
	CHECK(tmod.cmgl_seen > lists);
	ADVANCE_UNTIL(tmod.cmgd_seen == 1, 5000);
	stop();
}

TEST(a_modem_that_cannot_indicate_is_listed_every_few_seconds)
{
	int lists;

	memset(&tmod, 0, sizeof(tmod));
	tmod.cnmi_refused = true;
	if (!start("noind"))
		return;
	lists = tmod.cmgl_seen;
	advance(11000);
	CHECK(tmod.cmgl_seen >= lists + 2);
	tmod.cmgl_answer = CMGL3;
	tmod.cpms_used = 1;
	ADVANCE_UNTIL(env.sms_calls == 1, 6000);
	ADVANCE_UNTIL(tmod.cmgd_seen == 1, 5000);
	stop();
}
