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

/*
 * u-blox reports the RP causes of TS 24.011 Annex E plus 349 (350
 * "Unassigned (unallocated) number" ... 373 "Interworking, unspecified")
 * and its SMS layer's own causes from 512 (u-blox LENA-R8 AT Commands
 * Manual UBX-22016905 R04, appendix A.2, "Message service error result
 * codes"): read as the generic table reads the RP cause, not as
 * unlisted codes retried for an hour.
 */
static const struct driver_error ublox_errors[] = {
	{ DRIVER_ERR_CMS, 350, 350, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_NUMBER,
	  0, "unassigned (unallocated) number" },
	{ DRIVER_ERR_CMS, 351, 352, ERRCLASS_PERMANENT, ERRCLASS_FLAG_SIM_SUSPECT,
	  0, "operator determined barring or call barred" },
	{ DRIVER_ERR_CMS, 353, 353, ERRCLASS_MODEM_STATE, 0, 0, "ME failure" },
	{ DRIVER_ERR_CMS, 354, 354, ERRCLASS_PERMANENT, ERRCLASS_FLAG_SIM_SUSPECT,
	  0, "short message transfer rejected" },
	{ DRIVER_ERR_CMS, 355, 355, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_NUMBER,
	  0, "number changed" },
	{ DRIVER_ERR_CMS, 356, 356, ERRCLASS_TEMPORARY, 0, 300,
	  "destination out of order" },
	{ DRIVER_ERR_CMS, 357, 357, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_NUMBER,
	  0, "unidentified subscriber" },
	{ DRIVER_ERR_CMS, 358, 358, ERRCLASS_PERMANENT, ERRCLASS_FLAG_SIM_SUSPECT,
	  0, "facility rejected" },
	{ DRIVER_ERR_CMS, 359, 359, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_NUMBER,
	  0, "unknown subscriber" },
	{ DRIVER_ERR_CMS, 360, 360, ERRCLASS_TEMPORARY, 0, 300,
	  "network out of order" },
	{ DRIVER_ERR_CMS, 361, 361, ERRCLASS_TEMPORARY, 0, 5,
	  "temporary failure" },
	{ DRIVER_ERR_CMS, 362, 363, ERRCLASS_TEMPORARY, 0, 30,
	  "congestion or resources unavailable" },
	{ DRIVER_ERR_CMS, 364, 365, ERRCLASS_PERMANENT, ERRCLASS_FLAG_SIM_SUSPECT,
	  0, "requested facility not subscribed or not implemented" },
	{ DRIVER_ERR_CMS, 366, 372, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "invalid message or protocol error" },
	{ DRIVER_ERR_CMS, 373, 373, ERRCLASS_TEMPORARY, 0, 60,
	  "interworking, unspecified" },
	/* An RP-ACK reported as an error: the network may have it. */
	{ DRIVER_ERR_CMS, 512, 512, ERRCLASS_AMBIGUOUS, 0, 0,
	  "relay protocol acknowledgement" },
	/* No RP-ACK before the timer: it may have gone. */
	{ DRIVER_ERR_CMS, 513, 513, ERRCLASS_AMBIGUOUS, 0, 0,
	  "SMS timer expired" },
	{ DRIVER_ERR_CMS, 514, 515, ERRCLASS_TEMPORARY, 0, 30,
	  "SMS forwarding availability failed or aborted" },
	{ DRIVER_ERR_CMS, 516, 523, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "invalid or missing TPDU field" },
	{ DRIVER_ERR_CMS, 524, 524, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_NUMBER,
	  0, "MS invalid TP-Destination-Address" },
	{ DRIVER_ERR_CMS, 525, 526, ERRCLASS_MODEM_STATE, 0, 0,
	  "missing or invalid Service-Centre-Address" },
	{ DRIVER_ERR_CMS, 527, 530, ERRCLASS_PERMANENT, ERRCLASS_FLAG_BAD_PDU,
	  0, "invalid alphabet or TP-User-Data" },
	{ DRIVER_ERR_CMS, 538, 538, ERRCLASS_AMBIGUOUS, 0, 0,
	  "MS network connection lost" },
	{ DRIVER_ERR_CMS, 539, 539, ERRCLASS_TEMPORARY, 0, 5,
	  "MS pending MO SM transfer" },
	{ DRIVER_ERR_CMS, 543, 546, ERRCLASS_PERMANENT, ERRCLASS_FLAG_SIM_SUSPECT,
	  0, "SMS rejected by SMS control or FDN/BDN check" },
	{ DRIVER_ERR_CMS, 604, 604, ERRCLASS_MODEM_STATE,
	  ERRCLASS_FLAG_NO_NETWORK, 0, "MM no service (out of coverage)" },
	{ DRIVER_ERR_CMS, 606, 606, ERRCLASS_TEMPORARY, 0, 5,
	  "ME busy, CM service request already pending" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
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
	.errors = ublox_errors,
};
