/*
 * The quectel driver against its captures (drivers/quectel/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_quectel_boot_iccid_and_slot)
{
	struct dr_replay *r = dr_replay(driver_find("quectel"),
					"quectel-eg25/boot-dual-sim.at");
	char iccid[24];

	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SIM], 2);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 2);
	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 1);
	CHECK_INT(r->signals_read, 1);
	CHECK_INT(r->last_rssi, 21);
	/* +CFUN, +QUSIM x2, PB DONE */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 4);
	/* "+QCCID: ..." is the driver's form, not the at layer's. */
	CHECK(driver_iccid_read(driver_find("quectel"), r->recs[0].lines[0],
				iccid, sizeof(iccid)));
	CHECK_STR(iccid, "8944000000000000001F");
	CHECK(!driver_iccid_read(&driver_generic, r->recs[0].lines[0], iccid,
				 sizeof(iccid)));
	CHECK_STR(r->recs[1].lines[0], "+QDSIM: 0");
	CHECK_STR(r->recs[3].final, "+CMS ERROR: 314");
	CHECK_INT(r->recs[4].status, AT_CHAT_STATUS_OK);
}

TEST(driver_replay_quectel_reports)
{
	struct dr_replay *r = dr_replay(driver_find("quectel"),
					"quectel-ec25/cnma.at");

	CHECK_INT(r->kinds[DRIVER_URC_SMS_DIRECT], 1);
	CHECK_INT(r->pdus, 1);
	CHECK_STR(r->recs[3].final, "+CMS ERROR: 340");
	r = dr_replay(driver_find("quectel"), "quectel-ec25/cdsi-sr.at");
	CHECK_INT(r->kinds[DRIVER_URC_REPORT_STORED], 1);
}
