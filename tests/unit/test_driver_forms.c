/*
 * The forms a family declares in its driver and nowhere else: its signal
 * URCs (.signals, driver_signal_read()) and the prefixes of its identity
 * answers (.ident_prefixes, driver_ident_value(), driver_iccid_read()).
 * Each is read only through a driver whose chain declares it; the at
 * layer reads the 3GPP forms (+CSQ, +CRSM, a bare value).
 */
#include "harness.h"
#include "at_parse.h"
#include "driver.h"

#include <stdio.h>
#include <string.h>

TEST(driver_signal_read_each_family_its_own)
{
	static const struct {
		const char *driver;
		const char *line;
		bool ok;
		int rssi, ber;
	} t[] = {
		/* Huawei E1752 (captures/huawei-e1752/init.at). */
		{ "huawei", "^RSSI:14", true, 14, 99 },
		{ "huawei", "^RSSI: 31", true, 31, 99 },
		{ "huawei", "^RSSI:99", true, 99, 99 },
		{ "huawei", "^RSSI:", false },
		{ "huawei", "^RSSI:14,3", false },
		{ "huawei", "^RSSI:100", false },	/* off its scale */
		{ "huawei", "^RSSI:-1", false },
		{ "huawei", "^HCSQ: \"LTE\",50,40,120,20", false },
		{ "huawei", "+CSQN: 20,0", false },
		{ "huawei", "+QIND: \"csq\",25,99", false },
		/* SIMCom SIM800 (captures/simcom-sim800/csqn.at). */
		{ "simcom", "+CSQN: 20,0", true, 20, 0 },
		{ "simcom", "+CSQN: 17", false },
		{ "simcom", "+CSQN: 120,0", false },
		{ "simcom", "^RSSI:14", false },
		{ "simcom", "+QIND: \"csq\",25,99", false },
		/* Quectel with AT+QINDCFG="csq",1, TD-SCDMA values too. */
		{ "quectel", "+QIND: \"csq\",25,99", true, 25, 99 },
		{ "quectel", "+QIND: \"csq\",150,99", true, 150, 99 },
		{ "quectel", "+QIND: \"csq\",200,99", false },
		{ "quectel", "+QIND: \"csq\",25", false },
		{ "quectel", "+QIND: SMS DONE", false },
		{ "quectel", "+QIND: \"act\",\"LTE\"", false },
		{ "quectel", "^RSSI:14", false },
		{ "quectel", "+CSQN: 20,0", false },
		/* TS 27.007 has no unsolicited signal report: the generic
		 * driver, and a family without its own, reads none. */
		{ "generic", "^RSSI:14", false },
		{ "generic", "+CSQN: 20,0", false },
		{ "generic", "+QIND: \"csq\",25,99", false },
		{ "generic", "+CSQ: 9,99", false },
		{ "telit", "^RSSI:14", false },
		{ "zte", "+ZRSSI: 14", false },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct driver *d = driver_find(t[i].driver);
		struct at_csq q = { -1, -1 };
		bool ok;

		if (!CHECK(d != NULL))
			continue;
		ok = driver_signal_read(d, t[i].line, &q);
		if (!CHECK_INT(ok, t[i].ok) ||
		    (ok && (!CHECK_INT(q.rssi, t[i].rssi) ||
			    !CHECK_INT(q.ber, t[i].ber))))
			printf("# %s: \"%s\"\n", t[i].driver, t[i].line);
	}
}

/* A family built on another inherits its reports, and adds its own. */
TEST(driver_signal_read_walks_the_parent_chain)
{
	static const struct driver_signal own[] = {
		{ "+XRSSI:", DRIVER_SIGNAL_RSSI, 31 },
		{ NULL, 0, 0 },
	};
	static const struct driver child = { .name = "child",
					     .parent = &driver_huawei,
					     .signals = own };
	struct driver res;
	struct at_csq q;

	CHECK(driver_signal_read(&child, "^RSSI:12", &q) && q.rssi == 12);
	CHECK(driver_signal_read(&child, "+XRSSI: 7", &q) && q.rssi == 7);
	CHECK(!driver_signal_read(&child, "+XRSSI: 32", &q));
	CHECK(!driver_signal_read(&driver_huawei, "+XRSSI: 7", &q));
	/* The lifecycle reads through its resolved copy. */
	CHECK_INT(driver_resolve(&child, &res), 0);
	CHECK(driver_signal_read(&res, "^RSSI:12", &q) && q.rssi == 12);
	CHECK(driver_signal_read(&res, "+XRSSI: 7", &q) && q.rssi == 7);
}

/* Every signal row is heard: no .urcs row of its chain routes the same
 * line elsewhere, and none claims DRIVER_URC_SIGNAL without a row that
 * reads it (the lifecycle registers .signals itself). */
TEST(driver_signal_rows_and_urc_rows_agree)
{
	for (size_t i = 0; driver_table[i]; i++) {
		const struct driver *chain[8];
		size_t n = driver_chain(driver_table[i], chain, 8);

		for (size_t k = 0; k < n; k++) {
			for (const struct driver_urc *u = chain[k]->urcs;
			     u && u->prefix; u++)
				if (!CHECK(u->kind != DRIVER_URC_SIGNAL))
					printf("# %s: %s\n",
					       driver_table[i]->name,
					       u->prefix);
			for (const struct driver_signal *s = chain[k]->signals;
			     s && s->prefix; s++)
				CHECK(s->rssi_max == 99 || s->rssi_max == 199);
		}
	}
}

TEST(driver_iccid_read_each_family_its_own)
{
	static const struct {
		const char *driver;
		const char *line;
		const char *want;	/* NULL: not read */
	} t[] = {
		/* The generic driver: answers of AT+CCID and AT+ICCID, a
		 * bare number (SIM800), EF_ICCID by +CRSM (TS 27.007
		 * §8.18). */
		{ "generic", "+CCID: 89014103211118510720",
		  "89014103211118510720" },
		{ "generic", "+ICCID: \"8944500102198304826\"",
		  "8944500102198304826" },
		{ "generic", "89014103211118510720", "89014103211118510720" },
		{ "generic", "+CRSM: 144,0,\"98691000000021436587\"",
		  "89960100000012345678" },
		{ "generic", "^ICCID: 89630000000012345678", NULL },
		{ "generic", "+QCCID: 8901410321111851072F", NULL },
		{ "generic", "ICCID: 89014103211118510720", NULL },
		{ "generic", "#CCID: 89390100001234567890", NULL },
		{ "generic", "ERROR", NULL },
		/* Each family: its own answer, and generic's for its
		 * AT+CCID fallback. */
		{ "huawei", "^ICCID: 89630000000012345678",
		  "89630000000012345678" },
		{ "huawei", "+CCID: 89630000000012345678",
		  "89630000000012345678" },
		{ "huawei", "+QCCID: 8901410321111851072F", NULL },
		{ "quectel", "+QCCID: 8901410321111851072F",
		  "8901410321111851072F" },
		{ "quectel", "+CCID: 8901410321111851072F",
		  "8901410321111851072F" },
		{ "quectel", "^ICCID: 89630000000012345678", NULL },
		{ "sierra", "ICCID: 89014103211118510720",
		  "89014103211118510720" },
		{ "sierra", "^ICCID: 89630000000012345678", NULL },
		{ "simcom", "+ICCID: 8944500102198304826",
		  "8944500102198304826" },
		{ "simcom", "8944500102198304826", "8944500102198304826" },
		{ "simcom", "+QCCID: 8901410321111851072F", NULL },
		{ "telit", "#CCID: 89390100001234567890",
		  "89390100001234567890" },
		{ "telit", "+ICCID: 89390100001234567890",
		  "89390100001234567890" },
		{ "cinterion", "^SCID: 89490200001234567890",
		  "89490200001234567890" },
		{ "zte", "+ZGETICCID: 89860012345678901234",
		  "89860012345678901234" },
		{ "phone", "+CRSM: 144,0,\"98691000000021436587\"",
		  "89960100000012345678" },
		{ "phone", "^ICCID: 89630000000012345678", NULL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const struct driver *d = driver_find(t[i].driver);
		char id[32] = "";
		bool ok;

		if (!CHECK(d != NULL))
			continue;
		ok = driver_iccid_read(d, t[i].line, id, sizeof(id));
		if (!CHECK_INT(ok, t[i].want != NULL) ||
		    (ok && !CHECK_STR(id, t[i].want)))
			printf("# %s: \"%s\"\n", t[i].driver, t[i].line);
	}
}

TEST(driver_ident_value_walks_the_parent_chain)
{
	static const char *const own[] = { "+XCCID:", NULL };
	static const struct driver child = { .name = "child",
					     .parent = &driver_quectel,
					     .ident_prefixes = own };
	struct driver res;

	CHECK_STR(driver_ident_value(&child, "+XCCID: 8944"), "8944");
	CHECK_STR(driver_ident_value(&child, "+QCCID: 8944"), "8944");
	CHECK_STR(driver_ident_value(&child, "+CCID:8944"), "8944");
	CHECK_STR(driver_ident_value(&child, "^ICCID: 8944"), "^ICCID: 8944");
	CHECK_STR(driver_ident_value(&driver_quectel, "+XCCID: 8944"),
		  "+XCCID: 8944");
	CHECK_INT(driver_resolve(&child, &res), 0);
	CHECK_STR(driver_ident_value(&res, "+XCCID: 8944"), "8944");
	CHECK_STR(driver_ident_value(&res, "+QCCID: 8944"), "8944");
	CHECK_STR(driver_ident_value(&res, "+ICCID: 8944"), "8944");
}
