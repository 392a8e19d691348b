/*
 * The zte driver against its captures (drivers/zte/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_zte_chatter_and_zend_inside_cmgr)
{
	struct dr_replay *r = dr_family("zte", "zte-mf626/session.at");

	if (!r)
		return;
	/* +ZUSIMR, +ZPASR, +ZEND, +ZDONR: heard, not noise. */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 4);
	CHECK_STR(r->recs[0].lines[0], "+ZGETICCID: 89860012345678901234");
}
