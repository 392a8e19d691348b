/*
 * wavecom — Wavecom (Sierra) Fastrack / Q24 / WMP modules, on RS-232. From
 * the Wavecom AT Commands Interface Guide (+WIND, WM_DEV_OAT_UGD_049):
 * - AT+WIND=<bits> turns on "+WIND: <event>": 3 "ready to process AT
 *   commands except phonebook, AOC, SMS" (at every boot), 4 "ready to
 *   process all AT commands", 16 "SMS service ready" (bit 14, newer
 *   firmware). 3 is a boot, 4 and 16 are SMS readiness; the rest
 *   (SIM rack, calls, network lost, NITZ) is chatter.
 * - Older firmware ends AT+CPIN? with "+CPIN: READY" and no OK: the chat
 *   answers a query by its information line (at_chat.h).
 * - AT+CFUN=1 restarts it; the port stays (a UART).
 * - GSM/GPRS only: registration is +CREG alone, no +CEREG.
 */
#include "driver.h"

static const struct driver_urc wavecom_urcs[] = {
	{ "+WIND: 3", DRIVER_URC_BOOT, false },
	{ "+WIND: 4", DRIVER_URC_SMS_READY, false },
	{ "+WIND: 16", DRIVER_URC_SMS_READY, false },
	{ "+WIND:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

static const struct driver_step wavecom_vendor[] = {
	/* SIM rack (1) + ready but SMS (4) + all ready (8) [+ SMS ready
	 * (16384) where the firmware has it]. */
	{ DRIVER_CMDS("AT+WIND=16397", "AT+WIND=13"), true, 0 },
	{ NULL, false, 0 },
};

/* GSM/GPRS only (Fastrack, Q24, WMP): no +CEREG (TS 27.007 §10.1.22 is
 * E-UTRAN), which these answer ERROR; +CREG is all there is. */
static const struct driver_step wavecom_reporting[] = {
	{ DRIVER_CMDS("AT+CREG=1"), true, 0 },
	{ DRIVER_CMDS("AT+COPS=3,0"), true, 0 },
	{ NULL, false, 0 },
};

/*
 * Wavecom codes (Wavecom AT Commands Interface Guide, §16.3 "Specific
 * error result codes"); the generic table holds the same 512–515 for
 * unknown modems, as their Wavecom-derived firmwares (and old SIMCom
 * SIM300) use them, so these rows state them for this family.
 */
static const struct driver_error wavecom_errors[] = {
	{ DRIVER_ERR_CMS, 512, 512, ERRCLASS_TEMPORARY, 0, 30,
	  "MM establishment failure (for SMS)" },
	/* The RP-ACK may have been lost after the message went out. */
	{ DRIVER_ERR_CMS, 513, 513, ERRCLASS_AMBIGUOUS, 0, 0,
	  "lower layer failure (for SMS)" },
	{ DRIVER_ERR_CMS, 514, 514, ERRCLASS_TEMPORARY, 0, 30,
	  "CP error (for SMS)" },
	{ DRIVER_ERR_CMS, 515, 515, ERRCLASS_TEMPORARY, 0, 5,
	  "please wait, init or command processing in progress" },
	{ DRIVER_ERR_CME, 515, 515, ERRCLASS_TEMPORARY, 0, 5,
	  "please wait, init or command processing in progress" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
};

const struct driver driver_wavecom = {
	.name = "wavecom",
	.parent = &driver_generic,
	.match_cgmi = DRIVER_CMDS("WAVECOM"),
	.urcs = wavecom_urcs,
	.vendor = wavecom_vendor,
	.reporting = wavecom_reporting,
	.registration = DRIVER_CMDS("AT+CREG?"),
	.reset = "AT+CFUN=1",
	.reset_wait_ms = 15000,
	.errors = wavecom_errors,
};
