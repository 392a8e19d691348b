/*
 * modem_logic — the decisions of the modem lifecycle that need no port:
 * the recovery ladder, what to do about a +CPIN answer, whether an error
 * means "busy, ask again", what a stored PDU is, when storage is full,
 * retry delays. Pure: no I/O, no globals, no logging (doc/style.md, "Pure parsers and encoders");
 * gateway/modem*.c act on the answers.
 */
#ifndef SMSGW_MODEM_LOGIC_H
#define SMSGW_MODEM_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "at_parse.h"
#include "at_parse_sms.h"

struct driver_cnmi;

/*
 * The recovery ladder of a hung modem (doc/contract.md §10,
 * doc/reliability.md, "Recovery ladder and device disappearance"),
 * climbed one step per failure.
 */
enum modem_ladder {
	MODEM_LADDER_NONE,		/* healthy */
	MODEM_LADDER_ESCAPE,		/* ESC and AT */
	MODEM_LADDER_REINIT,		/* the whole init again */
	MODEM_LADDER_RESET,		/* the driver's soft reset */
	MODEM_LADDER_REOPEN,		/* close the tty, open it again */
	MODEM_LADDER_OUT_OF_SERVICE,	/* closed; retried every 5 min */
};

/* The step after a failure at step s; out of service stays. */
enum modem_ladder modem_logic_ladder_next(enum modem_ladder s);
/* "ESC and AT", "re-init", ... for events. */
const char *modem_logic_ladder_name(enum modem_ladder s);

/* What init does with the SIM's +CPIN answer (TS 27.007 §8.3). */
enum modem_pin_action {
	MODEM_PIN_READY,		/* go on */
	MODEM_PIN_ENTER,		/* send the configured PIN, once */
	MODEM_PIN_NO_PIN,		/* PIN wanted, none configured */
	MODEM_PIN_REFUSED,		/* our PIN was tried already: never
					 * again (the third try locks the SIM
					 * behind its PUK) */
	MODEM_PIN_PUK,			/* PUK wanted: a person acts */
	MODEM_PIN_OTHER,		/* PH-SIM, network lock: the same */
};

enum modem_pin_action modem_logic_pin_action(enum at_cpin code,
					     bool have_pin, bool pin_tried);

/*
 * Whether a failed command's final response means "the SIM or the modem
 * is still starting, ask again shortly": +CME ERROR: 14 (SIM busy, TS
 * 27.007 §9.2.1), +CMS ERROR: 314 (SIM busy, TS 27.005 §3.2.5), and 515
 * ("please wait, init or command processing in progress", SIMCom and
 * Quectel manuals).
 */
bool modem_logic_busy_error(const char *final);

/* What a stored or direct PDU (hex, SMSC prefix first) carries, from its
 * TP-MTI (TS 23.040 §9.2.3.1). */
enum modem_pdu_kind {
	MODEM_PDU_DELIVER,
	MODEM_PDU_STATUS_REPORT,
	MODEM_PDU_OTHER,		/* a stored SMS-SUBMIT, reserved */
	MODEM_PDU_BAD,			/* not an SMSC octet and a TPDU */
};

enum modem_pdu_kind modem_logic_pdu_kind(const char *hex);

/* Whether a +CPMS answer shows a memory with no room left (used >= total
 * > 0): new SMS then stay with the network. */
bool modem_logic_storage_full(const struct at_cpms *c);

/*
 * Writes "AT+CNMI=<mode>,<mt>,<bm>,<ds>,<bfr>" for c into buf (size
 * bytes); with receive false <mt> is 0 (new SMS are stored without an
 * indication and left for someone else). Returns false if it does not
 * fit or c ends the table (mode < 0).
 */
bool modem_logic_cnmi(const struct driver_cnmi *c, bool receive, char *buf,
		      size_t size);

/*
 * The +CNMI settings to try, from the modem's own ranges (AT+CNMI=?, as
 * ModemManager does): the driver's candidates the ranges allow, in order;
 * if none, the best the ranges allow (<mode> 2, 1, 3; <mt> 1, 2; <bm> 0;
 * <ds> 1, 2, 0; <bfr> 0, 1: Cinterion takes only <bfr> 1). r NULL: the
 * driver's list as it is. Writes at most max - 1 rows and the end row
 * (mode -1) into out; returns the rows.
 */
size_t modem_logic_cnmi_fit(const struct at_cnmi_ranges *r,
			    const struct driver_cnmi *list,
			    struct driver_cnmi *out, size_t max);

/*
 * The +CNMI candidates of direct delivery (TS 27.005 §3.4.1 <mt> 2: the
 * SMS-DELIVER comes in the +CMT URC, acknowledged with +CNMA): each of
 * list's rows in <mode> 2 or 3 with <mt> 2, first all in <mode> 3 (the TA
 * forwards URCs also while a command runs, so a +CMT need not wait out an
 * AT+CMGS), then all in <mode> 2; then list itself, the stored fallback.
 * Duplicates are left out. Writes at most max - 1 rows and the end row
 * into out; returns how many of them are direct.
 */
size_t modem_logic_cnmi_direct(const struct driver_cnmi *list,
			       struct driver_cnmi *out, size_t max);

/*
 * The +CPMS commands to try, from AT+CPMS=?: the driver's candidates
 * whose memories the ranges allow, then one built from them (SM, else
 * ME, else MT, else the first listed, for each memory the modem has).
 * With three memory lists <mem3> is always <mem1> (a shorter candidate
 * is completed so, one with another <mem3> refused): new messages are
 * stored where AT+CMGR and AT+CMGL read.
 * r NULL: the driver's list. Writes at most max commands of size bytes
 * each; returns how many.
 */
size_t modem_logic_cpms_fit(const struct at_cpms_ranges *r,
			    const char *const *list, char (*out)[48],
			    size_t max);

/* Whether any registration <stat> (-1: unknown) allows sending SMS. */
bool modem_logic_registered(const int *stat, size_t n);

/* The wait before attempt number n (0, 1, ...) to open a device that
 * exists but will not open: backoff_ms(n, first, max), 1 s doubling to
 * 60 s. */
#define MODEM_OPEN_BACKOFF_FIRST_MS 1000
#define MODEM_OPEN_BACKOFF_MAX_MS 60000

#endif
