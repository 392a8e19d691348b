/* redact — numbers, codes and PDUs out of log lines; see include/redact.h. */
#include "redact.h"

#include <stdio.h>
#include <string.h>

#define NUMBER_DIGITS_MIN 9	/* bare digit runs that are numbers */
#define PLUS_DIGITS_MIN 7	/* after '+': E.164's shortest */
#define CODE_MIN 4
#define CODE_MAX 8
#define PDU_HEX_MIN 20

static bool redact_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool redact_is_hex(char c)
{
	return redact_is_digit(c) || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

static bool redact_is_word(char c)
{
	return redact_is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') ||
	       c == '_';
}

struct out {
	char *buf;
	size_t size, len;
};

static void redact_put(struct out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n && o->len + 1 < o->size; i++)
		o->buf[o->len++] = s[i];
}

/* "+4917...67": enough to tell numbers apart in a log, not to dial one. */
static void redact_shortened(struct out *o, const char *s, size_t n)
{
	size_t head = s[0] == '+' ? 5 : 4;

	redact_put(o, s, head);
	redact_put(o, "...", 3);
	redact_put(o, s + n - 2, 2);
}

/* One token: an optional '+' and a run of letters, digits and '_'. */
static void redact_token(struct out *o, const char *s, size_t n,
			 enum redact_mode mode)
{
	bool plus = s[0] == '+';
	size_t digits = 0, hex = 0;
	char tmp[40];

	for (size_t k = plus; k < n; k++) {
		digits += redact_is_digit(s[k]);
		hex += redact_is_hex(s[k]);
	}
	if (digits == n - plus &&
	    digits >= (plus ? PLUS_DIGITS_MIN : NUMBER_DIGITS_MIN)) {
		redact_shortened(o, s, n);
	} else if (mode == REDACT_TRACE && !plus && hex == n &&
		   n >= PDU_HEX_MIN) {
		snprintf(tmp, sizeof(tmp), "[pdu %zu octets]", n / 2);
		redact_put(o, tmp, strlen(tmp));
	} else if (mode == REDACT_TRACE && !plus && digits == n &&
		   n >= CODE_MIN && n <= CODE_MAX) {
		for (size_t k = 0; k < n; k++)
			redact_put(o, "*", 1);
	} else {
		redact_put(o, s, n);
	}
}

size_t redact_n(const char *in, size_t len, enum redact_mode mode, char *out,
		size_t size)
{
	struct out o = { .buf = out, .size = size };
	size_t i = 0;

	if (!size)
		return 0;
	while (i < len) {
		size_t start = i;

		if (in[i] == '+' && i + 1 < len && redact_is_digit(in[i + 1]))
			i++;
		else if (!redact_is_word(in[i])) {
			redact_put(&o, in + i, 1);
			i++;
			continue;
		}
		while (i < len && redact_is_word(in[i]))
			i++;
		redact_token(&o, in + start, i - start, mode);
	}
	o.buf[o.len] = '\0';
	return o.len;
}

size_t redact(const char *in, enum redact_mode mode, char *out, size_t size)
{
	return redact_n(in, strlen(in), mode, out, size);
}
