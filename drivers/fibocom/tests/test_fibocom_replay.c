/*
 * The fibocom driver against its captures (drivers/fibocom/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_fibocom_pbready)
{
	struct dr_replay *r = dr_family("fibocom", "fibocom-l850/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* +PBREADY */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE] >= 2, 1);
}
