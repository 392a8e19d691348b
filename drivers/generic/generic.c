/*
 * generic — the TS 27.007 / 27.005 driver every other driver starts from.
 * It sets every field of struct driver (driver.h); each value says which
 * clause it comes from. captures/generic-27005/session.at shows a whole
 * session of such a modem.
 */
#include "driver.h"

static const struct driver_urc generic_urcs[] = {
	/* TS 27.005 §3.4.1: new-message and status-report indications. */
	{ "+CMTI:", DRIVER_URC_SMS_STORED, false },
	{ "+CDSI:", DRIVER_URC_REPORT_STORED, false },
	{ "+CMT:", DRIVER_URC_SMS_DIRECT, true },
	{ "+CDS:", DRIVER_URC_REPORT_DIRECT, true },
	/* TS 27.007 §7.2, §10.1.20, §10.1.22 with <n> = 1. */
	{ "+CREG:", DRIVER_URC_REGISTRATION, false },
	{ "+CGREG:", DRIVER_URC_REGISTRATION, false },
	{ "+CEREG:", DRIVER_URC_REGISTRATION, false },
	/* TS 27.007 §8.3: many modems print +CPIN: when the SIM changes. */
	{ "+CPIN:", DRIVER_URC_SIM, false },
	/* V.250 §6.3.4 RING, TS 27.007 §6.11 +CRING, §6.9 +CLIP: calls
	 * we never answer: rejected (gateway/modem/modem_call.c). */
	{ "RING", DRIVER_URC_CALL, false },
	{ "+CRING:", DRIVER_URC_CALL, false },
	{ "+CLIP:", DRIVER_URC_CALL, false },
	/* TS 27.007 §7.15: the answer to a USSD code (modem_ussd.c). */
	{ "+CUSD:", DRIVER_URC_USSD, false },
	/* TS 27.007 §10.1.19: packet-domain events. */
	{ "+CGEV:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

/* V.250 §5.7.1: result codes of ATD and ATA; a caller hanging up prints
 * NO CARRIER in the middle of whatever runs
 * (captures/generic-27005/no-carrier.at). */
static const char *const generic_not_finals[] = {
	"NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", NULL,
};

static const struct driver_step generic_setup[] = {
	/* V.250 §6.2.4: echo off. The chat tolerates echo anyway. */
	{ DRIVER_CMDS("ATE0"), true, 0 },
	/* TS 27.007 §9.1: numeric +CME ERROR codes. */
	{ DRIVER_CMDS("AT+CMEE=1"), true, 0 },
	{ NULL, false, 0 },
};

static const struct driver_step generic_vendor[] = {
	{ NULL, false, 0 },
};

static const struct driver_step generic_sms[] = {
	/* TS 27.005 §3.2.3: PDU mode; without it nothing works. */
	{ DRIVER_CMDS("AT+CMGF=0"), false, 0 },
	/* TS 27.007 §5.5: the character set of +CNUM, +COPS, +CSCA
	 * strings (PDUs do not depend on it). */
	{ DRIVER_CMDS("AT+CSCS=\"IRA\"", "AT+CSCS=\"GSM\""), true, 0 },
	/* TS 27.005 §3.2.1: phase 2+, so +CMT/+CDS wait for our +CNMA,
	 * which comes only after the commit. */
	{ DRIVER_CMDS("AT+CSMS=1"), true, 0 },
	{ NULL, false, 0 },
};

static const struct driver_step generic_reporting[] = {
	/* TS 27.007 §7.2, §10.1.22: registration changes as URCs. */
	{ DRIVER_CMDS("AT+CREG=1"), true, 0 },
	{ DRIVER_CMDS("AT+CEREG=1"), true, 0 },
	/* TS 27.007 §7.3: +COPS? names the operator in long text. */
	{ DRIVER_CMDS("AT+COPS=3,0"), true, 0 },
	{ NULL, false, 0 },
};

/*
 * TS 27.005 §3.4.1, best first: <mode> 2 buffers indications while a
 * command runs; <mt> 1 stores SMS and says +CMTI; <ds> 1 gives status
 * reports as +CDS (acked with +CNMA), 2 stores them with +CDSI. Modems
 * refuse combinations with +CMS ERROR: 303
 * (captures/generic-27005/session.at), hence the fallbacks.
 */
static const struct driver_cnmi generic_cnmi[] = {
	{ 2, 1, 0, 1, 0 },
	{ 2, 1, 0, 2, 0 },
	{ 1, 1, 0, 1, 0 },
	{ 1, 1, 0, 2, 0 },
	{ 2, 1, 0, 0, 0 },
	{ 1, 1, 0, 0, 0 },
	{ -1, 0, 0, 0, 0 },
};

/*
 * Vendors whose modems need no quirk we know of, and the USB-serial
 * converters a modem on RS-232 (Wavecom, SIM800 boards) sits behind: the
 * modem's own +CGMI/+CGMM answers choose. Ids as the Linux kernel names
 * them: QUALCOMM_VENDOR_ID, LONGCHEER_VENDOR_ID, ALCATEL_VENDOR_ID,
 * NOVATELWIRELESS_VENDOR_ID, OPTION_VENDOR_ID (usb/serial/option.c), and
 * ftdi_sio, pl2303, cp210x, ch341.
 */
static const struct driver_usb generic_usb[] = {
	{ 0x05c6, -1, "Qualcomm" },
	{ 0x1c9e, -1, "Longcheer" },
	{ 0x1bbb, -1, "Alcatel" },
	{ 0x1410, -1, "Novatel" },
	{ 0x0af0, -1, "Option" },
	{ 0x0403, -1, "FTDI USB-serial" },
	{ 0x067b, -1, "Prolific USB-serial" },
	{ 0x10c4, -1, "Silicon Labs USB-serial" },
	{ 0x1a86, -1, "WCH USB-serial" },
	{ 0, 0 },
};

const struct driver driver_generic = {
	.name = "generic",
	.parent = NULL,
	.usb = generic_usb,
	.match_cgmi = NULL,
	.match_cgmm = NULL,
	.finals = NULL,
	.urcs = generic_urcs,
	.not_finals = generic_not_finals,
	.setup = generic_setup,
	.vendor = generic_vendor,
	.sms = generic_sms,
	.reporting = generic_reporting,
	.cnmi = generic_cnmi,
	/* TS 27.005 §3.2.2: read, write and receive in the SIM, which
	 * travels with the card. */
	.cpms = DRIVER_CMDS("AT+CPMS=\"SM\",\"SM\",\"SM\"",
			    "AT+CPMS=\"SM\",\"SM\"", "AT+CPMS=\"SM\""),
	/* TS 27.007 §5.4, V.250 §6.1.7 (+GSN), §5.6 (+CIMI); +CCID is not
	 * 3GPP but the most common ICCID command; TS 27.007 §8.18 READ
	 * BINARY of EF_ICCID (2FE2) is, and reads it where neither exists
	 * (ModemManager's fallback, at_parse_iccid()). */
	.imei = DRIVER_CMDS("AT+CGSN", "AT+GSN"),
	.imsi = DRIVER_CMDS("AT+CIMI"),
	.iccid = DRIVER_CMDS("AT+CCID", "AT+ICCID",
			     "AT+CRSM=176,12258,0,0,10"),
	/* The answers of AT+CCID and AT+ICCID carry the command's name
	 * ("+CCID: 8944..."; SIM800 answers the bare number, which needs
	 * none); every family inherits them for its AT+CCID fallback. */
	.ident_prefixes = DRIVER_CMDS("+CCID:", "+ICCID:"),
	.own_number = "AT+CNUM",		/* TS 27.007 §7.1 */
	.signal = "AT+CSQ",			/* §8.5 */
	.registration = DRIVER_CMDS("AT+CREG?", "AT+CEREG?"),
	.operator_query = "AT+COPS?",		/* §7.3 */
	.list_stored = "AT+CMGL=4",		/* TS 27.005 §3.4.2 */
	.read_stored = "AT+CMGR=%d",		/* §3.4.3 */
	.delete_stored = "AT+CMGD=%d",		/* §3.5.4 */
	.ack_direct = "AT+CNMA",		/* §3.4.4 */
	/* 60 s for a full listing (doc/reliability.md, "Timeouts used by
	 * existing software"). */
	.list_timeout_ms = 60000,
	.slot_select = NULL,			/* no 3GPP command */
	.slot_query = NULL,
	.slot_prefix = NULL,
	.slot_base = 0,
	.slot_timeout_ms = 60000,
	.reset = "AT+CFUN=1,1",			/* TS 27.007 §8.2 */
	.reset_wait_ms = 30000,
};
