/*
 * ms_pers — modem personalities as data (doc/style.md, "Vendor quirks"): identity
 * strings, boot URCs, URC noise, power-on defaults and vendor commands.
 * Each row says where its strings come from. "{imei}" in ATI lines and
 * "{rssi}" in noise lines are replaced by the modem's values.
 */
#include "ms.h"

#include <string.h>

/* A generic TS 27.007/27.005 modem: the standard defaults, no URCs. */
static const char *const generic_ati[] = {
	"smsgw modemsim", "Generic 3GPP modem", "Revision: modemsim-1.0", NULL
};
static const struct ms_boot_urc generic_boot[] = {
	{ MS_BOOT_SIM_PIN, "+CPIN: SIM PIN", false },
	{ MS_BOOT_SIM_READY, "+CPIN: READY", true },
	{ 0, NULL, false },
};
static const char *const generic_noise[] = {
	"RING", "+CREG: 1", "NO CARRIER", NULL
};

/*
 * Huawei E3372 (stick firmware 21.x) and E1752. ^RSSI:<n> without a space,
 * ^MODE:5,4, ^SRVST:0 and ^BOOT:… arrive between and inside responses:
 * gammu issues #126 and #138 (E1752 traces), and the HUAWEI UMTS Datacard
 * AT Command Interface Specification (^RSSI, ^MODE, ^SRVST, ^SIMST,
 * ^BOOT, ^SMMEMFULL). Storage indexes start at 0 and "SM" holds 50
 * (+CPMS: 0,50,0,50,0,50 in gammu #138).
 */
static const char *const huawei_e3372_ati[] = {
	"Manufacturer: huawei", "Model: E3372", "Revision: 21.180.01.00.00",
	"IMEI: {imei}", "+GCAP: +CGSM,+DS,+ES", NULL
};
static const char *const huawei_e1752_ati[] = {
	"Manufacturer: huawei", "Model: E1752", "Revision: 11.126.16.04.284",
	"IMEI: {imei}", "+GCAP: +CGSM,+DS,+ES", NULL
};
static const struct ms_boot_urc huawei_boot[] = {
	{ MS_BOOT_POWER, "^BOOT:20952179,0,0,0,72", false },
	{ MS_BOOT_SIM_PIN, "^SIMST:255", false },
	{ MS_BOOT_SIM_READY, "^SIMST:1", true },
	{ MS_BOOT_SIM_READY, "^SRVST:2", false },
	{ MS_BOOT_SIM_READY, "^MODE:5,4", false },
	{ 0, NULL, false },
};
static const char *const huawei_noise[] = {
	"^RSSI:{rssi}", "^BOOT:20952179,0,0,0,72", "^MODE:5,4", "^SRVST:2",
	"^SRVST:0", NULL
};

/*
 * SIMCom SIM800 (UART module): after power-on with a fixed baud rate it
 * prints RDY, +CFUN: 1, +CPIN: READY, Call Ready, SMS Ready (SIM800 Series
 * AT Command Manual, "Unsolicited result codes"). Storage indexes start at
 * 1; +CCID answers the bare ICCID. "UNDER-VOLTAGE WARNNING" (sic) is its
 * supply-voltage URC, seen on weak USB adapters.
 */
static const char *const simcom_sim800_ati[] = { "SIM800 R14.18", NULL };
static const struct ms_boot_urc simcom_sim800_boot[] = {
	{ MS_BOOT_POWER, "RDY", false },
	{ MS_BOOT_POWER, "+CFUN: 1", false },
	{ MS_BOOT_SIM_PIN, "+CPIN: SIM PIN", false },
	{ MS_BOOT_SIM_READY, "+CPIN: READY", false },
	{ MS_BOOT_SIM_READY, "Call Ready", false },
	{ MS_BOOT_SIM_READY, "SMS Ready", true },
	{ 0, NULL, false },
};
static const char *const simcom_sim800_noise[] = {
	"+CSQN: {rssi},0", "RING", "UNDER-VOLTAGE WARNNING", "+CREG: 1", NULL
};

/*
 * SIMCom SIM7600 (USB, LTE): RDY, +CPIN: READY, SMS DONE, PB DONE at boot
 * (SIM7500_SIM7600 Series AT Command Manual V1.08, power-on URCs); ICCID
 * through AT+CICCID as "+ICCID: …"; indexes from 0.
 */
static const char *const simcom_sim7600_ati[] = {
	"Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600E-H",
	"Revision: SIM7600M22_V2.0", "IMEI: {imei}", "+GCAP: +CGSM", NULL
};
static const struct ms_boot_urc simcom_sim7600_boot[] = {
	{ MS_BOOT_POWER, "RDY", false },
	{ MS_BOOT_SIM_PIN, "+CPIN: SIM PIN", false },
	{ MS_BOOT_SIM_READY, "+CPIN: READY", false },
	{ MS_BOOT_SIM_READY, "SMS DONE", true },
	{ MS_BOOT_SIM_READY, "PB DONE", false },
	{ 0, NULL, false },
};
static const char *const simcom_sim7600_noise[] = {
	"RING", "+CREG: 1", "+CGEV: ME PDN ACT 1", NULL
};

/*
 * Quectel EC25 / EG25 (USB, LTE): RDY, +CFUN: 1, +CPIN: READY, +QUSIM: 1,
 * +QIND: SMS DONE, +QIND: PB DONE at boot (Quectel EC25&EC21 AT Commands
 * Manual V1.3, §1.8 and AT+QINDCFG); +QIND: "csq",<rssi>,<ber> when csq
 * reporting is on; default +CNMI: 2,1,0,0,0; storage indexes from 0;
 * AT+QCCID; dual-SIM selection with AT+QDSIM (§5 "(U)SIM related").
 */
static const char *const quectel_ec25_ati[] = {
	"Quectel", "EC25", "Revision: EC25EFAR06A06M4G", NULL
};
static const char *const quectel_eg25_ati[] = {
	"Quectel", "EG25", "Revision: EG25GGBR07A08M2G", NULL
};
static const struct ms_boot_urc quectel_boot[] = {
	{ MS_BOOT_POWER, "RDY", false },
	{ MS_BOOT_POWER, "+CFUN: 1", false },
	{ MS_BOOT_SIM_PIN, "+CPIN: SIM PIN", false },
	{ MS_BOOT_SIM_READY, "+CPIN: READY", false },
	{ MS_BOOT_SIM_READY, "+QUSIM: 1", false },
	{ MS_BOOT_SIM_READY, "+QIND: SMS DONE", true },
	{ MS_BOOT_SIM_READY, "+QIND: PB DONE", false },
	{ 0, NULL, false },
};
static const char *const quectel_noise[] = {
	"+QIND: \"csq\",{rssi},99", "RING", "+CGEV: ME PDN ACT 1", NULL
};

/*
 * ZTE MF626/MF190 sticks: +ZUSIMR, +ZPASR, +ZDONR and +ZEND come unasked,
 * +ZEND also between a +CMGR header and its PDU (ModemManager's zte
 * plugin ignores them for this reason); storage indexes from 0.
 */
static const char *const zte_ati[] = {
	"Manufacturer: ZTE CORPORATION", "Model: MF626",
	"Revision: BD_P673A2V1.0.0B09", "IMEI: {imei}", NULL
};
static const struct ms_boot_urc zte_boot[] = {
	{ MS_BOOT_SIM_READY, "+ZUSIMR:2", true },
	{ MS_BOOT_SIM_READY, "+ZPASR: \"UMTS\"", false },
	{ 0, NULL, false },
};
static const char *const zte_noise[] = {
	"+ZPASR: \"UMTS\"", "+ZDONR: \"SIMNET\",310,260,\"CS_PS\",\"ROAM_OFF\"",
	"+ZEND", "+ZUSIMR:2", NULL
};

/* Sierra Wireless MC7455 (AirPrime): +PACSP1 after the SIM is read. */
static const char *const sierra_ati[] = {
	"Manufacturer: Sierra Wireless, Incorporated", "Model: MC7455",
	"Revision: SWI9X30C_02.24.05.06", "IMEI: {imei}", NULL
};
static const struct ms_boot_urc sierra_boot[] = {
	{ MS_BOOT_SIM_READY, "+PACSP1", true },
	{ 0, NULL, false },
};
static const char *const sierra_noise[] = { "+PACSP1", "RING", NULL };

/* Telit LE910: #QSS: 1 (PIN unlocked), then #QSS: 3 (SMS and phonebook
 * ready) with AT#QSS=2; #PSNT network type reports. */
static const char *const telit_ati[] = { "Telit", "LE910C1-EU",
					 "25.21.660", NULL };
static const struct ms_boot_urc telit_boot[] = {
	{ MS_BOOT_SIM_READY, "#QSS: 1", false },
	{ MS_BOOT_SIM_READY, "#QSS: 3", true },
	{ 0, NULL, false },
};
static const char *const telit_noise[] = { "#PSNT: 4", "RING", NULL };

/* u-blox SARA-U270: +USIMSTAT: 7 once the SIM phonebook (and SMS) is
 * ready; packet data reports. */
static const char *const ublox_ati[] = { "u-blox", "SARA-U270",
					 "23.60", NULL };
static const struct ms_boot_urc ublox_boot[] = {
	{ MS_BOOT_SIM_READY, "+USIMSTAT: 6", false },
	{ MS_BOOT_SIM_READY, "+USIMSTAT: 7", true },
	{ 0, NULL, false },
};
static const char *const ublox_noise[] = { "+UUPSDD: 0", "+CIEV: 2,3", NULL };

/*
 * Cinterion EHS5: ^SYSSTART at boot, ^SSIM READY when SIM data is
 * readable; +CNMI takes <bfr> 1 only (Cinterion AT Command Set,
 * +CNMI; refused otherwise with +CMS ERROR: 303); +CIEV indicators,
 * also inside responses.
 */
static const char *const cinterion_ati[] = { "Cinterion", "EHS5-E",
					     "REVISION 03.001", NULL };
static const struct ms_boot_urc cinterion_boot[] = {
	{ MS_BOOT_POWER, "^SYSSTART", false },
	{ MS_BOOT_SIM_READY, "^SSIM READY", true },
	{ 0, NULL, false },
};
static const char *const cinterion_noise[] = { "+CIEV: service,1",
					       "^SBC: 3", NULL };

/*
 * Wavecom Fastrack (older firmware): +WIND: 3 then +WIND: 4 at boot,
 * +WIND: 7 (network available for emergency calls) at any time, also
 * between a +CMGR header and its PDU; AT+CPIN? answered without OK.
 */
static const char *const wavecom_ati[] = { "WAVECOM MODEM",
					   "MULTIBAND  900E  1800", NULL };
static const struct ms_boot_urc wavecom_boot[] = {
	{ MS_BOOT_POWER, "+WIND: 3", false },
	{ MS_BOOT_SIM_READY, "+WIND: 4", true },
	{ 0, NULL, false },
};
static const char *const wavecom_noise[] = { "+WIND: 7", "+WIND: 8", NULL };

/* Fibocom L850 (Intel XMM): +PBREADY once SMS and phonebook work; +XREG,
 * +XSIM reports. */
static const char *const fibocom_ati[] = { "Fibocom", "L850",
					   "18500.5001.00.05.27.12", NULL };
static const struct ms_boot_urc fibocom_boot[] = {
	{ MS_BOOT_SIM_READY, "+XSIM: 7", false },
	{ MS_BOOT_SIM_READY, "+PBREADY", true },
	{ 0, NULL, false },
};
static const char *const fibocom_noise[] = { "+XREG: 5", "+XSIM: 7", NULL };

/*
 * A Qualcomm-based OEM stick (the M7227 family of captures/qualcomm-m7227):
 * "+CMGR: ,,<length>" without <stat>, the PDU in lower-case hex with
 * padding after it (the issue "real modems" lists both); otherwise the
 * standards: the generic driver.
 */
static const char *const qualcomm_ati[] = {
	"Manufacturer: QUALCOMM INCORPORATED", "Model: M7227",
	"Revision: M7227B-SCAQSVZ-1.1.0", "IMEI: {imei}", NULL
};

/*
 * An old phone on a data cable: Sony Ericsson K750i (Nokia Series 40
 * phones behave alike for SMS). From the Sony Ericsson GM47/GM48
 * Integrator's Manual (LZT 123 7263, chapter 15 "Short message services")
 * and gammu's per-phone feature flags (F_SMS_NO_SM, F_SMS_LOCATION_0):
 * phase 2 only (+CSMS: (0), AT+CSMS=1 refused); received messages are
 * stored in the phone ("ME"), the SIM cannot be <mem3>; +CNMI takes
 * <mode> 2 and <ds> 0 or 2 only; +CMGR answers "+CMGR: <length>"
 * without <stat>; no AT+CCID (the ICCID through AT+CRSM); no +CEREG;
 * "*EMRDY: 1" once the phone is ready after power-on (oFono's and
 * ModemManager's mbm plugins, osmocom sedbgmux), "+CIEV: <ind>,<value>"
 * indicator events with AT+CMER on, also inside answers.
 */
static const char *const phone_ati[] = { "Sony Ericsson K750i",
					 "R1CA021", NULL };
static const struct ms_boot_urc phone_boot[] = {
	{ MS_BOOT_POWER, "*EMRDY: 1", false },
	{ MS_BOOT_SIM_READY, "+CIEV: 2,3", true },
	{ 0, NULL, false },
};
static const char *const phone_noise[] = { "+CIEV: 2,3", "+CIEV: 1,4",
					   "*EMWI: 1,0", NULL };

static const struct ms_pers ms_pers_table[] = {
	{
		.name = "generic",
		.manufacturer = "smsgw",
		.model = "modemsim",
		.revision = "modemsim-1.0",
		.ati = generic_ati,
		.boot = generic_boot,
		.noise = generic_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },	/* TS 27.005 §3.4.1 */
		.echo = true,			/* ITU-T V.250 §6.2.4 */
		.cmee = 0,
		.cscs = "IRA",
		.index_base = 1,
		.eps = true,
		.act = 7,
		.me_size = 100,
		.cmds = NULL,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
	},
	{
		.name = "huawei",
		.manufacturer = "huawei",
		.model = "E3372",
		.revision = "21.180.01.00.00",
		.ati = huawei_e3372_ati,
		.boot = huawei_boot,
		.noise = huawei_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cmee = 0,
		.cscs = "IRA",
		.index_base = 0,
		.cmgr_empty_error = true,
		.eps = true,
		.act = 7,
		.reset_replug = true,
		.memfull_urc = "^SMMEMFULL: \"SM\"",
		.sm_size = 50,
		.me_size = 100,
		.cmds = ms_vendor_huawei,
		.cmms = false,		/* E3372/E1752 manuals: no +CMMS */
		/* E1752: ^RSSI inside answers (captures/huawei-e1752/init.at). */
		.header_noise = "^RSSI:14",
	},
	{
		.name = "huawei-e1752",
		.manufacturer = "huawei",
		.model = "E1752",
		.revision = "11.126.16.04.284",
		.ati = huawei_e1752_ati,
		.boot = huawei_boot,
		.noise = huawei_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 0,
		.cmgr_empty_error = true,
		.act = 2,
		.reset_replug = true,
		.memfull_urc = "^SMMEMFULL: \"SM\"",
		.sm_size = 50,
		.me_size = 100,
		.cmds = ms_vendor_huawei,
		.cmms = false,		/* E3372/E1752 manuals: no +CMMS */
		/* captures/huawei-e1752/init.at */
		.header_noise = "^RSSI:14",
	},
	{
		.name = "simcom",
		.manufacturer = "SIMCOM_Ltd",
		.model = "SIMCOM_SIM800",
		.revision = "Revision:1418B04SIM800L24",
		.ati = simcom_sim800_ati,
		.boot = simcom_sim800_boot,
		.noise = simcom_sim800_noise,
		.ccid_prefix = "",
		.cnmi = { 2, 1, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 1,
		.act = 0,
		.me_size = 100,
		.cmds = ms_vendor_simcom,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		/* With AT+EXUNSOL="SQ",1 (captures/simcom-sim800/csqn.at). */
		.header_noise = "+CSQN: 20,0",
	},
	{
		.name = "simcom-sim7600",
		.manufacturer = "SIMCOM INCORPORATED",
		.model = "SIMCOM_SIM7600E-H",
		.revision = "SIM7600M22_V2.0",
		.ati = simcom_sim7600_ati,
		.boot = simcom_sim7600_boot,
		.noise = simcom_sim7600_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 2, 1, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 0,
		.eps = true,
		.act = 7,
		.reset_replug = true,
		.me_size = 100,
		.cmds = ms_vendor_simcom,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		/* Packet-domain events (TS 27.007 §10.1.19). */
		.header_noise = "+CGEV: ME PDN ACT 1",
	},
	{
		.name = "quectel",
		.manufacturer = "Quectel",
		.model = "EC25",
		.revision = "EC25EFAR06A06M4G",
		.ati = quectel_ec25_ati,
		.boot = quectel_boot,
		.noise = quectel_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 2, 1, 0, 0, 0 },
		.echo = true,
		.cscs = "GSM",
		.index_base = 0,
		.eps = true,
		.act = 7,
		.reset_replug = true,
		.me_size = 100,
		.cmds = ms_vendor_quectel,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		/* SMS commands before +QIND: SMS DONE (EC25 firmware). */
		.sms_busy_code = 500,
		/* AT+QINDCFG="csq",1 (EC25 manual). */
		.header_noise = "+QIND: \"csq\",20,99",
	},
	{
		.name = "quectel-eg25",
		.manufacturer = "Quectel",
		.model = "EG25",
		.revision = "EG25GGBR07A08M2G",
		.ati = quectel_eg25_ati,
		.boot = quectel_boot,
		.noise = quectel_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 2, 1, 0, 0, 0 },
		.echo = true,
		.cscs = "GSM",
		.index_base = 0,
		.eps = true,
		.act = 7,
		.reset_replug = true,
		.me_size = 100,
		.cmds = ms_vendor_quectel,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		/* SMS commands before +QIND: SMS DONE (EC25 firmware). */
		.sms_busy_code = 500,
		/* AT+QINDCFG="csq",1 (EC25 manual). */
		.header_noise = "+QIND: \"csq\",20,99",
	},
	{
		.name = "zte",
		.manufacturer = "ZTE CORPORATION",
		.model = "MF626",
		.revision = "BD_P673A2V1.0.0B09",
		.ati = zte_ati,
		.boot = zte_boot,
		.noise = zte_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 0,
		.act = 2,
		.me_size = 100,
		.header_noise = "+ZEND",
		.cmds = ms_vendor_zte,
	},
	{
		.name = "sierra",
		.manufacturer = "Sierra Wireless, Incorporated",
		.model = "MC7455",
		.revision = "SWI9X30C_02.24.05.06",
		.ati = sierra_ati,
		.boot = sierra_boot,
		.noise = sierra_noise,
		.ccid_prefix = "ICCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 1,
		.eps = true,
		.act = 7,
		.reset_replug = true,
		.me_size = 100,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		.cmds = ms_vendor_sierra,
		/* PLMN-mode bit after the SIM is read. */
		.header_noise = "+PACSP1",
	},
	{
		.name = "telit",
		.manufacturer = "Telit",
		.model = "LE910C1-EU",
		.revision = "25.21.660",
		.ati = telit_ati,
		.boot = telit_boot,
		.noise = telit_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 1,
		.eps = true,
		.act = 7,
		.me_size = 100,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		.cmds = ms_vendor_telit,
		/* Network type report. */
		.header_noise = "#PSNT: 4",
	},
	{
		.name = "ublox",
		.manufacturer = "u-blox",
		.model = "SARA-U270",
		.revision = "23.60",
		.ati = ublox_ati,
		.boot = ublox_boot,
		.noise = ublox_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 1, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 1,
		.act = 2,
		.me_size = 100,
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		.cmds = ms_vendor_ublox,
		.cfun_reset = 16,	/* "MT reset" */
		/* Packet data deactivated (u-blox AT manual +UUPSDD). */
		.header_noise = "+UUPSDD: 0",
	},
	{
		.name = "cinterion",
		.manufacturer = "Cinterion",
		.model = "EHS5-E",
		.revision = "REVISION 03.001",
		.ati = cinterion_ati,
		.boot = cinterion_boot,
		.noise = cinterion_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 1 },
		.echo = true,
		.cscs = "GSM",
		.index_base = 1,
		.act = 2,
		.me_size = 100,
		.cnmi_test = "+CNMI: (0-3),(0-3),(0,2,3),(0-2),(1)",
		.cnmi_bfr = 2,
		.header_noise = "+CIEV: service,1",
		.cmms = true,		/* +CMMS: TS 27.005 §3.5.6 */
		.cmds = ms_vendor_cinterion,
	},
	{
		.name = "wavecom",
		.manufacturer = "WAVECOM MODEM",
		.model = "MULTIBAND  900E  1800",
		.revision = "R7.46.0.201009271354.FXT002",
		.ati = wavecom_ati,
		.boot = wavecom_boot,
		.noise = wavecom_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "GSM",
		.index_base = 1,
		.act = 0,
		.me_size = 100,
		.header_noise = "+WIND: 7",
		.cpin_no_final = true,
		.cmds = ms_vendor_wavecom,
		/* AT+CFUN=1 restarts the module (Wavecom AT Commands
		 * Interface Guide, +CFUN): the wavecom driver's reset. */
		.cfun_reset = 1,
	},
	{
		.name = "qualcomm",
		.manufacturer = "QUALCOMM INCORPORATED",
		.model = "M7227",
		.revision = "M7227B-SCAQSVZ-1.1.0",
		.ati = qualcomm_ati,
		.boot = generic_boot,
		.noise = generic_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 0,
		.act = 2,
		.me_size = 100,
		.cmgr_no_stat = true,
		.pdu_lower = true,
		/* No vendor URC: the 27.007 registration URC of AT+CREG=1. */
		.header_noise = "+CREG: 1",
	},
	{
		.name = "fibocom",
		.manufacturer = "Fibocom",
		.model = "L850",
		.revision = "18500.5001.00.05.27.12",
		.ati = fibocom_ati,
		.boot = fibocom_boot,
		.noise = fibocom_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 0, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "IRA",
		.index_base = 1,
		.eps = true,
		.act = 7,
		.reset_replug = true,
		.me_size = 100,
		.cmds = ms_vendor_fibocom,
		.cfun_reset = 15,	/* XMM: reset */
		/* XMM registration report (Fibocom L8xx AT manual). */
		.header_noise = "+XREG: 5",
	},
	{
		.name = "phone",
		.manufacturer = "Sony Ericsson",
		.model = "K750i",
		.revision = "R1CA021",
		.ati = phone_ati,
		.boot = phone_boot,
		.noise = phone_noise,
		.ccid_prefix = "+CCID: ",
		.cnmi = { 2, 0, 0, 0, 0 },
		.echo = true,
		.cscs = "GSM",
		.index_base = 1,
		.act = 0,
		.me_size = 100,
		.header_noise = "+CIEV: 2,3",
		.cnmi_test = "+CNMI: (2),(0,1,3),(0,2),(0,2),(0)",
		.csms_phase2 = true,
		.cpms_test = "+CPMS: (\"ME\",\"SM\"),(\"ME\",\"SM\"),(\"ME\")",
		.mem3_me = true,
		.cmgr_len_only = true,
		.no_ccid = true,
		.cmds = NULL,
	},
};

#define MS_PERS_COUNT (sizeof(ms_pers_table) / sizeof(ms_pers_table[0]))

const struct ms_pers *ms_pers_find(const char *name)
{
	for (size_t i = 0; i < MS_PERS_COUNT; i++)
		if (strcmp(ms_pers_table[i].name, name) == 0)
			return &ms_pers_table[i];
	/* Aliases by model, as users name them. */
	if (!strcmp(name, "e3372"))
		return &ms_pers_table[1];
	if (!strcmp(name, "e1752"))
		return &ms_pers_table[2];
	if (!strcmp(name, "sim800"))
		return &ms_pers_table[3];
	if (!strcmp(name, "sim7600"))
		return &ms_pers_table[4];
	if (!strcmp(name, "ec25"))
		return &ms_pers_table[5];
	if (!strcmp(name, "eg25"))
		return &ms_pers_table[6];
	if (!strcmp(name, "k750i") || !strcmp(name, "sonyericsson"))
		return ms_pers_find("phone");
	return NULL;
}

const char *ms_pers_names(void)
{
	return "generic, huawei (e3372), huawei-e1752, simcom (sim800), "
	       "simcom-sim7600, quectel (ec25), quectel-eg25, zte, sierra, "
	       "telit, ublox, cinterion, wavecom, fibocom, qualcomm, phone (k750i)";
}
