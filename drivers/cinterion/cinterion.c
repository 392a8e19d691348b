/*
 * cinterion — Cinterion (Siemens, Gemalto, Thales) modules: BGS2, EHS5,
 * PLS8, ELS61. From the Cinterion AT Command Set manuals and
 * ModemManager's cinterion plugin:
 * - "^SYSSTART" is printed when the module has booted (and only when it
 *   runs at a fixed bit rate): init again.
 * - AT^SSET=1 makes it say "^SSIM READY" once the SIM's data, SMS
 *   included, can be read: SMS readiness apart from +CPIN: READY.
 * - +CNMI takes <bfr> 1 only (AT+CNMI=? "(0-3),(0-3),(0,2,3),(0-2),(1)"):
 *   the candidates below; the generic ones all end in ,0 and are refused
 *   with +CMS ERROR: 303.
 * - "^SBC: Undervoltage" / "^SBC: Overvoltage" warn before it switches
 *   itself off; "^SIS", "+CIEV:" and "^SCKS:" (SIM tray) are chatter.
 * - AT^SCID answers "^SCID: <iccid>".
 */
#include "driver.h"

static const struct driver_urc cinterion_urcs[] = {
	{ "^SYSSTART", DRIVER_URC_BOOT, false },
	{ "^SSIM READY", DRIVER_URC_SMS_READY, false },
	{ "^SBC: Undervoltage", DRIVER_URC_WARNING, false },
	{ "^SBC: Overvoltage", DRIVER_URC_WARNING, false },
	{ "^SBC:", DRIVER_URC_IGNORE, false },
	{ "^SIS:", DRIVER_URC_IGNORE, false },
	{ "^SCKS:", DRIVER_URC_IGNORE, false },
	{ "+CIEV:", DRIVER_URC_IGNORE, false },
	{ "^SMGO:", DRIVER_URC_STORAGE_FULL, false },
	{ NULL, 0, false },
};

static const struct driver_step cinterion_vendor[] = {
	/* ^SSIM READY once SIM data is readable. */
	{ DRIVER_CMDS("AT^SSET=1"), true, 0 },
	/* ^SMGO: <mode> when SMS storage overflows. */
	{ DRIVER_CMDS("AT^SMGO=1"), true, 0 },
	{ NULL, false, 0 },
};

static const struct driver_cnmi cinterion_cnmi[] = {
	{ 2, 1, 0, 2, 1 },
	{ 1, 1, 0, 2, 1 },
	{ 2, 1, 0, 0, 1 },
	{ 1, 1, 0, 0, 1 },
	{ -1, 0, 0, 0, 0 },
};

/*
 * Cinterion (Siemens) codes (Siemens TC65 AT Command Set V02.000, §2.12,
 * "+CMS ERROR" and "+CME ERROR" tables; the same in the BGS2/EHS5
 * manuals' §2.12): 512 is "user abort" here.
 */
static const struct driver_error cinterion_errors[] = {
	{ DRIVER_ERR_CMS, 512, 512, ERRCLASS_TEMPORARY, 0, 5, "user abort" },
	{ DRIVER_ERR_CMS, 513, 513, ERRCLASS_MODEM_STATE, 0, 0,
	  "unable to store" },
	{ DRIVER_ERR_CMS, 514, 514, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "invalid status" },
	{ DRIVER_ERR_CMS, 515, 515, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_NUMBER,
	  0, "invalid character in address string" },
	{ DRIVER_ERR_CMS, 516, 520, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "invalid length or character in PDU or text" },
	/* No answer from the network in time: it may have it. */
	{ DRIVER_ERR_CMS, 521, 521, ERRCLASS_AMBIGUOUS, 0, 0, "timer expired" },
	{ DRIVER_ERR_CMS, 522, 522, ERRCLASS_TEMPORARY, 0, 5,
	  "operation temporary not allowed" },
	{ DRIVER_ERR_CMS, 532, 532, ERRCLASS_MODEM_STATE, 0, 0,
	  "SIM not ready" },
	{ DRIVER_ERR_CMS, 535, 535, ERRCLASS_TEMPORARY, 0, 5,
	  "protocol stack busy" },
	{ DRIVER_ERR_CMS, 538, 538, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "invalid parameter" },
	{ DRIVER_ERR_CMS, 549, 554, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "incorrect PDU, MTI, address, UDL or SCA length" },
	{ DRIVER_ERR_CME, 256, 256, ERRCLASS_TEMPORARY, 0, 5,
	  "operation temporary not allowed" },
	{ DRIVER_ERR_CME, 258, 258, ERRCLASS_TEMPORARY, 0, 5, "phone busy" },
	{ DRIVER_ERR_CME, 262, 262, ERRCLASS_MODEM_STATE,
	  ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM blocked" },
	{ DRIVER_ERR_CME, 770, 770, ERRCLASS_MODEM_STATE,
	  ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM invalid, network reject" },
	{ DRIVER_ERR_CME, 772, 772, ERRCLASS_MODEM_STATE,
	  ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM powered down" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
};

const struct driver driver_cinterion = {
	.name = "cinterion",
	.parent = &driver_generic,
	/* CINTERION_VENDOR_ID in the kernel's option.c. */
	.usb = (const struct driver_usb[]){
		{ 0x1e2d, -1, "Cinterion" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("Cinterion", "SIEMENS", "Gemalto",
				  "THALES"),
	.urcs = cinterion_urcs,
	.vendor = cinterion_vendor,
	.cnmi = cinterion_cnmi,
	.iccid = DRIVER_CMDS("AT^SCID", "AT+CCID"),
	.ident_prefixes = DRIVER_CMDS("^SCID:"),
	.reset = "AT+CFUN=1,1",
	.reset_wait_ms = 30000,
	.errors = cinterion_errors,
};
