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
	/* On a weak supply SIMCom modules print this (sic) and power down
	 * (captures/simcom-sim5360/undervoltage.at): worth an event. */
	{ "UNDER-VOLTAGE WARNNING", DRIVER_URC_WARNING, false },
	{ "UNDER-VOLTAGE POWER DOWN", DRIVER_URC_WARNING, false },
	{ NULL, 0, false },
};

/* SIM800 with AT+EXUNSOL="SQ",1: signal as +CSQN: <rssi>,<ber>, on the
 * +CSQ scale (captures/simcom-sim800/csqn.at, SIM800 manual). */
static const struct driver_signal simcom_signals[] = {
	{ "+CSQN:", DRIVER_SIGNAL_RSSI_BER, 99 },
	{ NULL, 0, 0 },
};

/*
 * +CMS ERROR codes of the SIM800 series (SIM800 Series AT Command Manual
 * V1.01, §19.2 "Summary of CMS ERROR Codes"), the same numbering as the
 * SIM7500/SIM7600 manual's. 512–515 differ from the generic table's
 * (which are Wavecom's, drivers/wavecom/): 513 is the message's length,
 * not a lost RP-ACK.
 */
static const struct driver_error simcom_errors[] = {
	/* CP-DATA sent again and again without a CP-ACK (TS 24.011
	 * §5.3.2.1): the network may not have it. */
	{ DRIVER_ERR_CMS, 224, 224, ERRCLASS_TEMPORARY, 0, 30,
	  "CP retry exceed" },
	/* TR1M ran out before the RP-ACK (TS 24.011 §10): the network
	 * may have taken it. */
	{ DRIVER_ERR_CMS, 225, 225, ERRCLASS_AMBIGUOUS, 0, 0,
	  "RP TR1M timeout" },
	{ DRIVER_ERR_CMS, 226, 226, ERRCLASS_AMBIGUOUS, 0, 0,
	  "SMS connection broken" },
	/* The manual's words for a refusal it gives no reason for. */
	{ DRIVER_ERR_CMS, 512, 512, ERRCLASS_TEMPORARY, 0, 30,
	  "SMS no error" },
	{ DRIVER_ERR_CMS, 513, 514, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "message length exceeds maximum or invalid request parameters" },
	{ DRIVER_ERR_CMS, 515, 515, ERRCLASS_MODEM_STATE, 0, 0,
	  "ME storage failure" },
	{ DRIVER_ERR_CMS, 516, 518, ERRCLASS_MODEM_STATE, 0, 0,
	  "invalid bearer service, service mode or storage type" },
	{ DRIVER_ERR_CMS, 519, 519, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "invalid message format" },
	{ DRIVER_ERR_CMS, 520, 520, ERRCLASS_TEMPORARY, 0, 30,
	  "too many MO concatenated messages" },
	{ DRIVER_ERR_CMS, 521, 522, ERRCLASS_MODEM_STATE, 0, 0,
	  "SMSAL not ready or no more service" },
	{ DRIVER_ERR_CMS, 524, 524, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "reserved MTI" },
	{ DRIVER_ERR_CMS, 525, 525, ERRCLASS_TEMPORARY, 0, 5,
	  "no free entity in RL layer" },
	{ DRIVER_ERR_CMS, 528, 528, ERRCLASS_TEMPORARY, 0, 5,
	  "more message to send state error" },
	{ DRIVER_ERR_CMS, 529, 529, ERRCLASS_PERMANENT,
	  ERRCLASS_FLAG_SIM_SUSPECT, 0, "MO SMS is not allowed" },
	{ DRIVER_ERR_CMS, 530, 530, ERRCLASS_TEMPORARY, 0, 30,
	  "GPRS is suspended" },
	{ DRIVER_ERR_CMS, 531, 531, ERRCLASS_MODEM_STATE,
	  ERRCLASS_FLAG_STORAGE_FULL, 0, "ME storage full" },
	{ DRIVER_ERR_CMS, 532, 532, ERRCLASS_TEMPORARY, 0, 30,
	  "doing SIM refresh" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
};

const struct driver driver_simcom = {
	.name = "simcom",
	.parent = &driver_generic,
	/* ALINK_VENDOR_ID (option.c: "SIMCOM_PRODUCT_SIM7100E"). */
	.usb = (const struct driver_usb[]){
		{ 0x1e0e, -1, "SIMCom" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("SIMCOM"),
	.urcs = simcom_urcs,
	.signals = simcom_signals,
	/* SIM7600 reads the ICCID with AT+CICCID ("+ICCID: ...", SIM7500/
	 * SIM7600 manual); SIM800 with AT+CCID, answering the bare number
	 * (SIM800 manual), which needs no prefix taken off. */
	.iccid = DRIVER_CMDS("AT+CICCID", "AT+CCID"),
	.ident_prefixes = DRIVER_CMDS("+ICCID:"),
	.errors = simcom_errors,
};
