/* The one exponential backoff, and the three series built on it. */
#include "harness.h"
#include "backoff.h"

TEST(backoff_doubles_up_to_the_cap)
{
	CHECK_INT(backoff_ms(0, 1000, 60000), 1000);
	CHECK_INT(backoff_ms(1, 1000, 60000), 2000);
	CHECK_INT(backoff_ms(5, 1000, 60000), 32000);
	CHECK_INT(backoff_ms(6, 1000, 60000), 60000);
	CHECK_INT(backoff_ms(4000000000u, 1000, 60000), 60000);
	/* A first wait above the cap is the cap. */
	CHECK_INT(backoff_ms(0, 90000, 60000), 60000);
}

/* A SIM's rest after 3, 6, 9, … failed sends in a row: 30 s, 60 s, … 10 min. */
TEST(backoff_sim_rest_series)
{
	CHECK_INT(backoff_ms(0, 30000, 600000), 30000);
	CHECK_INT(backoff_ms(1, 30000, 600000), 60000);
	CHECK_INT(backoff_ms(4, 30000, 600000), 480000);
	CHECK_INT(backoff_ms(5, 30000, 600000), 600000);
}

/*
 * The copies this replaced, kept here as the reference: the running
 * "current wait" of inbound.c, spool.c and outbound.c (first, then doubled
 * up to the cap at every failure), webhook.c's loop over attempts and
 * modem_logic.c's shift. backoff_ms() must give the same waits.
 */
static int64_t old_running(int64_t cur, int64_t first, int64_t max)
{
	return !cur ? first : cur * 2 > max ? max : cur * 2;
}

static int64_t old_webhook(int attempts)
{
	int64_t ms = 1000;

	for (int i = 1; i < attempts && ms < 300000; i++)
		ms *= 2;
	return ms < 300000 ? ms : 300000;
}

TEST(backoff_same_series_as_the_copies_it_replaced)
{
	int64_t cur = 0;

	for (unsigned n = 0; n < 64; n++) {
		cur = old_running(cur, 1000, 60000);
		CHECK_INT(backoff_ms(n, 1000, 60000), cur);
		CHECK_INT(backoff_ms(n, 1000, 60000),
			  n >= 6 ? 60000 : (int64_t)1000 << n);
	}
	for (int a = 0; a < 64; a++)
		CHECK_INT(backoff_ms(a > 1 ? (unsigned)a - 1 : 0, 1000, 300000),
			  old_webhook(a));
}
