/*
 * The cinterion driver against its captures (drivers/cinterion/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_cinterion_sysstart_ssim_bfr_and_undervoltage)
{
	struct dr_replay *r = dr_family("cinterion",
					"cinterion-ehs5/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);	/* ^SYSSTART */
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* ^SSIM READY */
	CHECK_INT(r->kinds[DRIVER_URC_WARNING], 1);	/* ^SBC: Underv. */
	CHECK_STR(r->recs[2].final, "+CMS ERROR: 303");	/* <bfr> 0 */
	CHECK_INT(r->recs[3].status, AT_CHAT_STATUS_OK);	/* <bfr> 1 */
}
