/*
 * zte — ZTE USB sticks (MF626, MF190, MF823 in serial mode). From
 * ModemManager's zte plugin and oFono's zte driver:
 * - The firmware volunteers "+ZUSIMR:", "+ZPASR:" (access technology),
 *   "+ZDONR:" (operator), "+ZEND" (end of an internal session),
 *   "+ZPSTM:", "+ZOPERTER:", "+ZSTR:" and "+ZRSSI:", also between a
 *   response's header and its PDU: chatter.
 * - AT+ZOPRT=5 puts the radio online on sticks that boot offline
 *   (ModemManager sends it when enabling).
 * - AT+ZGETICCID answers "+ZGETICCID: <iccid>".
 * - Storage indexes start at 0, like Huawei.
 */
#include "driver.h"

static const struct driver_urc zte_urcs[] = {
	{ "+ZUSIMR:", DRIVER_URC_IGNORE, false },
	{ "+ZPASR:", DRIVER_URC_IGNORE, false },
	{ "+ZDONR:", DRIVER_URC_IGNORE, false },
	{ "+ZEND", DRIVER_URC_IGNORE, false },
	{ "+ZPSTM:", DRIVER_URC_IGNORE, false },
	{ "+ZOPERTER:", DRIVER_URC_IGNORE, false },
	{ "+ZSTR:", DRIVER_URC_IGNORE, false },
	{ "+ZRSSI:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

static const struct driver_step zte_vendor[] = {
	{ DRIVER_CMDS("AT+ZOPRT=5"), true, 0 },
	{ NULL, false, 0 },
};

const struct driver driver_zte = {
	.name = "zte",
	.parent = &driver_generic,
	/* ZTE_VENDOR_ID in the kernel's option.c. */
	.usb = (const struct driver_usb[]){
		{ 0x19d2, -1, "ZTE" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("ZTE"),
	.urcs = zte_urcs,
	.vendor = zte_vendor,
	.iccid = DRIVER_CMDS("AT+ZGETICCID", "AT+CCID"),
	.ident_prefixes = DRIVER_CMDS("+ZGETICCID:"),
};
