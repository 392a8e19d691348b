/* Configuration: the contract example, defaults, and errors that name file, line and option. */
#include "config.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>

TEST(config_annotated_example_loads)
{
	struct config *c;
	char err[1024];

	if (!CHECK_INT(config_load("conf/smsgw.conf", &c, err, sizeof(err)), 0)) {
		printf("# %s\n", err);
		return;
	}
	CHECK_STR(c->spool, "/var/spool/smsgw");
	CHECK_INT(c->nmodems, 1);
	CHECK_STR(c->modems[0].name, "m1");
	CHECK_INT(c->modems[0].nsims, 1);
	CHECK_INT(c->send_timeout_ms, 90000);
	CHECK_INT(c->sticky_ttl_ms, 8LL * 86400 * 1000);
	CHECK_INT(c->noptout_keywords, 10);
	config_free(c);
}

TEST(config_contract_minimum)
{
	struct config *c;
	char err[1024];
	const char *p = harness_write_file("min.conf",
		"spool    = \"/tmp/s\"\n"
		"database = \"/tmp/s.db\"\n"
		"modem \"m1\" {\n"
		"    device   = \"/dev/smsgw/quectel-1\"\n"
		"    driver   = \"auto\"\n"
		"    baudrate = 115200\n"
		"    pin      = \"1234\"\n"
		"    sim \"1\" {\n"
		"        number      = \"+15551230001\"\n"
		"        daily_limit = 300\n"
		"        pool        = \"marketing\"\n"
		"    }\n"
		"}\n"
		"modem \"m2\" { device = \"/dev/ttyUSB7\" }\n");
	const char *pools[8];

	if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), 0)) {
		printf("# %s\n", err);
		return;
	}
	CHECK_STR(c->modems[0].pin, "1234");
	CHECK_STR(c->modems[0].sims[0].number, "+15551230001");
	CHECK_INT(c->modems[0].sims[0].daily_limit, 300);
	CHECK_STR(c->modems[0].sims[0].pool, "marketing");
	/* No sim section: one SIM, slot "1", pool "default". */
	CHECK_INT(c->modems[1].nsims, 1);
	CHECK_STR(c->modems[1].sims[0].name, "1");
	CHECK_STR(c->modems[1].sims[0].pool, "default");
	CHECK(c->modems[1].pin == NULL);
	CHECK_INT(config_pools(c, pools, 8), 2);
	CHECK_STR(pools[1], "marketing");
	config_free(c);
}

static const struct {
	const char *text;
	const char *want;	/* a substring of the error */
} bad[] = {
	{ "spool = \"/x\"\nbogus = 1\n", "bad.conf:2: no such option 'bogus'" },
	{ "modem \"m\" {\n device = \"/d\"\n baudrate = 1234\n}\n",
	  "bad.conf:3: modem \"m\": baudrate: 1234 is not a standard rate" },
	{ "modem \"m\" {\n driver = \"generic\"\n}\n", "device is required" },
	{ "modem \"a\" { device = \"/d\" }\nmodem \"b\" { device = \"/d\" }\n",
	  "both use device /d" },
	{ "send_timeout = \"soon\"\n", "bad.conf:1: send_timeout: is not a duration" },
	{ "modem \"m\" {\n device = \"/d\"\n sim \"1\" {\n  daily_limit = -5\n }\n}\n",
	  "bad.conf:4: sim \"1\": daily_limit: -5 is out of range" },
	{ "modem \"m\" {\n device = \"/d\"\n pin = \"12a4\"\n}\n",
	  "bad.conf:3: modem \"m\": pin: must be 4 to 8 digits" },
	{ "rule \"r\" {\n match = \"(unclosed\"\n}\n",
	  "bad.conf:2: rule \"r\": match: is not a valid regular expression" },
	{ "rule \"r\" {\n match = \"x\"\n action = \"reply\"\n}\n",
	  "action reply needs the option reply" },
	{ "modem \"m\" {\n device = \"/d\"\n driver = \"nokia3310\"\n}\n",
	  "driver: is not a known driver" },
	{ "modem \"m\" {\n device = \"/d\"\n sim \"1\" { number = \"555\" }\n}\n",
	  "number: is not an international number" },
	{ "quiet_hours = \"9pm-8am\"\n", "quiet_hours: must be HH:MM-HH:MM" },
	{ "report_window = 60d\n", "report_window: '60d' is out of range (1m to 30d)" },
	{ "retry_max = 30d\n", "retry_max: '30d' is out of range" },
	{ "modem \"m\" {\n device = \"/d\"\n health_interval = 0\n}\n",
	  "bad.conf:3: modem \"m\": health_interval: '0' is out of range" },
	{ "modem \"m\" {\n device =\n}\n", "bad.conf:3:" },
	{ "modem \"m\" {\n device = \"/d\"\n init = {\"ATZ\", \"rm -rf\"}\n}\n",
	  "init: must be an AT command" },
};

TEST(config_errors_name_file_line_option)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct config *c = NULL;
		char err[1024];
		const char *p = harness_write_file("bad.conf", bad[i].text);

		if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), -1)) {
			printf("# case %zu loaded\n", i);
			config_free(c);
			continue;
		}
		if (!CHECK(strstr(err, bad[i].want) != NULL))
			printf("# case %zu: got \"%s\", want \"%s\"\n", i, err,
			       bad[i].want);
		CHECK(c == NULL);
	}
}

TEST(config_missing_file)
{
	struct config *c;
	char err[256];

	CHECK_INT(config_load("/nonexistent/smsgw.conf", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "/nonexistent/smsgw.conf: No such file") != NULL);
}

TEST(config_durations)
{
	static const struct {
		const char *s;
		bool ok;
		int64_t ms;
	} v[] = {
		{ "90", true, 90000 },	   { "90s", true, 90000 },
		{ "500ms", true, 500 },	   { "10m", true, 600000 },
		{ "12h", true, 43200000 }, { "8d", true, 691200000 },
		{ "1w", true, 604800000 }, { "", false, 0 },
		{ "-1s", false, 0 },	   { "5y", false, 0 },
		{ "1.5h", false, 0 },	   { "99999999999999999999", false, 0 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t ms = -1;

		CHECK_INT(config_parse_duration(v[i].s, &ms), v[i].ok);
		if (v[i].ok)
			CHECK_INT(ms, v[i].ms);
	}
}
