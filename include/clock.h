/*
 * clock — the one wall clock every time decision reads.
 *
 * Everything that compares times (quiet hours, Send-At, quotas, barring
 * pauses, retries, event stamps) takes "now" from clock_now_ms(). Tests
 * and tools inject their own source with clock_set_source(); nothing else
 * reads CLOCK_REALTIME, so a test clock and the code cannot disagree.
 */
#ifndef SMSGW_CLOCK_H
#define SMSGW_CLOCK_H

#include <stdint.h>

typedef int64_t (*clock_source_fn)(void);

/* Milliseconds since the epoch from the current source. */
int64_t clock_now_ms(void);
/* Replaces the source; NULL restores the real clock (CLOCK_REALTIME). */
void clock_set_source(clock_source_fn fn);
/* CLOCK_REALTIME in ms, whatever the source: for the real-clock source and
 * for measuring, never for a decision. */
int64_t clock_real_ms(void);

#endif
