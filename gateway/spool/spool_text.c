/* spool_text — body character sets, text checks; see include/spool_text.h. */
#include "spool_text.h"
#include "ucs2.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Windows-1252 0x80–0x9F; 0 where it defines nothing. */
static const uint16_t spool_text_cp1252_c1[32] = {
	0x20ac, 0,	0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,	0x017d, 0,
	0,	0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,	0x017e, 0x0178,
};

/* Where ISO-8859-15 differs from ISO-8859-1 (ISO/IEC 8859-15 §6). */
static uint32_t spool_text_latin9(unsigned char c)
{
	switch (c) {
	case 0xa4: return 0x20ac;	/* € */
	case 0xa6: return 0x0160;	/* Š */
	case 0xa8: return 0x0161;	/* š */
	case 0xb4: return 0x017d;	/* Ž */
	case 0xb8: return 0x017e;	/* ž */
	case 0xbc: return 0x0152;	/* Œ */
	case 0xbd: return 0x0153;	/* œ */
	case 0xbe: return 0x0178;	/* Ÿ */
	default: return c;
	}
}

char *spool_text_from_latin9(const char *s, size_t len, size_t *outlen,
			     size_t *bad)
{
	const unsigned char *u = (const unsigned char *)s;
	char *out = malloc(len * 3 + 1);
	size_t o = 0;

	if (!out) {
		*bad = len;
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		uint32_t cp = u[i];

		if (cp >= 0x80 && cp <= 0x9f)
			cp = spool_text_cp1252_c1[cp - 0x80];
		else
			cp = spool_text_latin9(u[i]);
		if (!cp && u[i]) {
			free(out);
			*bad = i;
			return NULL;
		}
		o += utf8_encode(cp, out + o);
	}
	out[o] = '\0';
	*outlen = o;
	return out;
}

char *spool_text_from_ucs2be(const unsigned char *s, size_t len,
			     size_t *outlen, char *err, size_t errsize)
{
	size_t i = 0, o = 0;
	char *out;

	if (len % 2) {
		snprintf(err, errsize,
			 "UCS-2 body has an odd number of bytes (%zu)", len);
		return NULL;
	}
	/* Each code unit gives at most 3 bytes; a pair, 4 for two units. */
	out = malloc(len / 2 * 3 + 1);
	if (!out) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (len >= 2 && s[0] == 0xfe && s[1] == 0xff)
		i = 2;
	while (i < len) {
		size_t at = i;
		uint32_t cp = ucs2_next(s, len, &i);

		if (cp >= 0xd800 && cp <= 0xdfff) {
			snprintf(err, errsize, "UCS-2 body: lone surrogate "
				 "0x%04x at byte %zu", cp, at);
			goto fail;
		}
		if (!cp) {
			snprintf(err, errsize, "UCS-2 body: U+0000 at byte %zu",
				 at);
			goto fail;
		}
		o += utf8_encode(cp, out + o);
	}
	out[o] = '\0';
	*outlen = o;
	return out;
fail:
	free(out);
	return NULL;
}

bool spool_text_controls_ok(const char *s, size_t len, size_t *bad,
			    unsigned *cp)
{
	const unsigned char *u = (const unsigned char *)s;

	for (size_t i = 0; i < len; i++) {
		unsigned c = u[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			;
		else if (c == 0x7f)
			;
		else if (c == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
			 u[i + 1] <= 0x9f)
			c = u[i + 1];	/* U+0080–U+009F */
		else
			continue;
		*bad = i;
		*cp = c;
		return false;
	}
	return true;
}

void spool_text_quote(const char *s, size_t len, char *out, size_t size)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0, chars = 0;
	uint32_t cp;

	if (!size)
		return;
	while (i < len && chars < 40) {
		size_t next = i;
		size_t n = utf8_next(s, len, &next, &cp) ? next - i : 0;
		bool plain = n > 1 || (n == 1 && u[i] >= 0x20 && u[i] < 0x7f);

		if (plain && o + n < size) {
			memcpy(out + o, s + i, n);
			o += n;
			i += n;
		} else if (!plain && o + 4 < size) {
			snprintf(out + o, size - o, "\\x%02x", u[i]);
			o += 4;
			i++;
		} else {
			break;
		}
		chars++;
	}
	if (i < len && o + 3 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

const char *spool_text_q(const char *s, char buf[64])
{
	spool_text_quote(s, strlen(s), buf, 64);
	return buf;
}

unsigned spool_text_lines(const char *s, size_t n)
{
	unsigned lines = 0;
	const char *p = s, *end = s + n;

	while ((p = memchr(p, '\n', (size_t)(end - p)))) {
		lines++;
		p++;
	}
	return lines;
}
