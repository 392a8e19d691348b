/*
 * acme — the template of a vendor folder (doc/adding-a-vendor.md), for the
 * made-up ACME Rocket modems; tests/e2e/test_vendor_folder.py copies this
 * folder to drivers/acme/ of a copy of the tree and shows that it is all a
 * new family needs. A real driver cites, for each field, the device and a
 * capture in its captures/ folder or the vendor's AT manual:
 * - "+ACMEINFO: ..." comes unasked, also between a +CMGR header and its
 *   PDU (captures/acme-rocket1/session.at): chatter, not noise.
 * - "+ACMEREADY" says SMS works, later than +CPIN: READY.
 */
#include "driver.h"

static const struct driver_urc acme_urcs[] = {
	{ "+ACMEREADY", DRIVER_URC_SMS_READY, false },
	{ "+ACMEINFO:", DRIVER_URC_IGNORE, false },
	{ NULL, 0, false },
};

const struct driver driver_acme = {
	.name = "acme",			/* the folder's name */
	.parent = &driver_generic,	/* everything not set here */
	/* 0xacac is made up; a real id comes from the kernel's option.c. */
	.usb = (const struct driver_usb[]){
		{ 0xacac, -1, "ACME Rocket" }, { 0, 0 } },
	.match_cgmi = DRIVER_CMDS("ACME"),
	.urcs = acme_urcs,
};
