/*
 * SMS decoding: SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT vectors from
 * real networks and modems (source beside each), and malformed PDUs that
 * must fail with a reason naming the field.
 */
#include "harness.h"
#include "sms.h"

#include <stdio.h>

struct deliver_vec {
	const char *name;
	const char *hex;
	const char *smsc;
	const char *sender;
	enum sms_addr_type sender_type;
	const char *ts;
	int dcs;
	enum sms_encoding enc;
	const char *text;
	int ref, total, seq;
};

static const struct deliver_vec delivers[] = {
	/* oFono unit/test-sms.c "simple_deliver"; the time zone octet 0x48
	 * is -4 quarter hours (TS 23.040 §9.2.3.11, sign in bit 3). */
	{ "ofono-simple",
	  "07911326040000F0040B911346610089F60000208062917314480CC8F71D1496"
	  "9741F977FD07",
	  "+31624000000", "+31641600986", SMS_ADDR_INTERNATIONAL,
	  "2002-08-26T19:37:41-01:00", 0, SMS_ENCODING_GSM7, "How are you?",
	  0, 0, 0 },
	/* oFono unit/test-sms.c "alnum_sender": TON 5, 7-bit packed. */
	{ "ofono-alnum",
	  "0791447758100650040DD0F334FC1CA6970100008080312170224008D4F29CDE"
	  "0EA7D9",
	  "+447785016005", "sipgate", SMS_ADDR_ALPHANUMERIC,
	  "2008-08-13T12:07:22+01:00", 0, SMS_ENCODING_GSM7, "Testmail",
	  0, 0, 0 },
	/* ModemManager src/tests/test-sms-part-3gpp.c test_pdu1: a US
	 * network, extension characters and Greek capitals. */
	{ "mm-pdu1-extension",
	  "07912104442961F4040B916171957291F800001120821105050A6AC8B2BC7C9A"
	  "83C220F6DB7D2ECB41EDF27C1E3E97411BDE06754FD3D1A0F9BB5D0695F1F4B2"
	  "9B5C2683C6E8B03C3CA697E5F34D6AE303D1D1F2F7DD0D4ABB59A0797D8C0685"
	  "E7A00028EC26832A960B28EC2683BE6050780EBA97D96C17",
	  "+12404492164", "+16175927198", SMS_ADDR_INTERNATIONAL,
	  "2011-02-28T11:50:50-05:00", 0, SMS_ENCODING_GSM7,
	  "Here's a longer message [{with some extended characters}] "
	  "thrown in, such as £ and ΩΠΨ and §¿ as well.", 0, 0, 0 },
	/* ModemManager test_pdu2: alphanumeric sender, UCS-2 (Beeline). */
	{ "mm-pdu2-ucs2-alnum",
	  "07919730071111F10414D04937BD2C7797E9D3E6140008113092910240610804"
	  "42043504410442",
	  "+79037011111", "InternetSMS", SMS_ADDR_ALPHANUMERIC,
	  "2011-03-29T19:20:04+04:00", 8, SMS_ENCODING_UCS2, "тест",
	  0, 0, 0 },
	/* ModemManager test_pdu3_natl: TOA 0x81 (TON unknown) digits. */
	{ "mm-pdu3-natl",
	  "07912143658709F1040B818100551512F20000111010214365000AE8329BFD46"
	  "97D9EC37",
	  "+12345678901", "18005551212", SMS_ADDR_NATIONAL,
	  "2011-01-01T12:34:56+00:00", 0, SMS_ENCODING_GSM7, "hellohello",
	  0, 0, 0 },
	/* ModemManager test_pdu3_8bit: DCS 0x04, text is the octets. */
	{ "mm-pdu3-8bit",
	  "07912143658709F1040B918100551512F20004111010214365000AE8329BFD46"
	  "97D9EC37DE",
	  "+12345678901", "+18005551212", SMS_ADDR_INTERNATIONAL,
	  "2011-01-01T12:34:56+00:00", 4, SMS_ENCODING_8BIT,
	  "e8329bfd4697d9ec37de", 0, 0, 0 },
	/* ModemManager test_pdu_dcsf1: SFR (France), DCS group F class 1,
	 * TOA 0x85, 160 septets. */
	{ "mm-sfr-dcs-f1",
	  "07913306091093F0040485810000F111604231805180A049B7F90D9A1AA5A016"
	  "68F8769BD3E4B29B9E2EB359A03FC85D06A9C3ED707A0EA2CBC3EE79BB4CA7CB"
	  "CBA05643617DA7C76990FD4D979741EE77DD5E0ED741ED371D442E83E0E1F9BC"
	  "0CD281E677D9B84C06C1DF7539E85C9097E520FB9B2E2F83C6EF369C5E064D8D"
	  "52D0BC2E07DDEF77D7DC2C7799E5A0771D040FCB41F402BB0047BFDD6550B80E"
	  "CAD966",
	  "+33609001390", "1800", SMS_ADDR_NATIONAL,
	  "2011-06-24T13:08:15+02:00", 0xf1, SMS_ENCODING_GSM7,
	  "Info SFR - Confidentiel, à ne jamais transmettre -\r\n"
	  "Voici votre nouveau mot de passe : sw2ced pour gérer "
	  "votre compte SFR sur www.sfr.fr ou par téléphone au 963", 0, 0, 0 },
	/* ModemManager test_pdu_udhi: KPN NL welcome, concat IE 0x08
	 * (16-bit reference) with fill bits. */
	{ "mm-kpn-concat16",
	  "07911356131313F64004850120390011609232239180A006080400100201D732"
	  "7BFD6EB340E2321BF46E83EA7790F59D1E97DBE1341B442F83C465763D3DA797"
	  "E56537C81D0ECB41AB59CC1693C16031D96C064241E5656838AF03A96230982A"
	  "269BCD462917C8FA4E8FCBED709A0D7ABBE9F6B0FB5C7683D27350984D4FABC9"
	  "A0B33C4C4FCF5D20EBFB2D079DCB62793DBD06D9C36E50FB2D4E97D9A0B49B5E"
	  "96BBCB",
	  "+31653131316", "1002", SMS_ADDR_NATIONAL,
	  "2011-06-29T23:32:19+02:00", 0, SMS_ENCODING_GSM7,
	  "Welkom, bel om uw Voicemail te beluisteren naar +31612001233"
	  " (PrePay: *100*1233#). Voicemail ontvangen is altijd gratis."
	  " Voor gebruik van mobiel interne", 16, 2, 1 },
	/* ModemManager test_pdu_multipart, part 2: concat IE 0x00. */
	{ "mm-multipart-2",
	  "07912160130320F6440B916171056429F5000021405291651569320500034C02"
	  "02E9E8301D44479741F0B09C3E0785E56590BCCC0ED3CB6410FD0D7ABBCBA0B0"
	  "FB4D4797E52E10",
	  "+12063130026", "+16175046925", SMS_ADDR_INTERNATIONAL,
	  "2012-04-25T19:56:51-04:00", 0, SMS_ENCODING_GSM7,
	  "that the parts are related to one another. ", 0x4c, 2, 2 },
};

static void check_deliver(const struct deliver_vec *v)
{
	char err[160], ts[32];
	struct sms_pdu p;

	if (!CHECK(sms_pdu_decode(v->hex, strlen(v->hex), &p, err,
				  sizeof(err)))) {
		harness_fail(__FILE__, __LINE__, "%s: %s", v->name, err);
		return;
	}
	CHECK_INT(p.type, SMS_PDU_DELIVER);
	CHECK_STR(p.smsc.text, v->smsc);
	CHECK_STR(p.deliver.sender.text, v->sender);
	CHECK_INT(p.deliver.sender.type, v->sender_type);
	sms_time_format(&p.deliver.scts, ts, sizeof(ts));
	CHECK_STR(ts, v->ts);
	CHECK_INT(p.deliver.ud.dcs, v->dcs);
	CHECK_INT(p.deliver.ud.encoding, v->enc);
	CHECK_STR(p.deliver.ud.text, v->text);
	CHECK_INT(p.deliver.ud.concat.ref, v->ref);
	CHECK_INT(p.deliver.ud.concat.total, v->total);
	CHECK_INT(p.deliver.ud.concat.seq, v->seq);
}

TEST(sms_decode_deliver_vectors)
{
	for (size_t i = 0; i < sizeof(delivers) / sizeof(delivers[0]); i++)
		check_deliver(&delivers[i]);
}

/* ModemManager test_pdu_multipart, part 1: a full 153-septet part after a
 * 6-octet header (one fill bit). */
TEST(sms_decode_multipart_first_part)
{
	static const char hex[] =
	  "07912160130320F5440B916171056429F5000021405291650569A00500034C02"
	  "01A9E8F41C949E83C2207B599E07B1DFEE33885E9ED341E4F23C7D7697C920FA"
	  "1B54C697E5E3F4BC0C6AD7D9F434081E96D341E3303C2C4EB3D3F4BC0B94A483"
	  "E6E8779D4D06CDD1EF3BA80E0785E7A0B7BB0C6A97E7F3F0B9CC02B9DF745078"
	  "0EA2DFDF2C50780EA2A3CBA0BA9B5C96B3F369F71954768FDFE4B4FB0C9297E1"
	  "F2F2BCECA6CF41";
	struct sms_pdu p;
	char err[160];

	CHECK(sms_pdu_decode(hex, strlen(hex), &p, err, sizeof(err)));
	CHECK_STR(p.deliver.ud.text,
		  "This is a very long test designed to exercise multi part "
		  "capability. It should show up as one message, not as two, "
		  "as the underlying encoding represents ");
	CHECK_INT(p.deliver.ud.data_len, 153);
	CHECK_INT(p.deliver.ud.udh_len, 5);
	CHECK_INT(p.deliver.ud.concat.seq, 1);
	CHECK(!p.deliver.ud.concat.ref16);
}

/* oFono unit/test-sms.c assembly_pdu1: UCS-2 class 1 (DCS 0x19), PID 1,
 * SMSC of TON unknown, concatenation 0x1E part 1 of 3, 140 octets. */
TEST(sms_decode_ucs2_concat_class1)
{
	static const char hex[] =
	  "038121F350048155550119906041001222048C0500031E030104180442043004"
	  "3A002C00200410043B0435043A04410430043D04340440002000200441043B04"
	  "4304480430043B00200437043000200434043204350440044C044E0020002004"
	  "380020002004320441043500200431043E043B044C044804350020043F044004"
	  "3504380441043F043E043B043D044F043B0441044F002000200433043D0435";
	struct sms_pdu p;
	char err[160];

	CHECK(sms_pdu_decode(hex, strlen(hex), &p, err, sizeof(err)));
	CHECK_STR(p.smsc.text, "123");
	CHECK_INT(p.deliver.pid, 1);
	CHECK_INT(p.deliver.ud.msg_class, 1);
	CHECK_INT(p.deliver.ud.encoding, SMS_ENCODING_UCS2);
	CHECK_INT(p.deliver.ud.concat.ref, 0x1e);
	CHECK_INT(p.deliver.ud.concat.total, 3);
	CHECK_INT(p.deliver.ud.data_len, 134);
	CHECK(strncmp(p.deliver.ud.text, "Итак, Александр ", 29) == 0);
	CHECK(strstr(p.deliver.ud.text, "гне") != NULL);
}

struct submit_vec {
	const char *name;
	const char *hex;
	const char *smsc;
	int mr;
	const char *dest;
	int vpf, validity;
	bool srr;
	int dcs;
	const char *text;
};

static const struct submit_vec submits[] = {
	/* oFono unit/test-sms.c "simple_submit": TP-VP 0xAA is 4 days. */
	{ "ofono-simple-submit",
	  "0011000B916407281553F80000AA0AE8329BFD4697D9EC37",
	  "", 0, "+46708251358", 2, 4 * 1440, false, 0, "hellohello" },
	/* ModemManager test_pdu_stored_by_us: what a modem lists for a
	 * stored SUBMIT: SRR set, no VP, UCS-2. The published PDU is 4
	 * octets short of its TP-UDL (test_pdu_malformed.c keeps it as a
	 * malformed vector); this is it completed to 17 characters. */
	{ "mm-stored-by-us",
	  "002100098136397339F70008224F60597D4F60597D4F60597D4F60597D4F6059"
	  "7D4F60597D4F60597D4F60597D4F60",
	  "", 0, "639337937", 0, -1, true, 8,
	  "你好你好你好你好你好你好你好你好你" },
	/* oFono unit/test-sms.c "header_test": EMS text formatting IEs
	 * (IEI 0x0A) and nothing smsgw knows, 26-octet header. */
	{ "ofono-ems-header",
	  "0041000B915121551532F40000631A0A031906200A032104100A032705040A03"
	  "2E05080A043807002B8ACD29A85D9ECFC3E7F21C340EBB41E3B79B1E4EBB4169"
	  "7A989D1EB340E2379BCC02B1C3F27399059AB7C36C3628EC2683C66FF65B5E26"
	  "83E8653C1D",
	  "", 0, "+15125551234", 0, -1, false, 0,
	  "EMS messages can contain italic, bold, large, small and "
	  "colored text" },
	/* Huawei MU509 AT Command Interface Specification, issue 04,
	 * §6.12.4 (+CMGS example): SMSC of TON national, TP-RP set, DCS
	 * 0x18 (UCS2, class 0), "华为". */
	{ "huawei-mu509-cmgs",
	  "05A13109920081000B813109010054F3001804534E4E3A",
	  "13902900", 0, "13901000453", 0, -1, false, 0x18, "华为" },
	/* ModemManager test_create_pdu_gsm_no_smsc: VP 0 is 5 minutes. */
	{ "mm-create-gsm",
	  "0011000B915155551532F400000036C834888E2ECBCB2E978B5A2F8362373A1A"
	  "A40CBB4132584C0682D57433982B8603C1DB20D4B1495DC552200804028100",
	  "", 0, "+15555551234", 2, 5, false, 0,
	  "Hi there...Tue 17th Jan 2012 05:30.18 pm (GMT+1) ΔΔΔΔΔ" },
};

TEST(sms_decode_submit_vectors)
{
	for (size_t i = 0; i < sizeof(submits) / sizeof(submits[0]); i++) {
		const struct submit_vec *v = &submits[i];
		struct sms_pdu p;
		char err[160];

		if (!CHECK(sms_pdu_decode(v->hex, strlen(v->hex), &p, err,
					  sizeof(err)))) {
			harness_fail(__FILE__, __LINE__, "%s: %s", v->name,
				     err);
			continue;
		}
		CHECK_INT(p.type, SMS_PDU_SUBMIT);
		CHECK_STR(p.smsc.text, v->smsc);
		CHECK_INT(p.submit.mr, v->mr);
		CHECK_STR(p.submit.dest.text, v->dest);
		CHECK_INT(p.submit.vpf, v->vpf);
		CHECK_INT(p.submit.validity_minutes, v->validity);
		CHECK_INT(p.submit.status_report_request, v->srr);
		CHECK_INT(p.submit.ud.dcs, v->dcs);
		CHECK_STR(p.submit.ud.text, v->text);
	}
}

/* ModemManager test_pdu_not_stored: a status report from Movistar (ES),
 * TP-ST 0x30 (SC still trying), no TP-PI. */
TEST(sms_decode_status_report_movistar)
{
	static const char hex[] =
		"07914356060013F1065A098136397339F72190117004638021901170"
		"04638030";
	struct sms_pdu p;
	char err[160], ts[32];

	CHECK(sms_pdu_decode(hex, strlen(hex), &p, err, sizeof(err)));
	CHECK_INT(p.type, SMS_PDU_STATUS_REPORT);
	CHECK_STR(p.smsc.text, "+34656000311");
	CHECK_INT(p.report.mr, 0x5a);
	CHECK_STR(p.report.recipient.text, "639337937");
	sms_time_format(&p.report.scts, ts, sizeof(ts));
	CHECK_STR(ts, "2012-09-11T07:40:36+02:00");
	sms_time_format(&p.report.discharge, ts, sizeof(ts));
	CHECK_STR(ts, "2012-09-11T07:40:36+02:00");
	CHECK_INT(p.report.status, 0x30);
	CHECK_INT(sms_status_classify(p.report.status), SMS_STATUS_PENDING);
	CHECK_INT(p.report.pi, 0);
}

/* Removes the spaces that separate fields in the vectors below. */
static size_t squeeze(const char *in, char *out, size_t size)
{
	size_t k = 0;

	for (; *in && k + 1 < size; in++)
		if (*in != ' ')
			out[k++] = *in;
	out[k] = '\0';
	return k;
}

static bool decode_fields(const char *fields, struct sms_pdu *p, char *err,
			  size_t errsize)
{
	char hex[600];
	size_t n = squeeze(fields, hex, sizeof(hex));

	return sms_pdu_decode(hex, n, p, err, errsize);
}

struct text_vec {
	const char *name;
	const char *fields;	/* SMSC, FO, OA, PID, DCS, SCTS, UDL+UD */
	const char *text;
	const char *ts;
	int ref, total, seq;
	bool ref16;
	int locking, single;
};

/*
 * Worked from TS 23.040 §9.2.2.1 and TS 23.038; the user data was packed
 * by an independent implementation (Python, bit by bit as in §9.2.3.24).
 */
static const struct text_vec texts[] = {
	/* 16-bit concatenation beside an EMS IE (0x0A), fill bits after a
	 * 12-octet header; zone -07:00 (sign bit, §9.2.3.11). */
	{ "concat16-beside-ems",
	  "00 44 0B91 5155552143F5 00 00 21307241500 08A "
	  "100B0A0300050108041234030220D3",
	  "Hi", "2012-03-27T14:05:00-07:00", 0x1234, 3, 2, true, 0, 0 },
	/* Turkish locking and single shift (IEs 0x25, 0x24; annex A.3.1,
	 * A.2.1); +05:45 is 23 quarter hours. */
	{ "turkish-shift",
	  "00 44 0B91 5155552143F5 00 00 2130724150 00 32 "
	  "1306250101240101C9CE8171006D50844D0A",
	  "Işığı {€}", "2012-03-27T14:05:00+05:45", 0, 0, 0, false, 1, 1 },
	/* Spanish single shift only (annex A.2.2); -03:30 is 14 quarters. */
	{ "spanish-single",
	  "00 44 0B91 5155552143F5 00 00 2130724150 00 49 "
	  "12032401020047EB05103DCCFE81BA9B3A",
	  "¿Qué tal? Ñú", "2012-03-27T14:05:00-03:30", 0, 0, 0, false, 0, 2 },
	/* Portuguese locking and single shift (annex A.3.3, A.2.3). */
	{ "portuguese-shift",
	  "00 44 0B91 5155552143F5 00 00 2130724150 00 00 "
	  "2B06250103240103417AD99DD8BF7520F7FE0D423F400C775A5C9F83FE7350"
	  "0E0DDAA0DEEB4D0A",
	  "Atenção: não há ônibus às 9h {ok}", "2012-03-27T14:05:00+00:00",
	  0, 0, 0, false, 3, 3 },
	/* An unknown language (0x0D, Urdu) falls back to the default
	 * tables, as TS 23.038 §6.2.1.2.3 asks of a receiver without it. */
	{ "unknown-language-default",
	  "00 44 0B91 5155552143F5 00 00 2130724150 00 00 "
	  "170324010D40BEEFA0B0BC0CCABFEB3FD00685DFA400",
	  "How are you? {x}", "2012-03-27T14:05:00+00:00", 0, 0, 0, false,
	  0, 13 },
};

TEST(sms_decode_constructed_vectors)
{
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		const struct text_vec *v = &texts[i];
		struct sms_pdu p;
		char err[160], ts[32];

		if (!CHECK(decode_fields(v->fields, &p, err, sizeof(err)))) {
			harness_fail(__FILE__, __LINE__, "%s: %s", v->name,
				     err);
			continue;
		}
		CHECK_STR(p.deliver.ud.text, v->text);
		sms_time_format(&p.deliver.scts, ts, sizeof(ts));
		CHECK_STR(ts, v->ts);
		CHECK_INT(p.deliver.ud.concat.ref, v->ref);
		CHECK_INT(p.deliver.ud.concat.total, v->total);
		CHECK_INT(p.deliver.ud.concat.seq, v->seq);
		CHECK_INT(p.deliver.ud.concat.ref16, v->ref16);
		CHECK_INT(p.deliver.ud.lang_locking, v->locking);
		CHECK_INT(p.deliver.ud.lang_single, v->single);
	}
}

/* Status reports with the optional tail of TS 23.040 §9.2.3.27. */
TEST(sms_decode_status_report_tail)
{
	static const char head[] =
		"00 06 2A 0B91 5155552143F5 2130724150008A 2130724160008A 00";
	struct sms_pdu p;
	char fields[200], err[160], ts[32];

	/* TP-PI announcing PID, DCS and a 5-septet text. */
	snprintf(fields, sizeof(fields), "%s 07 00 00 05E8329BFD06", head);
	CHECK(decode_fields(fields, &p, err, sizeof(err)));
	CHECK_INT(p.report.mr, 42);
	CHECK_STR(p.report.recipient.text, "+15555512345");
	sms_time_format(&p.report.discharge, ts, sizeof(ts));
	CHECK_STR(ts, "2012-03-27T14:06:00-07:00");
	CHECK_INT(sms_time_to_unix(&p.report.discharge) -
		  sms_time_to_unix(&p.report.scts), 60);
	CHECK_INT(p.report.pi, 7);
	CHECK_STR(p.report.ud.text, "hello");
	CHECK_INT(sms_status_classify(p.report.status), SMS_STATUS_DELIVERED);

	/* Extension bit: a second TP-PI octet, then only the PID. */
	snprintf(fields, sizeof(fields), "%s 81 00 7F", head);
	CHECK(decode_fields(fields, &p, err, sizeof(err)));
	CHECK_INT(p.report.pid, 0x7f);
	CHECK_STR(p.report.ud.text, "");

	/* TP-PI 0: nothing follows. */
	snprintf(fields, sizeof(fields), "%s 00", head);
	CHECK(decode_fields(fields, &p, err, sizeof(err)));

	/* TP-PI promises user data that is not there. */
	snprintf(fields, sizeof(fields), "%s 04", head);
	CHECK(!decode_fields(fields, &p, err, sizeof(err)));
	CHECK(strstr(err, "TP-UDL") != NULL);

	/* An extension octet that never comes. */
	snprintf(fields, sizeof(fields), "%s 80", head);
	CHECK(!decode_fields(fields, &p, err, sizeof(err)));
	CHECK(strstr(err, "TP-PI") != NULL);
}

struct dcs_vec {
	uint8_t dcs;
	enum sms_encoding enc;
	int msg_class;
	int mwi;
	bool active, compressed;
};

/* TS 23.038 §4, one row per coding group. */
static const struct dcs_vec dcs_vecs[] = {
	{ 0x00, SMS_ENCODING_GSM7, -1, -1, false, false },
	{ 0x04, SMS_ENCODING_8BIT, -1, -1, false, false },
	{ 0x08, SMS_ENCODING_UCS2, -1, -1, false, false },
	{ 0x0c, SMS_ENCODING_GSM7, -1, -1, false, false }, /* reserved */
	{ 0x10, SMS_ENCODING_GSM7, 0, -1, false, false },  /* flash */
	{ 0x16, SMS_ENCODING_8BIT, 2, -1, false, false },
	{ 0x19, SMS_ENCODING_UCS2, 1, -1, false, false },
	{ 0x20, SMS_ENCODING_8BIT, -1, -1, false, true },  /* compressed */
	{ 0x48, SMS_ENCODING_UCS2, -1, -1, false, false }, /* auto-delete */
	{ 0x80, SMS_ENCODING_GSM7, -1, -1, false, false }, /* reserved */
	{ 0xb4, SMS_ENCODING_GSM7, -1, -1, false, false }, /* reserved */
	{ 0xc0, SMS_ENCODING_GSM7, -1, 0, false, false },  /* MWI discard */
	{ 0xc8, SMS_ENCODING_GSM7, -1, 0, true, false },
	{ 0xd9, SMS_ENCODING_GSM7, -1, 1, true, false },   /* MWI store */
	{ 0xea, SMS_ENCODING_UCS2, -1, 2, true, false },   /* MWI UCS2 */
	{ 0xf0, SMS_ENCODING_GSM7, 0, -1, false, false },
	{ 0xf5, SMS_ENCODING_8BIT, 1, -1, false, false },
	{ 0xfb, SMS_ENCODING_GSM7, 3, -1, false, false },  /* bit 3 reserved */
};

TEST(sms_decode_dcs_groups)
{
	for (size_t i = 0; i < sizeof(dcs_vecs) / sizeof(dcs_vecs[0]); i++) {
		const struct dcs_vec *v = &dcs_vecs[i];
		char fields[200], err[160];
		struct sms_pdu p;
		bool octets = v->enc != SMS_ENCODING_GSM7;

		/* "hello" as septets, or its 5 packed octets as data. */
		snprintf(fields, sizeof(fields),
			 "00 04 0B91 5155552143F5 00 %02X 21307241500000 %s",
			 v->dcs, octets ? "05E8329BFD06" : "05E8329BFD06");
		if (!CHECK(decode_fields(fields, &p, err, sizeof(err)))) {
			harness_fail(__FILE__, __LINE__, "dcs %02X: %s",
				     v->dcs, err);
			continue;
		}
		CHECK_INT(p.deliver.ud.encoding, v->enc);
		CHECK_INT(p.deliver.ud.msg_class, v->msg_class);
		CHECK_INT(p.deliver.ud.mwi, v->mwi);
		CHECK_INT(p.deliver.ud.mwi_active, v->active);
		CHECK_INT(p.deliver.ud.compressed, v->compressed);
		if (v->enc == SMS_ENCODING_GSM7)
			CHECK_STR(p.deliver.ud.text, "hello");
		else if (v->enc == SMS_ENCODING_8BIT)
			CHECK_STR(p.deliver.ud.text, "e8329bfd06");
	}
}
