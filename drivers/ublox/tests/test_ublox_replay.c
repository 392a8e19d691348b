/*
 * The ublox driver against its captures (drivers/ublox/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_ublox_usimstat_readiness)
{
	struct dr_replay *r = dr_family("ublox",
					"ublox-sara-u270/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* +USIMSTAT: 7 */
}
