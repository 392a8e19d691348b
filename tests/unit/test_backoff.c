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
