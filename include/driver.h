/*
 * driver — PROPOSAL for the modem driver ops table (DESIGN.md §10, STYLE.md
 * habit 3), to be agreed before drivers/generic.c and the vendor files are
 * written. Nothing implements it yet.
 *
 * A driver is mostly data: the commands to send, the candidates to try in
 * order when a modem refuses one, the final responses and URCs a family
 * adds. The generic TS 27.007/27.005 driver (drivers/generic.c) fills every
 * field. A vendor file (drivers/huawei.c, ...) is a table written with
 * designated initialisers that names the generic driver as its parent and
 * sets only what differs; driver_resolve() fills the rest from the parent
 * once at start-up, so code that uses a driver never tests for NULL. Each
 * vendor field carries a comment naming the device and the symptom, and a
 * capture in tests/captures/ that shows it:
 *
 *	static const struct driver_final quectel_finals[] = { ... };
 *
 *	const struct driver driver_quectel = {
 *		.name = "quectel",
 *		.parent = &driver_generic,
 *		.match_cgmi = (const char *const[]){ "Quectel", NULL },
 *		// EC25 announces status reports as +CDSI: "SM",n but keeps
 *		// them in "SR" (captures/quectel-ec25/cdsi-sr.at): ask for
 *		// them directly with <ds>=1 first.
 *		.cnmi = (const char *const[]){ "AT+CNMI=2,1,0,1,0",
 *					       "AT+CNMI=2,1,0,2,0", NULL },
 *		.iccid = (const char *const[]){ "AT+QCCID", "AT+CCID", NULL },
 *		.reset = "AT+CFUN=1,1",
 *	};
 *
 * The lifecycle (next task) runs the steps; the driver never owns the
 * port, the chat or a timer. Hooks exist only where data cannot say it;
 * they are asynchronous and take (cb, ud) like the chat.
 */
#ifndef SMSGW_DRIVER_H
#define SMSGW_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "at_chat.h"
#include "at_parse.h"

struct modem;		/* the lifecycle's per-port object (next task) */

/* A final response a family adds to the chat's table (at_chat_add_final).
 * Example: Huawei answers unknown commands "COMMAND NOT SUPPORT"
 * (captures/huawei-e1752/init.at). */
struct driver_final {
	const char *text;
	bool prefix;
	bool success;
};

/* What the lifecycle does with a URC the driver declares. */
enum driver_urc_kind {
	DRIVER_URC_IGNORE,	/* known chatter: not logged as noise
				 * (Huawei ^MODE, ^SRVST, ^DSFLOWRPT) */
	DRIVER_URC_SIGNAL,	/* at_parse_signal_urc(): ^RSSI, +CSQN,
				 * +QIND: "csq" */
	DRIVER_URC_BOOT,	/* the modem (re)started: RDY, SMS Ready,
				 * +QIND: SMS DONE, PB DONE; when seen while
				 * ready, init runs again */
	DRIVER_URC_SIM,		/* SIM state changed: +CPIN:, +QUSIM: */
	DRIVER_URC_REGISTRATION, /* at_parse_reg(): +CREG/+CGREG/+CEREG */
	DRIVER_URC_SMS_STORED,	/* +CMTI, +CDSI: read, then delete */
	DRIVER_URC_SMS_DIRECT,	/* +CMT, +CDS with a PDU line: ack with +CNMA */
};

struct driver_urc {
	const char *prefix;
	enum driver_urc_kind kind;
	bool pdu;		/* the next line is its PDU (+CMT, +CDS) */
};

/*
 * One step of a command sequence. candidates are tried in order until one
 * answers OK; an error on every candidate fails the step unless optional.
 * The +CNMI fallbacks are the canonical case: modems accept different
 * <mt>/<ds> combinations (captures/generic-27005/session.at shows a
 * +CMS ERROR: 303 on the first).
 */
struct driver_step {
	const char *const *candidates;	/* NULL-terminated */
	bool optional;
	int timeout_ms;			/* 0: AT_CHAT_TIMEOUT_MS */
};

typedef void (*driver_done_cb)(int err, void *ud);

struct driver {
	const char *name;		/* as in the configuration: driver = */
	const struct driver *parent;	/* NULL only for the generic driver */

	/* Selection for driver = auto: the USB table (usb_ids.h) first,
	 * then these case-insensitive substrings of +CGMI / +CGMM. */
	const char *const *match_cgmi;
	const char *const *match_cgmm;

	/* Added to the chat before the first command. */
	const struct driver_final *finals;	/* { NULL } ends */
	const struct driver_urc *urcs;		/* { NULL } ends */

	/*
	 * Init, in this order, each a NULL-terminated list of steps:
	 *  - wake: leave any prompt and get an OK (ESC + AT, escape_first);
	 *  - init: echo off, verbose errors (ATE0, AT+CMEE=1);
	 *  - the PIN: generic logic on +CPIN? (at_parse_cpin), entering the
	 *    configured PIN once, never retrying a wrong one (PUK risk);
	 *  - vendor: the family's own setup (URC routing, noise off);
	 *  - sms: AT+CMGF=0, AT+CSCS="GSM", then the cnmi and cpms lists.
	 */
	const struct driver_step *wake;
	const struct driver_step *init;
	const struct driver_step *vendor;
	const struct driver_step *sms;
	const char *const *cnmi;	/* candidates, best first */
	const char *const *cpms;	/* candidates, best first */

	/* Identity: each a list of candidate commands, parsed with
	 * at_parse_imei/imsi/iccid (which accept the prefixes seen). */
	const char *const *imei;	/* AT+CGSN, AT+GSN */
	const char *const *imsi;	/* AT+CIMI */
	const char *const *iccid;	/* AT+CCID, AT^ICCID?, AT+QCCID, ... */
	const char *const *own_number;	/* AT+CNUM */

	/* Health, polled by the lifecycle's timers. */
	const char *signal;		/* AT+CSQ */
	const char *const *registration; /* AT+CREG?, AT+CEREG?, AT+CGREG? */
	const char *operator_query;	/* AT+COPS? (after AT+COPS=3,0) */

	/* Sending (TS 27.005 §3.5.1): timeouts for the prompt and for the
	 * final answer after Ctrl-Z (reliability.md §3.1: 10 s, 90 s). */
	int prompt_timeout_ms;
	int submit_timeout_ms;

	/*
	 * SIM slots. slots: how many (1 for most); slot_select: a printf
	 * format with one %d, the slot number from the configuration (a
	 * number, never user text), e.g. "AT+QDSIM=%d"; slot_settle_ms: how
	 * long after switching before the SIM is read again. A family whose
	 * switch is more than one command overrides switch_slot.
	 */
	int slots;
	const char *slot_select;
	const char *slot_query;
	int slot_settle_ms;
	void (*switch_slot)(struct modem *m, int slot, driver_done_cb cb,
			    void *ud);

	/* Recovery ladder step 3 (DESIGN.md §10): a soft reset after which
	 * the tty disappears and comes back (AT+CFUN=1,1; AT+CRESET on
	 * SIMCom; AT^RESET on Huawei). */
	const char *reset;

	/* Escape hatch for a family whose signal answer is not +CSQ (e.g.
	 * LTE-only firmware reporting 99 and the truth in +CESQ). */
	bool (*parse_signal)(const char *const *lines, size_t n,
			     struct at_csq *out);
};

extern const struct driver driver_generic;

/*
 * Fills every field vendor leaves unset from its parent chain into out.
 * Returns 0, or -EINVAL if the chain does not end at driver_generic.
 */
int driver_resolve(const struct driver *vendor, struct driver *out);
/* The driver named name, or NULL. "auto" is not a driver. */
const struct driver *driver_find(const char *name);
/* For driver = auto: by USB ids (usb_ids_driver), else by the +CGMI and
 * +CGMM answers; falls back to driver_generic. */
const struct driver *driver_match(int vid, int pid, const char *cgmi,
				  const char *cgmm);

#endif
