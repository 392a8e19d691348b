/*
 * The huawei driver against its captures (drivers/huawei/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_huawei_e1752_unknown_command_and_rssi)
{
	struct dr_replay *r = dr_replay(driver_find("huawei"),
					"huawei-e1752/init.at");

	CHECK_INT(r->recs[2].status, AT_CHAT_STATUS_ERROR);
	CHECK_STR(r->recs[2].final, "COMMAND NOT SUPPORT");
	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 2);
	/* ^RSSI:14, ^RSSI:10: read on the +CSQ scale by the driver. */
	CHECK_INT(r->signals_read, 2);
	CHECK_INT(r->last_rssi, 10);
	CHECK_INT(at_parse_rssi_dbm(r->last_rssi), -93);
}

TEST(driver_replay_huawei_e3372_memory_full)
{
	struct dr_replay *r = dr_replay(driver_find("huawei"),
					"huawei-e3372/smmemfull.at");

	CHECK_INT(r->kinds[DRIVER_URC_STORAGE_FULL], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 1);
	CHECK_INT(r->last_rssi, 17);
	/* ^MODE, ^SRVST, ^DSFLOWRPT (inside the ^CURC answer) */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 3);
	CHECK_INT(r->recs[0].status, AT_CHAT_STATUS_OK);
	CHECK_INT(r->recs[0].nlines, 0);
	CHECK_INT(r->recs[2].nlines, 2);	/* +CMGL and its PDU */
}
