/* ucs2 — UTF-16BE as SMS carries it; see include/ucs2.h. */
#include "ucs2.h"

#include "utf8.h"

int ucs2_units(uint32_t cp)
{
	return cp > 0xffff ? 2 : 1;
}

size_t ucs2_put(uint32_t cp, uint8_t *out)
{
	if (cp > 0xffff) {
		uint32_t v = cp - 0x10000;
		uint16_t hi = 0xd800 | v >> 10, lo = 0xdc00 | (v & 0x3ff);

		out[0] = hi >> 8;
		out[1] = hi & 0xff;
		out[2] = lo >> 8;
		out[3] = lo & 0xff;
		return 4;
	}
	out[0] = cp >> 8;
	out[1] = cp & 0xff;
	return 2;
}

uint32_t ucs2_next(const uint8_t *in, size_t n, size_t *i)
{
	uint32_t u = (uint32_t)in[*i] << 8 | in[*i + 1];

	*i += 2;
	if (u >= 0xd800 && u <= 0xdbff && *i + 1 < n) {
		uint32_t lo = (uint32_t)in[*i] << 8 | in[*i + 1];

		if (lo >= 0xdc00 && lo <= 0xdfff) {
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			*i += 2;
		}
	}
	return u;
}

bool ucs2_to_utf8(const uint8_t *in, size_t n, char *out, size_t size)
{
	size_t pos = 0, i = 0;

	if (size == 0)
		return false;
	out[0] = '\0';
	while (i + 1 < n) {
		uint32_t cp = ucs2_next(in, n, &i);

		/* U+0000 would end the C string early. */
		if ((cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
			cp = 0xfffd;
		if (!utf8_put(out, size, &pos, cp))
			return false;
	}
	if (i < n && !utf8_put(out, size, &pos, 0xfffd))
		return false;
	return true;
}
