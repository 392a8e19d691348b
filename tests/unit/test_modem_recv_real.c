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

/* The memory a +CMTI names is the one read and deleted in (TS 27.005
 * §3.4.1): a firmware that ignores <mem3> stores in "ME" while smsgw
 * reads "SM"; AT+CMGR=3 and AT+CMGD=3 in "SM" would read another message
 * and delete one never read. */
TEST(a_notice_in_another_memory_is_read_and_deleted_there)
{
	memset(&tmod, 0, sizeof(tmod));
	if (!start("foreign"))
		return;
	CHECK_STR(tmod.mem1, "SM");
	tmod.cmgr_answer = "\r\n+CMGR: 0,,21\r\n" PDU21 "\r\n\r\nOK\r\n";
	tm_say("\r\n+CMTI: \"ME\",3\r\n");
	ADVANCE_UNTIL(env.sms_calls == 1, 10000);
	CHECK_INT(tmod.cmgr_seen, 1);
	CHECK_STR(tmod.cmgr_mem, "ME");
	ADVANCE_UNTIL(tmod.cmgd_seen == 1, 5000);
	CHECK_STR(tmod.cmgd_mem, "ME");
	/* <mem1> back where listings and other reads expect it. */
	ADVANCE_UNTIL(!strcmp(tmod.mem1, "SM"), 5000);
	/* The notice's memory is <mem1>: nothing is selected. */
	tmod.cmgr_answer = "\r\n+CMGR: 0,,21\r\n" PDU21 "\r\n\r\nOK\r\n";
	tm_say("\r\n+CMTI: \"sm\",4\r\n");
	ADVANCE_UNTIL(tmod.cmgd_seen == 2, 10000);
	CHECK_STR(tmod.cmgr_mem, "SM");
	CHECK_STR(tmod.cmgd_mem, "SM");
	CHECK_INT(env.sms_calls, 2);
	stop();
}

/* A memory the modem will not select: nothing is read or deleted by that
 * index in <mem1>, and an event says so. */
TEST(a_notice_in_a_memory_that_cannot_be_selected_touches_nothing)
{
	memset(&tmod, 0, sizeof(tmod));
	if (!start("refused"))
		return;
	tmod.cpms_only = "SM";
	env.watch = "not read or deleted";
	tm_say("\r\n+CMTI: \"SR\",2\r\n");
	ADVANCE_UNTIL(env.watched == 1, 10000);
	advance(3000);
	CHECK_INT(tmod.cmgr_seen, 0);
	CHECK_INT(tmod.cmgd_seen, 0);
	CHECK_INT(env.sms_calls, 0);
	CHECK(strstr(env.event, "AT+CPMS=\"SR\"") != NULL);
	CHECK_STR(tmod.mem1, "SM");
	CHECK(READY);
	stop();
}

/* The way back to <mem1> refused: nothing more is read, listed or deleted
 * in the other memory by <mem1>'s indexes; init selects storage again. */
TEST(a_refused_way_back_selects_storage_again)
{
	int inits;

	memset(&tmod, 0, sizeof(tmod));
	if (!start("back"))
		return;
	inits = tmod.cpms_full_seen;
	tmod.cpms_back_refused = 1;
	env.watch = "storage is selected again";
	tmod.cmgr_answer = "\r\n+CMGR: 0,,21\r\n" PDU21 "\r\n\r\nOK\r\n";
	tm_say("\r\n+CMTI: \"ME\",3\r\n");
	ADVANCE_UNTIL(env.watched == 1, 10000);
	CHECK_STR(tmod.cmgr_mem, "ME");
	ADVANCE_UNTIL(tmod.cpms_full_seen > inits, 20000);
	ADVANCE_UNTIL(READY, 20000);
	CHECK_STR(tmod.mem1, "SM");
	/* The message was handed up once and deleted where it was read. */
	ADVANCE_UNTIL(tmod.cmgd_seen == 1, 10000);
	CHECK_STR(tmod.cmgd_mem, "ME");
	CHECK_INT(env.sms_calls, 1);
	stop();
}

/* ---- messages in the other memories the modem offers ---- */

#define CPMS_TEST                                                       \
	"+CPMS: (\"SM\",\"ME\",\"MT\",\"BM\"),(\"SM\",\"ME\"),"              \
	"(\"SM\",\"ME\")"

static int submitted;

/* Keeps one send going (at most one per modem at a time): every
 * AT+CMGS must find <mem1> at "SM", never between a switch and its way
 * back. */
static bool keep_sending(void)
{
	if (env.sent_calls == submitted &&
	    modem_send_pdu(&env.reg.sims[0], PDU, 17, send_cb, NULL) == 0)
		submitted++;
	return true;
}

/* Stored in "ME" before start (a firmware that ignores <mem3>, or an
 * old phone's own memory): the import lists it there, between
 * AT+CPMS="ME" and AT+CPMS="SM"; "BM" (cell broadcast) is not an SMS
 * memory, and "MT" is "SM" and "ME" again (TS 27.005 §3.2.2). */
TEST(a_message_in_another_memory_before_start_is_imported)
{
	memset(&tmod, 0, sizeof(tmod));
	tmod.cpms_test = CPMS_TEST;
	tmod.me_used = 1;
	tmod.me_cmgl = CMGL3;
	submitted = 0;
	if (!start("me_import"))
		return;
	ADVANCE_UNTIL(keep_sending() && env.sms_calls == 1, 10000);
	ADVANCE_UNTIL(keep_sending() && tmod.cmgd_seen == 1, 10000);
	CHECK_STR(tmod.cmgd_mem, "ME");
	CHECK_INT(tmod.me_used, 0);
	ADVANCE_UNTIL(keep_sending() && env.sent_calls >= 3, 10000);
	ADVANCE_UNTIL(!strcmp(tmod.mem1, "SM"), 5000);
	CHECK_INT(tmod.cmgl_me_seen, 1);
	CHECK_INT(tmod.cpms_odd_seen, 0);
	CHECK_INT(tmod.cmgs_off_mem1, 0);
	CHECK_INT(env.sms_calls, 1);
	stop();
}

/* The select counts the memory (+CPMS: <used1>,...): an empty one is not
 * listed. */
TEST(an_empty_other_memory_is_counted_not_listed)
{
	memset(&tmod, 0, sizeof(tmod));
	tmod.cpms_test = CPMS_TEST;
	if (!start("me_empty"))
		return;
	ADVANCE_UNTIL(tmod.cpms_me_seen == 1 && !strcmp(tmod.mem1, "SM"),
		      5000);
	advance(3000);
	CHECK_INT(tmod.cmgl_me_seen, 0);
	CHECK_INT(tmod.cpms_me_seen, 1);
	CHECK_INT(env.sms_calls, 0);
	stop();
}

/* A +CMTI: "ME" whose switch is refused: remembered, and the message is
 * listed there at the next health check (10 s here), read once, and
 * deleted there. */
TEST(a_refused_switch_is_listed_at_the_next_health_check)
{
	memset(&tmod, 0, sizeof(tmod));
	tmod.cpms_test = CPMS_TEST;
	submitted = 0;
	if (!start("me_refused"))
		return;
	tmod.me_used = 1;
	tmod.me_cmgl = CMGL3;
	tmod.cpms_refuse_me = 1;
	env.watch = "listed there later";
	tm_say("\r\n+CMTI: \"ME\",3\r\n");
	ADVANCE_UNTIL(keep_sending() && env.watched == 1, 5000);
	CHECK(strstr(env.event, "AT+CPMS=\"ME\"") != NULL);
	CHECK_INT(tmod.cmgr_seen, 0);
	CHECK_INT(env.sms_calls, 0);
	ADVANCE_UNTIL(keep_sending() && env.sms_calls == 1, 15000);
	CHECK_INT(tmod.cmgl_me_seen, 1);
	ADVANCE_UNTIL(keep_sending() && tmod.cmgd_seen == 1, 10000);
	CHECK_STR(tmod.cmgd_mem, "ME");
	/* Nothing more: read once. */
	advance(25000);
	CHECK_INT(env.sms_calls, 1);
	CHECK_INT(tmod.cmgl_me_seen, 1);
	CHECK(env.sent_calls >= 3);
	CHECK_INT(tmod.cmgs_off_mem1, 0);
	CHECK_STR(tmod.mem1, "SM");
	stop();
}

/* A memory that always refuses: tried at a few health checks, then only
 * at the periodic count; <mem1> is never left. */
TEST(a_memory_that_always_refuses_waits_for_the_periodic_count)
{
	int tries;

	memset(&tmod, 0, sizeof(tmod));
	tmod.cpms_test = CPMS_TEST;
	tmod.cpms_refuse_me = 1000;
	if (!start("me_never"))
		return;
	advance(60000);
	/* Init's count, the import, then the next health checks. */
	tries = tmod.cpms_me_seen;
	CHECK(tries >= 2 && tries <= 4);	/* MODEM_RECV_MEM_TRIES 3 */
	advance(60000);
	CHECK_INT(tmod.cpms_me_seen, tries);
	advance(2 * 60 * 1000);
	CHECK_INT(tmod.cpms_me_seen, tries);
	ADVANCE_UNTIL(tmod.cpms_me_seen > tries, 3 * 60 * 1000);
	CHECK(READY);
	stop();
}

/* Stored in "ME" while smsgw runs, without a notice: the periodic count
 * (AT+CPMS?) lists it within minutes. Where AT+CPMS? names "ME" (as
 * <mem2>) its count is read there, and an empty "ME" costs no line. */
TEST(the_periodic_count_lists_another_memory)
{
	int sel, counts;

	memset(&tmod, 0, sizeof(tmod));
	tmod.cpms_test = CPMS_TEST;
	tmod.cpms_query_me = true;
	if (!start("me_sweep"))
		return;
	sel = tmod.cpms_me_seen;
	counts = tmod.cpms_query_seen;
	/* Empty at the count: "ME" is not selected. */
	advance(4 * 60 * 1000);
	ADVANCE_UNTIL(tmod.cpms_query_seen > counts, 2 * 60 * 1000);
	advance(2000);
	CHECK_INT(tmod.cpms_me_seen, sel);
	tmod.me_used = 1;
	tmod.me_cmgl = CMGL3;
	/* Not before the next count... */
	advance(60000);
	CHECK_INT(env.sms_calls, 0);
	/* ...then listed and deleted there. */
	advance(3 * 60 * 1000);
	CHECK_INT(env.sms_calls, 0);
	ADVANCE_UNTIL(env.sms_calls == 1, 2 * 60 * 1000);
	CHECK_INT(tmod.cmgl_me_seen, 1);
	ADVANCE_UNTIL(tmod.cmgd_seen == 1, 10000);
	CHECK_STR(tmod.cmgd_mem, "ME");
	stop();
}
