/*
 * simcom — SIMCom modules: SIM800 (UART, GSM) and SIM7500/SIM7600 (USB,
 * LTE). Sources: SIM800 Series AT Command Manual and SIM7500_SIM7600
 * Series AT Command Manual (power-on URCs, +CSQN, +CICCID) and the
 * captures in drivers/simcom/captures/.
 */
#include "driver.h"

static const struct driver_urc simcom_urcs[] = {
	/* Power-on: RDY, then "SMS Ready" (SIM800,
	 * captures/simcom-sim800/boot.at) or "SMS DONE" (SIM7600,
	 * captures/simcom-sim7600/boot.at); SMS commands fail with
	 * +CMS ERROR: 314 before it. */
	{ "RDY", DRIVER_URC_BOOT, false },
	{ "SMS Ready", DRIVER_URC_SMS_READY, false },
	{ "SMS DONE", DRIVER_URC_SMS_READY, false },
	{ "Call Ready", DRIVER_URC_IGNORE, false },
	{ "PB DONE", DRIVER_URC_IGNORE, false },
	{ "+CFUN:", DRIVER_URC_IGNORE, false },
	/* SIM800 with AT+EXUNSOL="SQ",1: signal as +CSQN: <rssi>,<ber>
	 * (captures/simcom-sim800/csqn.at). */
	{ "+CSQN:", DRIVER_URC_SIGNAL, false },
	/* On a weak supply SIMCom modules print this (sic) and power down
	 * (captures/simcom-sim5360/undervoltage.at): worth an event. */
	{ "UNDER-VOLTAGE WARNNING", DRIVER_URC_WARNING, false },
	{ "UNDER-VOLTAGE POWER DOWN", DRIVER_URC_WARNING, false },
	{ NULL, 0, false },
};

const struct driver driver_simcom = {
	.name = "simcom",
	.parent = &driver_generic,
	/* ALINK_VENDOR_ID (option.c: "SIMCOM_PRODUCT_SIM7100E"). */
	.usb = (const struct driver_usb[]){
		{ 0x1e0e, -1, "SIMCom" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("SIMCOM"),
	.urcs = simcom_urcs,
	/* SIM7600 reads the ICCID with AT+CICCID ("+ICCID: ...", SIM7500/
	 * SIM7600 manual); SIM800 with AT+CCID, answering the bare number
	 * (SIM800 manual): the parser takes both. */
	.iccid = DRIVER_CMDS("AT+CICCID", "AT+CCID"),
};
