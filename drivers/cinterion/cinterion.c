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
};
