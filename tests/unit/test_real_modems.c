/*
 * What real modems print that the standard does not say (issue "real
 * modems"): lenient +CMGR, a vendor line between a header and its PDU, a
 * query answered without a final response, a service centre in UCS-2.
 */
#include "chat_fixture.h"
#include "at_parse_sms.h"

/* SMSC 07 91..., then a 21-octet SMS-DELIVER. */
#define PDU21 "07915155000000F0040B915155214365F700006211726000000002C834"
#define PDU21_LOWER "07915155000000f0040b915155214365f700006211726000000002c834"

static bool cmgr(const char *a, const char *b, struct at_sms_pdu *p)
{
	const char *v[] = { a, b };

	return at_parse_sms_cmgr(v, b ? 2 : 1, p);
}

TEST(cmgr_as_real_modems_print_it)
{
	struct at_sms_pdu p;

	CHECK(cmgr("+CMGR: 1,,21", PDU21, &p));
	CHECK_INT(p.stat, 1);
	CHECK_STR(p.pdu, PDU21);
	/* Empty status (Qualcomm firmware), no status at all. */
	CHECK(cmgr("+CMGR: ,,21", PDU21, &p));
	CHECK_INT(p.stat, -1);
	CHECK_INT(p.length, 21);
	CHECK(cmgr("+CMGR: 21", PDU21, &p));
	CHECK_INT(p.stat, -1);
	CHECK(cmgr("+CMGR: 0,\"alpha, with comma\",21", PDU21, &p));
	CHECK_INT(p.stat, 0);
	/* Lower case, FF padding, a trailing ",0": cut to the length. */
	CHECK(cmgr("+CMGR: 0,,21", PDU21_LOWER, &p));
	CHECK_STR(p.pdu, PDU21);
	CHECK(cmgr("+CMGR: 0,,21", PDU21 "FFFFFFFF", &p));
	CHECK_STR(p.pdu, PDU21);
	CHECK_INT(p.pdu_len, strlen(PDU21));
	CHECK(cmgr("+CMGR: 0,,21", PDU21 ",0", &p));
	CHECK_STR(p.pdu, PDU21);
	/* The PDU on the header line. */
	CHECK(cmgr("+CMGR: 0,,21 " PDU21, NULL, &p));
	CHECK_STR(p.pdu, PDU21);
	CHECK(cmgr("+CMGR: 0,,21," PDU21, NULL, &p));
	CHECK_STR(p.pdu, PDU21);
	/* Still refused: too short for the length, not hex, no length. */
	CHECK(!cmgr("+CMGR: 0,,22", PDU21, &p));
	CHECK(!cmgr("+CMGR: 0,,21", "HELLO", &p));
	CHECK(!cmgr("+CMGR: 0,,", PDU21, &p));
	CHECK(!cmgr("+CMGR: 9,,21", PDU21, &p));
	CHECK(!cmgr("+CMGR: 1,,21", NULL, &p));
}

TEST(csca_in_ucs2_fits)
{
	struct at_csca c;

	/* "+491720000000" as UCS-2 hex (AT+CSCS="UCS2" left by a vendor). */
	CHECK(at_parse_sms_csca("+CSCA: \"002B003400390031003700320030003000300030003000300030\",145",
				&c));
	CHECK_STR(c.number, "+491720000000");
	CHECK_INT(c.type, 145);
}

static const char *const cmgr_prefixes[] = { "+CMGR:", NULL };

TEST(a_vendor_line_between_header_and_pdu_keeps_the_pdu)
{
	struct fx fx;
	struct rec a = { 0 };
	struct at_request req = { .command = "AT+CMGR=3",
				  .prefixes = cmgr_prefixes,
				  .pdu_lines = true, .cb = rec_cb, .ud = &a };
	static const char *const noise[] = { "+ZEND", "+WIND: 7",
					     "^SYSSTART", "+CIEV: 1,0" };

	for (size_t i = 0; i < 4; i++) {
		char text[512];
		struct at_sms_pdu p;
		const char *v[FX_MAX_LINES];

		memset(&a, 0, sizeof(a));
		fx_init(&fx);
		CHECK(at_chat_submit(fx.chat, &req) > 0);
		fx_expect_str(&fx, "AT+CMGR=3\r");
		snprintf(text, sizeof(text),
			 "\r\n+CMGR: 0,,21\r\n%s\r\n%s,0\r\n\r\nOK\r\n",
			 noise[i], PDU21_LOWER);
		fx_say(&fx, text);
		CHECK(fx_until(&fx, &a.calls, 1));
		CHECK_INT(a.status, AT_CHAT_STATUS_OK);
		CHECK_INT(a.nlines, 2);
		for (size_t k = 0; k < a.nlines; k++)
			v[k] = a.lines[k];
		CHECK(at_parse_sms_cmgr(v, a.nlines, &p));
		CHECK_STR(p.pdu, PDU21);
		fx_done(&fx);
	}
}

TEST(a_query_without_final_is_answered_by_its_line)
{
	struct fx fx;
	struct rec a = { 0 }, b = { 0 };
	static const char *const cpin[] = { "+CPIN:", NULL };
	struct at_request req = { .command = "AT+CPIN?", .prefixes = cpin,
				  .timeout_ms = 100, .cb = rec_cb, .ud = &a };

	fx_init(&fx);
	/* Older Wavecom firmware: "+CPIN: READY" and no OK. */
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	fx_expect_str(&fx, "AT+CPIN?\r");
	fx_say(&fx, "\r\n+CPIN: READY\r\n");
	CHECK(fx_until(&fx, &a.calls, 1));
	CHECK_INT(a.status, AT_CHAT_STATUS_OK);
	CHECK(a.final[0] == 0);
	CHECK_INT(a.nlines, 1);
	/* Nothing at all is still a timeout. */
	req.ud = &b;
	CHECK(at_chat_submit(fx.chat, &req) > 0);
	fx_expect_str(&fx, "AT+CPIN?\r");
	CHECK(fx_until(&fx, &b.calls, 1));
	CHECK_INT(b.status, AT_CHAT_STATUS_TIMEOUT);
	fx_done(&fx);
}

#include "driver.h"
#include "modem_logic.h"

TEST(cnmi_from_the_modems_own_ranges)
{
	struct at_cnmi_ranges r;
	struct driver_cnmi out[12];
	char cmd[64];

	/* Cinterion: <bfr> 1 only; no generic candidate fits. */
	CHECK(at_parse_sms_cnmi_ranges("+CNMI: (0-3),(0-3),(0,2,3),(0-2),(1)",
				       &r));
	CHECK_INT(r.n, 5);
	CHECK_INT(r.mask[4], 2);
	CHECK_INT(modem_logic_cnmi_fit(&r, driver_generic.cnmi, out, 12), 1);
	CHECK(modem_logic_cnmi(&out[0], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=2,1,0,1,1");
	CHECK_INT(out[1].mode, -1);
	/* A modem without <mode> 2 and <ds> 1: the driver's fitting rows. */
	CHECK(at_parse_sms_cnmi_ranges("+CNMI: (0,1),(0,1,2,3),(0),(0,2),(0,1)",
				       &r));
	CHECK_INT(modem_logic_cnmi_fit(&r, driver_generic.cnmi, out, 12), 2);
	CHECK(modem_logic_cnmi(&out[0], true, cmd, sizeof(cmd)));
	CHECK_STR(cmd, "AT+CNMI=1,1,0,2,0");
	/* Bare numbers, spaces; a modem that cannot indicate at all. */
	CHECK(at_parse_sms_cnmi_ranges("+CNMI: 0, 0, 0, 0, 0", &r));
	CHECK_INT(modem_logic_cnmi_fit(&r, driver_generic.cnmi, out, 12), 1);
	CHECK_INT(out[0].mt, 0);
	/* No ranges: the driver's list as it is. */
	CHECK_INT(modem_logic_cnmi_fit(NULL, driver_generic.cnmi, out, 12), 6);
	CHECK(!at_parse_sms_cnmi_ranges("+CNMI: (0-", &r));
	CHECK(!at_parse_sms_cnmi_ranges("+CPMS: (0)", &r));
}

TEST(cpms_from_the_modems_own_ranges)
{
	struct at_cpms_ranges r;
	char out[6][48];

	CHECK(at_parse_sms_cpms_ranges(
		"+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")", &r));
	CHECK_INT(r.n, 3);
	/* The shorter candidates say the same once <mem3> is <mem1>. */
	CHECK_INT(modem_logic_cpms_fit(&r, driver_generic.cpms, out, 6), 1);
	CHECK_STR(out[0], "AT+CPMS=\"SM\",\"SM\",\"SM\"");
	/* The first memory list has no SM: built from the ranges, with
	 * <mem3> (where new messages land) the memory read, <mem1>. */
	CHECK(at_parse_sms_cpms_ranges(
		"+CPMS: (\"ME\",\"MT\"),(\"ME\",\"MT\",\"SM\"),(\"ME\",\"SM\")",
		&r));
	CHECK_INT(modem_logic_cpms_fit(&r, driver_generic.cpms, out, 6), 1);
	CHECK_STR(out[0], "AT+CPMS=\"ME\",\"ME\",\"ME\"");
	/* An old phone storing received messages in ME only: not
	 * AT+CPMS="SM","SM", which leaves <mem3> "ME" while +CMTI indexes
	 * and the import would be read in "SM". */
	CHECK(at_parse_sms_cpms_ranges(
		"+CPMS: (\"ME\",\"SM\"),(\"ME\",\"SM\"),(\"ME\")", &r));
	CHECK_INT(modem_logic_cpms_fit(&r, driver_generic.cpms, out, 6), 1);
	CHECK_STR(out[0], "AT+CPMS=\"ME\",\"ME\",\"ME\"");
	/* A driver's candidate with <mem3> apart from <mem1> is refused. */
	CHECK(at_parse_sms_cpms_ranges(
		"+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),(\"SM\",\"ME\")", &r));
	CHECK_INT(modem_logic_cpms_fit(&r, DRIVER_CMDS(
		"AT+CPMS=\"SM\",\"SM\",\"ME\"", "AT+CPMS=\"ME\""), out, 6), 1);
	CHECK_STR(out[0], "AT+CPMS=\"ME\",\"ME\",\"ME\"");
	/* Two memories only: the two-memory form of the driver. */
	CHECK(at_parse_sms_cpms_ranges("+CPMS: (\"SM\"),(\"SM\")", &r));
	CHECK_INT(modem_logic_cpms_fit(&r, driver_generic.cpms, out, 6), 2);
	CHECK_STR(out[0], "AT+CPMS=\"SM\",\"SM\"");
	CHECK(!at_parse_sms_cpms_ranges("+CPMS: 1,30,1,30,1,30", &r));
}
