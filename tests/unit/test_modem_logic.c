/* The modem lifecycle's pure decisions, on real answers. */
#include "harness.h"
#include "backoff.h"
#include "driver.h"
#include "modem_logic.h"
#include "at_parse_sms.h"

TEST(modem_logic_ladder_climbs_and_stays_out_of_service)
{
	enum modem_ladder s = MODEM_LADDER_NONE;
	static const enum modem_ladder want[] = {
		MODEM_LADDER_ESCAPE, MODEM_LADDER_REINIT, MODEM_LADDER_RESET,
		MODEM_LADDER_REOPEN, MODEM_LADDER_OUT_OF_SERVICE,
		MODEM_LADDER_OUT_OF_SERVICE,
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		s = modem_logic_ladder_next(s);
		CHECK_INT(s, want[i]);
	}
	CHECK_STR(modem_logic_ladder_name(MODEM_LADDER_ESCAPE), "ESC and AT");
	CHECK_STR(modem_logic_ladder_name(MODEM_LADDER_RESET), "soft reset");
	CHECK_STR(modem_logic_ladder_name(MODEM_LADDER_OUT_OF_SERVICE),
		  "out of service");
}

TEST(modem_logic_pin_is_entered_once_and_never_retried)
{
	static const struct {
		const char *line;
		bool have, tried;
		enum modem_pin_action want;
	} rows[] = {
		{ "+CPIN: READY", false, false, MODEM_PIN_READY },
		{ "+CPIN: SIM PIN", true, false, MODEM_PIN_ENTER },
		{ "+CPIN: SIM PIN", true, true, MODEM_PIN_REFUSED },
		{ "+CPIN: SIM PIN", false, false, MODEM_PIN_NO_PIN },
		{ "+CPIN: \"SIM PIN\"", true, false, MODEM_PIN_ENTER },
		{ "+CPIN: SIM PUK", true, false, MODEM_PIN_PUK },
		{ "+CPIN: SIM PUK2", true, false, MODEM_PIN_PUK },
		{ "+CPIN: SIM PIN2", false, false, MODEM_PIN_READY },
		{ "+CPIN: PH-SIM PIN", true, false, MODEM_PIN_OTHER },
		{ "+CPIN: PH-NET PIN", true, false, MODEM_PIN_OTHER },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		enum at_cpin code;

		if (!CHECK(at_parse_cpin(rows[i].line, &code)))
			continue;
		if (!CHECK_INT(modem_logic_pin_action(code, rows[i].have,
						      rows[i].tried),
			       rows[i].want))
			harness_fail(__FILE__, __LINE__, "row %zu", i);
	}
}

TEST(modem_logic_busy_errors)
{
	static const struct {
		const char *final;
		bool busy;
	} rows[] = {
		{ "+CME ERROR: 14", true },	/* SIM busy */
		{ "+CMS ERROR: 314", true },	/* SIM busy */
		{ "+CMS ERROR: 515", true },	/* please wait */
		{ "+CME ERROR: 515", true },
		{ "+CME ERROR: SIM busy", true },
		{ "+CME ERROR: 10", false },	/* SIM not inserted */
		{ "+CMS ERROR: 500", false },
		{ "+CMS ERROR: 330", false },
		{ "ERROR", false },
		{ "OK", false },
		{ "+CMS ERROR:", false },
		{ "", false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!CHECK(modem_logic_busy_error(rows[i].final) ==
			   rows[i].busy))
			harness_fail(__FILE__, __LINE__, "row %zu: %s", i,
				     rows[i].final);
	CHECK(!modem_logic_busy_error(NULL));
}

TEST(modem_logic_pdu_kind_from_tp_mti)
{
	static const struct {
		const char *hex;
		enum modem_pdu_kind want;
	} rows[] = {
		/* captures/huawei-e1752/cmgl.at */
		{ "07913366003051F5040B913306000000F1000051807191203480"
		  "04D4F29C0E", MODEM_PDU_DELIVER },
		/* TS 23.040 §9.2.2.3 status report, no SMSC */
		{ "0006D60B911326880736F4111011719551401110117195714000",
		  MODEM_PDU_STATUS_REPORT },
		/* an SMS-SUBMIT kept in storage (captures/quectel-ec25) */
		{ "0031000A8160000000100000AA04D4F29C0E", MODEM_PDU_OTHER },
		{ "07913366003051F5", MODEM_PDU_BAD },	/* SMSC only */
		{ "0", MODEM_PDU_BAD },
		{ "", MODEM_PDU_BAD },
		{ "ZZ04", MODEM_PDU_BAD },
		/* an SMSC of 13 octets */
		{ "0DFFFFFFFFFFFFFFFFFFFFFFFFFF04", MODEM_PDU_BAD },
		{ "00G4", MODEM_PDU_BAD },
		{ "0004", MODEM_PDU_DELIVER },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (!CHECK_INT(modem_logic_pdu_kind(rows[i].hex),
			       rows[i].want))
			harness_fail(__FILE__, __LINE__, "row %zu", i);
	CHECK_INT(modem_logic_pdu_kind(NULL), MODEM_PDU_BAD);
}

TEST(modem_logic_storage_full_from_cpms)
{
	static const struct {
		const char *line;
		bool full;
	} rows[] = {
		{ "+CPMS: 30,30,30,30,30,30", true },
		{ "+CPMS: 0,50,0,50,0,50", false },
		/* captures/huawei-e1752/init.at: ME full, SM not */
		{ "+CPMS: 23,23,0,23,1,50", true },
		{ "+CPMS: \"SM\",5,30,\"SM\",5,30,\"SM\",5,30", false },
		{ "+CPMS: \"SM\",30,30,\"SM\",30,30,\"SM\",30,30", true },
		{ "+CPMS: 0,0,0,0,0,0", false },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct at_cpms c;

		if (!CHECK(at_parse_sms_cpms(rows[i].line, &c)))
			continue;
		if (!CHECK(modem_logic_storage_full(&c) == rows[i].full))
			harness_fail(__FILE__, __LINE__, "row %zu", i);
	}
}

TEST(modem_logic_cnmi_turns_mt_off_without_receive)
{
	static const struct driver_cnmi c[] = {
		{ 2, 1, 0, 1, 0 }, { -1, 0, 0, 0, 0 },
	};
	char buf[64];

	CHECK(modem_logic_cnmi(&c[0], true, buf, sizeof(buf)));
	CHECK_STR(buf, "AT+CNMI=2,1,0,1,0");
	CHECK(modem_logic_cnmi(&c[0], false, buf, sizeof(buf)));
	CHECK_STR(buf, "AT+CNMI=2,0,0,1,0");
	CHECK(!modem_logic_cnmi(&c[1], true, buf, sizeof(buf)));
	CHECK(!modem_logic_cnmi(NULL, true, buf, sizeof(buf)));
	CHECK(!modem_logic_cnmi(&c[0], true, buf, 10));
}

/* delivery = direct: <mt> 2 in mode 3, then mode 2, then the stored list;
 * the modem's ranges pick among them as for stored. */
TEST(modem_logic_cnmi_direct_first_then_stored)
{
	struct driver_cnmi out[24], fit[24];
	struct at_cnmi_ranges r;
	char cmd[64];
	size_t n = 0;

	CHECK_INT(modem_logic_cnmi_direct(driver_generic.cnmi, out, 24), 6);
	CHECK(modem_logic_cnmi(&out[0], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=3,2,0,1,0");
	CHECK(modem_logic_cnmi(&out[3], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=2,2,0,1,0");
	/* mode 1 rows give no direct ones (a +CMT refused while busy). */
	for (size_t i = 0; i < 6; i++)
		CHECK(out[i].mt == 2 && out[i].mode >= 2);
	CHECK(modem_logic_cnmi(&out[6], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=2,1,0,1,0");
	while (out[n].mode >= 0)
		n++;
	CHECK_INT(n, 12);
	/* Room for a few only: direct ones first, the end row kept. */
	CHECK_INT(modem_logic_cnmi_direct(driver_generic.cnmi, out, 3), 2);
	CHECK_INT(out[2].mode, -1);
	/* A modem without mode 3 (SIM800 lists (0-2) on some firmware):
	 * mode 2 direct first. */
	CHECK(at_parse_sms_cnmi_ranges("+CNMI: (0-2),(0-3),(0),(0-2),(0,1)",
				       &r));
	modem_logic_cnmi_direct(driver_generic.cnmi, out, 24);
	CHECK(modem_logic_cnmi_fit(&r, out, fit, 24) > 0);
	CHECK(modem_logic_cnmi(&fit[0], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=2,2,0,1,0");
	/* One that stores only: the stored rows, nothing direct. */
	CHECK(at_parse_sms_cnmi_ranges("+CNMI: (0-3),(0,1),(0),(0-2),(0,1)",
				       &r));
	CHECK(modem_logic_cnmi_fit(&r, out, fit, 24) > 0);
	CHECK(modem_logic_cnmi(&fit[0], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=2,1,0,1,0");
	CHECK_INT(modem_logic_cnmi_direct(NULL, out, 24), 0);
	CHECK_INT(out[0].mode, -1);
}

TEST(modem_logic_registered_by_any_query)
{
	static const int none[] = { -1, -1 }, home[] = { 1, -1 },
			 roam[] = { 2, 5 }, denied[] = { 0, 3 },
			 sms_only[] = { -1, 6 };

	CHECK(!modem_logic_registered(none, 2));
	CHECK(modem_logic_registered(home, 2));
	CHECK(modem_logic_registered(roam, 2));
	CHECK(!modem_logic_registered(denied, 2));
	CHECK(modem_logic_registered(sms_only, 2));
	CHECK(!modem_logic_registered(home, 0));
}

/* The series modem_logic_backoff_ms() had: 1 s doubling to a minute. */
TEST(modem_open_backoff_doubles_to_a_minute)
{
	const int64_t first = MODEM_OPEN_BACKOFF_FIRST_MS,
		      max = MODEM_OPEN_BACKOFF_MAX_MS;

	CHECK_INT(backoff_ms(0, first, max), 1000);
	CHECK_INT(backoff_ms(1, first, max), 2000);
	CHECK_INT(backoff_ms(5, first, max), 32000);
	CHECK_INT(backoff_ms(6, first, max), 60000);
	CHECK_INT(backoff_ms(1000, first, max), 60000);
	for (unsigned n = 0; n < 40; n++)
		CHECK_INT(backoff_ms(n, first, max),
			  n >= 6 ? 60000 : (int64_t)1000 << n);
}
