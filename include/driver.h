/*
 * driver — what one modem family needs said differently (doc/contract.md §10,
 * doc/style.md, "Vendor quirks live in drivers/"). A driver is data: the
 * commands to send, the candidates to try in order when a modem refuses
 * one, the final responses and URCs a family adds, how to switch SIM
 * slots and how to reset. The modem lifecycle (gateway/modem/) runs the
 * steps; a driver never owns the port, the chat or a timer.
 *
 * The generic TS 27.007/27.005 driver (drivers/generic/generic.c) sets every
 * field. A vendor file (drivers/huawei/huawei.c, ...) is a table written with
 * designated initialisers that names its parent and sets only what
 * differs:
 *
 *	const struct driver driver_quectel = {
 *		.name = "quectel",
 *		.parent = &driver_generic,
 *		.match_cgmi = DRIVER_CMDS("Quectel"),
 *		// EC25: +CDSI names "SM" but the report sits in "SR"
 *		// (captures/quectel-ec25/cdsi-sr.at): reports come direct.
 *		.cnmi = (const struct driver_cnmi[]){ { 2, 1, 0, 1, 0 }, ...
 *	};
 *
 * Scalar and list fields left unset (NULL, 0) are inherited from the
 * parent (driver_resolve()); the tables finals, urcs, signals,
 * ident_prefixes and errors add to the parent's instead (driver_chain(),
 * driver_signal_read(), driver_ident_value(), driver_error_find() walk
 * the chain). Each vendor field carries a comment naming the device and
 * the symptom, and a capture in its folder (drivers/<vendor>/captures/)
 * or a vendor document that shows it.
 */
#ifndef SMSGW_DRIVER_H
#define SMSGW_DRIVER_H

#include "errclass.h"

#include <stdbool.h>
#include <stddef.h>

struct at_csq;

/* A final response a family adds to the chat's table (at_chat_add_final):
 * Huawei answers unknown commands "COMMAND NOT SUPPORT"
 * (captures/huawei-e1752/init.at). { NULL } ends a table. */
struct driver_final {
	const char *text;
	bool prefix;
	bool success;
};

/* What the lifecycle does with a URC. */
enum driver_urc_kind {
	DRIVER_URC_IGNORE,	/* known chatter: not logged as noise */
	DRIVER_URC_SIGNAL,	/* a row of .signals: ^RSSI, +CSQN, ... */
	DRIVER_URC_BOOT,	/* the modem (re)started (RDY): when seen
				 * while ready, init runs again */
	DRIVER_URC_SMS_READY,	/* SMS commands work from now on (SMS
				 * Ready, SMS DONE, +QIND: SMS DONE) */
	DRIVER_URC_SIM,		/* +CPIN: <code> */
	DRIVER_URC_REGISTRATION, /* +CREG/+CGREG/+CEREG: <stat>... */
	DRIVER_URC_SMS_STORED,	/* +CMTI: read it, then delete it */
	DRIVER_URC_REPORT_STORED, /* +CDSI: the same for a status report */
	DRIVER_URC_SMS_DIRECT,	/* +CMT and its PDU line: +CNMA acks */
	DRIVER_URC_REPORT_DIRECT, /* +CDS and its PDU line */
	DRIVER_URC_STORAGE_FULL, /* storage full: import and delete */
	DRIVER_URC_WARNING,	/* the modem warns about itself (supply
				 * voltage): logged, at most every 10 min */
	DRIVER_URC_CALL,	/* RING, +CRING:, +CLIP: a voice call:
				 * rejected, the caller an event */
	DRIVER_URC_USSD,	/* +CUSD: the answer to a USSD code */
};

/* { NULL } ends a table. */
struct driver_urc {
	const char *prefix;
	enum driver_urc_kind kind;
	bool pdu;		/* the next line is its PDU (+CMT, +CDS) */
};

/*
 * A signal report the family sends unasked, in its own form: the line
 * starts with prefix (matched as the chat matches a URC: "+QIND: \"csq\","
 * so that "+QIND: SMS DONE" is not one), then form's fields. The rssi is
 * on the scale of +CSQ (TS 27.007 §8.5: 0..31, 99 unknown; dBm by
 * at_parse_rssi_dbm()), up to rssi_max: 99, or 199 for a family that
 * also gives the TD-SCDMA values 100..191, 199. The lifecycle hears each
 * row as a URC of kind DRIVER_URC_SIGNAL (the .urcs table does not list
 * them again) and reads it with driver_signal_read(); rows add to the
 * parent's. { NULL } ends a table. TS 27.007 has no unsolicited +CSQ, so
 * driver_generic declares none: a report no driver of the chain declares
 * is not heard, and never read as another family's.
 */
enum driver_signal_form {
	DRIVER_SIGNAL_RSSI,	/* <rssi>: Huawei ^RSSI:14 */
	DRIVER_SIGNAL_RSSI_BER,	/* <rssi>,<ber>: SIMCom +CSQN: 20,0 */
};

struct driver_signal {
	const char *prefix;
	enum driver_signal_form form;
	int rssi_max;
};

/*
 * A +CMS ERROR or +CME ERROR code (to AT+CMGS) whose meaning the family's
 * AT manual gives apart from TS 24.011 / TS 27.005 §3.2.5 / TS 27.007
 * §9.2, which the generic table holds (gateway/policy/errclass.c): codes
 * 500 and up are the manufacturer's, and two families give 512 different
 * meanings (Quectel EC2x "SIM not ready", Telit "No SM resources").
 * Looked up on the driver first, then up its parent chain, then in the
 * generic table (errclass_driver()). Each row cites the manual and
 * section in a comment. A table ends with kind DRIVER_ERR_END.
 */
enum driver_err_kind {
	DRIVER_ERR_END,
	DRIVER_ERR_CMS,		/* +CMS ERROR: <code> */
	DRIVER_ERR_CME,		/* +CME ERROR: <code> */
};

struct driver_error {
	enum driver_err_kind kind;
	int lo, hi;		/* codes lo..hi */
	enum errclass cls;
	unsigned flags;		/* ERRCLASS_FLAG_* */
	int min_backoff_s;	/* ERRCLASS_TEMPORARY: at least this long */
	const char *meaning;	/* the manual's words: the failed row's */
};

/* A NULL-terminated list of commands (or names) as a driver table field. */
#define DRIVER_CMDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * One step of a command list. candidates are tried in order until one
 * answers OK; an error on every candidate fails the step unless optional
 * (then it is only logged). A list ends with candidates == NULL.
 */
struct driver_step {
	const char *const *candidates;	/* NULL-terminated: DRIVER_CMDS() */
	bool optional;
	int timeout_ms;			/* 0: AT_CHAT_TIMEOUT_MS */
};

/*
 * +CNMI=<mode>,<mt>,<bm>,<ds>,<bfr> (TS 27.005 §3.4.1). Kept as numbers so
 * that receive = false can turn <mt> to 0 in every candidate. A table ends
 * with mode < 0.
 */
struct driver_cnmi {
	int mode, mt, bm, ds, bfr;
};

/* A USB id of the family's modems (the Linux kernel's option.c and
 * sierra.c name them); pid -1: any product of the vendor. name: what
 * `smsgw ports` calls the device ("Huawei E3372", "Quectel"). The
 * drivers' tables are the only list of USB ids in smsgw. { 0 } ends. */
struct driver_usb {
	int vid, pid;
	const char *name;
};

struct driver {
	const char *name;		/* as in the configuration: driver = */
	const struct driver *parent;	/* NULL only for driver_generic */

	/* driver = auto: these USB ids first, then these case-insensitive
	 * substrings of the +CGMM, then the +CGMI answers (a pty or a
	 * modem behind a hub has no usable USB id). */
	const struct driver_usb *usb;
	const char *const *match_cgmi;
	const char *const *match_cgmm;

	/* Added to the chat's tables, the parent's rows first. */
	const struct driver_final *finals;
	const struct driver_urc *urcs;
	const struct driver_signal *signals;	/* heard as URCs too */
	/* Built-in finals taken out of the chat's table and heard as URCs
	 * instead: the call results, as smsgw never dials. */
	const char *const *not_finals;

	/*
	 * Init runs (gateway/modem/modem_init.c): wake (ESC + AT), setup, the
	 * modem's identity (+CGMI, +CGMM, +CGMR, imei), the PIN (generic
	 * logic on +CPIN?), vendor, sms, cnmi candidates, cpms candidates,
	 * the SMSC (+CSCA), the configuration's init commands, the SIM's
	 * identity (imsi, iccid, own_number), the registration and
	 * operator format URCs (reporting), a first health check, and the
	 * import of what is stored (list_stored).
	 */
	const struct driver_step *setup;	/* ATE0, +CMEE=1 */
	const struct driver_step *vendor;	/* the family's own setup */
	const struct driver_step *sms;		/* +CMGF, +CSCS, +CSMS */
	const struct driver_step *reporting;	/* +CREG=1, +COPS=3,0 */
	const struct driver_cnmi *cnmi;		/* best first */
	const char *const *cpms;		/* best first */

	/* Identity: candidate commands, answers read with at_parse_imei,
	 * at_parse_imsi, at_parse_iccid, at_parse_cnum. */
	const char *const *imei;	/* AT+CGSN, AT+GSN */
	const char *const *imsi;	/* AT+CIMI */
	const char *const *iccid;	/* AT+CCID, AT^ICCID?, AT+QCCID, ... */
	const char *own_number;		/* AT+CNUM */
	/* The prefixes of identity answers ("+CCID:", "^ICCID:",
	 * "#CCID:"), taken off before the at layer's parsers read the bare
	 * value (driver_ident_value()): TS 27.007 gives none for the ICCID,
	 * so each family names the answers of its commands. They add to
	 * the parent's, a row here first. */
	const char *const *ident_prefixes;

	/* Health, run by the lifecycle's timer when the modem is idle. */
	const char *signal;		/* AT+CSQ */
	const char *const *registration; /* AT+CREG?, AT+CEREG?, ... */
	const char *operator_query;	/* AT+COPS? */

	/* Receiving (TS 27.005 §3.4.2, §3.4.3, §3.5.4, §3.4.4). */
	const char *list_stored;	/* AT+CMGL=4 */
	const char *read_stored;	/* AT+CMGR=%d */
	const char *delete_stored;	/* AT+CMGD=%d */
	const char *ack_direct;		/* AT+CNMA */
	int list_timeout_ms;		/* a full SIM takes seconds */

	/*
	 * SIM slots of a multi-SIM modem. slot_select: a printf format with
	 * one %d, the slot index (the n-th sim section is index n - 1)
	 * plus slot_base; NULL: the family cannot switch. slot_query reads
	 * the active slot from a line starting with slot_prefix.
	 */
	const char *slot_select;
	const char *slot_query;
	const char *slot_prefix;
	int slot_base;
	int slot_timeout_ms;		/* for the new SIM to be ready */

	/* Recovery ladder step 3 (doc/contract.md §10): a soft reset after
	 * which the tty may vanish and come back (AT+CFUN=1,1). reset_wait_ms:
	 * how long a modem whose tty stays takes to boot. */
	const char *reset;
	int reset_wait_ms;

	/* The family's own error codes (struct driver_error); they add to
	 * the parent's, a row here first. */
	const struct driver_error *errors;
};

/* Every driver, generic first, NULL-terminated: generated from the
 * folders of drivers/ (scripts/gen_driver_table.sh). */
extern const struct driver *const driver_table[];

extern const struct driver driver_generic;
extern const struct driver driver_huawei;
extern const struct driver driver_simcom;
extern const struct driver driver_quectel;

/*
 * Fills out with vendor's fields, those it leaves unset taken from its
 * parent chain. Returns 0, or -EINVAL if the chain does not end at
 * driver_generic (or is longer than 8).
 */
int driver_resolve(const struct driver *vendor, struct driver *out);

/*
 * The chain of d from driver_generic up to d itself, for the tables that
 * add up (finals, urcs, signals): fills chain[0..n) and returns n (at
 * most max).
 */
size_t driver_chain(const struct driver *d, const struct driver **chain,
		    size_t max);

/* The driver named name ("generic", "huawei", ...: the folder names of
 * drivers/), or NULL. "auto" is not a driver. */
const struct driver *driver_find(const char *name);

/*
 * For driver = auto: by the drivers' USB ids when vid > 0 (an exact
 * product first), else (or when that gives generic) by the +CGMM, then
 * the +CGMI answers (NULL when not known yet); falls back to
 * driver_generic. Never NULL.
 */
const struct driver *driver_match(int vid, int pid, const char *cgmi,
				  const char *cgmm);

/*
 * The driver whose usb table declares vid:pid (an exact product before a
 * vendor-wide row), or NULL when none does; *name (if name is not NULL)
 * is then that row's name. For `smsgw ports`: driver_generic declares
 * the vendors and USB-serial converters that need no quirk of their own.
 */
const struct driver *driver_usb_lookup(int vid, int pid, const char **name);

/*
 * Writes fmt into buf (size bytes) with its "%d" replaced by n: the
 * driver's command templates (read_stored, slot_select, ...) are data, not
 * printf formats. Returns false if it does not fit.
 */
bool driver_command(char *buf, size_t size, const char *fmt, int n);

/*
 * The row of d's errors table, or of its parents' (d first), that holds
 * code of kind; NULL when none does (the generic table then applies).
 * d may be a resolved copy: its parent chain is the vendor's.
 */
const struct driver_error *driver_error_find(const struct driver *d,
					     enum driver_err_kind kind,
					     int code);

/*
 * Reads line as one of the signal reports of d's signals table or its
 * parents' (d first) into out (ber 99 when the form has none). False
 * when no row of the chain starts line, or its fields do not parse or lie
 * outside the row's scale. d may be a resolved copy.
 */
bool driver_signal_read(const struct driver *d, const char *line,
			struct at_csq *out);

/*
 * The value of an identity answer: line past the first of the
 * ident_prefixes of d or its parents (d first) that starts it, and the
 * spaces after; line itself when none does (a bare answer, or one the
 * at layer reads whole: +CRSM). d may be a resolved copy.
 */
const char *driver_ident_value(const struct driver *d, const char *line);

/* An ICCID answer read as d reads it: at_parse_iccid() of
 * driver_ident_value(). */
bool driver_iccid_read(const struct driver *d, const char *line, char *out,
		       size_t size);

/* Every name driver_find() knows, for messages; NULL-terminated. */
const char *const *driver_names(void);

#endif
