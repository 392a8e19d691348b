/* ms_util — small helpers of the simulator; see ms.h. */
#include "ms.h"
#include "at_capture.h"
#include "hex.h"
#include "utf8.h"

#include <string.h>
#include <time.h>

void ms_util_now_iso(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char base[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03ldZ", base, ts.tv_nsec / 1000000);
}

void ms_util_now_scts(struct sms_time *t)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	t->year = tm.tm_year + 1900;
	t->month = tm.tm_mon + 1;
	t->day = tm.tm_mday;
	t->hour = tm.tm_hour;
	t->minute = tm.tm_min;
	t->second = tm.tm_sec;
	t->tz_minutes = 0;
}

uint64_t ms_util_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

bool ms_util_ucs2_hex_to_utf8(const char *hex, char *out, size_t outsize)
{
	size_t len = strlen(hex), o = 0;
	uint32_t hi = 0;

	if (len % 4 || !outsize)
		return false;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t u = 0;

		for (int k = 0; k < 4; k++) {
			int v = hex_digit(hex[i + k]);

			if (v < 0)
				return false;
			u = u << 4 | (uint32_t)v;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			hi = u;
			continue;
		}
		if (u >= 0xdc00 && u <= 0xdfff && hi)
			u = 0x10000 + ((hi - 0xd800) << 10) + (u - 0xdc00);
		hi = 0;
		if (o + 5 > outsize)
			return false;
		o += utf8_encode(u, out + o);
	}
	out[o] = 0;
	return true;
}

void ms_util_utf8_to_ucs2_hex(const char *utf8, char *out, size_t outsize)
{
	const unsigned char *p = (const unsigned char *)utf8;
	size_t o = 0;

	while (*p && o + 5 <= outsize) {
		uint32_t cp = 0xfffd;
		int n = 1;

		if (p[0] < 0x80)
			cp = p[0];
		else if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80)
			cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f), n = 2;
		else if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
			 (p[2] & 0xc0) == 0x80)
			cp = (uint32_t)(p[0] & 0x0f) << 12 |
			     (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f),
			n = 3;
		else if ((p[0] & 0xf8) == 0xf0)
			n = 4;
		for (int k = 1; k < n; k++)
			if (!p[k])
				n = k;
		snprintf(out + o, outsize - o, "%04X", (unsigned)cp);
		o += 4;
		p += n;
	}
	out[o] = 0;
}

int ms_util_luhn(const char *digits)
{
	size_t len = strlen(digits);
	int sum = 0;

	/* The check digit will be appended: the last digit here is doubled. */
	for (size_t i = 0; i < len; i++) {
		int d = digits[len - 1 - i] - '0';

		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (10 - sum % 10) % 10;
}

void ms_util_trace(FILE *f, const char *port, char dir, const void *buf,
		   size_t len)
{
	char when[32];
	char esc[4096];
	const char *p = buf;

	if (!f)
		return;
	ms_util_now_iso(when, sizeof(when));
	/* Long chunks are split so no escape sequence is cut. */
	while (len) {
		size_t n = len > 900 ? 900 : len;

		at_capture_escape(p, n, esc, sizeof(esc));
		fprintf(f, "%s %s %c %s\n", when, port, dir, esc);
		p += n;
		len -= n;
	}
	fflush(f);
}
