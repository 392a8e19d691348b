/* The driver registry: every driver resolves to a complete table, vendor
 * rows override only what they name, selection by USB id and +CGMI. */
#include "harness.h"
#include "config_check.h"
#include "driver.h"

#include <errno.h>
#include <string.h>

TEST(driver_every_driver_resolves_to_a_complete_table)
{
	const char *const *names = driver_names();
	size_t n = 0;

	while (names[n])
		n++;
	/* The generated table holds every folder of drivers/. */
	CHECK(n >= 11);
	for (size_t i = 0; i < n; i++) {
		const struct driver *d = driver_find(names[i]);
		struct driver r;

		CHECK(d != NULL);
		if (!d)
			continue;
		CHECK_INT(driver_resolve(d, &r), 0);
		CHECK_STR(r.name, names[i]);
		CHECK(r.setup && r.vendor && r.sms && r.reporting);
		CHECK(r.cnmi && r.cnmi[0].mode >= 0);
		CHECK(r.cpms && r.cpms[0]);
		CHECK(r.imei && r.imsi && r.iccid && r.own_number);
		CHECK(r.signal && r.registration && r.operator_query);
		CHECK(r.list_stored && r.read_stored && r.delete_stored &&
		      r.ack_direct && r.list_timeout_ms > 0);
		CHECK(r.reset && r.reset_wait_ms > 0 && r.slot_timeout_ms > 0);
		CHECK(r.not_finals && r.not_finals[0]);
		CHECK(r.urcs != NULL);
	}
}

TEST(driver_vendor_overrides_only_what_it_names)
{
	struct driver g, q, h, s;

	CHECK_INT(driver_resolve(&driver_generic, &g), 0);
	CHECK_INT(driver_resolve(&driver_quectel, &q), 0);
	CHECK_INT(driver_resolve(&driver_huawei, &h), 0);
	CHECK_INT(driver_resolve(&driver_simcom, &s), 0);
	/* EC25: reports never stored (captures/quectel-ec25/cdsi-sr.at). */
	for (size_t i = 0; q.cnmi[i].mode >= 0; i++)
		CHECK(q.cnmi[i].ds != 2);
	CHECK(q.cpms == g.cpms);
	CHECK_STR(q.iccid[0], "AT+QCCID");
	CHECK_STR(q.slot_select, "AT+QDSIM=%d");
	CHECK_STR(h.iccid[0], "AT^ICCID?");
	CHECK(h.cnmi == g.cnmi);
	CHECK(h.slot_select == NULL);
	CHECK_STR(s.iccid[0], "AT+CICCID");
	CHECK(s.list_stored == g.list_stored);
	CHECK(g.slot_select == NULL);
}

TEST(driver_chain_runs_from_generic_to_the_vendor)
{
	const struct driver *c[8];

	CHECK_INT(driver_chain(&driver_quectel, c, 8), 2);
	CHECK(c[0] == &driver_generic && c[1] == &driver_quectel);
	CHECK_INT(driver_chain(&driver_generic, c, 8), 1);
	CHECK_INT(driver_chain(&driver_huawei, c, 1), 1);
	CHECK(c[0] == &driver_generic);
}

TEST(driver_resolve_refuses_a_chain_without_generic)
{
	static const struct driver orphan = { .name = "orphan" };
	static const struct driver child = { .name = "child",
					     .parent = &orphan };
	struct driver r;

	CHECK_INT(driver_resolve(&orphan, &r), -EINVAL);
	CHECK_INT(driver_resolve(&child, &r), -EINVAL);
	CHECK_INT(driver_resolve(NULL, &r), -EINVAL);
}

TEST(driver_find_names_and_aliases)
{
	static const struct {
		const char *name;
		const struct driver *want;
	} rows[] = {
		{ "generic", &driver_generic },
		{ "huawei", &driver_huawei },
		{ "simcom", &driver_simcom },
		{ "quectel", &driver_quectel },
		{ "auto", NULL },
		{ "Huawei", NULL },
		{ "", NULL },
		{ "nokia", NULL },
	};

	static const char *const own[] = { "zte", "sierra", "telit", "ublox",
					   "cinterion", "wavecom",
					   "fibocom", "phone" };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		CHECK(driver_find(rows[i].name) == rows[i].want);
	/* Families with their own folder are their own drivers now. */
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		const struct driver *d = driver_find(own[i]);

		CHECK(d && d != &driver_generic && !strcmp(d->name, own[i]));
	}
	CHECK(driver_find(NULL) == NULL);
	for (const char *const *n = driver_names(); *n; n++)
		CHECK(driver_find(*n) != NULL);
}

TEST(driver_config_accepts_the_registry_names)
{
	CHECK(config_driver_known("auto"));
	CHECK(config_driver_known("quectel"));
	CHECK(config_driver_known("zte"));
	CHECK(!config_driver_known("nokia"));
}

TEST(driver_match_by_usb_ids_then_cgmi_cgmm)
{
	static const struct {
		int vid, pid;
		const char *cgmi, *cgmm;
		const struct driver *want;
		const char *want_name;	/* instead of want */
	} rows[] = {
		{ 0x12d1, 0x1506, NULL, NULL, &driver_huawei },
		{ 0x2c7c, 0x0125, NULL, NULL, &driver_quectel },
		{ 0x1e0e, 0x9001, NULL, NULL, &driver_simcom },
		/* An FTDI converter: the modem behind it tells. */
		{ 0x0403, 0x6001, "SIMCOM_Ltd", "SIMCOM_SIM800",
		  &driver_simcom },
		{ 0x0403, 0x6001, "smsgw", "modemsim", &driver_generic },
		/* A pty: no USB ids at all. */
		{ 0, 0, "Quectel", "EC25", &driver_quectel },
		{ 0, 0, "huawei", "E3372", &driver_huawei },
		{ 0, 0, "HUAWEI", "E1752", &driver_huawei },
		{ 0, 0, "SIMCOM INCORPORATED", "SIMCOM_SIM7600E-H",
		  &driver_simcom },
		{ 0, 0, "ZTE CORPORATION", "MF626", NULL, "zte" },
		{ 0x19d2, 0x0031, NULL, NULL, NULL, "zte" },
		{ 0, 0, "Cinterion", "EHS5-E", NULL, "cinterion" },
		{ 0x1e2d, 0x0058, NULL, NULL, NULL, "cinterion" },
		{ 0, 0, "Telit", "LE910C1-EU", NULL, "telit" },
		{ 0, 0, "u-blox", "SARA-U270", NULL, "ublox" },
		{ 0, 0, "Sierra Wireless, Incorporated", "MC7455", NULL,
		  "sierra" },
		{ 0, 0, "WAVECOM MODEM", "MULTIBAND  900E  1800", NULL,
		  "wavecom" },
		{ 0, 0, "Fibocom", "L850", NULL, "fibocom" },
		{ 0x2cb7, 0x0007, NULL, NULL, NULL, "fibocom" },
		/* Old phones on a data cable. */
		{ 0, 0, "Sony Ericsson", "K750i", NULL, "phone" },
		{ 0, 0, "Nokia", "Nokia 6230i", NULL, "phone" },
		{ 0x0fce, 0xd046, NULL, NULL, NULL, "phone" },
		{ 0, 0, NULL, NULL, &driver_generic },
		{ 0, 0, "", "", &driver_generic },
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct driver *d = driver_match(rows[i].vid, rows[i].pid,
						      rows[i].cgmi,
						      rows[i].cgmm);

		if (!CHECK(rows[i].want_name ? !strcmp(d->name,
						       rows[i].want_name)
					     : d == rows[i].want))
			harness_fail(__FILE__, __LINE__, "row %zu gave %s", i,
				     d->name);
	}
}

TEST(driver_command_fills_the_one_number)
{
	char buf[16];

	CHECK(driver_command(buf, sizeof(buf), "AT+CMGR=%d", 5));
	CHECK_STR(buf, "AT+CMGR=5");
	CHECK(driver_command(buf, sizeof(buf), "AT+QDSIM=%d", 0));
	CHECK_STR(buf, "AT+QDSIM=0");
	CHECK(driver_command(buf, sizeof(buf), "AT+CNMA", 7));
	CHECK_STR(buf, "AT+CNMA");
	/* A second %d or a %s is text, never a printf conversion. */
	CHECK(driver_command(buf, sizeof(buf), "%d %s%d", 1));
	CHECK_STR(buf, "1 %s%d");
	CHECK(!driver_command(buf, 8, "AT+CMGD=%d", 123456));
	CHECK(!driver_command(buf, sizeof(buf), NULL, 1));
}
