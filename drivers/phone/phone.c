/*
 * phone — mobile phones used as modems over a data cable or Bluetooth
 * serial link: Sony Ericsson (K750i, K800i, W810i, T610) and Nokia Series
 * 40 phones. Sources: the Sony Ericsson GM47/GM48 Integrator's Manual
 * (LZT 123 7263, chapter 15, the phones' AT set), gammu's per-phone
 * feature flags (F_SMS_NO_SM, F_SMS_LOCATION_0: phones whose messages are
 * in the phone's own memory), oFono's and ModemManager's mbm plugins
 * (*EMRDY, *EMWI, the Ericsson platform's URCs) and
 * captures/sonyericsson-k750i/session.at. What differs from a modem:
 * - Phase 2 only: +CSMS: (0); AT+CSMS=1 is refused, so it is not sent
 *   (no +CNMA: +CMT/+CDS need no ack, TS 27.005 §3.2.1).
 * - Received messages are stored in the phone ("ME"); AT+CPMS=? has no
 *   "SM" for <mem3>. The storage comes from the ranges with <mem3> =
 *   <mem1> (modem_logic_cpms_fit()); "ME" is asked for first.
 * - +CNMI takes <mode> 2 only, <ds> 0 or 2 (stored reports): the
 *   candidates below; the generic ones are fitted to the ranges anyway.
 * - +CMGR answers "+CMGR: <length>" without <stat>: the generic parser
 *   takes it (at_parse_sms_cmgr()).
 * - No AT+CCID: the ICCID through AT+CRSM (EF_ICCID, TS 27.007 §8.18).
 * - GSM/UMTS only: +CREG, no +CEREG.
 * - "*EMRDY: 1" when the phone has (re)started; "+CIEV:" (indicators,
 *   with AT+CMER on, also inside answers) and "*EMWI:" (voice mail
 *   waiting) are chatter.
 */
#include "driver.h"

static const struct driver_urc phone_urcs[] = {
	{ "*EMRDY: 1", DRIVER_URC_BOOT, false },
	{ "*EMRDY:", DRIVER_URC_IGNORE, false },
	{ "*EMWI:", DRIVER_URC_IGNORE, false },
	{ "+CIEV:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

/* PDU mode and a character set for +CSCA/+CNUM; no AT+CSMS=1 (phase 2
 * only: +CSMS: (0)). */
static const struct driver_step phone_sms[] = {
	{ DRIVER_CMDS("AT+CMGF=0"), false, 0 },
	{ DRIVER_CMDS("AT+CSCS=\"GSM\"", "AT+CSCS=\"IRA\""), true, 0 },
	{ NULL, false, 0 },
};

static const struct driver_step phone_reporting[] = {
	{ DRIVER_CMDS("AT+CREG=1"), true, 0 },
	{ DRIVER_CMDS("AT+COPS=3,0"), true, 0 },
	{ NULL, false, 0 },
};

/* <mode> 2 only (buffered while a command runs); status reports stored
 * (+CDSI) or none: with phase 2 a +CDS cannot be acknowledged. */
static const struct driver_cnmi phone_cnmi[] = {
	{ 2, 1, 0, 2, 0 },
	{ 2, 1, 0, 0, 0 },
	{ -1, 0, 0, 0, 0 },
};

const struct driver driver_phone = {
	.name = "phone",
	.parent = &driver_generic,
	/* usb.ids: 0fce Sony Ericsson Mobile Communications AB, 0421 Nokia
	 * Mobile Phones (their USB cables are cdc_acm). */
	.usb = (const struct driver_usb[]){
		{ 0x0fce, -1, "Sony Ericsson phone" },
		{ 0x0421, -1, "Nokia phone" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("Sony Ericsson", "SonyEricsson",
				  "Ericsson", "Nokia"),
	.urcs = phone_urcs,
	.sms = phone_sms,
	.reporting = phone_reporting,
	.cnmi = phone_cnmi,
	.cpms = DRIVER_CMDS("AT+CPMS=\"ME\",\"ME\",\"ME\"",
			    "AT+CPMS=\"SM\",\"SM\",\"SM\""),
	.iccid = DRIVER_CMDS("AT+CRSM=176,12258,0,0,10"),
	.registration = DRIVER_CMDS("AT+CREG?"),
};
