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
