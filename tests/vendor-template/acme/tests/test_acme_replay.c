/*
 * The acme driver (the template of a vendor folder) against its capture,
 * replayed by tests/unit/driver_replay.h with the driver's tables
 * installed; and the two ways driver = auto finds it.
 */
#include "driver_replay.h"

TEST(driver_replay_acme_ready_and_info_inside_cmgr)
{
	struct dr_replay *r = dr_family("acme", "acme-rocket1/session.at");

	if (!r)
		return;
	CHECK_INT(r->kinds[DRIVER_URC_SMS_READY], 1);	/* +ACMEREADY */
	CHECK_INT(r->kinds[DRIVER_URC_IGNORE], 1);	/* +ACMEINFO */
	CHECK_STR(r->recs[0].lines[0], "ACME Wireless");
}

TEST(driver_acme_found_by_cgmi_and_usb_id)
{
	const struct driver *d = driver_find("acme");
	const char *name = NULL;

	CHECK(d != NULL);
	/* A pty has no USB id: the +CGMI answer. */
	CHECK(driver_match(0, 0, "ACME Wireless", "Rocket-1") == d);
	CHECK(driver_match(0x0403, 0x6001, "ACME Wireless", NULL) == d);
	/* `smsgw ports` and a USB port: its own ids. */
	CHECK(driver_usb_lookup(0xacac, 0x0001, &name) == d);
	CHECK_STR(name, "ACME Rocket");
	CHECK(driver_match(0xacac, 0x0001, NULL, NULL) == d);
}
