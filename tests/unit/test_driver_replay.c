/*
 * Each vendor quirk against the capture that shows it: the driver's
 * tables (finals, URCs, call results taken out of the finals) are
 * installed on a chat as the lifecycle installs them, the capture is
 * replayed, and the URCs must reach the kinds the driver says and every
 * command end with the final response the device gave.
 */
#include "chat_fixture.h"
#include "at_capture.h"
#include "at_parse.h"
#include "driver.h"

#include <strings.h>

#define DR_MAX 32
#define DR_KINDS (DRIVER_URC_USSD + 1)

struct dr_urc {
	struct dr_replay *r;
	enum driver_urc_kind kind;
};

struct dr_replay {
	struct fx fx;
	struct rec recs[DR_MAX];
	int nsent;
	int kinds[DR_KINDS];
	int pdus;
	struct dr_urc urcs[64];
	size_t nurcs;
};

static void dr_urc_cb(const char *line, const char *pdu, void *ud)
{
	struct dr_urc *u = ud;

	(void)line;
	u->r->kinds[u->kind]++;
	if (pdu)
		u->r->pdus++;
}

static void dr_register(struct dr_replay *r, const char *prefix,
			enum driver_urc_kind kind, bool pdu)
{
	struct dr_urc *u = &r->urcs[r->nurcs++];

	u->r = r;
	u->kind = kind;
	CHECK(at_chat_register(r->fx.chat, prefix, pdu, dr_urc_cb, u) > 0);
}

/* What modem_install_driver() does, on a bare chat. */
static void dr_install(struct dr_replay *r, const struct driver *d)
{
	const struct driver *chain[8];
	size_t n = driver_chain(d, chain, 8);
	struct driver res;

	CHECK_INT(driver_resolve(d, &res), 0);
	for (size_t i = 0; res.not_finals[i]; i++) {
		at_chat_remove_final(r->fx.chat, res.not_finals[i]);
		dr_register(r, res.not_finals[i], DRIVER_URC_IGNORE, false);
	}
	for (size_t i = 0; i < n; i++) {
		for (const struct driver_final *f = chain[i]->finals;
		     f && f->text; f++)
			CHECK_INT(at_chat_add_final(r->fx.chat, f->text,
						    f->prefix, f->success), 0);
		for (const struct driver_urc *u = chain[i]->urcs;
		     u && u->prefix; u++)
			dr_register(r, u->prefix, u->kind, u->pdu);
	}
}

/* The lifecycle asks AT+NAME with the prefix "+NAME:" (^NAME too). */
static void dr_submit(struct dr_replay *r, const struct at_capture_chunk *c)
{
	char cmd[256], prefix[32] = "";
	const char *prefixes[] = { prefix, NULL };
	struct at_request req = { .command = cmd, .raw_lines = true,
				  .timeout_ms = 2000 };

	snprintf(cmd, sizeof(cmd), "%.*s", (int)c->len - 1,
		 (const char *)c->data);
	if (cmd[2] == '+' || cmd[2] == '^') {
		snprintf(prefix, sizeof(prefix), "%.*s:",
			 (int)strcspn(cmd + 2, "=?"), cmd + 2);
		req.prefixes = prefixes;
	}
	req.pdu_lines = !strncasecmp(cmd, "AT+CMGL", 7) ||
			!strncasecmp(cmd, "AT+CMGR", 7);
	req.cb = rec_cb;
	req.ud = &r->recs[r->nsent];
	CHECK(at_chat_submit(r->fx.chat, &req) > 0);
	r->nsent++;
	fx_expect(&r->fx, c->data, c->len);
}

static struct dr_replay *dr_replay(const struct driver *d, const char *name)
{
	static struct dr_replay r;
	struct at_capture cap;
	char path[1024];
	const char *root = getenv("SMSGW_ROOT");

	memset(&r, 0, sizeof(r));
	snprintf(path, sizeof(path), "%s/tests/captures/%s",
		 root ? root : ".", name);
	CHECK_INT(at_capture_load(path, &cap, NULL, 0), 0);
	fx_init(&r.fx);
	dr_install(&r, d);
	for (size_t i = 0; i < cap.nchunks && r.nsent < DR_MAX; i++) {
		const struct at_capture_chunk *c = &cap.chunks[i];

		if (c->dir == AT_CAPTURE_DIR_MODEM) {
			fx_modem(&r.fx, c->data, c->len);
			continue;
		}
		if (c->len < 3 || strncasecmp((const char *)c->data, "AT", 2))
			continue;
		if (r.nsent)
			fx_until(&r.fx, &r.recs[r.nsent - 1].calls, 1);
		dr_submit(&r, c);
	}
	if (r.nsent)
		fx_until(&r.fx, &r.recs[r.nsent - 1].calls, 1);
	for (int k = 0; k < 10; k++)
		fx_step(&r.fx);
	for (int k = 0; k < r.nsent; k++)
		if (!CHECK_INT(r.recs[k].calls, 1))
			printf("# %s: command %d\n", name, k);
	fx_done(&r.fx);
	at_capture_free(&cap);
	return &r;
}

TEST(driver_replay_huawei_e1752_unknown_command_and_rssi)
{
	struct dr_replay *r = dr_replay(&driver_huawei,
					"huawei-e1752/init.at");

	CHECK_INT(r->recs[2].status, AT_CHAT_STATUS_ERROR);
	CHECK_STR(r->recs[2].final, "COMMAND NOT SUPPORT");
	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 2);
}

TEST(driver_replay_huawei_e3372_memory_full)
{
	struct dr_replay *r = dr_replay(&driver_huawei,
					"huawei-e3372/smmemfull.at");

	CHECK_INT(r->kinds[DRIVER_URC_STORAGE_FULL], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 1);
	/* ^MODE, ^SRVST, ^DSFLOWRPT (inside the ^CURC answer) */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 3);
	CHECK_INT(r->recs[0].status, AT_CHAT_STATUS_OK);
	CHECK_INT(r->recs[0].nlines, 0);
	CHECK_INT(r->recs[2].nlines, 2);	/* +CMGL and its PDU */
}

TEST(driver_replay_simcom_boot)
{
	struct dr_replay *r = dr_replay(&driver_simcom,
					"simcom-sim800/boot.at");

	/* RDY; SMS Ready; +CPIN: READY; +CFUN: 1 and Call Ready */
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SIM], 1);
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 2);
	r = dr_replay(&driver_simcom, "simcom-sim7600/boot.at");
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* SMS DONE */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 1);	/* PB DONE */
}

TEST(driver_replay_simcom_signal_reports)
{
	struct dr_replay *r = dr_replay(&driver_simcom,
					"simcom-sim800/csqn.at");

	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 2);
	CHECK_STR(r->recs[1].lines[0], "+CSQ: 17,0");
}

TEST(driver_replay_simcom_under_voltage)
{
	struct dr_replay *r = dr_replay(&driver_simcom,
					"simcom-sim5360/undervoltage.at");

	CHECK_INT(r->kinds[DRIVER_URC_WARNING], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);
	CHECK_INT(r->recs[1].status, AT_CHAT_STATUS_OK);
	CHECK_STR(r->recs[1].lines[0], "+CSQ: 14,99");
}

TEST(driver_replay_quectel_boot_iccid_and_slot)
{
	struct dr_replay *r = dr_replay(&driver_quectel,
					"quectel-eg25/boot-dual-sim.at");
	char iccid[24];

	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SIM], 2);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 2);
	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 1);
	/* +CFUN, +QUSIM x2, PB DONE */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 4);
	CHECK(at_parse_iccid(r->recs[0].lines[0], iccid, sizeof(iccid)));
	CHECK_STR(iccid, "8944000000000000001F");
	CHECK_STR(r->recs[1].lines[0], "+QDSIM: 0");
	CHECK_STR(r->recs[3].final, "+CMS ERROR: 314");
	CHECK_INT(r->recs[4].status, AT_CHAT_STATUS_OK);
}

TEST(driver_replay_quectel_reports)
{
	struct dr_replay *r = dr_replay(&driver_quectel,
					"quectel-ec25/cnma.at");

	CHECK_INT(r->kinds[DRIVER_URC_SMS_DIRECT], 1);
	CHECK_INT(r->pdus, 1);
	CHECK_STR(r->recs[3].final, "+CMS ERROR: 340");
	r = dr_replay(&driver_quectel, "quectel-ec25/cdsi-sr.at");
	CHECK_INT(r->kinds[DRIVER_URC_REPORT_STORED], 1);
}

TEST(driver_replay_generic_no_carrier_does_not_end_a_command)
{
	struct dr_replay *r = dr_replay(&driver_generic,
					"generic-27005/no-carrier.at");

	CHECK_INT(r->kinds[DRIVER_URC_CALL], 1);	/* RING */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 1);	/* NO CARRIER */
	CHECK_INT(r->recs[0].status, AT_CHAT_STATUS_OK);
	CHECK_INT(r->recs[0].nlines, 2);
	CHECK_STR(r->recs[0].lines[0], "+CMGR: 0,,23");
}

TEST(driver_replay_generic_session)
{
	struct dr_replay *r = dr_replay(&driver_generic,
					"generic-27005/session.at");

	CHECK_INT(r->kinds[DRIVER_URC_SMS_STORED], 2);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_DIRECT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_REPORT_DIRECT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_REGISTRATION], 1);
	CHECK_INT(r->pdus, 2);
}

/* ---- one capture per family (tests/captures/<family>/session.at) ---- */

#include "at_parse_sms.h"

/* The +CMGR answer of the replay read back as its PDU. */
static bool dr_cmgr_pdu(struct dr_replay *r, struct at_sms_pdu *p)
{
	for (int k = 0; k < r->nsent; k++) {
		const char *v[FX_MAX_LINES];

		for (size_t i = 0; i < r->recs[k].nlines; i++)
			v[i] = r->recs[k].lines[i];
		if (r->recs[k].status == AT_CHAT_STATUS_OK &&
		    at_parse_sms_cmgr(v, r->recs[k].nlines, p))
			return true;
	}
	return false;
}

#define DR_PDU "07913366003051F5040B913306000000F100005180719120348004D4F29C0E"

static struct dr_replay *dr_family(const char *driver, const char *capture)
{
	const struct driver *d = driver_find(driver);
	struct dr_replay *r;
	struct at_sms_pdu p;

	if (!CHECK(d != NULL))
		return NULL;
	r = dr_replay(d, capture);
	/* The vendor line between header and PDU did not cost the PDU. */
	CHECK(dr_cmgr_pdu(r, &p));
	CHECK_STR(p.pdu, DR_PDU);
	return r;
}

TEST(driver_replay_zte_chatter_and_zend_inside_cmgr)
{
	struct dr_replay *r = dr_family("zte", "zte-mf626/session.at");

	if (!r)
		return;
	/* +ZUSIMR, +ZPASR, +ZEND, +ZDONR: heard, not noise. */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 4);
	CHECK_STR(r->recs[0].lines[0], "+ZGETICCID: 89860012345678901234");
}

TEST(driver_replay_sierra_pacsp_and_iccid)
{
	struct dr_replay *r = dr_family("sierra", "sierra-mc7455/session.at");
	char iccid[32];

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 1);
	CHECK(at_parse_iccid(r->recs[0].lines[0], iccid, sizeof(iccid)));
	CHECK_STR(iccid, "89014103211118510720");
	CHECK_INT(r->recs[2].status, AT_CHAT_STATUS_OK);
}

TEST(driver_replay_telit_qss_readiness)
{
	struct dr_replay *r = dr_family("telit", "telit-le910/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* #QSS: 3 */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 3);	/* #QSS: x2, #PSNT */
}

TEST(driver_replay_ublox_usimstat_readiness)
{
	struct dr_replay *r = dr_family("ublox",
					"ublox-sara-u270/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* +USIMSTAT: 7 */
}

TEST(driver_replay_cinterion_sysstart_ssim_bfr_and_undervoltage)
{
	struct dr_replay *r = dr_family("cinterion",
					"cinterion-ehs5/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);	/* ^SYSSTART */
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* ^SSIM READY */
	CHECK_INT(r->kinds[DRIVER_URC_WARNING], 1);	/* ^SBC: Underv. */
	CHECK_STR(r->recs[2].final, "+CMS ERROR: 303");	/* <bfr> 0 */
	CHECK_INT(r->recs[3].status, AT_CHAT_STATUS_OK);	/* <bfr> 1 */
}

TEST(driver_replay_wavecom_wind_and_finalless_cpin)
{
	struct dr_replay *r = dr_family("wavecom",
					"wavecom-fastrack/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);	/* +WIND: 3 */
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* +WIND: 4 */
	/* +CPIN: READY and no OK: answered by its line. */
	CHECK_INT(r->recs[0].status, AT_CHAT_STATUS_OK);
	CHECK_STR(r->recs[0].lines[0], "+CPIN: READY");
}

TEST(driver_replay_fibocom_pbready)
{
	struct dr_replay *r = dr_family("fibocom", "fibocom-l850/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* +PBREADY */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE] >= 2, 1);
}
