/*
 * store_time — the database's time format: UTC ISO 8601 with
 * milliseconds, as every table and view stores it (doc/contract.md), and
 * its reading back with an optional offset.
 */
#include "store_time.h"
#include "clock.h"

#include <stdio.h>
#include <time.h>

int64_t store_now_ms(void)
{
	return clock_now_ms();
}

void store_format_time(int64_t ms, char *buf, size_t size)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char tmp[32];

	gmtime_r(&secs, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03dZ", tmp, (int)(ms % 1000));
}

static bool store_parse_offset(const char *s, int *minutes)
{
	int h, m = 0, n = 0;

	if (*s == 'Z' || *s == 'z') {
		*minutes = 0;
		return s[1] == '\0';
	}
	if (*s != '+' && *s != '-')
		return false;
	if (sscanf(s + 1, "%2d:%2d%n", &h, &m, &n) == 2 && s[1 + n] == '\0')
		;
	else if (sscanf(s + 1, "%2d%2d%n", &h, &m, &n) == 2 && n == 4 &&
		 s[1 + n] == '\0')
		;
	else if (sscanf(s + 1, "%2d%n", &h, &n) == 1 && n == 2 &&
		 s[1 + n] == '\0')
		m = 0;
	else
		return false;
	if (h > 14 || m > 59)
		return false;
	*minutes = (*s == '-' ? -1 : 1) * (h * 60 + m);
	return true;
}

bool store_parse_time(const char *s, int64_t *ms)
{
	struct tm tm = { 0 };
	int n = 0, frac = 0, off;
	const char *p;

	if (sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &n) != 3 || n != 10)
		return false;
	p = s + n;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return false;
	p++;
	if (sscanf(p, "%2d:%2d%n", &tm.tm_hour, &tm.tm_min, &n) != 2 || n != 5)
		return false;
	p += n;
	if (*p == ':') {
		if (sscanf(p, ":%2d%n", &tm.tm_sec, &n) != 1 || n != 3)
			return false;
		p += n;
		if (*p == '.') {
			int digits = 0;

			for (p++; *p >= '0' && *p <= '9'; p++, digits++)
				if (digits < 3)
					frac = frac * 10 + (*p - '0');
			for (; digits < 3; digits++)
				frac *= 10;
		}
	}
	if (!store_parse_offset(p, &off) || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
	    tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ms = ((int64_t)timegm(&tm) - (int64_t)off * 60) * 1000 + frac;
	return true;
}
