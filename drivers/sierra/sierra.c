/*
 * sierra — Sierra Wireless (AirPrime MC7xxx, EM7xxx, AirCard). From the
 * AirPrime AT Command Reference and ModemManager's sierra plugin:
 * - AT!RESET restarts the module (the USB ttys re-enumerate); AT!GRESET
 *   on older ones.
 * - AT!ICCID? answers "ICCID: <iccid>".
 * - "+PACSP" (PLMN mode bit) and "!SSIM" come unasked: chatter.
 */
#include "driver.h"

static const struct driver_urc sierra_urcs[] = {
	{ "+PACSP", DRIVER_URC_IGNORE, false },
	{ "!SSIM", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

const struct driver driver_sierra = {
	.name = "sierra",
	.parent = &driver_generic,
	/* The kernel's sierra.c driver. */
	.usb = (const struct driver_usb[]){
		{ 0x1199, -1, "Sierra Wireless" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("Sierra"),
	.urcs = sierra_urcs,
	.iccid = DRIVER_CMDS("AT!ICCID?", "AT+CCID"),
	.ident_prefixes = DRIVER_CMDS("ICCID:"),
	.reset = "AT!RESET",
	.reset_wait_ms = 30000,
};
