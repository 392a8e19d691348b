/*
 * config_check — what a valid smsgw.conf value looks like, as a table from
 * option name to check. See include/config_check.h.
 */
#include "config_check.h"
#include "config_pg.h"
#include "driver.h"
#include "log.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

static bool config_check_all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool config_parse_duration(const char *s, int64_t *ms)
{
	static const struct {
		const char *suffix;
		int64_t ms;
	} units[] = {
		{ "", 1000 },	     { "ms", 1 },	  { "s", 1000 },
		{ "m", 60000 },	     { "h", 3600000 },	  { "d", 86400000 },
		{ "w", 604800000 },
	};
	char *end;
	long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || v > 100LL * 365 * 86400)
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suffix) == 0) {
			*ms = v * units[i].ms;
			return true;
		}
	}
	return false;
}

#define SEC 1000LL
#define DAY (86400 * SEC)

/* Every duration option and what it may be: a value outside is a mistake,
 * not a wish. */
static const struct duration_option {
	const char *option;
	int64_t min, max;
	const char *range;
} config_check_durations[] = {
	{ "prompt_timeout", SEC, 600 * SEC, "1s to 10m" },
	{ "send_timeout", 5 * SEC, 3600 * SEC, "5s to 1h" },
	{ "health_interval", SEC, DAY, "1s to 1d" },
	{ "retry_min", SEC, DAY, "1s to 1d" },
	{ "retry_max", SEC, 7 * DAY, "1s to 7d" },
	{ "expire_after", 60 * SEC, 366 * DAY, "1m to 366d" },
	{ "sticky_ttl", 0, 366 * DAY, "0 to 366d" },
	{ "report_window", 60 * SEC, 30 * DAY, "1m to 30d" },
	{ "reassembly_timeout", 10, 7 * DAY, "10ms to 7d" },
	{ "pause_window", SEC, 30 * DAY, "1s to 30d" },
	{ "pause_for", 0, 30 * DAY, "0 to 30d" },
	{ "min_gap", 0, DAY, "0 to 1d" },
	{ "timeout", SEC, DAY, "1s to 1d" },
	{ "prune_interval", SEC, DAY, "1s to 1d" },
	{ "lease", 2 * SEC, 3600 * SEC, "2s to 1h" },
};

static const struct duration_option *
config_check_duration_option(const char *option)
{
	for (size_t i = 0; i < sizeof(config_check_durations) /
				sizeof(config_check_durations[0]); i++)
		if (strcmp(option, config_check_durations[i].option) == 0)
			return &config_check_durations[i];
	return NULL;
}

static const char *config_check_duration(const struct duration_option *d,
					 const char *s)
{
	static char msg[96];
	int64_t ms;

	if (!config_parse_duration(s, &ms))
		return "is not a duration (e.g. 90, 90s, 500ms, 10m, 12h, 8d, 1w)";
	if (ms >= d->min && ms <= d->max)
		return NULL;
	snprintf(msg, sizeof(msg), "'%s' is out of range (%s)", s, d->range);
	return msg;
}

static const char *config_check_e164(const char *s)
{
	return s[0] == '+' && config_check_all_digits(s + 1, 3, 15) &&
		       s[1] != '0'
		       ? NULL
		       : "is not an international number (+ and 3 to 15 digits)";
}

static const char *config_check_country(const char *s)
{
	static char msg[160];

	if (!s[0])
		return NULL;
	if (s[0] == '+' && config_check_all_digits(s + 1, 1, 3)) {
		snprintf(msg, sizeof(msg),
			 "'%s' starts with '+': write the country calling code"
			 " as digits only, e.g. \"%s\"", s, s + 1);
		return msg;
	}
	return config_check_all_digits(s, 1, 3) && s[0] != '0'
		       ? NULL
		       : "is not a country calling code (1 to 3 digits, e.g. 44)";
}

/*
 * A zone name as tzdata spells it: Area/Location words of letters, digits,
 * '_', '-' and '+', no empty, '.' or '..' component, not absolute. Only
 * such a name is looked up under the zoneinfo directory, so the lookup
 * cannot leave it.
 */
static bool config_check_zone_name_ok(const char *s)
{
	size_t len = 0;

	if (!s[0] || strlen(s) > 64 || s[0] == '/')
		return false;
	for (; *s; s++) {
		if (*s == '/') {
			if (len == 0)
				return false;
			len = 0;
			continue;
		}
		if (len == 0 && (*s == '.' || *s == '-'))
			return false;
		if (!isalnum((unsigned char)*s) && !strchr("_-+", *s))
			return false;
		len++;
	}
	return len > 0;
}

const char *config_zoneinfo_dir(void)
{
	const char *d = getenv("TZDIR");

	return d && d[0] == '/' ? d : "/usr/share/zoneinfo";
}

static const char *config_check_timezone(const char *s)
{
	static char why[160];
	char path[512], magic[4];
	struct stat st;
	int fd;
	bool ok;

	snprintf(why, sizeof(why), "'%.40s' is not a time zone in tzdata (e.g."
		 " Europe/Berlin or UTC, as under %s)", s, config_zoneinfo_dir());
	if (!config_check_zone_name_ok(s))
		return why;
	snprintf(path, sizeof(path), "%s/%s", config_zoneinfo_dir(), s);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return why;
	/* A zone file (RFC 8536), not a directory such as "Europe". */
	ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	     read(fd, magic, sizeof(magic)) == sizeof(magic) &&
	     memcmp(magic, "TZif", 4) == 0;
	close(fd);
	return ok ? NULL : why;
}

static const char *config_check_nonempty(const char *s)
{
	return s[0] ? NULL : "must not be empty";
}

static const char *config_check_path(const char *s)
{
	if (!s[0])
		return "must not be empty";
	return strchr(s, '\n') ? "must not contain a line break" : NULL;
}

/* database: a file path (SQLite) or a PostgreSQL URI, parsed by libpq
 * itself so that what passes here is what PQconnectStart() reads. */
static const char *config_check_database(const char *s)
{
	static char msg[200];
	char *why = NULL;
	PQconninfoOption *o;

	if (!config_database_is_pg(s))
		return config_check_path(s);
	o = PQconninfoParse(s, &why);
	if (o) {
		PQconninfoFree(o);
		return NULL;
	}
	snprintf(msg, sizeof(msg), "is not a PostgreSQL URI: %s",
		 why ? strtok(why, "\n") : "out of memory");
	PQfreemem(why);
	return msg;
}

static const char *config_check_level(const char *s)
{
	enum log_level l;

	return log_level_parse(s, &l)
		       ? NULL
		       : "must be error, warning, notice, info or debug";
}

static const char *config_check_driver(const char *s)
{
	static char msg[256];
	const char *const *names = driver_names();
	size_t n;

	if (config_driver_known(s))
		return NULL;
	n = (size_t)snprintf(msg, sizeof(msg), "is not a known driver (auto");
	for (size_t i = 0; names[i] && n < sizeof(msg); i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, ", %s", names[i]);
	if (n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - n, ")");
	return msg;
}

static const char *config_check_keep_link(const char *s)
{
	return !strcmp(s, "auto") || !strcmp(s, "yes") || !strcmp(s, "no")
		       ? NULL : "must be auto, yes or no";
}

static const char *config_check_delivery(const char *s)
{
	return !strcmp(s, "stored") || !strcmp(s, "direct")
		       ? NULL : "must be stored or direct";
}

/* uhubctl's -l LOCATION (bus-port.port…) and -p PORT. */
static const char *config_check_hub_port(const char *s)
{
	const char *colon = strrchr(s, ':');
	const char *msg = "must be LOCATION:PORT as uhubctl lists them, "
			  "e.g. \"1-1.4:3\"";

	if (!colon || colon == s || !colon[1] || colon - s > 60 ||
	    strspn(s, "0123456789.-") != (size_t)(colon - s) ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
	    strlen(colon + 1) > 3)
		return msg;
	return NULL;
}

static const char *config_check_pin(const char *s)
{
	return config_check_all_digits(s, 4, 8) ? NULL
						: "must be 4 to 8 digits";
}

static const char *config_check_imei(const char *s)
{
	return config_check_all_digits(s, 14, 17) ? NULL
						  : "must be 14 to 17 digits";
}

static const char *config_check_iccid(const char *s)
{
	size_t n = strlen(s);

	/* Some modems print the ICCID with a trailing F filler (ITU-T E.118). */
	if (n && (s[n - 1] == 'F' || s[n - 1] == 'f'))
		n--;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return "must be 18 to 22 digits";
	return n >= 18 && n <= 22 ? NULL : "must be 18 to 22 digits";
}

static const char *config_check_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 32)
		return "must be 1 to 32 letters, digits, '-' or '_'";
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return "must be 1 to 32 letters, digits, '-' or '_'";
	return NULL;
}

static const char *config_check_action(const char *s)
{
	enum config_rule_action a;

	return config_rule_action_parse(s, &a)
		       ? NULL
		       : "must be tag, reply, forward or hook";
}

static const char *config_check_regex(const char *s)
{
	static char msg[160];
	pcre2_code *re;
	int code;
	PCRE2_SIZE off;
	PCRE2_UCHAR buf[100];

	re = pcre2_compile((PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED,
			   PCRE2_UTF | PCRE2_CASELESS, &code, &off, NULL);
	if (re) {
		pcre2_code_free(re);
		return NULL;
	}
	pcre2_get_error_message(code, buf, sizeof(buf));
	snprintf(msg, sizeof(msg), "is not a valid regular expression: %s at offset %zu",
		 (char *)buf, (size_t)off);
	return msg;
}

static bool config_check_parse_hhmm(const char *s, int *minutes)
{
	int h, m, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5 || h > 23 ||
	    m > 59 || h < 0 || m < 0)
		return false;
	*minutes = h * 60 + m;
	return true;
}

static const char *config_check_quiet_hours(const char *s)
{
	int a, b;

	if (strlen(s) == 11 && s[5] == '-' && config_check_parse_hhmm(s, &a) &&
	    config_check_parse_hhmm(s + 6, &b) && a != b)
		return NULL;
	return "must be HH:MM-HH:MM in the recipient's local time, e.g. 21:00-08:00";
}

static const char *config_check_init(const char *s)
{
	if (strncasecmp(s, "AT", 2) != 0)
		return "must be an AT command";
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || *s == 0x1a || *s == 0x1b)
			return "must be one line without control characters";
	return NULL;
}

static const char *config_check_keyword(const char *s)
{
	return s[0] && strlen(s) <= 64 ? NULL : "must be 1 to 64 characters";
}

/* retention: "off" (or 0) keeps for ever; anything else at least a
 * minute, so that a typo ("180" meaning days) cannot wipe the history. */
static const char *config_check_retention(const char *s)
{
	static char msg[96];
	int64_t ms;

	if (strcmp(s, "off") == 0 || strcmp(s, "0") == 0)
		return NULL;
	if (!config_parse_duration(s, &ms))
		return "is not a duration (e.g. 180d, 12w) or off";
	if (ms >= 60 * SEC && ms <= 36600 * DAY)
		return NULL;
	snprintf(msg, sizeof(msg), "'%s' is out of range (off, or 1m to 36600d)",
		 s);
	return msg;
}

static const char *config_check_ussd(const char *s)
{
	size_t n = strlen(s);

	if (n > CONFIG_USSD_MAX)
		return "is longer than a USSD code may be (160 characters, "
		       "TS 27.007 +CUSD)";
	return n && strspn(s, "0123456789*#+") == n
		       ? NULL
		       : "is not a USSD code (digits, * and #, e.g. *135#)";
}

static const struct {
	const char *option;
	const char *(*check)(const char *value);
} config_check_values[] = {
	{ "messages", config_check_retention },
	{ "events", config_check_retention },
	{ "inbound", config_check_retention },
	{ "spool", config_check_path },
	{ "database", config_check_database },
	{ "box", config_check_name },
	{ "at_trace", config_check_path },
	{ "default_country", config_check_country },
	{ "log_level", config_check_level },
	{ "timezone", config_check_timezone },
	{ "quiet_hours", config_check_quiet_hours },
	{ "device", config_check_path },
	{ "driver", config_check_driver },
	{ "keep_link", config_check_keep_link },
	{ "delivery", config_check_delivery },
	{ "hub_port", config_check_hub_port },
	{ "pin", config_check_pin },
	{ "imei", config_check_imei },
	{ "smsc", config_check_e164 },
	{ "number", config_check_e164 },
	{ "forward", config_check_e164 },
	{ "iccid", config_check_iccid },
	{ "number_ussd", config_check_ussd },
	{ "pool", config_check_name },
	{ "action", config_check_action },
	{ "match", config_check_regex },
	{ "init", config_check_init },
	{ "optout_keywords", config_check_keyword },
	{ "optin_keywords", config_check_keyword },
	{ "help_keywords", config_check_keyword },
	{ "reply", config_check_nonempty },
	{ "hook", config_check_nonempty },
	{ "on_received", config_check_nonempty },
	{ "on_sent", config_check_nonempty },
	{ "on_failed", config_check_nonempty },
	{ "on_delivered", config_check_nonempty },
	{ "on_rejected", config_check_nonempty },
	{ "on_modem", config_check_nonempty },
};

const char *config_check_value(const char *option, const char *value)
{
	const struct duration_option *d = config_check_duration_option(option);

	if (!value)
		return NULL;
	if (d)
		return config_check_duration(d, value);
	for (size_t i = 0; i < sizeof(config_check_values) /
				sizeof(config_check_values[0]); i++)
		if (strcmp(option, config_check_values[i].option) == 0)
			return config_check_values[i].check(value);
	return NULL;
}

const char *config_check_int(const char *option, long v)
{
	static const long rates[] = { 1200,   2400,   4800,   9600,   19200,
				      38400,  57600,  115200, 230400, 460800,
				      921600, 3000000 };

	if (strcmp(option, "baudrate") == 0) {
		for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
			if (v == rates[i])
				return NULL;
		return "is not a standard rate (e.g. 9600, 115200, 921600)";
	}
	if (strcmp(option, "daily_limit") == 0 ||
	    strcmp(option, "monthly_limit") == 0)
		return v >= 0 && v <= 10000000 ? NULL
					       : "is out of range (0 to 10000000; 0: no limit)";
	if (strcmp(option, "max_attempts") == 0)
		return v >= 1 && v <= 100 ? NULL : "is out of range (1 to 100)";
	if (strcmp(option, "max_file_size") == 0)
		return v >= 1024 && v <= (1L << 30)
			       ? NULL
			       : "is out of range (1024 to 1073741824 bytes)";
	if (strcmp(option, "pause_after_errors") == 0)
		return v >= 0 && v <= 1000 ? NULL
					   : "is out of range (0 to 1000; 0: never pause)";
	if (strcmp(option, "max_parts") == 0)
		return v >= 1 && v <= 255 ? NULL : "is out of range (1 to 255)";
	return NULL;
}

static const char *const config_check_rule_actions[] = {
	[CONFIG_RULE_TAG] = "tag", [CONFIG_RULE_REPLY] = "reply",
	[CONFIG_RULE_FORWARD] = "forward", [CONFIG_RULE_HOOK] = "hook",
};

const char *config_rule_action_name(enum config_rule_action a)
{
	return config_check_rule_actions[a];
}

bool config_rule_action_parse(const char *s, enum config_rule_action *out)
{
	for (size_t i = 0; i < sizeof(config_check_rule_actions) /
				sizeof(config_check_rule_actions[0]); i++) {
		if (strcmp(s, config_check_rule_actions[i]) == 0) {
			*out = (enum config_rule_action)i;
			return true;
		}
	}
	return false;
}

bool config_driver_known(const char *name)
{
	return strcmp(name, "auto") == 0 || driver_find(name) != NULL;
}

int config_check_modem_section(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *m = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);

	if (!cfg_getstr(m, "device")) {
		cfg_error(cfg, "modem \"%s\": device is required", cfg_title(m));
		return -1;
	}
	return 0;
}

int config_check_rule_section(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *r = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	enum config_rule_action a = CONFIG_RULE_TAG;
	const char *title = cfg_title(r);

	config_rule_action_parse(cfg_getstr(r, "action"), &a);
	if (!cfg_getstr(r, "match")) {
		cfg_error(cfg, "rule \"%s\": match is required", title);
		return -1;
	}
	if (config_check_name(title)) {
		cfg_error(cfg, "rule \"%s\": the name %s", title,
			  config_check_name(title));
		return -1;
	}
	if ((a == CONFIG_RULE_REPLY && !cfg_getstr(r, "reply")) ||
	    (a == CONFIG_RULE_FORWARD && !cfg_getstr(r, "forward")) ||
	    (a == CONFIG_RULE_HOOK && !cfg_getstr(r, "hook"))) {
		cfg_error(cfg, "rule \"%s\": action %s needs the option %s",
			  title, cfg_getstr(r, "action"), cfg_getstr(r, "action"));
		return -1;
	}
	return 0;
}

/* Two modem sections on one device would fight over the port. */
int config_check_whole(cfg_t *cfg, char *err, size_t errsize,
		       const char *path)
{
	unsigned n = cfg_size(cfg, "modem");

	for (unsigned i = 0; i < n; i++) {
		cfg_t *a = cfg_getnsec(cfg, "modem", i);

		for (unsigned j = i + 1; j < n; j++) {
			cfg_t *b = cfg_getnsec(cfg, "modem", j);

			if (strcmp(cfg_getstr(a, "device"),
				   cfg_getstr(b, "device")) == 0) {
				snprintf(err, errsize,
					 "%s: modem \"%s\" and modem \"%s\": both use device %s",
					 path, cfg_title(a), cfg_title(b),
					 cfg_getstr(a, "device"));
				return -1;
			}
		}
	}
	return 0;
}
