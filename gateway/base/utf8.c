/* utf8 — strict UTF-8; see include/utf8.h. */
#include "utf8.h"

#include <stdlib.h>

bool utf8_next(const char *s, size_t len, size_t *pos, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s + *pos;
	size_t avail = len - *pos, n;
	uint32_t c, min;

	if (*pos >= len)
		return false;
	if (p[0] < 0x80) {
		*cp = p[0];
		*pos += 1;
		return true;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f, min = 0x80;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f, min = 0x800;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07, min = 0x10000;
	else
		return false;
	if (n > avail)
		return false;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return false;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return false;
	*cp = c;
	*pos += n;
	return true;
}

bool utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t pos = 0;
	uint32_t cp;

	while (pos < len) {
		if (!utf8_next(s, len, &pos, &cp)) {
			*bad = pos;
			return false;
		}
	}
	return true;
}

uint32_t *utf8_decode_all(const char *s, size_t len, size_t *n, size_t *bad)
{
	/* Never more code points than bytes; +1 so len 0 still allocates. */
	uint32_t *cps = malloc((len + 1) * sizeof(*cps));
	size_t pos = 0, count = 0;

	*n = 0;
	if (!cps) {
		*bad = len;
		return NULL;
	}
	while (pos < len) {
		if (!utf8_next(s, len, &pos, &cps[count])) {
			*bad = pos;
			free(cps);
			return NULL;
		}
		count++;
	}
	*n = count;
	return cps;
}

size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

bool utf8_put(char *buf, size_t size, size_t *pos, uint32_t cp)
{
	char tmp[4];
	size_t n;

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	n = utf8_encode(cp, tmp);
	if (size == 0 || *pos + n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		buf[(*pos)++] = tmp[i];
	buf[*pos] = '\0';
	return true;
}
