/*
 * The sierra driver against its captures (drivers/sierra/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_sierra_pacsp_and_iccid)
{
	struct dr_replay *r = dr_family("sierra", "sierra-mc7455/session.at");
	char iccid[32];

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 1);
	CHECK(driver_iccid_read(driver_find("sierra"), r->recs[0].lines[0],
				iccid, sizeof(iccid)));
	CHECK_STR(iccid, "89014103211118510720");
	/* "ICCID: ..." is Sierra's answer to AT!ICCID?, not generic's. */
	CHECK(!driver_iccid_read(&driver_generic, r->recs[0].lines[0], iccid,
				 sizeof(iccid)));
	CHECK_INT(r->recs[2].status, AT_CHAT_STATUS_OK);
}
