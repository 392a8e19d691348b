/*
 * quectel — Quectel LTE modules (EC25, EG25, EC21). Source: Quectel
 * EC25&EC21 AT Commands Manual V1.3 (power-on URCs §1.8, +QIND and
 * AT+QINDCFG, AT+QCCID, AT+QDSIM in "(U)SIM related commands") and the
 * captures in drivers/quectel/captures/.
 */
#include "driver.h"

static const struct driver_urc quectel_urcs[] = {
	/* Power-on: RDY, +CFUN: 1, +CPIN: READY, +QUSIM: 1, then
	 * "+QIND: SMS DONE" once SMS commands work (+CMS ERROR: 314
	 * before), "+QIND: PB DONE" (captures/quectel-eg25/
	 * boot-dual-sim.at). */
	{ "RDY", DRIVER_URC_BOOT, false },
	{ "+QIND: SMS DONE", DRIVER_URC_SMS_READY, false },
	{ "+QIND: PB DONE", DRIVER_URC_IGNORE, false },
	{ "+QUSIM:", DRIVER_URC_IGNORE, false },
	{ "+CFUN:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

/* With AT+QINDCFG="csq",1: +QIND: "csq",<rssi>,<ber>, on the scale of
 * its +CSQ, which goes up to 199 (TD-SCDMA, EC25&EC21 AT Commands Manual
 * §6.3 and AT+QINDCFG). */
static const struct driver_signal quectel_signals[] = {
	{ "+QIND: \"csq\",", DRIVER_SIGNAL_RSSI_BER, 199 },
	{ NULL, 0, 0 },
};

/*
 * EC25: with <ds> = 2 a status report is announced as +CDSI: "SM",<n>
 * but kept in the "SR" memory, so AT+CMGR on "SM" answers a bare OK
 * (captures/quectel-ec25/cdsi-sr.at): status reports must come direct
 * (+CDS, acked with +CNMA, captures/quectel-ec25/cnma.at).
 */
static const struct driver_cnmi quectel_cnmi[] = {
	{ 2, 1, 0, 1, 0 },
	{ 1, 1, 0, 1, 0 },
	{ 2, 1, 0, 0, 0 },
	{ -1, 0, 0, 0, 0 },
};

/*
 * +CMS ERROR codes of the EC2x (Quectel EC25&EC21 AT Commands Manual
 * V1.3, §21.6 "Summary of CMS ERROR Codes"): 512 is "SIM not ready" here,
 * not the generic table's MM establishment failure, and 513 the message's
 * length, not a lower-layer failure. 515 ("ME storage failure") is also
 * held as "not ready" soon after init (gateway/modem/modem_send.c).
 */
static const struct driver_error quectel_errors[] = {
	{ DRIVER_ERR_CMS, 512, 512, ERRCLASS_MODEM_STATE, 0, 0,
	  "SIM not ready" },
	{ DRIVER_ERR_CMS, 513, 513, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU, 0,
	  "message length exceeds" },
	{ DRIVER_ERR_CMS, 514, 514, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU, 0,
	  "invalid request parameters" },
	{ DRIVER_ERR_CMS, 515, 515, ERRCLASS_MODEM_STATE, 0, 0,
	  "ME storage failure" },
	{ DRIVER_ERR_CMS, 517, 517, ERRCLASS_MODEM_STATE, 0, 0,
	  "invalid service mode" },
	/* AT+CMMS kept the link and it broke: send again soon. */
	{ DRIVER_ERR_CMS, 528, 528, ERRCLASS_TEMPORARY, 0, 5,
	  "more message to send state error" },
	{ DRIVER_ERR_CMS, 529, 529, ERRCLASS_PERMANENT,
	  ERRCLASS_FLAG_SIM_SUSPECT, 0, "MO SMS is not allowed" },
	{ DRIVER_ERR_CMS, 530, 530, ERRCLASS_TEMPORARY, 0, 30,
	  "GPRS is suspended" },
	{ DRIVER_ERR_CMS, 531, 531, ERRCLASS_MODEM_STATE,
	  ERRCLASS_FLAG_STORAGE_FULL, 0, "ME storage full" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
};

const struct driver driver_quectel = {
	.name = "quectel",
	.parent = &driver_generic,
	/* QUECTEL_VENDOR_ID (option.c); EC25 2c7c:0125. */
	.usb = (const struct driver_usb[]){
		{ 0x2c7c, 0x0125, "Quectel EC25" }, { 0x2c7c, -1, "Quectel" },
		{ 0, 0 } },
	.match_cgmi = DRIVER_CMDS("Quectel"),
	.urcs = quectel_urcs,
	.signals = quectel_signals,
	.cnmi = quectel_cnmi,
	/* AT+QCCID answers "+QCCID: <iccid>", 19-digit ICCIDs padded with
	 * F (captures/quectel-eg25/boot-dual-sim.at); AT+CCID is its alias
	 * on newer firmware. */
	.iccid = DRIVER_CMDS("AT+QCCID", "AT+CCID"),
	.ident_prefixes = DRIVER_CMDS("+QCCID:"),
	/* Dual-SIM EC25/EG25 variants: AT+QDSIM=<n>, 0 for SIM1; the card
	 * then initialises again (+CPIN: READY ... +QIND: SMS DONE,
	 * captures/quectel-eg25/boot-dual-sim.at). */
	.slot_select = "AT+QDSIM=%d",
	.slot_query = "AT+QDSIM?",
	.slot_prefix = "+QDSIM:",
	.slot_base = 0,
	.errors = quectel_errors,
};
