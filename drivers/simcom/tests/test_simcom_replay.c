/*
 * The simcom driver against its captures (drivers/simcom/captures/), replayed
 * by tests/unit/driver_replay.h with the driver's tables installed.
 */
#include "driver_replay.h"

TEST(driver_replay_simcom_boot)
{
	struct dr_replay *r = dr_replay(driver_find("simcom"),
					"simcom-sim800/boot.at");

	/* RDY; SMS Ready; +CPIN: READY; +CFUN: 1 and Call Ready */
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SIM], 1);
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 2);
	r = dr_replay(driver_find("simcom"), "simcom-sim7600/boot.at");
	CHECK_INT(r->kinds[DRIVER_URC_BOOT], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* SMS DONE */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 1);	/* PB DONE */
}

TEST(driver_replay_simcom_signal_reports)
{
	struct dr_replay *r = dr_replay(driver_find("simcom"),
					"simcom-sim800/csqn.at");

	CHECK_INT(r->kinds[DRIVER_URC_SIGNAL], 2);
	CHECK_INT(r->signals_read, 2);
	CHECK_INT(r->last_rssi, 12);
	CHECK_STR(r->recs[1].lines[0], "+CSQ: 17,0");
}

TEST(driver_replay_simcom_under_voltage)
{
	struct dr_replay *r = dr_replay(driver_find("simcom"),
					"simcom-sim5360/undervoltage.at");

	CHECK_INT(r->kinds[DRIVER_URC_WARNING], 1);
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);
	CHECK_INT(r->recs[1].status, AT_CHAT_STATUS_OK);
	CHECK_STR(r->recs[1].lines[0], "+CSQ: 14,99");
}
