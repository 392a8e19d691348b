/*
 * SMS encoding: SMS-SUBMIT, SMS-DELIVER and SMS-STATUS-REPORT against
 * PDUs published by ModemManager and oFono (byte for byte), options, and
 * address validation.
 */
#include "harness.h"
#include "sms.h"

#include <stdio.h>

static bool submit1(const char *dest, const char *text,
		    const struct sms_encode_opts *o, char *pdu, size_t size,
		    int *tpdu_len)
{
	struct sms_encoded e;
	char err[160];

	if (!sms_encode_submit(dest, text, strlen(text), o, &e, err,
			       sizeof(err)))
		return harness_fail(__FILE__, __LINE__, "%s", err);
	if (!CHECK_INT(e.nparts, 1)) {
		sms_encoded_free(&e);
		return false;
	}
	snprintf(pdu, size, "%s", e.parts[0].pdu);
	*tpdu_len = e.parts[0].tpdu_length;
	sms_encoded_free(&e);
	return true;
}

struct submit_vec {
	const char *name;
	const char *dest;
	const char *text;
	int validity;
	const char *pdu;
	int tpdu_length;
};

static const struct submit_vec submits[] = {
	/* ModemManager test_create_pdu_gsm_no_smsc (validity 5 minutes is
	 * TP-VP 0, §9.2.3.12.1). */
	{ "mm-gsm", "+15555551234",
	  "Hi there...Tue 17th Jan 2012 05:30.18 pm (GMT+1) ΔΔΔΔΔ", 5,
	  "0011000B915155551532F400000036C834888E2ECBCB2E978B5A2F8362373A1A"
	  "A40CBB4132584C0682D57433982B8603C1DB20D4B1495DC552200804028100",
	  62 },
	/* ModemManager test_create_pdu_gsm_3: 25 septets, the last alone
	 * in its octet. */
	{ "mm-gsm-25", "+15556661234", "This is really cool ΔΔΔΔΔ", 5,
	  "0011000B915155661632F40000001954747A0E4ACF41F2729 8CDCE83C6EF371B"
	  "0481402010", 36 },
	/* ModemManager test_create_pdu_gsm_no_validity. */
	{ "mm-gsm-no-vp", "+15556661234", "This is really cool ΔΔΔΔΔ", -1,
	  "0001000B915155661632F400001954747A0E4ACF41F27298CDCE83C6EF371B04"
	  "81402010", 35 },
	/* ModemManager test_create_pdu_ucs2_no_smsc. */
	{ "mm-ucs2", "+15555551234", "Да здравствует король, детка!", 5,
	  "0011000B915155551532F40008003A0414043000200437043404400430043204"
	  "41044204320443043504420020043A043E0440043E043B044C002C0020043404"
	  "350442043A04300021", 72 },
	/* oFono unit/test-sms.c test_prepare_7bit, TPDU after its SMSC;
	 * 24 hours is TP-VP 0xA7. */
	{ "ofono-7bit", "+358478400241", "This is testing !", 24 * 60,
	  "0011000C915348870420140000A71154747A0E4ACF41F4F29C9E769F4121",
	  29 },
};

/* The vectors wrap for 80 columns; drop spaces. */
static void squeeze(const char *in, char *out, size_t size)
{
	size_t k = 0;

	for (; *in && k + 1 < size; in++)
		if (*in != ' ')
			out[k++] = *in;
	out[k] = '\0';
}

TEST(sms_encode_submit_vectors)
{
	for (size_t i = 0; i < sizeof(submits) / sizeof(submits[0]); i++) {
		const struct submit_vec *v = &submits[i];
		struct sms_encode_opts o;
		char pdu[SMS_PDU_HEX_MAX], want[SMS_PDU_HEX_MAX];
		int len = 0;

		sms_encode_opts_init(&o);
		o.validity_minutes = v->validity;
		squeeze(v->pdu, want, sizeof(want));
		if (!submit1(v->dest, v->text, &o, pdu, sizeof(pdu), &len))
			continue;
		if (!CHECK_STR(pdu, want))
			harness_fail(__FILE__, __LINE__, "%s", v->name);
		CHECK_INT(len, v->tpdu_length);
		CHECK_INT(len * 2 + 2, strlen(pdu));
	}
}

TEST(sms_encode_submit_options)
{
	struct sms_encode_opts o;
	char pdu[SMS_PDU_HEX_MAX];
	struct sms_pdu p;
	char err[160];
	int len;

	sms_encode_opts_init(&o);
	o.status_report = true;
	o.flash = true;
	o.mr = 0x42;
	o.validity_minutes = 7 * 24 * 60;
	CHECK(submit1("0171234567", "hello", &o, pdu, sizeof(pdu), &len));
	/* FO: SUBMIT, VPF relative, SRR; national TOA 0x81; DCS 0x10
	 * class 0 (§4); TP-VP 0xAD is 7 days. */
	CHECK_STR(pdu, "0031420A8110173254760010AD05E8329BFD06");
	CHECK(sms_pdu_decode(pdu, strlen(pdu), &p, err, sizeof(err)));
	CHECK_INT(p.submit.mr, 0x42);
	CHECK(p.submit.status_report_request);
	CHECK_INT(p.submit.ud.msg_class, 0);
	CHECK_INT(p.submit.validity_minutes, 7 * 24 * 60);
	CHECK_INT(p.submit.dest.type, SMS_ADDR_NATIONAL);
	CHECK_STR(p.submit.dest.text, "0171234567");

	/* Forced UCS-2 of plain ASCII. */
	sms_encode_opts_init(&o);
	o.force_ucs2 = true;
	CHECK(submit1("+4917612345678", "Hi", &o, pdu, sizeof(pdu), &len));
	CHECK_STR(pdu, "0001000D91947116325476F80008040048" "0069");
}

struct addr_vec {
	const char *addr;
	bool ok;
};

static const struct addr_vec dests[] = {
	{ "+491721234567", true },
	{ "+1", false },
	{ "+123456", false },
	{ "+1234567", true },
	{ "+123456789012345", true },	/* 15 digits, E.164's longest */
	{ "+1234567890123456", false },
	{ "+0123456", false },		/* no country code starts with 0 */
	{ "01721234567", true },
	{ "12345678901234567890", true },
	{ "123456789012345678901", false },
	{ "", false },
	{ "+", false },
	{ "++49", false },
	{ "49 172", false },
	{ "+49-172", false },
	{ "sipgate", false },		/* alphanumeric only as a sender */
	{ "*100#", false },
	{ "12\r\nAT", false },
};

TEST(sms_encode_destination_validation)
{
	for (size_t i = 0; i < sizeof(dests) / sizeof(dests[0]); i++) {
		struct sms_encode_opts o;
		struct sms_encoded e;
		char err[160] = "";
		bool ok;

		sms_encode_opts_init(&o);
		ok = sms_encode_submit(dests[i].addr, "x", 1, &o, &e, err,
				       sizeof(err));
		if (!CHECK_INT(ok, dests[i].ok))
			harness_fail(__FILE__, __LINE__, "\"%s\"",
				     dests[i].addr);
		if (ok)
			sms_encoded_free(&e);
		else
			CHECK(strstr(err, "invalid number") != NULL);
	}
}

TEST(sms_encode_rejects_bad_input)
{
	struct sms_encode_opts o;
	struct sms_encoded e;
	char err[160];

	sms_encode_opts_init(&o);
	/* Invalid UTF-8: a lone continuation byte, an overlong '/', a
	 * UTF-16 surrogate, a truncated sequence. */
	CHECK(!sms_encode_submit("+15551234567", "ab\x80", 3, &o, &e, err,
				 sizeof(err)));
	CHECK(strstr(err, "UTF-8 at byte 2") != NULL);
	CHECK(!sms_encode_submit("+15551234567", "\xc0\xaf", 2, &o, &e, err,
				 sizeof(err)));
	CHECK(!sms_encode_submit("+15551234567", "\xed\xa0\x80", 3, &o, &e,
				 err, sizeof(err)));
	CHECK(!sms_encode_submit("+15551234567", "\xe2\x82", 2, &o, &e, err,
				 sizeof(err)));
	o.validity_minutes = 64 * 7 * 24 * 60;
	CHECK(!sms_encode_submit("+15551234567", "x", 1, &o, &e, err,
				 sizeof(err)));
	CHECK(strstr(err, "validity") != NULL);
}

/* The network side, byte for byte against published DELIVERs. */
TEST(sms_encode_deliver_vectors)
{
	struct sms_time scts = { 2002, 8, 26, 19, 37, 41, -60 };
	struct sms_encode_opts o;
	struct sms_encoded e;
	char err[160];

	sms_encode_opts_init(&o);
	/* oFono "simple_deliver". */
	CHECK(sms_encode_deliver("+31624000000", "+31641600986",
				 "How are you?", 12, &o, &scts, &e, err,
				 sizeof(err)));
	CHECK_INT(e.nparts, 1);
	CHECK_STR(e.parts[0].pdu,
		  "07911326040000F0040B911346610089F60000208062917314480CC8F7"
		  "1D14969741F977FD07");
	CHECK_INT(e.parts[0].tpdu_length, 30);
	sms_encoded_free(&e);

	/* oFono "alnum_sender": a TON 5 sender packed in 7 bits. */
	scts = (struct sms_time){ 2008, 8, 13, 12, 7, 22, 60 };
	CHECK(sms_encode_deliver("+447785016005", "sipgate", "Testmail", 8,
				 &o, &scts, &e, err, sizeof(err)));
	CHECK_STR(e.parts[0].pdu,
		  "0791447758100650040DD0F334FC1CA6970100008080312170224008D4"
		  "F29CDE0EA7D9");
	CHECK_INT(e.parts[0].tpdu_length, 27);
	sms_encoded_free(&e);

	/* No SMSC: "00". */
	CHECK(sms_encode_deliver("", "Bank", "x", 1, &o, &scts, &e, err,
				 sizeof(err)));
	CHECK(strncmp(e.parts[0].pdu, "0004", 4) == 0);
	sms_encoded_free(&e);

	/* Senders: too long an alphanumeric, characters outside GSM. */
	CHECK(!sms_encode_deliver("", "ABCDEFGHIJKL", "x", 1, &o, &scts, &e,
				  err, sizeof(err)));
	CHECK(!sms_encode_deliver("", "Банк", "x", 1, &o, &scts, &e, err,
				  sizeof(err)));
	CHECK(!sms_encode_deliver("+1555", "", "x", 1, &o, &scts, &e, err,
				  sizeof(err)));
}

/* ModemManager test_pdu_not_stored, rebuilt from its fields. */
TEST(sms_encode_status_report_vector)
{
	struct sms_time t = { 2012, 9, 11, 7, 40, 36, 120 };
	struct sms_encoded_part part;
	struct sms_pdu p;
	char err[160];

	CHECK(sms_encode_status_report("+34656000311", 0x5a, "639337937", &t,
				       &t, 0x30, &part, err, sizeof(err)));
	CHECK_STR(part.pdu, "07914356060013F1065A098136397339F721901170046380"
			    "2190117004638030");
	CHECK_INT(part.tpdu_length, 24);
	CHECK(sms_pdu_decode(part.pdu, strlen(part.pdu), &p, err,
			     sizeof(err)));
	CHECK_INT(p.report.status, 0x30);
	CHECK(!sms_encode_status_report("", 1, "not a number", &t, &t, 0,
					&part, err, sizeof(err)));
}

TEST(sms_encode_validity_parse)
{
	static const struct {
		const char *s;
		int minutes;	/* -1: rejected */
	} v[] = {
		{ "30m", 30 }, { "12h", 720 }, { "1d", 1440 },
		{ "1w", 10080 }, { "90", 90 }, { "63w", 63 * 10080 },
		{ "64w", -1 }, { "0", -1 }, { "-5", -1 }, { "", -1 },
		{ "5x", -1 }, { "5mm", -1 }, { "h", -1 }, { "1.5h", -1 },
		{ "99999999999999999999", -1 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int m = -1;
		bool ok = sms_validity_parse(v[i].s, &m);

		if (!CHECK_INT(ok ? m : -1, v[i].minutes))
			harness_fail(__FILE__, __LINE__, "\"%s\"", v[i].s);
	}
}

TEST(sms_encode_time_helpers)
{
	struct sms_time t = { 2024, 2, 29, 23, 59, 59, -570 };
	char buf[32];

	sms_time_format(&t, buf, sizeof(buf));
	CHECK_STR(buf, "2024-02-29T23:59:59-09:30");
	/* 2024-03-01T09:29:59Z */
	CHECK_INT(sms_time_to_unix(&t), 1709285399);
	t = (struct sms_time){ 2000, 1, 1, 0, 0, 0, 0 };
	CHECK_INT(sms_time_to_unix(&t), 946684800);
}
