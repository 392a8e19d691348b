/*
 * fibocom — Fibocom L8xx (Intel XMM7160/7360: L830, L850, L860). From the
 * Fibocom L8xx AT Commands manual and ModemManager's xmm and fibocom
 * plugins:
 * - "+PBREADY" once the SIM's phonebook and SMS can be read: SMS
 *   readiness apart from +CPIN: READY.
 * - AT+XSIMSTATE=1 reports the SIM as "+XSIM: <state>"; "+XREG:",
 *   "+XCESQI:" and "+XLEMA:" come unasked: chatter.
 * - AT+CFUN=15 resets the module (the USB ttys re-enumerate).
 */
#include "driver.h"

static const struct driver_urc fibocom_urcs[] = {
	{ "+PBREADY", DRIVER_URC_SMS_READY, false },
	{ "+XSIM:", DRIVER_URC_IGNORE, false },
	{ "+XREG:", DRIVER_URC_IGNORE, false },
	{ "+XCESQI:", DRIVER_URC_IGNORE, false },
	{ "+XLEMA:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

static const struct driver_step fibocom_vendor[] = {
	{ DRIVER_CMDS("AT+XSIMSTATE=1"), true, 0 },
	{ NULL, false, 0 },
};

const struct driver driver_fibocom = {
	.name = "fibocom",
	.parent = &driver_generic,
	/* FIBOCOM_VENDOR_ID in the kernel's option.c. */
	.usb = (const struct driver_usb[]){
		{ 0x2cb7, -1, "Fibocom" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("Fibocom"),
	.urcs = fibocom_urcs,
	.vendor = fibocom_vendor,
	.reset = "AT+CFUN=15",
	.reset_wait_ms = 30000,
};
