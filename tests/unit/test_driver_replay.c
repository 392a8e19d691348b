/*
 * The generic driver against the captures that show TS 27.005/27.007
 * behaviour (drivers/generic/captures/): tests/unit/driver_replay.h
 * replays them with the driver's tables installed. Each vendor's replay
 * tests are in its own folder, drivers/<vendor>/tests/.
 */
#include "driver_replay.h"

TEST(driver_replay_generic_no_carrier_does_not_end_a_command)
{
	struct dr_replay *r = dr_replay(&driver_generic,
					"generic-27005/no-carrier.at");

	CHECK_INT(r->kinds[DRIVER_URC_CALL], 1);	/* RING */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 1);	/* NO CARRIER */
	CHECK_INT(r->recs[0].status, AT_CHAT_STATUS_OK);
	CHECK_INT(r->recs[0].nlines, 2);
	CHECK_STR(r->recs[0].lines[0], "+CMGR: 0,,23");
}

TEST(driver_replay_generic_session)
{
	struct dr_replay *r = dr_replay(&driver_generic,
					"generic-27005/session.at");

	CHECK_INT(r->kinds[DRIVER_URC_SMS_STORED], 2);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_DIRECT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_REPORT_DIRECT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_REGISTRATION], 1);
	CHECK_INT(r->pdus, 2);
}

TEST(driver_replay_qualcomm_cmgr_without_stat)
{
	/* The generic driver reads it: no quirk of its own. */
	struct dr_replay *r = dr_family("generic",
					"qualcomm-m7227/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_REGISTRATION], 1);	/* +CREG: 1 */
	CHECK_STR(r->recs[0].lines[0], "+CMGR: ,,23");
}
