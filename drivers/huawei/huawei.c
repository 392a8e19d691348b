/*
 * huawei — Huawei E-series USB sticks (E1752, E3372 "stick" firmware):
 * what differs from the generic driver, each row with the device and the
 * symptom. Source of the URCs: the HUAWEI UMTS Datacard AT Command
 * Interface Specification (^RSSI, ^MODE, ^SRVST, ^SIMST, ^BOOT, ^CURC,
 * ^SMMEMFULL) and the captures in drivers/huawei/captures/.
 */
#include "driver.h"

/* E1752 answers an unknown command "COMMAND NOT SUPPORT" instead of
 * ERROR (captures/huawei-e1752/init.at, AT+MODE=2): without this row the
 * command would wait for its timeout. */
static const struct driver_final huawei_finals[] = {
	{ "COMMAND NOT SUPPORT", false, false },
	{ NULL, false, false },
};

static const struct driver_urc huawei_urcs[] = {
	/* E-series status chatter (captures/huawei-e3372/smmemfull.at);
	 * ^BOOT repeats while the stick runs and does not mean a restart. */
	{ "^MODE:", DRIVER_URC_IGNORE, false },
	{ "^SRVST:", DRIVER_URC_IGNORE, false },
	{ "^SIMST:", DRIVER_URC_IGNORE, false },
	{ "^BOOT:", DRIVER_URC_IGNORE, false },
	{ "^DSFLOWRPT:", DRIVER_URC_IGNORE, false },
	{ "^HCSQ:", DRIVER_URC_IGNORE, false },
	/* The SIM storage is full: new SMS stay with the network until
	 * something is deleted (captures/huawei-e3372/smmemfull.at). */
	{ "^SMMEMFULL:", DRIVER_URC_STORAGE_FULL, false },
	{ NULL, 0, false },
};

/* E1752: "^RSSI:14" every few seconds, between and inside answers
 * (captures/huawei-e1752/init.at): <rssi> alone, on the +CSQ scale
 * (Datacard AT Command Interface Specification, ^RSSI: 0..31, 99). */
static const struct driver_signal huawei_signals[] = {
	{ "^RSSI:", DRIVER_SIGNAL_RSSI, 99 },
	{ NULL, 0, 0 },
};

static const struct driver_step huawei_vendor[] = {
	/* ^CURC=0 stops the periodic ^RSSI/^MODE/^DSFLOWRPT reports that
	 * otherwise land in the middle of answers (a ^DSFLOWRPT inside the
	 * ^CURC answer itself in captures/huawei-e3372/smmemfull.at);
	 * optional: some firmware answers "COMMAND NOT SUPPORT". */
	{ DRIVER_CMDS("AT^CURC=0"), true, 0 },
	{ NULL, false, 0 },
};

/*
 * Huawei's own +CME ERROR codes (HUAWEI UMTS M2M Module AT Command
 * Interface Specification V100R001, issue 18, §21.2): a send refused
 * with "retry operation" is retried soon, not after an hour.
 */
static const struct driver_error huawei_errors[] = {
	{ DRIVER_ERR_CME, 257, 257, ERRCLASS_TEMPORARY, 0, 60,
	  "network rejected request" },
	{ DRIVER_ERR_CME, 258, 258, ERRCLASS_TEMPORARY, 0, 5,
	  "retry operation" },
	{ DRIVER_ERR_END, 0, 0, 0, 0, 0, NULL },
};

const struct driver driver_huawei = {
	.name = "huawei",
	.parent = &driver_generic,
	/* HUAWEI_VENDOR_ID in the kernel's option.c; E3372 12d1:1506
	 * (lsusb in 4IceG/luci-app-3ginfo-lite#25). */
	.usb = (const struct driver_usb[]){
		{ 0x12d1, 0x1506, "Huawei E3372" }, { 0x12d1, -1, "Huawei" },
		{ 0, 0 } },
	.match_cgmi = DRIVER_CMDS("huawei"),
	.finals = huawei_finals,
	.urcs = huawei_urcs,
	.signals = huawei_signals,
	.vendor = huawei_vendor,
	/* E3372 answers AT^ICCID? with "^ICCID: <iccid>"
	 * (captures/huawei-e3372/identity.at); older sticks know +CCID. */
	.iccid = DRIVER_CMDS("AT^ICCID?", "AT+CCID"),
	.ident_prefixes = DRIVER_CMDS("^ICCID:"),
	.errors = huawei_errors,
};
