/* pdu — shared TPDU fields; see include/pdu.h. */
#include "pdu.h"
#include "hex.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gsm7.h"
#include "utf8.h"

void pdu_reader_init(struct pdu_reader *r, const uint8_t *buf, size_t len,
		     char *err, size_t errsize)
{
	r->buf = buf;
	r->len = len;
	r->pos = 0;
	r->err = err;
	r->errsize = errsize;
}

bool pdu_fail(struct pdu_reader *r, const char *field, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!r->err || r->errsize == 0)
		return false;
	n = snprintf(r->err, r->errsize, "%s: ", field);
	if (n < 0 || (size_t)n >= r->errsize)
		return false;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errsize - n, fmt, ap);
	va_end(ap);
	n = strlen(r->err);
	snprintf(r->err + n, r->errsize - n, " (octet %zu)", r->pos);
	return false;
}

size_t pdu_remaining(const struct pdu_reader *r)
{
	return r->len - r->pos;
}

bool pdu_read(struct pdu_reader *r, const char *field, size_t n,
	      const uint8_t **p)
{
	if (n > pdu_remaining(r))
		return pdu_fail(r, field, "needs %zu octets, %zu left", n,
				pdu_remaining(r));
	*p = r->buf + r->pos;
	r->pos += n;
	return true;
}

bool pdu_read_u8(struct pdu_reader *r, const char *field, uint8_t *v)
{
	const uint8_t *p = NULL;

	if (pdu_remaining(r) == 0)
		return pdu_fail(r, field, "missing, the PDU ends here");
	if (!pdu_read(r, field, 1, &p))
		return false;
	*v = *p;
	return true;
}

static bool pdu_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool pdu_hex_decode(const char *hex, size_t len, uint8_t *out, size_t outsize,
		    size_t *outlen, char *err, size_t errsize)
{
	size_t start = 0, end = len, n;

	while (start < end && pdu_is_space(hex[start]))
		start++;
	while (end > start && pdu_is_space(hex[end - 1]))
		end--;
	if (start == end) {
		snprintf(err, errsize, "hex: empty PDU");
		return false;
	}
	for (size_t i = start; i < end; i++) {
		if (hex_digit(hex[i]) < 0) {
			snprintf(err, errsize,
				 "hex: character %zu is not a hex digit",
				 i + 1);
			return false;
		}
	}
	if ((end - start) % 2) {
		snprintf(err, errsize, "hex: odd number of digits (%zu)",
			 end - start);
		return false;
	}
	n = (end - start) / 2;
	if (n > outsize) {
		snprintf(err, errsize, "hex: %zu octets, longer than any PDU",
			 n);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = hex_digit(hex[start + 2 * i]) << 4 |
			 hex_digit(hex[start + 2 * i + 1]);
	*outlen = n;
	return true;
}

void pdu_hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/* Semi-octet digits of TS 23.040 §9.1.2.3; F is the filler. */
static const char pdu_bcd_digits[] = "0123456789*#abc";

static enum sms_addr_type pdu_addr_type(uint8_t toa)
{
	switch ((toa >> 4) & 7) {
	case 1:
		return SMS_ADDR_INTERNATIONAL;
	case 0:
	case 2:
		return SMS_ADDR_NATIONAL;
	case 5:
		return SMS_ADDR_ALPHANUMERIC;
	default:
		return SMS_ADDR_OTHER;
	}
}

/* ndigits semi-octets from p as text (after a "+" for TON 1). */
static bool pdu_addr_digits(struct pdu_reader *r, const char *field,
			    const uint8_t *p, size_t ndigits,
			    struct sms_addr *a)
{
	size_t k = 0;

	if (a->type == SMS_ADDR_INTERNATIONAL)
		a->text[k++] = '+';
	for (size_t i = 0; i < ndigits; i++) {
		unsigned d = i % 2 ? p[i / 2] >> 4 : p[i / 2] & 0xf;

		if (d == 0xf) {
			/* The filler may only pad the last octet. */
			if (i + 1 == ndigits && i % 2)
				break;
			return pdu_fail(r, field, "filler F at digit %zu",
					i + 1);
		}
		a->text[k++] = pdu_bcd_digits[d];
	}
	a->text[k] = '\0';
	return true;
}

static bool pdu_addr_alnum(struct pdu_reader *r, const char *field,
			   const uint8_t *p, size_t octets, size_t semi,
			   struct sms_addr *a)
{
	uint8_t septets[SMS_ADDR_MAX];
	/* TS 23.040 §9.1.2.5: the length counts the semi-octets used. */
	size_t n = semi * 4 / 7;

	if (!gsm7_unpack(p, octets, 0, n, septets) ||
	    !gsm7_to_utf8(septets, n, 0, 0, a->text, sizeof(a->text)))
		return pdu_fail(r, field, "alphanumeric address unreadable");
	return true;
}

bool pdu_addr_read(struct pdu_reader *r, const char *field, bool smsc,
		   struct sms_addr *a)
{
	uint8_t len, toa;
	size_t octets, ndigits;
	const uint8_t *p = NULL;

	memset(a, 0, sizeof(*a));
	a->type = SMS_ADDR_OTHER;
	if (!pdu_read_u8(r, field, &len))
		return false;
	if (smsc) {
		if (len == 0)
			return true;
		/* TS 24.011 §8.2.5.1: TOA plus at most 10 octets. */
		if (len > 11)
			return pdu_fail(r, field, "length %u octets is over 11",
					len);
		octets = len - 1;
		ndigits = octets * 2;
	} else {
		/* §9.1.2.5: at most 20 semi-octets of value. */
		if (len > 20)
			return pdu_fail(r, field,
					"length %u semi-octets is over 20",
					len);
		octets = (len + 1) / 2;
		ndigits = len;
	}
	if (!pdu_read_u8(r, field, &toa) || !pdu_read(r, field, octets, &p))
		return false;
	a->toa = toa;
	a->type = pdu_addr_type(toa);
	if (smsc && a->type == SMS_ADDR_ALPHANUMERIC)
		a->type = SMS_ADDR_OTHER;
	if (a->type == SMS_ADDR_ALPHANUMERIC)
		return pdu_addr_alnum(r, field, p, octets, len, a);
	return pdu_addr_digits(r, field, p, ndigits, a);
}

static bool pdu_all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* text in the GSM 7-bit default alphabet: the septets, or 0 when a
 * character is not in it or they would not fit in SMS_ADDR_MAX. */
static size_t pdu_alnum_septets(const char *text, uint8_t out[SMS_ADDR_MAX])
{
	size_t len = strlen(text), i = 0, n = 0;

	while (i < len) {
		uint8_t two[2];
		uint32_t cp;
		int k;

		if (!utf8_next(text, len, &i, &cp))
			return 0;
		k = gsm7_encode_char(cp, 0, 0, two);
		if (!k || n + k > SMS_ADDR_MAX)
			return 0;
		memcpy(out + n, two, k);
		n += k;
	}
	return n;
}

static bool pdu_alnum_ok(const char *text)
{
	uint8_t septets[SMS_ADDR_MAX];
	size_t n = pdu_alnum_septets(text, septets);

	/* 20 semi-octets carry 11 septets (§9.1.2.5). */
	return n >= 1 && n <= 11;
}

bool pdu_addr_parse(const char *text, bool allow_alnum, struct sms_addr *a,
		    char *err, size_t errsize)
{
	memset(a, 0, sizeof(*a));
	/* E.164: a country code (never 0) and at most 15 digits; no real
	 * number has fewer than 7. */
	if (text[0] == '+' && pdu_all_digits(text + 1, 7, 15) &&
	    text[1] != '0') {
		a->type = SMS_ADDR_INTERNATIONAL;
		a->toa = PDU_TOA_INTERNATIONAL;
	} else if (pdu_all_digits(text, 1, 20)) {
		a->type = SMS_ADDR_NATIONAL;
		a->toa = PDU_TOA_UNKNOWN;
	} else if (allow_alnum && text[0] != '+' && pdu_alnum_ok(text)) {
		a->type = SMS_ADDR_ALPHANUMERIC;
		a->toa = PDU_TOA_ALPHANUMERIC;
	} else {
		snprintf(err, errsize,
			 allow_alnum ?
			 "invalid address \"%.40s\": want +digits, digits "
			 "or up to 11 GSM characters" :
			 "invalid number \"%.40s\": want + and 7-15 digits "
			 "(international) or 1-20 digits (national)",
			 text);
		return false;
	}
	snprintf(a->text, sizeof(a->text), "%s", text);
	return true;
}

static size_t pdu_bcd_write(const char *digits, uint8_t *out)
{
	size_t n = strlen(digits), octets = (n + 1) / 2;

	for (size_t i = 0; i < octets; i++) {
		unsigned lo = digits[2 * i] - '0';
		unsigned hi = 2 * i + 1 < n ? digits[2 * i + 1] - '0' : 0xf;

		out[i] = hi << 4 | lo;
	}
	return octets;
}

size_t pdu_addr_write(const struct sms_addr *a, bool smsc, uint8_t *out)
{
	const char *digits = a->text;

	if (a->type == SMS_ADDR_ALPHANUMERIC) {
		uint8_t septets[SMS_ADDR_MAX];
		size_t n = pdu_alnum_septets(a->text, septets);

		out[0] = (n * 7 + 3) / 4;
		out[1] = a->toa;
		gsm7_pack(septets, n, 0, out + 2);
		return 2 + gsm7_packed_len(n);
	}
	if (smsc && a->text[0] == '\0') {
		out[0] = 0;
		return 1;
	}
	if (digits[0] == '+')
		digits++;
	out[1] = a->toa;
	if (smsc) {
		size_t octets = pdu_bcd_write(digits, out + 2);

		out[0] = octets + 1;
		return 2 + octets;
	}
	out[0] = strlen(digits);
	return 2 + pdu_bcd_write(digits, out + 2);
}

/* One semi-octet-swapped BCD octet (§9.2.3.11): low nibble is the tens. */
static int pdu_bcd2(uint8_t o)
{
	unsigned tens = o & 0xf, units = o >> 4;

	if (tens > 9 || units > 9)
		return -1;
	return tens * 10 + units;
}

static int pdu_days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

bool pdu_time_read(struct pdu_reader *r, const char *field,
		   struct sms_time *t)
{
	const uint8_t *p = NULL;
	int v[6], tz;

	if (!pdu_read(r, field, 7, &p))
		return false;
	r->pos -= 7;	/* so that errors point at the field's start */
	for (int i = 0; i < 6; i++) {
		v[i] = pdu_bcd2(p[i]);
		if (v[i] < 0)
			return pdu_fail(r, field, "octet %d (%02X) is not BCD",
					i + 1, p[i]);
	}
	/* The time zone: bit 3 is the sign, the rest BCD quarter hours. */
	if ((p[6] >> 4) > 9)
		return pdu_fail(r, field, "time zone %02X is not BCD", p[6]);
	tz = ((p[6] & 0x7) * 10 + (p[6] >> 4)) * 15;
	t->year = 2000 + v[0];
	t->month = v[1];
	t->day = v[2];
	t->hour = v[3];
	t->minute = v[4];
	t->second = v[5];
	t->tz_minutes = p[6] & 0x8 ? -tz : tz;
	if (t->month < 1 || t->month > 12 || t->day < 1 ||
	    t->day > pdu_days_in_month(t->year, t->month) || t->hour > 23 ||
	    t->minute > 59 || t->second > 59)
		return pdu_fail(r, field, "no such time %02d-%02d-%02d "
				"%02d:%02d:%02d", v[0], v[1], v[2], v[3],
				v[4], v[5]);
	r->pos += 7;
	return true;
}

static uint8_t pdu_bcd2_make(int v)
{
	return (v % 10) << 4 | (v / 10 % 10);
}

void pdu_time_write(const struct sms_time *t, uint8_t out[7])
{
	int q = t->tz_minutes / 15;

	out[0] = pdu_bcd2_make(t->year % 100);
	out[1] = pdu_bcd2_make(t->month);
	out[2] = pdu_bcd2_make(t->day);
	out[3] = pdu_bcd2_make(t->hour);
	out[4] = pdu_bcd2_make(t->minute);
	out[5] = pdu_bcd2_make(t->second);
	if (q < 0)
		q = -q;
	if (q > 79)
		q = 79;
	out[6] = pdu_bcd2_make(q) | (t->tz_minutes < 0 ? 0x08 : 0);
}

int pdu_vp_to_minutes(uint8_t vp)
{
	if (vp <= 143)
		return (vp + 1) * 5;
	if (vp <= 167)
		return 12 * 60 + (vp - 143) * 30;
	if (vp <= 196)
		return (vp - 166) * 24 * 60;
	return (vp - 192) * 7 * 24 * 60;
}

bool pdu_vp_from_minutes(int minutes, uint8_t *vp)
{
	if (minutes < 1 || minutes > PDU_VP_MAX_MINUTES)
		return false;
	/* The steps grow with vp, so the first that covers it is shortest. */
	for (int v = 0; v <= 255; v++) {
		if (pdu_vp_to_minutes(v) >= minutes) {
			*vp = v;
			return true;
		}
	}
	return false;
}

/* General data coding groups 00xx and 01xx (TS 23.038 §4). */
static void pdu_dcs_general(uint8_t dcs, struct sms_user_data *ud)
{
	ud->auto_delete = dcs & 0x40;
	ud->compressed = dcs & 0x20;
	if (dcs & 0x10)
		ud->msg_class = dcs & 0x3;
	switch ((dcs >> 2) & 0x3) {
	case 1:
		ud->encoding = SMS_ENCODING_8BIT;
		break;
	case 2:
		ud->encoding = SMS_ENCODING_UCS2;
		break;
	default:	/* 0, and the reserved 3 read as the default alphabet */
		ud->encoding = SMS_ENCODING_GSM7;
		break;
	}
	/* Compressed text is octets whatever the alphabet (TS 23.042). */
	if (ud->compressed)
		ud->encoding = SMS_ENCODING_8BIT;
}

void pdu_dcs_parse(uint8_t dcs, struct sms_user_data *ud)
{
	ud->dcs = dcs;
	ud->encoding = SMS_ENCODING_GSM7;
	ud->msg_class = -1;
	ud->compressed = false;
	ud->auto_delete = false;
	ud->mwi = -1;
	ud->mwi_active = false;
	ud->mwi_discard = false;
	switch (dcs >> 4) {
	case 0x0 ... 0x7:
		pdu_dcs_general(dcs, ud);
		break;
	case 0xc:	/* message waiting, discard message: GSM 7-bit */
	case 0xd:	/* message waiting, store message: GSM 7-bit */
	case 0xe:	/* message waiting, store message: UCS2 */
		ud->mwi = dcs & 0x3;
		ud->mwi_active = dcs & 0x8;
		ud->mwi_discard = (dcs >> 4) == 0xc;
		if ((dcs >> 4) == 0xe)
			ud->encoding = SMS_ENCODING_UCS2;
		break;
	case 0xf:	/* data coding/message class */
		ud->msg_class = dcs & 0x3;
		if (dcs & 0x4)
			ud->encoding = SMS_ENCODING_8BIT;
		break;
	default:	/* 1000..1011 reserved: read as GSM 7-bit (§4) */
		break;
	}
}

uint8_t pdu_dcs_make(enum sms_encoding e, bool flash)
{
	uint8_t alphabet = e == SMS_ENCODING_UCS2 ? 0x08 :
			   e == SMS_ENCODING_8BIT ? 0x04 : 0x00;

	return flash ? 0x10 | alphabet : alphabet;
}
