/* at_parse — TS 27.007 answers; see include/at_parse.h. */
#include "at_parse.h"

#include "at_result.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool at_parse_csq(const char *line, struct at_csq *out)
{
	struct at_result_iter it;

	return at_result_iter_prefix(&it, line, "+CSQ:") &&
	       at_result_next_number(&it, &out->rssi) &&
	       at_result_next_number(&it, &out->ber) &&
	       at_result_at_end(&it) && out->rssi >= 0 && out->rssi <= 199 &&
	       out->ber >= 0 && out->ber <= 99;
}

int at_parse_rssi_dbm(int rssi)
{
	if (rssi >= 0 && rssi <= 31)
		return -113 + 2 * rssi;
	if (rssi >= 100 && rssi <= 191)
		return -216 + rssi;
	return 0;
}

/* The optional ,<lac>,<ci>[,<AcT>...] tail of a registration line. */
static bool at_parse_reg_tail(struct at_result_iter *it, struct at_reg *out)
{
	if (at_result_at_end(it))
		return true;
	/* +CEREG may leave <tac>/<ci> empty when not registered. */
	if (!at_result_next_hexnum(it, &out->lac)) {
		if (!at_result_skip(it) || !at_result_skip(it))
			return false;
	} else if (!at_result_next_hexnum(it, &out->ci)) {
		return false;
	} else {
		out->has_loc = true;
	}
	if (!at_result_at_end(it) &&
	    !at_result_next_number_default(it, -1, &out->act))
		return false;
	/* Later fields (§10.1.22 <cause_type>, timers...) are not needed. */
	return true;
}

bool at_parse_reg(const char *line, const char *prefix, struct at_reg *out)
{
	struct at_result_iter it, probe;
	int first, second;
	const char *s;
	size_t len;

	*out = (struct at_reg){ .n = -1, .act = -1 };
	if (!at_result_iter_prefix(&it, line, prefix) ||
	    !at_result_next_number(&it, &first))
		return false;
	probe = it;
	if (at_result_at_end(&it)) {
		out->stat = first;
	} else if (at_result_next_string_ref(&probe, &s, &len) ||
		   !at_result_next_number(&it, &second)) {
		/* URC with location: the second field is the LAC. */
		out->stat = first;
		if (!at_parse_reg_tail(&it, out))
			return false;
	} else {
		out->n = first;
		out->stat = second;
		if (!at_parse_reg_tail(&it, out))
			return false;
	}
	return out->stat >= 0 && out->stat <= 11 && out->n <= 5;
}

bool at_parse_reg_registered(int stat)
{
	switch (stat) {
	case AT_REG_STAT_HOME:
	case AT_REG_STAT_ROAMING:
	case AT_REG_STAT_SMS_ONLY_HOME:
	case AT_REG_STAT_SMS_ONLY_ROAMING:
	case AT_REG_STAT_CSFB_NOT_PREFERRED_HOME:
	case AT_REG_STAT_CSFB_NOT_PREFERRED_ROAMING:
		return true;
	default:
		return false;
	}
}

bool at_parse_cops(const char *line, struct at_cops *out)
{
	struct at_result_iter it;

	*out = (struct at_cops){ .format = -1, .act = -1 };
	if (!at_result_iter_prefix(&it, line, "+COPS:") ||
	    !at_result_next_number(&it, &out->mode))
		return false;
	if (at_result_at_end(&it))
		return true;
	if (!at_result_next_number(&it, &out->format) ||
	    !at_result_next_string(&it, out->oper, sizeof(out->oper)))
		return false;
	if (!at_result_at_end(&it) &&
	    !at_result_next_number_default(&it, -1, &out->act))
		return false;
	return at_result_at_end(&it);
}

bool at_parse_cpin(const char *line, enum at_cpin *out)
{
	static const struct {
		const char *text;
		enum at_cpin code;
	} codes[] = {
		{ "READY", AT_CPIN_READY },
		{ "SIM PIN", AT_CPIN_SIM_PIN },
		{ "SIM PUK", AT_CPIN_SIM_PUK },
		{ "PH-SIM PIN", AT_CPIN_PH_SIM_PIN },
		{ "SIM PIN2", AT_CPIN_SIM_PIN2 },
		{ "SIM PUK2", AT_CPIN_SIM_PUK2 },
		{ "PH-NET PIN", AT_CPIN_PH_NET_PIN },
	};
	struct at_result_iter it;
	char code[24];

	if (!at_result_iter_prefix(&it, line, "+CPIN:"))
		return false;
	if (!at_result_next_string(&it, code, sizeof(code)) &&
	    !at_result_next_unquoted(&it, code, sizeof(code)))
		return false;
	if (!code[0])
		return false;
	*out = AT_CPIN_OTHER;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcasecmp(code, codes[i].text) == 0)
			*out = codes[i].code;
	return true;
}

static int at_parse_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The character of a UCS-2 hex group "00XX" that can be in a number. */
static int at_parse_ucs2_digit(const char *g)
{
	int hi = at_parse_hexval(g[2]), lo = at_parse_hexval(g[3]);
	int c;

	if (g[0] != '0' || g[1] != '0' || hi < 0 || lo < 0)
		return -1;
	c = hi << 4 | lo;
	return (c >= '0' && c <= '9') || c == '+' || c == '*' || c == '#'
		       ? c
		       : -1;
}

size_t at_parse_ucs2_number(char *s, size_t len)
{
	size_t n = 0;

	if (len < 4 || len % 4)
		return len;
	for (size_t i = 0; i < len; i += 4)
		if (at_parse_ucs2_digit(s + i) < 0)
			return len;
	for (size_t i = 0; i < len; i += 4)
		s[n++] = (char)at_parse_ucs2_digit(s + i);
	s[n] = '\0';
	return n;
}

bool at_parse_cnum(const char *line, struct at_cnum *out)
{
	struct at_result_iter it;

	*out = (struct at_cnum){ .type = -1 };
	if (!at_result_iter_prefix(&it, line, "+CNUM:"))
		return false;
	if (!at_result_next_string(&it, out->alpha, sizeof(out->alpha)) &&
	    !at_result_skip(&it))
		return false;
	if (!at_result_next_string(&it, out->number, sizeof(out->number)) ||
	    !at_result_next_number(&it, &out->type))
		return false;
	at_parse_ucs2_number(out->number, strlen(out->number));
	return out->number[0] != '\0';
}

bool at_parse_cme_error(const char *line, int *code)
{
	/* TS 27.007 §9.2.1, the texts modems print with +CMEE=2. */
	static const struct {
		int code;
		const char *text;
	} texts[] = {
		{ 0, "phone failure" },		{ 3, "operation not allowed" },
		{ 4, "operation not supported" }, { 5, "PH-SIM PIN required" },
		{ 10, "SIM not inserted" },	{ 11, "SIM PIN required" },
		{ 12, "SIM PUK required" },	{ 13, "SIM failure" },
		{ 14, "SIM busy" },		{ 15, "SIM wrong" },
		{ 16, "incorrect password" },	{ 17, "SIM PIN2 required" },
		{ 18, "SIM PUK2 required" },	{ 20, "memory full" },
		{ 21, "invalid index" },	{ 22, "not found" },
		{ 23, "memory failure" },	{ 30, "no network service" },
		{ 31, "network timeout" },
		{ 32, "network not allowed - emergency calls only" },
		{ 100, "unknown" },
	};
	struct at_result_iter it;
	const char *rest;

	if (!at_result_iter_prefix(&it, line, "+CME ERROR:"))
		return false;
	if (at_result_next_number(&it, code) && at_result_at_end(&it))
		return *code >= 0;
	rest = at_result_rest(&it);
	if (!*rest)
		return false;
	*code = 100;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (strcasecmp(rest, texts[i].text) == 0)
			*code = texts[i].code;
	return true;
}

/*
 * The value of an identity line: after one of the prefixes (if any), an
 * optional quote, then min..max characters accepted by ok().
 */
static bool at_parse_id(const char *line, const char *const *prefixes,
			size_t min, size_t max, bool hex_f, char *out,
			size_t size)
{
	struct at_result_iter it;
	const char *v;
	size_t n = 0;

	at_result_iter_line(&it, line);
	for (size_t i = 0; prefixes[i]; i++)
		if (at_result_skip_prefix(&it, prefixes[i]))
			break;
	v = at_result_rest(&it);
	if (*v == '"')
		v++;
	while (v[n] && (isdigit((unsigned char)v[n]) ||
			(hex_f && (v[n] == 'F' || v[n] == 'f'))))
		n++;
	if (n < min || n > max || n >= size)
		return false;
	if (v[n] && !(v[n] == '"' && !v[n + 1]))
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

bool at_parse_imei(const char *line, char *out, size_t size)
{
	static const char *const p[] = { "+CGSN:", "+GSN:", "IMEI:", NULL };

	return at_parse_id(line, p, 14, 17, false, out, size);
}

bool at_parse_imsi(const char *line, char *out, size_t size)
{
	static const char *const p[] = { "+CIMI:", NULL };

	return at_parse_id(line, p, 6, 15, false, out, size);
}

/*
 * The answer to AT+CRSM=176,12258,0,0,10 (TS 27.007 §8.18: READ BINARY
 * of EF_ICCID, 2FE2, TS 31.102 §4.1.1.1 / TS 51.011 §10.1.1), as
 * ModemManager reads the ICCID of modems without +CCID (old phones):
 * "+CRSM: 144,0,"98..."", SW1 144 (90h) for success, BCD with the two
 * digits of each byte swapped and F filling the last ones.
 */
static bool at_parse_crsm_iccid(const char *line, char *out, size_t size)
{
	struct at_result_iter it;
	char hex[48];
	int sw1, sw2;
	size_t n, k;

	if (!at_result_iter_prefix(&it, line, "+CRSM:") ||
	    !at_result_next_number(&it, &sw1) ||
	    !at_result_next_number(&it, &sw2) ||
	    !at_result_next_string(&it, hex, sizeof(hex)) ||
	    !at_result_at_end(&it) || sw1 != 144)
		return false;
	n = strlen(hex);
	if (n % 2 || n >= size)
		return false;
	for (k = 0; k < n; k += 2) {
		out[k] = hex[k + 1];
		out[k + 1] = hex[k];
	}
	while (n && (out[n - 1] == 'F' || out[n - 1] == 'f'))
		n--;
	out[n] = '\0';
	for (k = 0; k < n; k++)
		if (!isdigit((unsigned char)out[k]))
			return false;
	return n >= 18 && n <= 22;
}

/* No prefix: TS 27.007 has no ICCID command but +CRSM; the answers of
 * the commands modems have (+CCID:, ^ICCID:, ...) are their drivers'
 * (driver.h ident_prefixes), taken off before this reads the value. */
bool at_parse_iccid(const char *line, char *out, size_t size)
{
	static const char *const p[] = { NULL };

	if (strncmp(line, "+CRSM:", 6) == 0)
		return at_parse_crsm_iccid(line, out, size);
	return at_parse_id(line, p, 18, 22, true, out, size);
}
