/* number — recipient normalisation; see include/number.h. */
#include "number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room to count a few digits past the limit, to say how many there were. */
#define DIGITS_CAP 32

static bool number_fail(char *err, size_t errsize, const char *msg)
{
	snprintf(err, errsize, "%s", msg);
	return false;
}

static bool number_bad_char(unsigned char c, char *err, size_t errsize)
{
	if (c == '+')
		snprintf(err, errsize, "'+' is only allowed at the start");
	else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		snprintf(err, errsize, "letter '%c' is not allowed in a number",
			 c);
	else if (c < 0x20 || c == 0x7f)
		snprintf(err, errsize,
			 "control byte 0x%02x is not allowed in a number", c);
	else if (c >= 0x80)
		snprintf(err, errsize,
			 "non-ASCII byte 0x%02x is not allowed in a number", c);
	else
		snprintf(err, errsize,
			 "character '%c' is not allowed in a number", c);
	return false;
}

static bool number_formatting(unsigned char c)
{
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '(' ||
	       c == ')';
}

/* digits (n of them, n may exceed what was stored) as "+" E.164. */
static bool number_international(const char *digits, size_t n,
				 char out[NUMBER_MAX], char *err,
				 size_t errsize)
{
	if (n > NUMBER_E164_DIGITS_MAX) {
		snprintf(err, errsize,
			 "too long: %zu digits, E.164 allows at most %d", n,
			 NUMBER_E164_DIGITS_MAX);
		return false;
	}
	if (n < NUMBER_E164_DIGITS_MIN) {
		snprintf(err, errsize,
			 "too short: %zu digits, an international number has "
			 "at least %d (write short codes as s12345)",
			 n, NUMBER_E164_DIGITS_MIN);
		return false;
	}
	/* ITU-T E.164: no country code starts with 0. */
	if (digits[0] == '0')
		return number_fail(err, errsize,
				   "a country code never starts with 0");
	out[0] = '+';
	memcpy(out + 1, digits, n);
	out[n + 1] = '\0';
	return true;
}

static bool number_national(const char *rest, size_t n,
			    const struct number_rules *r,
			    char out[NUMBER_MAX], char *err, size_t errsize)
{
	const char *cc = r && r->default_country ? r->default_country : "";
	size_t cclen = strlen(cc);
	char full[DIGITS_CAP];

	if (!cclen) {
		snprintf(err, errsize,
			 "a national number (it starts with the trunk prefix "
			 "'%s') needs default_country in the configuration",
			 r->trunk_prefix);
		return false;
	}
	if (!n)
		return number_fail(err, errsize,
				   "no digits after the trunk prefix");
	if (cclen > 3 || strspn(cc, "0123456789") != cclen)
		return number_fail(err, errsize,
			    "default_country is not a calling code");
	if (cclen + n > NUMBER_E164_DIGITS_MAX) {
		snprintf(err, errsize,
			 "too long: %zu digits with the country code, E.164 "
			 "allows at most %d",
			 cclen + n, NUMBER_E164_DIGITS_MAX);
		return false;
	}
	memcpy(full, cc, cclen);
	memcpy(full + cclen, rest, n);
	return number_international(full, cclen + n, out, err, errsize);
}

/*
 * Collects the digits of s[i..end) into digits (DIGITS_CAP of them; *nd
 * counts them all), skipping formatting. Returns false on any other byte.
 */
static bool number_collect(const char *s, size_t i, size_t end, bool plus,
			   char *digits, size_t *nd, char *err, size_t errsize)
{
	for (; i < end; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9') {
			if (*nd < DIGITS_CAP)
				digits[*nd] = (char)c;
			(*nd)++;
			continue;
		}
		/* "+49 (0)172…": the (0) is the trunk prefix a caller
		 * abroad leaves out. */
		if (c == '(' && plus && *nd && end - i >= 3 &&
		    s[i + 1] == '0' && s[i + 2] == ')') {
			i += 2;
			continue;
		}
		if (!number_formatting(c))
			return number_bad_char(c, err, errsize);
	}
	if (!*nd)
		return number_fail(err, errsize, "no digits");
	return true;
}

static bool number_short_code(const char *digits, size_t nd,
			      char out[NUMBER_MAX], char *err,
			      size_t errsize)
{
	if (nd < NUMBER_SHORT_DIGITS_MIN || nd > NUMBER_E164_DIGITS_MAX) {
		snprintf(err, errsize,
			 "a short code has %d to %d digits, not %zu",
			 NUMBER_SHORT_DIGITS_MIN, NUMBER_E164_DIGITS_MAX, nd);
		return false;
	}
	memcpy(out, digits, nd);
	out[nd] = '\0';
	return true;
}

bool number_normalise(const char *s, size_t len, const struct number_rules *r,
		      char out[NUMBER_MAX], enum number_kind *kind, char *err,
		      size_t errsize)
{
	char digits[DIGITS_CAP];
	size_t nd = 0, i = 0, end = len, tlen;
	bool plus = false, shortcode = false;
	const char *trunk = r && r->trunk_prefix ? r->trunk_prefix : "";

	while (i < end && s[i] == ' ')
		i++;
	while (end > i && s[end - 1] == ' ')
		end--;
	if (i == end)
		return number_fail(err, errsize, "empty number");
	if (s[i] == 's' || s[i] == 'S')
		shortcode = true;
	else if (s[i] == '+')
		plus = true;
	if (shortcode || plus)
		i++;
	if (!number_collect(s, i, end, plus, digits, &nd, err, errsize))
		return false;
	*kind = shortcode ? NUMBER_KIND_SHORT : NUMBER_KIND_E164;
	if (shortcode)
		return number_short_code(digits, nd, out, err, errsize);
	if (plus)
		return number_international(digits, nd, out, err, errsize);
	tlen = strlen(trunk);
	if (nd >= 2 && digits[0] == '0' && digits[1] == '0' &&
	    strncmp(trunk, "00", 2) != 0)
		return number_international(digits + 2, nd - 2, out, err,
					    errsize);
	if (tlen && nd >= tlen && tlen <= DIGITS_CAP &&
	    memcmp(digits, trunk, tlen) == 0)
		return number_national(digits + tlen, nd - tlen, r, out, err,
				       errsize);
	return number_international(digits, nd, out, err, errsize);
}

void number_spool_form(const char *number, enum number_kind kind, char *buf,
		       size_t size)
{
	snprintf(buf, size, "%s%s", kind == NUMBER_KIND_SHORT ? "s" : "",
		 number);
}

/* ---- the set ---- */

/*
 * A normalised number packs into 64 bits: its value (at most 15 digits,
 * below 2^50), its digit count (leading zeros of short codes matter) and
 * its kind. Never 0, which marks an empty slot.
 */
static uint64_t number_key_of(const char *number, enum number_kind kind)
{
	uint64_t v = 0, n = 0;

	for (const char *p = number; *p; p++) {
		if (*p < '0' || *p > '9')
			continue;
		v = v * 10 + (uint64_t)(*p - '0');
		n++;
	}
	return v | n << 50 | (uint64_t)(kind == NUMBER_KIND_SHORT) << 55 |
	       (uint64_t)1 << 56;
}

/* splitmix64's finaliser: spreads nearby numbers over the table. */
static uint64_t number_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Where key is in the table, or the empty slot where it belongs. */
static size_t number_set_slot(const uint64_t *slots, size_t cap, uint64_t key)
{
	size_t i = number_mix(key) & (cap - 1);

	while (slots[i] && slots[i] != key)
		i = (i + 1) & (cap - 1);
	return i;
}

static int number_set_grow(struct number_set *set)
{
	size_t cap = set->cap ? set->cap * 2 : 256;
	uint64_t *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < set->cap; i++) {
		uint64_t k = set->slots[i];

		if (k)
			slots[number_set_slot(slots, cap, k)] = k;
	}
	free(set->slots);
	set->slots = slots;
	set->cap = cap;
	return 0;
}

int number_set_add(struct number_set *set, const char *number,
		   enum number_kind kind)
{
	uint64_t key = number_key_of(number, kind);
	size_t i;

	/* Linear probing stays short below half full. */
	if ((set->count + 1) * 2 > set->cap && number_set_grow(set) < 0)
		return -1;
	i = number_set_slot(set->slots, set->cap, key);
	if (set->slots[i] == key)
		return 0;
	set->slots[i] = key;
	set->count++;
	return 1;
}

void number_set_clear(struct number_set *set)
{
	if (set->slots)
		memset(set->slots, 0, set->cap * sizeof(*set->slots));
	set->count = 0;
}

void number_set_free(struct number_set *set)
{
	free(set->slots);
	set->slots = NULL;
	set->cap = 0;
	set->count = 0;
}
