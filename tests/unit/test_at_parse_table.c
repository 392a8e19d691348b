/* Parsers on tables of good, truncated and garbled lines. */
#include "harness.h"
#include "at_parse.h"
#include "at_parse_sms.h"

#include <stdio.h>

#define PDU21 "07915155000000F0040B915155214365F700006211726000000002C834"

TEST(at_parse_csq_table)
{
	static const struct {
		const char *line;
		bool ok;
		int rssi, ber;
	} t[] = {
		{ "+CSQ: 17,99", true, 17, 99 },
		{ "+CSQ: 0,0", true, 0, 0 },
		{ "+CSQ: 150,99", true, 150, 99 }, /* EC25 TD-SCDMA */
		{ "+CSQ: 17", false },
		{ "+CSQ: 17,99,1", false },
		{ "+CSQ: -1,99", false },
		{ "+CSQ: 200,99", false },
		{ "+CSQ: abc,99", false },
		{ "+CSQ:", false },
		{ "CSQ: 17,99", false },
		{ "+CSQ: 17,", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct at_csq q;
		bool ok = at_parse_csq(t[i].line, &q);

		if (!CHECK_INT(ok, t[i].ok) ||
		    (ok && (!CHECK_INT(q.rssi, t[i].rssi) ||
			    !CHECK_INT(q.ber, t[i].ber))))
			printf("# \"%s\"\n", t[i].line);
	}
	CHECK_INT(at_parse_rssi_dbm(0), -113);
	CHECK_INT(at_parse_rssi_dbm(31), -51);
	CHECK_INT(at_parse_rssi_dbm(100), -116);
	CHECK_INT(at_parse_rssi_dbm(191), -25);
	CHECK_INT(at_parse_rssi_dbm(199), 0);
	CHECK_INT(at_parse_rssi_dbm(-5), 0);
}

TEST(at_parse_reg_table)
{
	static const struct {
		const char *line;
		bool ok;
		int n, stat;
		unsigned lac, ci;
		int act;
	} t[] = {
		{ "+CREG: 0,1", true, 0, 1, 0, 0, -1 },
		{ "+CREG: 5", true, -1, 5, 0, 0, -1 },
		{ "+CREG: 1,\"00C3\",\"A1B2\"", true, -1, 1, 0xc3, 0xa1b2, -1 },
		{ "+CREG: 1,\"00C3\",\"A1B2\",7", true, -1, 1, 0xc3, 0xa1b2,
		  7 },
		{ "+CREG: 2,5,\"00C3\",\"0123ABCD\",2", true, 2, 5, 0xc3,
		  0x123abcd, 2 },
		{ "+CEREG: 2,6,\"3584\",\"00ef4a08\",7", true, 2, 6, 0x3584,
		  0xef4a08, 7 },
		/* +CEREG while searching leaves TAC and CI empty. */
		{ "+CEREG: 2,2,,,", true, 2, 2, 0, 0, -1 },
		{ "+CREG: 2,1,\"00C3\"", false },
		{ "+CREG: 12", false },
		{ "+CREG: 9,1", false },
		{ "+CREG: x", false },
		{ "+CREG: 1,\"00C3\",\"XYZ\"", false },
		{ "+CREG:", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *prefix = t[i].line[2] == 'E' ? "+CEREG:" : "+CREG:";
		struct at_reg r;
		bool ok = at_parse_reg(t[i].line, prefix, &r);

		if (!CHECK_INT(ok, t[i].ok) ||
		    (ok && (!CHECK_INT(r.n, t[i].n) ||
			    !CHECK_INT(r.stat, t[i].stat) ||
			    !CHECK_INT(r.lac, t[i].lac) ||
			    !CHECK_INT(r.ci, t[i].ci) ||
			    !CHECK_INT(r.act, t[i].act))))
			printf("# \"%s\"\n", t[i].line);
	}
	CHECK(at_parse_reg_registered(AT_REG_STAT_SMS_ONLY_ROAMING));
	CHECK(!at_parse_reg_registered(AT_REG_STAT_DENIED));
	CHECK(!at_parse_reg_registered(AT_REG_STAT_SEARCHING));
}

TEST(at_parse_cops_cpin_cnum_cme)
{
	struct at_cops op;
	enum at_cpin pin;
	struct at_cnum num;
	int code;

	CHECK(at_parse_cops("+COPS: 0", &op) && op.format == -1);
	CHECK(at_parse_cops("+COPS: 0,2,\"20801\",7", &op));
	CHECK_STR(op.oper, "20801");
	CHECK(!at_parse_cops("+COPS: 0,0", &op));
	CHECK(!at_parse_cops("+COPS: 0,0,\"x\",7,9", &op));
	CHECK(at_parse_cpin("+CPIN: \"SIM PUK\"", &pin) &&
	      pin == AT_CPIN_SIM_PUK);
	CHECK(at_parse_cpin("+CPIN: PH-NET PIN", &pin) &&
	      pin == AT_CPIN_PH_NET_PIN);
	CHECK(at_parse_cpin("+CPIN: NOT READY", &pin) &&
	      pin == AT_CPIN_OTHER);
	CHECK(!at_parse_cpin("+CPIN:", &pin));
	CHECK(at_parse_cnum("+CNUM: ,\"+15551230001\",145", &num));
	CHECK_STR(num.number, "+15551230001");
	CHECK(at_parse_cnum("+CNUM: \"\",\"002B0031003500350035\",145", &num));
	CHECK_STR(num.number, "+1555");
	CHECK(!at_parse_cnum("+CNUM: \"x\",,145", &num));
	CHECK(at_parse_cme_error("+CME ERROR: 10", &code) && code == 10);
	/* A7670E with +CMEE=2 (Xinyuan-LilyGO/T-Internet-COM#24). */
	CHECK(at_parse_cme_error("+CME ERROR: SIM not inserted", &code) &&
	      code == 10);
	CHECK(at_parse_cme_error("+CME ERROR: no network service", &code) &&
	      code == 30);
	CHECK(at_parse_cme_error("+CME ERROR: flux capacitor", &code) &&
	      code == 100);
	CHECK(!at_parse_cme_error("+CME ERROR:", &code));
	CHECK(!at_parse_cme_error("+CMS ERROR: 10", &code));
}

TEST(at_parse_identity_table)
{
	static const struct {
		bool (*fn)(const char *, char *, size_t);
		const char *line;
		const char *want;	/* NULL: rejected */
	} t[] = {
		{ at_parse_imei, "490154203237518", "490154203237518" },
		{ at_parse_imei, "+CGSN: \"490154203237518\"",
		  "490154203237518" },
		{ at_parse_imei, "+GSN: 490154203237518", "490154203237518" },
		{ at_parse_imei, "49015420323751", "49015420323751" },
		{ at_parse_imei, "4901542032", NULL },
		{ at_parse_imei, "490154203237518 ", NULL },
		{ at_parse_imei, "490154203237518X", NULL },
		{ at_parse_imsi, "001010123456789", "001010123456789" },
		{ at_parse_imsi, "+CIMI: 001010123456789", "001010123456789" },
		{ at_parse_imsi, "0010101234567890", NULL },
		/* Bare (SIM800's AT+CCID) or quoted; a prefix is the
		 * driver's to take off (test_driver_forms). */
		{ at_parse_iccid, "89014103211118510720",
		  "89014103211118510720" },
		{ at_parse_iccid, "8901410321111851072F",
		  "8901410321111851072F" },
		{ at_parse_iccid, "\"8944500102198304826\"",
		  "8944500102198304826" },
		{ at_parse_iccid, "+CCID: 89014103211118510720", NULL },
		{ at_parse_iccid, "+QCCID: 8901410321111851072F", NULL },
		{ at_parse_iccid, "ERROR", NULL },
		{ at_parse_iccid, "89014103211118510720123", NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char id[32] = "";
		bool ok = t[i].fn(t[i].line, id, sizeof(id));

		if (!CHECK_INT(ok, t[i].want != NULL) ||
		    (ok && !CHECK_STR(id, t[i].want)))
			printf("# \"%s\"\n", t[i].line);
	}
}

TEST(at_parse_pdu_shape)
{
	CHECK(at_parse_sms_pdu_ok(PDU21, 21));
	CHECK(!at_parse_sms_pdu_ok(PDU21, 20));
	CHECK(!at_parse_sms_pdu_ok(PDU21, 22));
	CHECK(at_parse_sms_pdu_ok("0011", 1));
	CHECK(!at_parse_sms_pdu_ok("001", 1));
	CHECK(!at_parse_sms_pdu_ok("00GG", 1));
	CHECK(!at_parse_sms_pdu_ok("", 0));
	CHECK(!at_parse_sms_pdu_ok(NULL, 1));
	/* An SMSC length of 0x0D cannot be (TS 24.011 §8.2.5.1). */
	CHECK(!at_parse_sms_pdu_ok("0D00000000000000000000000000AA", 1));
	CHECK(!at_parse_sms_pdu_ok("00AA", 165));
}

TEST(at_parse_cmgl_malformed_entries)
{
	static const char *const lines[] = {
		"+CMGL: 4,1,,21", PDU21,
		"+CMGL: 5,1,,22", PDU21,	  /* length disagrees */
		"+CMGL: 6,1,,21",		  /* no PDU before the next */
		"+CMGL: x,1,,21", PDU21,	  /* no index */
		"+CMGL: 7,9,,21", PDU21,	  /* stat out of range */
		"+CMGL: 8,0,\"a,b\",21", PDU21,	  /* quoted alpha with comma */
		"+CMGL: 9,1,,21",		  /* truncated at the end */
	};
	const size_t n = sizeof(lines) / sizeof(lines[0]);
	struct at_sms_pdu p;
	size_t pos = 0;

	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_ENTRY);
	CHECK_INT(p.index, 4);
	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_BAD);
	CHECK_INT(p.index, 5);
	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_BAD);
	CHECK_INT(p.index, 6);
	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_BAD);
	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_BAD);
	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_ENTRY);
	CHECK_INT(p.index, 8);
	CHECK_INT(p.stat, AT_SMS_STAT_REC_UNREAD);
	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_BAD);
	CHECK_INT(p.index, 9);
	CHECK_INT(at_parse_sms_cmgl(lines, n, &pos, &p), AT_PARSE_SMS_END);
	CHECK_INT(pos, n);
}

TEST(at_parse_sms_small_answers)
{
	struct at_sms_index idx;
	struct at_cpms m;
	struct at_csca sca;
	struct at_sms_pdu p;
	int v;

	CHECK(at_parse_sms_cmti("+CMTI: \"ME\",12", &idx) && idx.index == 12);
	CHECK(!at_parse_sms_cmti("+CMTI: ME,12", &idx));
	CHECK(!at_parse_sms_cmti("+CMTI: \"ME\",-1", &idx));
	CHECK(!at_parse_sms_cmti("+CMTI: \"ME\"", &idx));
	CHECK(!at_parse_sms_cmti("+CMTI: \"TOOLONGMEM\",1", &idx));
	CHECK(at_parse_sms_cdsi("+CDSI: \"SR\",0", &idx));
	CHECK(at_parse_sms_cmgs("+CMGS: 0", &v) && v == 0);
	CHECK(at_parse_sms_cmgs("+CMGS: 255,\"26/11/27,06:00:00+00\"", &v));
	CHECK(!at_parse_sms_cmgs("+CMGS: 256", &v));
	CHECK(!at_parse_sms_cmgs("+CMGS:", &v));
	CHECK(!at_parse_sms_cms_error("+CMS ERROR: Unknown", &v));
	CHECK(at_parse_sms_cpms("+CPMS: 0,23,0,23", &m) && m.n == 2);
	CHECK(!at_parse_sms_cpms("+CPMS: 5,3,0,23", &m));
	CHECK(!at_parse_sms_cpms("+CPMS: 1", &m));
	CHECK(!at_parse_sms_cpms("+CPMS: \"SM\",1,2,3", &m));
	CHECK(at_parse_sms_csca("+CSCA: \"002B0031003500350035\",145", &sca));
	CHECK_STR(sca.number, "+1555");
	/* fuzz_at_frame found it: a non-hex digit in a 4-digit group. */
	CHECK(at_parse_sms_csca("+CSCA: \"00G1\",129", &sca));
	CHECK_STR(sca.number, "00G1");
	CHECK(at_parse_sms_csca("+CSCA: \"0041\",129", &sca));
	CHECK_STR(sca.number, "0041");
	CHECK(at_parse_sms_csca("+CSCA: \"\"", &sca) && sca.type == -1);
	CHECK(!at_parse_sms_csca("+CSCA: +1555,145", &sca));
	CHECK(at_parse_sms_cmt("+CMT: \"\",21", PDU21, &p));
	CHECK(!at_parse_sms_cmt("+CMT: ,21", NULL, &p));
	CHECK(!at_parse_sms_cmt("+CMT: ,21", "0011", &p));
	CHECK(!at_parse_sms_cds("+CDS: 21,1", PDU21, &p));
	static const char *const cmgr[] = { "+CMGR: 1,,21" };
	CHECK(!at_parse_sms_cmgr(cmgr, 1, &p));
}
