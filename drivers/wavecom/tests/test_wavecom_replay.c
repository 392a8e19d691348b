/*
 * The wavecom driver against its captures (drivers/wavecom/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_wavecom_wind_and_finalless_cpin)
{
	struct dr_replay *r = dr_family("wavecom",
					"wavecom-fastrack/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);	/* +WIND: 3 */
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* +WIND: 4 */
	/* +CPIN: READY and no OK: answered by its line. */
	CHECK_INT(r->recs[0].status, AT_CHAT_STATUS_OK);
	CHECK_STR(r->recs[0].lines[0], "+CPIN: READY");
}
