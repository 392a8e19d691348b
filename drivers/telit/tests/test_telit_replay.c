/*
 * The telit driver against its captures (drivers/telit/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_telit_qss_readiness)
{
	struct dr_replay *r = dr_family("telit", "telit-le910/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* #QSS: 3 */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 3);	/* #QSS: x2, #PSNT */
}
