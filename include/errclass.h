/*
 * errclass — what a +CMS ERROR or +CME ERROR from AT+CMGS means for the
 * message and for the SIM. One table (gateway/policy/errclass.c), so the policy
 * is read in one place and tested row by row. Pure.
 *
 * Sources: 3GPP TS 24.011 Annex E (RP causes 1–127), TS 27.005 §3.2.5
 * (300–500), Wavecom's 512–515 as the default for unknown modems, and the
 * classification in doc/reliability.md, "CMS errors: which to retry".
 * A driver's own codes (struct driver_error in include/driver.h) come
 * first: errclass_driver().
 */
#ifndef SMSGW_ERRCLASS_H
#define SMSGW_ERRCLASS_H

#include <stdbool.h>

enum errclass {
	/* Try again later, on this SIM or another: backoff. */
	ERRCLASS_TEMPORARY,
	/* This message will never go: fail it, keep the queue moving. */
	ERRCLASS_PERMANENT,
	/* The network may have accepted it: unknown, then the resend policy. */
	ERRCLASS_AMBIGUOUS,
	/* The modem or SIM is not in a state to send; not the message's
	 * fault: requeue without counting an attempt, and fix the modem. */
	ERRCLASS_MODEM_STATE,
};

enum errclass_flag {
	/* The SIM may be barred or flagged for spam: count it against the SIM. */
	ERRCLASS_FLAG_SIM_SUSPECT = 1 << 0,
	/* Probably our encoder's fault: log the PDU. */
	ERRCLASS_FLAG_BAD_PDU = 1 << 1,
	/* The recipient number is wrong. */
	ERRCLASS_FLAG_BAD_NUMBER = 1 << 2,
	/* The SIM's storage is full (modem state). */
	ERRCLASS_FLAG_STORAGE_FULL = 1 << 3,
	/* The modem lost the network (modem state). */
	ERRCLASS_FLAG_NO_NETWORK = 1 << 4,
	/* The SIM is missing or locked (modem state). */
	ERRCLASS_FLAG_SIM_PROBLEM = 1 << 5,
};

struct errclass_info {
	enum errclass cls;
	unsigned flags;
	int min_backoff_s;	/* for temporary errors: at least this long */
	const char *text;	/* short meaning, e.g. "network out of order" */
};

/* Classifies +CMS ERROR: code. Unknown codes are temporary with a note. */
struct errclass_info errclass_cms(int code);
/* Classifies +CME ERROR: code as returned by AT+CMGS (e.g. SIM busy). */
struct errclass_info errclass_cme(int code);

struct driver;

/*
 * Classifies +CMS ERROR (cme false) or +CME ERROR: code from a modem with
 * driver d: the driver's own row (include/driver.h, struct driver_error;
 * its parents' next) where it declares the code, else errclass_cms() /
 * errclass_cme(). d NULL: the generic table.
 */
struct errclass_info errclass_driver(const struct driver *d, bool cme,
				     int code);

/* "temporary", "permanent", "ambiguous", "modem-state" */
const char *errclass_name(enum errclass cls);

#endif
