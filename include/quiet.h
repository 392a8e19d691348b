/*
 * quiet — quiet hours in the recipient's local time (doc/contract.md §9): bulk
 * messages wait while it is, say, between 21:00 and 08:00 where the
 * recipient lives.
 *
 * Where the recipient lives comes from the country calling code of the
 * E.164 number (and the area code for North America). A country that spans
 * several time zones without a finer table counts as quiet while any of its
 * main zones is quiet: late for someone is too late. A number whose country
 * is not in the table uses the gateway's own time zone.
 *
 * The decision is pure given a function that tells a zone's UTC offset at a
 * moment; quiet_tz_offset() is the real one (it asks the system's zoneinfo
 * and caches per zone and hour).
 */
#ifndef SMSGW_QUIET_H
#define SMSGW_QUIET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct quiet_hours {
	int start;	/* minute of the day quiet begins, 0–1439 */
	int end;	/* minute of the day it ends */
};

/* Parses "21:00-08:00". */
bool quiet_parse(const char *s, struct quiet_hours *out);

/* The UTC offset in minutes of zone at ms since the epoch; zone NULL means
 * the process's own time zone. */
typedef int (*quiet_offset_fn)(const char *zone, int64_t ms);

/* Up to this many zones a number can map to. */
#define QUIET_MAX_ZONES 4

/* The IANA zones for number ("+1212…" → America/New_York). Returns how
 * many (0: unknown country). */
size_t quiet_zones(const char *number, const char **zones, size_t max);

/*
 * Whether number is in quiet hours at now. When it is, *until is the
 * earliest moment (ms) it may be quiet no longer. offset NULL: the system's
 * zoneinfo.
 */
bool quiet_now(const struct quiet_hours *q, const char *number, int64_t now,
	       quiet_offset_fn offset, int64_t *until);

/* The real offset function (zoneinfo through TZ, cached). */
int quiet_tz_offset(const char *zone, int64_t ms);

#endif
