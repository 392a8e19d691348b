/*
 * ublox — u-blox cellular modules (SARA-G3/U2/R4/R5, LARA, TOBY). From the
 * u-blox AT Commands Manual (UBX-13002752) and ModemManager's ublox
 * plugin:
 * - AT+CFUN=16 resets the module and the SIM ("MT reset"); AT+CFUN=1,1
 *   is refused by several firmwares.
 * - AT+USIMSTAT=... reports the SIM as "+USIMSTAT: <state>"; state 7
 *   and 8 are "(U)SIM phonebook ready", after which SMS works.
 * - "+UUPSDA:", "+UUPSDD:" (packet data), "+UMWI:" (message waiting),
 *   "+CIEV:" are chatter.
 */
#include "driver.h"

static const struct driver_urc ublox_urcs[] = {
	{ "+USIMSTAT: 7", DRIVER_URC_SMS_READY, false },
	{ "+USIMSTAT: 8", DRIVER_URC_SMS_READY, false },
	{ "+USIMSTAT:", DRIVER_URC_IGNORE, false },
	{ "+UUPSDA:", DRIVER_URC_IGNORE, false },
	{ "+UUPSDD:", DRIVER_URC_IGNORE, false },
	{ "+UMWI:", DRIVER_URC_IGNORE, false },
	{ "+CIEV:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

static const struct driver_step ublox_vendor[] = {
	/* SIM state changes as URCs (bit 0-2: SIM, PIN, phonebook). */
	{ DRIVER_CMDS("AT+USIMSTAT=7", "AT+USIMSTAT=1"), true, 0 },
	{ NULL, false, 0 },
};

const struct driver driver_ublox = {
	.name = "ublox",
	.parent = &driver_generic,
	/* UBLOX_VENDOR_ID in the kernel's option.c. */
	.usb = (const struct driver_usb[]){
		{ 0x1546, -1, "u-blox" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("u-blox"),
	.urcs = ublox_urcs,
	.vendor = ublox_vendor,
	.reset = "AT+CFUN=16",
	.reset_wait_ms = 20000,
};
