/*
 * errclass — the table behind include/errclass.h.
 *
 * RP causes (TS 24.011 Annex E, Table E.2) come through +CMS ERROR
 * unchanged on most modems; 300–500 are TS 27.005 §3.2.5 ME/TA errors;
 * 512–515 are Wavecom's (AT Commands Interface Guide §16.3), which
 * Wavecom-derived firmwares and the old SIMCom SIM300 share: the default
 * for a modem whose driver declares nothing else. Families whose manuals
 * give 500 and up other meanings declare them in their driver
 * (include/driver.h, struct driver_error; errclass_driver()). Where a
 * cause's text says "temporary in nature", we retry.
 */
#include "errclass.h"
#include "driver.h"

#include <stddef.h>

#define T ERRCLASS_TEMPORARY
#define P ERRCLASS_PERMANENT
#define A ERRCLASS_AMBIGUOUS
#define M ERRCLASS_MODEM_STATE
#define SUSPECT ERRCLASS_FLAG_SIM_SUSPECT
#define BADPDU ERRCLASS_FLAG_BAD_PDU
#define BADNUM ERRCLASS_FLAG_BAD_NUMBER

struct errclass_row {
	int lo, hi;
	struct errclass_info info;
};

static const struct errclass_row errclass_cms_rows[] = {
	{ 1, 1, { P, BADNUM, 0, "unassigned (unallocated) number" } },
	{ 8, 8, { P, SUSPECT, 0, "operator determined barring" } },
	{ 10, 10, { P, SUSPECT, 0, "call barred" } },
	{ 17, 17, { T, 0, 60, "network failure" } },
	{ 21, 21, { P, SUSPECT, 0, "short message transfer rejected" } },
	{ 22, 22, { T, 0, 300, "memory capacity exceeded at the recipient" } },
	/* Spec text: the interface is "not functioning correctly", a
	 * temporary condition; a few tries, then the attempts cap fails it. */
	{ 27, 27, { T, 0, 300, "destination out of order" } },
	{ 28, 28, { P, BADNUM, 0, "unidentified subscriber" } },
	{ 29, 29, { P, SUSPECT, 0, "facility rejected" } },
	{ 30, 30, { P, BADNUM, 0, "unknown subscriber" } },
	{ 38, 38, { T, 0, 300, "network out of order" } },
	{ 41, 41, { T, 0, 5, "temporary failure" } },
	{ 42, 42, { T, 0, 30, "congestion" } },
	{ 47, 47, { T, 0, 30, "resources unavailable" } },
	{ 50, 50, { P, SUSPECT, 0, "requested facility not subscribed" } },
	{ 69, 69, { P, SUSPECT, 0, "requested facility not implemented" } },
	{ 81, 81, { P, BADPDU, 0, "invalid short message reference value" } },
	{ 95, 95, { P, BADPDU, 0, "invalid message" } },
	{ 96, 96, { P, BADPDU, 0, "invalid mandatory information" } },
	{ 97, 99, { P, BADPDU, 0, "protocol error" } },
	{ 111, 111, { P, BADPDU, 0, "protocol error, unspecified" } },
	{ 127, 127, { T, 0, 60, "interworking, unspecified" } },
	/* TS 23.040 §9.2.3.22 TP-FCS values, which some modems report. */
	{ 128, 143, { P, BADPDU, 0, "TPDU not supported" } },
	{ 144, 159, { P, BADPDU, 0, "TP-DCS error" } },
	{ 160, 175, { P, BADPDU, 0, "TP-PID error" } },
	{ 176, 176, { P, BADPDU, 0, "TPDU not supported" } },
	/* TP-RD asked the SC to drop a copy it already holds: it has one. */
	{ 197, 197, { A, 0, 0, "rejected as a duplicate of a held message" } },
	{ 192, 196, { T, 0, 60, "SC busy or error" } },
	{ 198, 255, { T, 0, 60, "SC error" } },
	{ 300, 300, { M, 0, 0, "ME failure" } },
	{ 301, 301, { M, 0, 0, "SMS service of ME reserved" } },
	{ 302, 303, { M, 0, 0, "operation not allowed or not supported" } },
	{ 304, 305, { P, BADPDU, 0, "invalid PDU or text mode parameter" } },
	{ 310, 310, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM not inserted" } },
	{ 311, 312, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM PIN or PH-SIM PIN required" } },
	{ 313, 313, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM failure" } },
	{ 314, 314, { T, 0, 5, "SIM busy" } },
	{ 315, 318, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM wrong, PUK or PIN2 required" } },
	{ 320, 320, { M, 0, 0, "memory failure" } },
	{ 321, 321, { P, 0, 0, "invalid memory index" } },
	{ 322, 322, { M, ERRCLASS_FLAG_STORAGE_FULL, 0, "memory full" } },
	{ 330, 330, { M, 0, 0, "SMSC address unknown" } },
	{ 331, 331, { M, ERRCLASS_FLAG_NO_NETWORK, 0, "no network service" } },
	/* The network did not answer in time: it may have the message
	 * (oFono retries it; we let the resend policy decide). */
	{ 332, 332, { A, 0, 0, "network timeout" } },
	{ 340, 340, { T, 0, 5, "no +CNMA acknowledgement expected" } },
	{ 500, 500, { T, 0, 10, "unknown error" } },
	{ 512, 512, { T, 0, 30, "MM establishment failure" } },
	/* Wavecom: lower-layer failure, the RP-ACK may have been lost after
	 * the message went out. */
	{ 513, 513, { A, 0, 0, "lower layer failure (RP-ACK not received)" } },
	{ 514, 514, { T, 0, 30, "congestion" } },
	{ 515, 515, { T, 0, 5, "device busy or initialising" } },
};

static const struct errclass_row errclass_cme_rows[] = {
	{ 3, 4, { M, 0, 0, "operation not allowed or not supported" } },
	{ 10, 10, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM not inserted" } },
	{ 11, 12, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM PIN or PUK required" } },
	{ 13, 13, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM failure" } },
	{ 14, 14, { T, 0, 5, "SIM busy" } },
	{ 15, 18, { M, ERRCLASS_FLAG_SIM_PROBLEM, 0, "SIM wrong or locked" } },
	{ 30, 30, { M, ERRCLASS_FLAG_NO_NETWORK, 0, "no network service" } },
	{ 31, 31, { A, 0, 0, "network timeout" } },
	{ 32, 32, { M, ERRCLASS_FLAG_NO_NETWORK, 0, "network not allowed, emergency calls only" } },
};

static struct errclass_info errclass_lookup(const struct errclass_row *rows,
					    size_t n, int code,
					    const char *unknown)
{
	for (size_t i = 0; i < n; i++)
		if (code >= rows[i].lo && code <= rows[i].hi)
			return rows[i].info;
	/* Unknown codes: retry a bounded number of times (the attempts cap
	 * fails them), which is safer than failing a good message for an
	 * unlisted vendor code or hammering it immediately. */
	return (struct errclass_info){ T, 0, 60, unknown };
}

struct errclass_info errclass_cms(int code)
{
	return errclass_lookup(errclass_cms_rows,
			       sizeof(errclass_cms_rows) /
			       sizeof(errclass_cms_rows[0]), code,
			       "unlisted +CMS ERROR code");
}

struct errclass_info errclass_cme(int code)
{
	return errclass_lookup(errclass_cme_rows,
			       sizeof(errclass_cme_rows) /
			       sizeof(errclass_cme_rows[0]), code,
			       "unlisted +CME ERROR code");
}

struct errclass_info errclass_driver(const struct driver *d, bool cme,
				     int code)
{
	const struct driver_error *e =
		d ? driver_error_find(d, cme ? DRIVER_ERR_CME : DRIVER_ERR_CMS,
				      code)
		  : NULL;

	if (e)
		return (struct errclass_info){ e->cls, e->flags,
					       e->min_backoff_s, e->meaning };
	return cme ? errclass_cme(code) : errclass_cms(code);
}

const char *errclass_name(enum errclass cls)
{
	static const char *const names[] = {
		[ERRCLASS_TEMPORARY] = "temporary",
		[ERRCLASS_PERMANENT] = "permanent",
		[ERRCLASS_AMBIGUOUS] = "ambiguous",
		[ERRCLASS_MODEM_STATE] = "modem-state",
	};

	return cls <= ERRCLASS_MODEM_STATE ? names[cls] : "?";
}
