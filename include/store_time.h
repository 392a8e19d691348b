/* store_time — the database's time format (see gateway/store/store_time.c). */
#ifndef SMSGW_STORE_TIME_H
#define SMSGW_STORE_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the epoch, UTC: clock_now_ms() (include/clock.h). */
int64_t store_now_ms(void);
/* "2026-11-27T06:36:47.123Z"; buf needs 25 bytes. */
void store_format_time(int64_t ms, char *buf, size_t size);
/* Parses ISO-8601 with Z or an offset ("2026-11-27T08:00:00+02:00", also
 * without seconds or with a space instead of T). false if it is not one. */
bool store_parse_time(const char *s, int64_t *ms);

#endif
