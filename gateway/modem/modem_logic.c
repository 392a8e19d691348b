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

static bool modem_logic_allows(const struct at_cnmi_ranges *r,
			       const struct driver_cnmi *c)
{
	int v[5] = { c->mode, c->mt, c->bm, c->ds, c->bfr };

	for (int i = 0; i < 5; i++)
		if (v[i] < 0 || v[i] > 15 || !(r->mask[i] & 1u << v[i]))
			return false;
	return true;
}

/* The first of prefs (ending -1) that mask allows, else its lowest. */
static int modem_logic_pick(unsigned mask, const int *prefs)
{
	for (; *prefs >= 0; prefs++)
		if (mask & 1u << *prefs)
			return *prefs;
	for (int v = 0; v < 16; v++)
		if (mask & 1u << v)
			return v;
	return 0;
}

size_t modem_logic_cnmi_fit(const struct at_cnmi_ranges *r,
			    const struct driver_cnmi *list,
			    struct driver_cnmi *out, size_t max)
{
	static const int mode[] = { 2, 1, 3, -1 }, mt[] = { 1, 2, -1 },
			 bm[] = { 0, -1 }, ds[] = { 1, 2, 0, -1 },
			 bfr[] = { 0, 1, -1 };
	size_t n = 0;

	for (; list && list->mode >= 0 && n + 1 < max; list++)
		if (!r || modem_logic_allows(r, list))
			out[n++] = *list;
	if (r && n == 0 && n + 1 < max)
		out[n++] = (struct driver_cnmi){
			modem_logic_pick(r->mask[0], mode),
			modem_logic_pick(r->mask[1], mt),
			modem_logic_pick(r->mask[2], bm),
			modem_logic_pick(r->mask[3], ds),
			modem_logic_pick(r->mask[4], bfr),
		};
	out[n] = (struct driver_cnmi){ -1, 0, 0, 0, 0 };
	return n;
}

static bool modem_logic_cnmi_add(struct driver_cnmi *out, size_t *n,
				 size_t max, struct driver_cnmi c)
{
	for (size_t i = 0; i < *n; i++)
		if (!memcmp(&out[i], &c, sizeof(c)))
			return false;
	if (*n + 1 >= max)
		return false;
	out[(*n)++] = c;
	return true;
}

size_t modem_logic_cnmi_direct(const struct driver_cnmi *list,
			       struct driver_cnmi *out, size_t max)
{
	static const int modes[] = { 3, 2 };
	size_t n = 0, direct = 0;

	if (!max)
		return 0;
	/* <mode> 0 keeps indications in the TA and 1 drops them while the
	 * link is busy: a +CMT would wait or be refused. */
	for (size_t k = 0; k < 2; k++)
		for (const struct driver_cnmi *c = list; c && c->mode >= 0;
		     c++) {
			struct driver_cnmi d = *c;

			if (c->mode < 2 || c->mt == 0)
				continue;
			d.mode = modes[k];
			d.mt = 2;
			if (modem_logic_cnmi_add(out, &n, max, d))
				direct++;
		}
	for (const struct driver_cnmi *c = list; c && c->mode >= 0; c++)
		modem_logic_cnmi_add(out, &n, max, *c);
	out[n] = (struct driver_cnmi){ -1, 0, 0, 0, 0 };
	return direct;
}

static bool modem_logic_has_mem(const struct at_cpms_ranges *r, int i,
				const char *mem, size_t len)
{
	for (int k = 0; k < r->nmem[i]; k++)
		if (strlen(r->mem[i][k]) == len &&
		    !strncmp(r->mem[i][k], mem, len))
			return true;
	return false;
}

/*
 * The memories of cmd (AT+CPMS="SM","ME"), at most 3 of 4 characters;
 * returns how many, 0 if cmd has none or one does not fit.
 */
static int modem_logic_cpms_mems(const char *cmd, char mem[3][4])
{
	const char *p = strchr(cmd, '=');
	int i = 0;

	while (p && (p = strchr(p, '"')) != NULL) {
		const char *q = strchr(p + 1, '"');

		if (!q || i >= 3 || q - p - 1 >= 4)
			return 0;
		memcpy(mem[i], p + 1, (size_t)(q - p - 1));
		mem[i][q - p - 1] = 0;
		i++;
		p = q + 1;
	}
	return i;
}

static bool modem_logic_mem_in(const struct at_cpms_ranges *r, int i,
			       const char *mem)
{
	return modem_logic_has_mem(r, i, mem, strlen(mem));
}

/*
 * The command for cmd's memories under r, or false when r refuses it.
 * Where the modem has a third memory list, <mem3> (where new messages
 * are stored, TS 27.005 §3.2.2) must be <mem1> (where AT+CMGR and
 * AT+CMGL read): a +CMTI index in another memory than the one read
 * would read the wrong message or none, and the import at start would
 * list the wrong memory. A shorter candidate is completed so: an old
 * phone that stores received messages in "ME" only (+CPMS:
 * ("ME","SM"),("ME","SM"),("ME")) would keep <mem3> "ME" under
 * AT+CPMS="SM","SM" and its messages would never be read.
 */
static bool modem_logic_cpms_cmd(const struct at_cpms_ranges *r,
				 const char *cmd, char *out, size_t size)
{
	char mem[3][4];
	int n = modem_logic_cpms_mems(cmd, mem);

	if (n == 0 || n > r->n)
		return false;
	if (r->n == 3 && n < 3) {
		for (int i = n; i < 3; i++)
			memcpy(mem[i], mem[0], sizeof(mem[0]));
		n = 3;
	}
	if (n == 3 && strcmp(mem[0], mem[2]) != 0)
		return false;
	for (int i = 0; i < n; i++)
		if (!modem_logic_mem_in(r, i, mem[i]))
			return false;
	if (n == 3)
		snprintf(out, size, "AT+CPMS=\"%s\",\"%s\",\"%s\"", mem[0],
			 mem[1], mem[2]);
	else
		snprintf(out, size, "%s", cmd);
	return true;
}

size_t modem_logic_cpms_fit(const struct at_cpms_ranges *r,
			    const char *const *list, char (*out)[48],
			    size_t max)
{
	static const char *const prefs[] = { "SM", "ME", "MT", NULL };
	const char *mem[3] = { NULL, NULL, NULL };
	size_t n = 0;
	int len;

	for (; list && *list && n < max; list++) {
		char cmd[48];
		bool dup = false;

		if (!r) {
			snprintf(out[n++], 48, "%s", *list);
			continue;
		}
		if (!modem_logic_cpms_cmd(r, *list, cmd, sizeof(cmd)))
			continue;
		for (size_t k = 0; k < n; k++)
			dup = dup || strcmp(out[k], cmd) == 0;
		if (!dup)
			snprintf(out[n++], 48, "%s", cmd);
	}
	if (!r || n > 0 || n >= max || r->n < 1 || !r->nmem[0])
		return n;
	/* Built from the ranges: <mem1> one the third list has too. */
	for (size_t k = 0; prefs[k] && !mem[0]; k++)
		if (modem_logic_mem_in(r, 0, prefs[k]) &&
		    (r->n < 3 || modem_logic_mem_in(r, 2, prefs[k])))
			mem[0] = prefs[k];
	for (int k = 0; k < r->nmem[0] && !mem[0]; k++)
		if (r->n < 3 || modem_logic_mem_in(r, 2, r->mem[0][k]))
			mem[0] = r->mem[0][k];
	if (!mem[0])
		return n;
	for (int i = 1; i < r->n && r->nmem[i]; i++) {
		if (i == 2 || modem_logic_mem_in(r, i, mem[0])) {
			mem[i] = mem[0];
			continue;
		}
		mem[i] = r->mem[i][0];
		for (size_t k = 0; prefs[k]; k++)
			if (modem_logic_mem_in(r, i, prefs[k])) {
				mem[i] = prefs[k];
				break;
			}
	}
	len = snprintf(out[n], 48, "AT+CPMS=");
	for (int i = 0; i < 3 && mem[i]; i++)
		len += snprintf(out[n] + len, 48 - (size_t)len, "%s\"%s\"",
				i ? "," : "", mem[i]);
	return n + 1;
}
