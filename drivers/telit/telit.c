/*
 * telit — Telit modules (GL865, UL865, LE910, ME910). From the Telit AT
 * Commands Reference Guides (80000ST10025a, 80617ST10991A) and
 * ModemManager's telit plugin:
 * - AT#QSS=2 reports the SIM as "#QSS: <status>": 3 is "SIM inserted and
 *   READY (SMS and Phonebook access are possible)", apart from
 *   +CPIN: READY (#QSS: 1, PIN unlocked): SMS readiness.
 * - AT#CCID answers "#CCID: <iccid>".
 * - AT#REBOOT restarts the module (the tty of a USB one re-enumerates).
 * - "#PSNT:" (network type), "#STN:" (SIM toolkit) are chatter.
 */
#include "driver.h"

static const struct driver_urc telit_urcs[] = {
	{ "#QSS: 3", DRIVER_URC_SMS_READY, false },
	{ "#QSS:", DRIVER_URC_IGNORE, false },
	{ "#PSNT:", DRIVER_URC_IGNORE, false },
	{ "#STN:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

static const struct driver_step telit_vendor[] = {
	{ DRIVER_CMDS("AT#QSS=2"), true, 0 },
	{ NULL, false, 0 },
};

/*
 * +CMS ERROR codes of the Telit AT Commands Reference Guide
 * (80617ST10991A rev. 9, §3.2.2.2, "Message service failure result
 * codes"), the Qualcomm SMS layer's causes.
 */
static const struct driver_error telit_errors[] = {
	{ DRIVER_ERR_CMS, 510, 510, ERRCLASS_PERMANENT,
	  ERRCLASS_FLAG_SIM_SUSPECT, 0, "msg blocked" },
	{ DRIVER_ERR_CMS, 512, 512, ERRCLASS_TEMPORARY, 0, 5,
	  "no SM resources" },
	/* TR1M: no RP-ACK in time (TS 24.011 §10); it may have gone. */
	{ DRIVER_ERR_CMS, 513, 513, ERRCLASS_AMBIGUOUS, 0, 0,
	  "TR1M timeout" },
	{ DRIVER_ERR_CMS, 514, 514, ERRCLASS_TEMPORARY, 0, 30, "LL error" },
	{ DRIVER_ERR_CMS, 515, 515, ERRCLASS_AMBIGUOUS, 0, 0,
	  "no response from network" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
};

const struct driver driver_telit = {
	.name = "telit",
	.parent = &driver_generic,
	/* TELIT_VENDOR_ID in the kernel's option.c. */
	.usb = (const struct driver_usb[]){
		{ 0x1bc7, -1, "Telit" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("Telit"),
	.urcs = telit_urcs,
	.vendor = telit_vendor,
	.iccid = DRIVER_CMDS("AT#CCID", "AT+CCID", "AT+ICCID"),
	.ident_prefixes = DRIVER_CMDS("#CCID:"),
	.reset = "AT#REBOOT",
	.reset_wait_ms = 30000,
	.errors = telit_errors,
};
