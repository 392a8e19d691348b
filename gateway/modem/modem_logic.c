/* modem_logic — pure decisions of the modem lifecycle; see
 * include/modem_logic.h. */
#include "modem_logic.h"
#include "driver.h"
#include "hex.h"

#include <stdio.h>
#include <string.h>

enum modem_ladder modem_logic_ladder_next(enum modem_ladder s)
{
	return s >= MODEM_LADDER_OUT_OF_SERVICE ? MODEM_LADDER_OUT_OF_SERVICE
						: s + 1;
}

const char *modem_logic_ladder_name(enum modem_ladder s)
{
	switch (s) {
	case MODEM_LADDER_NONE:
		return "none";
	case MODEM_LADDER_ESCAPE:
		return "ESC and AT";
	case MODEM_LADDER_REINIT:
		return "re-init";
	case MODEM_LADDER_RESET:
		return "soft reset";
	case MODEM_LADDER_REOPEN:
		return "close and reopen";
	case MODEM_LADDER_OUT_OF_SERVICE:
		return "out of service";
	}
	return "?";
}

enum modem_pin_action modem_logic_pin_action(enum at_cpin code,
					     bool have_pin, bool pin_tried)
{
	switch (code) {
	case AT_CPIN_READY:
		return MODEM_PIN_READY;
	case AT_CPIN_SIM_PIN:
		if (!have_pin)
			return MODEM_PIN_NO_PIN;
		return pin_tried ? MODEM_PIN_REFUSED : MODEM_PIN_ENTER;
	case AT_CPIN_SIM_PUK:
	case AT_CPIN_SIM_PUK2:
		return MODEM_PIN_PUK;
	/* SIM PIN2 guards the fixed-dialling list, not SMS (§8.3). */
	case AT_CPIN_SIM_PIN2:
		return MODEM_PIN_READY;
	default:
		return MODEM_PIN_OTHER;
	}
}

bool modem_logic_busy_error(const char *final)
{
	int code;

	if (!final)
		return false;
	if (at_parse_cme_error(final, &code))
		return code == 14 || code == 515;
	if (at_parse_sms_cms_error(final, &code))
		return code == 314 || code == 515;
	return false;
}

static int modem_logic_octet(const char *hex, size_t len, size_t i)
{
	int hi, lo;

	if (2 * i + 1 >= len)
		return -1;
	hi = hex_digit(hex[2 * i]);
	lo = hex_digit(hex[2 * i + 1]);
	return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
}

enum modem_pdu_kind modem_logic_pdu_kind(const char *hex)
{
	size_t len = hex ? strlen(hex) : 0;
	int smsc = modem_logic_octet(hex, len, 0), first;

	/* TS 24.011 §8.2.5.1: the SMSC address is at most 12 octets. */
	if (smsc < 0 || smsc > 12)
		return MODEM_PDU_BAD;
	first = modem_logic_octet(hex, len, 1 + (size_t)smsc);
	if (first < 0)
		return MODEM_PDU_BAD;
	/* TP-MTI, bits 1-0, towards the MS: 00 DELIVER, 10 STATUS-REPORT. */
	switch (first & 3) {
	case 0:
		return MODEM_PDU_DELIVER;
	case 2:
		return MODEM_PDU_STATUS_REPORT;
	default:
		return MODEM_PDU_OTHER;
	}
}

bool modem_logic_storage_full(const struct at_cpms *c)
{
	for (int i = 0; i < c->n && i < 3; i++)
		if (c->total[i] > 0 && c->used[i] >= c->total[i])
			return true;
	return false;
}

bool modem_logic_cnmi(const struct driver_cnmi *c, bool receive, char *buf,
		      size_t size)
{
	int n;

	if (!c || c->mode < 0)
		return false;
	n = snprintf(buf, size, "AT+CNMI=%d,%d,%d,%d,%d", c->mode,
		     receive ? c->mt : 0, c->bm, c->ds, c->bfr);
	return n > 0 && (size_t)n < size;
}

bool modem_logic_registered(const int *stat, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (stat[i] >= 0 && at_parse_reg_registered(stat[i]))
			return true;
	return false;
}

int64_t modem_logic_backoff_ms(unsigned n)
{
	return n >= 6 ? 60000 : (int64_t)1000 << n;
}
