/* backoff — see include/backoff.h. */
#include "backoff.h"

int64_t backoff_ms(unsigned n, int64_t first_ms, int64_t max_ms)
{
	int64_t d = first_ms;

	/* Stops doubling at the cap, so no n overflows. */
	while (n-- > 0 && d < max_ms)
		d *= 2;
	return d < max_ms ? d : max_ms;
}
