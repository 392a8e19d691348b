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
		"modem \"m2\" { device = \"/dev/ttyUSB7\"\n"
		"    delivery = \"direct\" }\n");
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
	/* delivery: stored unless asked. */
	CHECK_INT(c->modems[0].delivery, CONFIG_DELIVERY_STORED);
	CHECK_INT(c->modems[1].delivery, CONFIG_DELIVERY_DIRECT);
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
	/* A USSD string holds 160 characters (TS 27.007 +CUSD). */
	{ "modem \"m\" {\n device = \"/d\"\n sim \"1\" {\n  number_ussd = \"*100*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*2#\"\n }\n}\n",
	  "bad.conf:4: sim \"1\": number_ussd: is longer than a USSD code may be (160 characters" },
	{ "modem \"m\" {\n device = \"/d\"\n sim \"1\" { number_ussd = \"balance\" }\n}\n",
	  "number_ussd: is not a USSD code" },
	{ "modem \"m\" {\n device = \"/d\"\n delivery = cmt\n}\n",
	  "bad.conf:3: modem \"m\": delivery: must be stored or direct" },
};

TEST(config_number_ussd_takes_160_characters)
{
	struct config *c = NULL;
	char err[1024];
	const char *p = harness_write_file("ok.conf",
		"modem \"m\" {\n device = \"/d\"\n sim \"1\" {\n"
		"  number_ussd = \"*100*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*1*#\"\n }\n}\n");

	if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), 0)) {
		printf("# %s\n", err);
		return;
	}
	CHECK_INT((int)strlen(c->modems[0].sims[0].number_ussd),
		  CONFIG_USSD_MAX);
	config_free(c);
}

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

/* Each mistake behind comment lines of every kind libconfuse knows: the
 * error names the line the mistake is on (libconfuse 3.3 alone counts a
 * comment line as three). */
static const struct {
	const char *text;
	const char *want;
} behind_comments[] = {
	{ "# one\n# two\n# three\nbogus = 1\n", "bad.conf:4: no such option 'bogus'" },
	{ "// one\n/* two\n   three */\n\nbogus = 1\n",
	  "bad.conf:5: no such option 'bogus'" },
	{ "# a\nmodem \"m\" {\n  # b\n  device = \"/d\"  # c\n  # d\n"
	  "  baudrate = 1234\n}\n",
	  "bad.conf:6: modem \"m\": baudrate: 1234 is not a standard rate" },
	{ "# a\nspool = \"/x\"\n# b\ndatabase = \"/y\n# c\n\n",
	  "bad.conf:4: premature end of file: the quote opened on this line" },
	/* The open quote takes the next line's first quote as its end; the
	 * error still names the line where it opens. */
	{ "# a\nspool = \"/x\"\n# b\ndatabase = \"/y\n# c\nlog_level = \"info\"\n",
	  "bad.conf:4: premature end of file: the quote opened on this line" },
	{ "# a\nmodem \"m\" {\n  # b\n  device = \"/d\"\n  # c\n",
	  "bad.conf:2: premature end of file: the '{' on this line has no matching '}'" },
	{ "# a\nmodem \"a\" {\n  device = \"/a\"\n# b\nmodem \"b\" {\n"
	  "  device = \"/b\"\n}\n",
	  "bad.conf:2: premature end of file: the '{' on this line" },
	{ "# a\n/* never closed\n\nspool = \"/x\"\n",
	  "bad.conf:2: premature end of file: the comment opened on this line" },
	{ "# '#' and '//' inside strings are text\nspool = \"/x#1//y\"\n"
	  "# c\nmax_attempts = 0\n",
	  "bad.conf:4: max_attempts: 0 is out of range" },
	{ "# zone\n\ntimezone = \"Berlin\"\n",
	  "bad.conf:3: timezone: 'Berlin' is not a time zone in tzdata" },
	{ "timezone = \"../../../../etc/passwd\"\n", "timezone: '../../../../etc/passwd'"
	  " is not a time zone" },
	{ "timezone = \"Europe\"\n", "timezone: 'Europe' is not a time zone" },
	{ "# country\ndefault_country = \"+49\"\n",
	  "bad.conf:2: default_country: '+49' starts with '+': write the country"
	  " calling code as digits only, e.g. \"49\"" },
	{ "default_country = \"4x\"\n", "default_country: is not a country calling code" },
};

TEST(config_errors_on_the_right_line_behind_comments)
{
	for (size_t i = 0; i < sizeof(behind_comments) / sizeof(behind_comments[0]);
	     i++) {
		struct config *c = NULL;
		char err[1024];
		const char *p = harness_write_file("bad.conf", behind_comments[i].text);

		if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), -1)) {
			printf("# case %zu loaded\n", i);
			config_free(c);
			continue;
		}
		if (!CHECK(strstr(err, behind_comments[i].want) != NULL))
			printf("# case %zu: got \"%s\", want \"%s\"\n", i, err,
			       behind_comments[i].want);
	}
}

TEST(config_comments_and_strings_keep_their_text)
{
	struct config *c;
	char err[1024];
	const char *p = harness_write_file("ok.conf",
		"# top\n"
		"spool = \"/var/spool/sms#gw\"   # trailing\n"
		"database = '/tmp/it\\'s #1.db'\n"
		"// slashes\n"
		"/* block\n   comment { } \" */\n"
		"timezone = \"Europe/Berlin\"\n"
		"default_country = \"49\"\n"
		"modem \"m1\" { device = /dev/ttyUSB0 }  # unquoted device\n"
		"modem \"m2\" { device = \"/dev//x\" }\n");

	if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), 0)) {
		printf("# %s\n", err);
		return;
	}
	CHECK_STR(c->spool, "/var/spool/sms#gw");
	CHECK_STR(c->database, "/tmp/it's #1.db");
	CHECK_STR(c->timezone, "Europe/Berlin");
	CHECK_STR(c->default_country, "49");
	CHECK_STR(c->modems[0].device, "/dev/ttyUSB0");
	CHECK_STR(c->modems[1].device, "/dev//x");
	config_free(c);
}

/* The shipped annotated file, copied with one mistake injected: the error
 * names the line of the mistake in the copy. */
static char *shipped_with(const char *find, const char *replace, int *line)
{
	FILE *f = fopen("conf/smsgw.conf", "r");
	static char text[65536];
	char *hit, *out;
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	hit = strstr(text, find);
	if (!hit)
		return NULL;
	*line = 1;
	for (const char *q = text; q < hit; q++)
		*line += *q == '\n';
	out = malloc(n + strlen(replace) + 1);
	memcpy(out, text, (size_t)(hit - text));
	strcpy(out + (hit - text), replace);
	strcat(out, hit + strlen(find));
	return out;
}

TEST(config_shipped_file_errors_on_the_right_line)
{
	static const struct {
		const char *find, *replace, *want;
		int line_offset;	/* the error's line from the hit's */
	} cases[] = {
		{ "log_level = \"notice\"", "log_levle = \"notice\"",
		  "no such option 'log_levle'", 0 },
		{ "daily_limit   = 0", "daily_limit   = -1",
		  "daily_limit: -1 is out of range", 0 },
		{ "log_level = \"notice\"", "log_level = \"notice",
		  "premature end of file: the quote opened on this line", 0 },
		{ "send_timeout", "bogus_option = 1\nsend_timeout",
		  "no such option 'bogus_option'", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = NULL;
		char err[1024], want[256];
		int line = 0;
		char *text = shipped_with(cases[i].find, cases[i].replace, &line);
		const char *p;

		if (!CHECK(text != NULL))
			continue;
		p = harness_write_file("smsgw.conf", text);
		free(text);
		snprintf(want, sizeof(want), "smsgw.conf:%d: ",
			 line + cases[i].line_offset);
		if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), -1)) {
			config_free(c);
			continue;
		}
		if (!CHECK(strstr(err, want) && strstr(err, cases[i].want)))
			printf("# case %zu: got \"%s\", want \"%s%s\"\n", i, err,
			       want, cases[i].want);
	}
}

TEST(config_shipped_file_missing_brace_names_its_section)
{
	FILE *f = fopen("conf/smsgw.conf", "r");
	char text[65536], err[1024], want[64];
	struct config *c = NULL;
	const char *p;
	char *last, *m;
	int line = 1;
	size_t n;

	if (!CHECK(f != NULL))
		return;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* The file's last '}' closes its modem section. */
	last = strrchr(text, '}');
	if (!CHECK(last != NULL))
		return;
	*last = ' ';
	m = strstr(text, "\nmodem \"");
	if (!CHECK(m != NULL))
		return;
	for (const char *q = text; q <= m; q++)
		line += *q == '\n';
	p = harness_write_file("smsgw.conf", text);
	snprintf(want, sizeof(want), "smsgw.conf:%d: premature end of file", line);
	if (!CHECK_INT(config_load(p, &c, err, sizeof(err)), -1)) {
		config_free(c);
		return;
	}
	if (!CHECK(strstr(err, want) != NULL))
		printf("# got \"%s\", want \"%s\"\n", err, want);
}
