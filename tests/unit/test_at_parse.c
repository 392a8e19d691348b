/*
 * Parsers of TS 27.007/27.005 answers, on the lines of real captures (named
 * after the device) and on truncated and garbled variants.
 */
#include "harness.h"
#include "at_capture.h"
#include "at_frame.h"
#include "at_parse.h"
#include "at_parse_sms.h"
#include "driver.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_LINES 256

/* The modem's lines of a capture, as the framer cuts them. */
struct lines {
	char *v[MAX_LINES];
	size_t n;
};

static struct lines *capture_lines(const char *name)
{
	static struct lines l;
	char path[1024];
	struct at_capture cap;
	struct at_frame fr;
	uint8_t *bytes;
	size_t len;

	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	l.n = 0;
	CHECK(harness_capture(name, path, sizeof(path)));
	if (!CHECK_INT(at_capture_load(path, &cap, NULL, 0), 0))
		return &l;
	bytes = at_capture_join(&cap, AT_CAPTURE_DIR_MODEM, &len);
	at_frame_init(&fr);
	for (size_t off = 0; off < len;) {
		enum at_frame_event ev;

		off += at_frame_feed(&fr, bytes + off, len - off, &ev);
		if (ev == AT_FRAME_EVENT_LINE && l.n < MAX_LINES)
			l.v[l.n++] = strdup(at_frame_line(&fr));
	}
	free(bytes);
	at_capture_free(&cap);
	return &l;
}

/* The nth line (from 0) starting with prefix, or "". */
static const char *find(const struct lines *l, const char *prefix, int nth)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i], prefix, strlen(prefix)) && nth-- == 0)
			return l->v[i];
	harness_fail(__FILE__, __LINE__, "no line %s #%d", prefix, nth);
	return "";
}

/* The line after the nth line starting with prefix. */
static const char *after(const struct lines *l, const char *prefix, int nth)
{
	for (size_t i = 0; i + 1 < l->n; i++)
		if (!strncmp(l->v[i], prefix, strlen(prefix)) && nth-- == 0)
			return l->v[i + 1];
	return "";
}

TEST(at_parse_huawei_e1752)
{
	struct lines *l = capture_lines("huawei-e1752/init.at");
	struct at_csq q;
	struct at_cpms m;
	enum at_cpin pin;

	/* ^RSSI is Huawei's: its driver reads it, the generic one not. */
	CHECK(driver_signal_read(&driver_huawei, find(l, "^RSSI:", 0), &q));
	CHECK_INT(q.rssi, 14);
	CHECK(driver_signal_read(&driver_huawei, find(l, "^RSSI:", 1), &q));
	CHECK_INT(q.rssi, 10);
	CHECK(!driver_signal_read(&driver_generic, find(l, "^RSSI:", 0), &q));
	CHECK(at_parse_csq(find(l, "+CSQ:", 0), &q));
	CHECK_INT(q.rssi, 10);
	CHECK_INT(q.ber, 99);
	CHECK_INT(at_parse_rssi_dbm(q.rssi), -93);
	CHECK(at_parse_cpin(find(l, "+CPIN:", 0), &pin));
	CHECK_INT(pin, AT_CPIN_READY);
	CHECK(at_parse_sms_cpms(find(l, "+CPMS:", 0), &m));
	CHECK_INT(m.n, 3);
	CHECK_STR(m.mem[0], "");
	CHECK_INT(m.used[0], 1);
	CHECK_INT(m.total[2], 50);
	CHECK(at_parse_sms_cpms(find(l, "+CPMS:", 1), &m));
	CHECK_INT(m.total[0], 23);
	CHECK_INT(m.used[2], 1);
}

TEST(at_parse_huawei_e1752_cmgl)
{
	struct lines *l = capture_lines("huawei-e1752/cmgl.at");
	struct at_sms_pdu p;
	size_t pos = 0;

	CHECK_INT(at_parse_sms_cmgl((const char *const *)l->v, l->n, &pos, &p),
		  AT_PARSE_SMS_ENTRY);
	CHECK_INT(p.index, 0);
	CHECK_INT(p.stat, AT_SMS_STAT_REC_UNREAD);
	CHECK_INT(p.length, 23);
	CHECK_INT(p.pdu_len, 62);
	CHECK(!strncmp(p.pdu, "0791336600", 10));
	CHECK_INT(at_parse_sms_cmgl((const char *const *)l->v, l->n, &pos, &p),
		  AT_PARSE_SMS_END);
}

TEST(at_parse_huawei_e3372_identity)
{
	struct lines *l = capture_lines("huawei-e3372/identity.at");
	char id[32];

	CHECK(at_parse_imei(find(l, "IMEI:", 0), id, sizeof(id)));
	CHECK_STR(id, "861234567890123");
	CHECK(at_parse_imei(find(l, "8612", 0), id, sizeof(id)));
	CHECK_STR(id, "861234567890123");
	CHECK(at_parse_imsi(find(l, "5156", 0), id, sizeof(id)));
	CHECK_STR(id, "515661234567890");
	CHECK(driver_iccid_read(&driver_huawei, find(l, "^ICCID:", 0), id,
				sizeof(id)));
	CHECK_STR(id, "89630000000012345678");
	CHECK(!at_parse_iccid(find(l, "^ICCID:", 0), id, sizeof(id)));
	CHECK(!driver_iccid_read(&driver_generic, find(l, "^ICCID:", 0), id,
				 sizeof(id)));
	/* Other lines are not identities. */
	CHECK(!at_parse_imei(find(l, "Model:", 0), id, sizeof(id)));
	CHECK(!at_parse_imsi(find(l, "Revision:", 0), id, sizeof(id)));
	CHECK(!at_parse_iccid("89630000000012345678", id, 8));
	/* AT+CRSM=176,12258,0,0,10 (old phones): digits swapped, F fill. */
	CHECK(at_parse_iccid("+CRSM: 144,0,\"98691000000021436587\"", id,
			     sizeof(id)));
	CHECK_STR(id, "89960100000012345678");
	CHECK(at_parse_iccid("+CRSM: 144,0,\"986910000000214365F7\"", id,
			     sizeof(id)));
	CHECK_STR(id, "8996010000001234567");
	/* A failed read (6A 82: file not found), or not BCD. */
	CHECK(!at_parse_iccid("+CRSM: 106,130", id, sizeof(id)));
	CHECK(!at_parse_iccid("+CRSM: 106,130,\"98691000000021436587\"", id,
			      sizeof(id)));
	CHECK(!at_parse_iccid("+CRSM: 144,0,\"98A91000000021436587\"", id,
			      sizeof(id)));
}

TEST(at_parse_qualcomm_prefixed_imsi_and_cms)
{
	struct lines *l = capture_lines("qualcomm-m7227/cmgs-echo.at");
	char id[32];
	int code;

	CHECK(at_parse_imsi(find(l, "+CIMI:", 0), id, sizeof(id)));
	CHECK_STR(id, "208150000000001");
	CHECK(at_parse_sms_cms_error(find(l, "+CMS ERROR:", 0), &code));
	CHECK_INT(code, 500);
}

TEST(at_parse_marvell_registration)
{
	struct lines *l = capture_lines("marvell-oem/registration.at");
	struct at_csq q;
	struct at_reg r;

	CHECK(at_parse_csq(find(l, "+CSQ:", 0), &q));
	CHECK_INT(q.rssi, 99);
	CHECK_INT(at_parse_rssi_dbm(99), 0);
	CHECK(at_parse_reg(find(l, "+CREG:", 0), "+CREG:", &r));
	CHECK_INT(r.n, 2);
	CHECK_INT(r.stat, AT_REG_STAT_HOME);
	CHECK(r.has_loc);
	CHECK_INT(r.lac, 0x3584);
	CHECK_INT(r.ci, 0xef4a08);
	CHECK_INT(r.act, 7);
	CHECK(at_parse_reg(find(l, "+CGREG:", 0), "+CGREG:", &r));
	CHECK_INT(r.n, 2);
	CHECK_INT(r.stat, 0);
	CHECK(!r.has_loc);
	CHECK(at_parse_reg(find(l, "+CEREG:", 0), "+CEREG:", &r));
	CHECK_INT(r.ci, 0xef4a08);
	CHECK(at_parse_reg_registered(r.stat));
}

TEST(at_parse_generic_session)
{
	struct lines *l = capture_lines("generic-27005/session.at");
	const char *const *v = (const char *const *)l->v;
	enum at_cpin pin;
	struct at_cpms m;
	struct at_csca sca;
	struct at_cnum num;
	struct at_reg r;
	struct at_cops op;
	struct at_sms_index idx;
	struct at_sms_pdu p;
	size_t pos = 0;
	int v1;
	char id[32];

	CHECK(at_parse_cpin(find(l, "+CPIN:", 0), &pin));
	CHECK_INT(pin, AT_CPIN_SIM_PIN);
	CHECK(at_parse_imei(find(l, "4901", 0), id, sizeof(id)));
	CHECK(at_parse_sms_cpms(find(l, "+CPMS:", 1), &m));
	CHECK_STR(m.mem[1], "SM");
	CHECK_INT(m.used[1], 2);
	CHECK_INT(m.total[1], 30);
	CHECK(at_parse_sms_csca(find(l, "+CSCA:", 0), &sca));
	CHECK_STR(sca.number, "+15550000000");
	CHECK_INT(sca.type, 145);
	CHECK(at_parse_cnum(find(l, "+CNUM:", 0), &num));
	CHECK_STR(num.alpha, "Own number");
	CHECK_STR(num.number, "+15551230001");
	CHECK(at_parse_reg(find(l, "+CREG:", 0), "+CREG:", &r));
	CHECK_INT(r.n, 2);
	CHECK_INT(r.lac, 0xc3);
	CHECK_INT(r.act, -1);
	/* The URC form during +CMGS. */
	CHECK(at_parse_reg(find(l, "+CREG:", 1), "+CREG:", &r));
	CHECK_INT(r.n, -1);
	CHECK_INT(r.stat, 1);
	CHECK_INT(r.ci, 0xa1b3);
	CHECK(at_parse_cops(find(l, "+COPS:", 0), &op));
	CHECK_STR(op.oper, "Example Net");
	CHECK_INT(op.act, 7);
	CHECK(at_parse_sms_cmti(find(l, "+CMTI:", 0), &idx));
	CHECK_STR(idx.mem, "SM");
	CHECK_INT(idx.index, 3);
	CHECK(!at_parse_sms_cdsi(find(l, "+CMTI:", 0), &idx));
	/* The listing: the +CMTI between the entries is skipped. */
	CHECK_INT(at_parse_sms_cmgl(v, l->n, &pos, &p), AT_PARSE_SMS_ENTRY);
	CHECK_INT(p.index, 1);
	CHECK_INT(p.length, 21);
	CHECK_INT(at_parse_sms_cmgl(v, l->n, &pos, &p), AT_PARSE_SMS_ENTRY);
	CHECK_INT(p.index, 2);
	CHECK_INT(p.length, 23);
	CHECK_INT(at_parse_sms_cmgl(v, l->n, &pos, &p), AT_PARSE_SMS_END);
	CHECK(at_parse_sms_cmgr(v, l->n, &p));
	CHECK_INT(p.stat, 0);
	CHECK_INT(p.length, 21);
	CHECK(at_parse_sms_cmgs(find(l, "+CMGS:", 0), &v1));
	CHECK_INT(v1, 12);
	CHECK(at_parse_sms_cds(find(l, "+CDS:", 0), after(l, "+CDS:", 0), &p));
	CHECK_INT(p.length, 25);
	CHECK(at_parse_sms_cmt(find(l, "+CMT:", 0), after(l, "+CMT:", 0), &p));
	CHECK_INT(p.length, 21);
	CHECK(at_parse_sms_cms_error(find(l, "+CMS ERROR:", 0), &v1));
	CHECK_INT(v1, 303);
	CHECK(at_parse_sms_cms_error(find(l, "+CMS ERROR:", 1), &v1));
	CHECK_INT(v1, 42);
	CHECK(at_parse_sms_cms_error(find(l, "+CMS ERROR:", 3), &v1));
	CHECK_INT(v1, 321);
}

TEST(at_parse_quectel_ec25)
{
	struct lines *l = capture_lines("quectel-ec25/cdsi-sr.at");
	struct at_sms_index idx;
	struct at_sms_pdu p;
	int mr, code;

	CHECK(at_parse_sms_cmgs(find(l, "+CMGS:", 0), &mr));
	CHECK_INT(mr, 78);
	CHECK(at_parse_sms_cdsi(find(l, "+CDSI:", 0), &idx));
	CHECK_STR(idx.mem, "SM");
	CHECK_INT(idx.index, 0);
	/* AT+CMGR=0 answered a bare OK: no message there. */
	CHECK(!at_parse_sms_cmgr(NULL, 0, &p));
	l = capture_lines("quectel-ec25/cnma.at");
	CHECK(at_parse_sms_cmt(find(l, "+CMT:", 0), after(l, "+CMT:", 0), &p));
	CHECK_INT(p.length, 23);
	CHECK(at_parse_sms_cms_error(find(l, "+CMS ERROR:", 0), &code));
	CHECK_INT(code, 340);
}

TEST(at_parse_simcom)
{
	struct lines *l = capture_lines("simcom-sim7600/boot.at");
	struct at_sms_pdu p;
	struct at_csq q;
	size_t pos = 0;

	/* SIM7600: no space after "+CMGL:". */
	CHECK_INT(at_parse_sms_cmgl((const char *const *)l->v, l->n, &pos, &p),
		  AT_PARSE_SMS_ENTRY);
	CHECK_INT(p.index, 1);
	CHECK_INT(p.stat, 1);
	l = capture_lines("simcom-sim800/boot.at");
	CHECK(at_parse_csq(find(l, "+CSQ:", 0), &q));
	CHECK_INT(q.rssi, 18);
	CHECK_INT(q.ber, 0);
}
