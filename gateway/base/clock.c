/*
 * clock — the injectable wall clock; see include/clock.h.
 */
#include "clock.h"

#include <time.h>

static clock_source_fn clock_source;

int64_t clock_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now_ms(void)
{
	return clock_source ? clock_source() : clock_real_ms();
}

void clock_set_source(clock_source_fn fn)
{
	clock_source = fn;
}
