/*
 * at_parse — pure parsers for the TS 27.007 answers and URCs the generic
 * driver reads (signal, registration, operator, SIM, identity, errors).
 * A family's own forms (signal URCs, ICCID answer prefixes) are declared
 * by its driver (include/driver.h). Each takes one line as the chat gave
 * it, prefix included, and fills a struct; false means the line is not
 * what the function reads, and *out is then unspecified. No I/O, no
 * allocation, no globals. SMS answers (TS 27.005) are in at_parse_sms.h.
 */
#ifndef SMSGW_AT_PARSE_H
#define SMSGW_AT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* +CSQ: <rssi>,<ber> (TS 27.007 §8.5). rssi 0..31 or 99 (unknown);
 * Quectel EC25 also reports 100..191, 199 (TD-SCDMA RSCP, EC25&EC21 AT
 * Commands Manual §6.3). */
struct at_csq {
	int rssi;
	int ber;
};

bool at_parse_csq(const char *line, struct at_csq *out);
/* dBm of a +CSQ rssi: -113 + 2 * rssi for 0..31, -216 + rssi for
 * 100..191; 0 when unknown (99, 199) or out of range. */
int at_parse_rssi_dbm(int rssi);

/* <stat> of +CREG/+CGREG/+CEREG (TS 27.007 §7.2, §10.1.20, §10.1.22). */
enum at_reg_stat {
	AT_REG_STAT_NOT_REGISTERED = 0,
	AT_REG_STAT_HOME = 1,
	AT_REG_STAT_SEARCHING = 2,
	AT_REG_STAT_DENIED = 3,
	AT_REG_STAT_UNKNOWN = 4,
	AT_REG_STAT_ROAMING = 5,
	AT_REG_STAT_SMS_ONLY_HOME = 6,
	AT_REG_STAT_SMS_ONLY_ROAMING = 7,
	AT_REG_STAT_EMERGENCY_ONLY = 8,
	AT_REG_STAT_CSFB_NOT_PREFERRED_HOME = 9,
	AT_REG_STAT_CSFB_NOT_PREFERRED_ROAMING = 10,
};

/*
 * A registration line, either form:
 *   read answer   +CREG: <n>,<stat>[,<lac>,<ci>[,<AcT>]]
 *   URC           +CREG: <stat>[,<lac>,<ci>[,<AcT>]]
 * The form is told apart by its shape: one field, or a quoted second field,
 * is the URC. LAC/TAC and cell id are hex, quoted or not (an OEM Marvell
 * stick sends them bare, captures/marvell-oem/registration.at). prefix is
 * "+CREG:", "+CGREG:" or "+CEREG:".
 */
struct at_reg {
	int n;		/* -1 for the URC form */
	int stat;	/* enum at_reg_stat, or a value beyond it */
	bool has_loc;
	uint32_t lac;	/* LAC, or TAC for +CEREG */
	uint32_t ci;
	int act;	/* access technology (§7.3), -1 if absent */
};

bool at_parse_reg(const char *line, const char *prefix, struct at_reg *out);
/* Whether SMS can be sent: home, roaming, or "SMS only" (§10.1.22),
 * which is what an LTE-only SIM without voice reports. */
bool at_parse_reg_registered(int stat);

/* +COPS: <mode>[,<format>,<oper>[,<AcT>]] (TS 27.007 §7.3). */
struct at_cops {
	int mode;
	int format;	/* -1 when no operator is given */
	char oper[64];
	int act;	/* -1 if absent */
};

bool at_parse_cops(const char *line, struct at_cops *out);

/* +CPIN: <code> (TS 27.007 §8.3), quoted or not. */
enum at_cpin {
	AT_CPIN_READY,
	AT_CPIN_SIM_PIN,
	AT_CPIN_SIM_PUK,
	AT_CPIN_PH_SIM_PIN,
	AT_CPIN_SIM_PIN2,
	AT_CPIN_SIM_PUK2,
	AT_CPIN_PH_NET_PIN,
	AT_CPIN_OTHER,		/* any other code: not usable without help */
};

bool at_parse_cpin(const char *line, enum at_cpin *out);

/* +CNUM: [<alpha>],<number>,<type>[,...] (TS 27.007 §7.1). A number the
 * modem gives in UCS-2 hex ("002B0031...") is decoded. */
struct at_cnum {
	char alpha[64];
	char number[32];
	int type;	/* 145 international, 129 unknown */
};

bool at_parse_cnum(const char *line, struct at_cnum *out);

/*
 * +CME ERROR: <err> (TS 27.007 §9.2): numeric (+CMEE=1) or one of the
 * verbose texts of §9.2.1 (+CMEE=2), e.g. "SIM not inserted" -> 10.
 * Unknown verbose text gives 100 ("unknown").
 */
bool at_parse_cme_error(const char *line, int *code);

/*
 * Identity lines, with or without the prefix modems put before them
 * (AT+CIMI on a Qualcomm stick answers "+CIMI:208...", captures/
 * qualcomm-m7227): an IMEI (+CGSN:, +GSN:, IMEI:; 14-17 digits), an IMSI
 * (+CIMI:; 6-15 digits), an ICCID (bare: 18-22 characters, digits and
 * the F padding, after the driver took its answer's prefix off,
 * driver_iccid_read(); or +CRSM: 144,... from reading EF_ICCID, TS 27.007
 * §8.18, its digits swapped back). out gets the bare
 * value; size must hold it and its NUL.
 */
bool at_parse_imei(const char *line, char *out, size_t size);
bool at_parse_imsi(const char *line, char *out, size_t size);
bool at_parse_iccid(const char *line, char *out, size_t size);

/*
 * Decodes s (len bytes) in place when it is UCS-2 hex of a phone number
 * ("002B0031" -> "+1"), as modems with +CSCS="UCS2" give numbers; leaves
 * anything else untouched. Returns the length.
 */
size_t at_parse_ucs2_number(char *s, size_t len);

#endif
