/*
 * config — libconfuse option tables, value checks and conversion into the
 * structs of include/config.h.
 *
 * Checks run as libconfuse parses (validate callbacks), so the error carries
 * the line where the value stands. Checks that need a whole section run when
 * the section closes and name the section.
 */
#include "config.h"
#include "config_check.h"
#include "config_text.h"

#include <confuse.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where the error function writes while config_load() runs. */
static struct {
	char *buf;
	size_t size, used;
	const char *path;
	int first_line;		/* of the first error, 0 before it */
} config_err;

static void config_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];
	int n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cfg && !config_err.first_line)
		config_err.first_line = cfg->line;
	if (!config_err.buf || config_err.used + 1 >= config_err.size)
		return;
	n = snprintf(config_err.buf + config_err.used,
		     config_err.size - config_err.used, "%s%s:%d: %s",
		     config_err.used ? "\n" : "", config_err.path,
		     cfg ? cfg->line : 0, msg);
	if (n > 0)
		config_err.used += (size_t)n;
	if (config_err.used >= config_err.size)
		config_err.used = config_err.size - 1;
}

/* "modem "m1": " for options inside a titled section. */
static const char *config_where(cfg_t *cfg, char *buf, size_t size)
{
	if (cfg && cfg_title(cfg))
		snprintf(buf, size, "%s \"%s\": ", cfg_name(cfg), cfg_title(cfg));
	else
		buf[0] = '\0';
	return buf;
}

static int config_value_error(cfg_t *cfg, cfg_opt_t *opt, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int config_value_error(cfg_t *cfg, cfg_opt_t *opt, const char *fmt, ...)
{
	char w[128], msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_error(cfg, "%s%s: %s", config_where(cfg, w, sizeof(w)),
		  cfg_opt_name(opt), msg);
	return -1;
}

/* ---- per-value checks, called by libconfuse after each value is parsed ---- */

static int config_opt_check_string(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned n = cfg_opt_size(opt);
	const char *why;

	/* Lists are checked item by item; scalars have one value. */
	for (unsigned i = 0; i < n; i++) {
		why = config_check_value(cfg_opt_name(opt),
					 cfg_opt_getnstr(opt, i));
		if (why)
			return config_value_error(cfg, opt, "%s", why);
	}
	return 0;
}

static int config_opt_check_int(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, cfg_opt_size(opt) - 1);
	const char *why = config_check_int(cfg_opt_name(opt), v);

	if (why)
		return config_value_error(cfg, opt, "%ld %s", v, why);
	return 0;
}

#define STR(name, def) CFG_STR(name, def, CFGF_NONE)
#define STRN(name) CFG_STR(name, NULL, CFGF_NODEFAULT)

static cfg_opt_t config_sim_opts[] = {
	STRN("number"),
	STRN("number_ussd"),
	STRN("iccid"),
	STR("pool", "default"),
	CFG_INT("daily_limit", 0, CFGF_NONE),
	CFG_INT("monthly_limit", 0, CFGF_NONE),
	STR("min_gap", "0"),
	CFG_BOOL("send", cfg_true, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t config_modem_opts[] = {
	STRN("device"),
	STR("driver", "auto"),
	CFG_INT("baudrate", 115200, CFGF_NONE),
	STRN("pin"),
	STRN("imei"),
	STRN("smsc"),
	CFG_STR_LIST("init", "{}", CFGF_NONE),
	CFG_BOOL("receive", cfg_true, CFGF_NONE),
	STR("health_interval", "30s"),
	STR("keep_link", "auto"),
	STR("delivery", "stored"),
	STRN("hub_port"),
	CFG_SEC("sim", config_sim_opts,
		CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

static cfg_opt_t config_rule_opts[] = {
	STRN("match"),
	STR("action", "tag"),
	STRN("reply"),
	STRN("forward"),
	STRN("hook"),
	CFG_END()
};

static cfg_opt_t config_hooks_opts[] = {
	STRN("on_received"),
	STRN("on_sent"),
	STRN("on_failed"),
	STRN("on_delivered"),
	STRN("on_rejected"),
	STRN("on_modem"),
	STR("timeout", "30s"),
	CFG_END()
};

/* retention: how long finished rows are kept; "off" keeps them for ever. */
static cfg_opt_t config_retention_opts[] = {
	STR("messages", "off"),
	STR("events", "off"),
	STR("inbound", "off"),
	STR("prune_interval", "1h"),
	CFG_END()
};

static cfg_opt_t config_root_opts[] = {
	STR("spool", "/var/spool/smsgw"),
	STR("database", "/var/lib/smsgw/smsgw.db"),
	STRN("box"),
	STR("lease", "60s"),
	STR("default_country", ""),
	STR("trunk_prefix", "0"),
	STRN("timezone"),
	STR("log_level", "notice"),
	STRN("at_trace"),
	CFG_BOOL("trace_full", cfg_false, CFGF_NONE),
	CFG_BOOL("resend_unknown_direct", cfg_true, CFGF_NONE),
	CFG_BOOL("resend_unknown_bulk", cfg_false, CFGF_NONE),
	CFG_INT("max_attempts", 5, CFGF_NONE),
	STR("retry_min", "30s"),
	STR("retry_max", "30m"),
	STR("prompt_timeout", "10s"),
	STR("send_timeout", "90s"),
	STR("expire_after", "3d"),
	STR("sticky_ttl", "8d"),
	STR("report_window", "3d"),
	CFG_BOOL("report", cfg_false, CFGF_NONE),
	STRN("quiet_hours"),
	CFG_INT("max_file_size", 64 << 20, CFGF_NONE),
	CFG_INT("max_parts", 10, CFGF_NONE),
	CFG_INT("pause_after_errors", 3, CFGF_NONE),
	STR("pause_window", "10m"),
	STR("pause_for", "6h"),
	CFG_STR_LIST("optout_keywords",
		     "{STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, "
		     "OPTOUT, \"OPT OUT\", \"OPT-OUT\"}",
		     CFGF_NONE),
	CFG_STR_LIST("optin_keywords", "{START, UNSTOP, YES}", CFGF_NONE),
	CFG_STR_LIST("help_keywords", "{HELP, INFO}", CFGF_NONE),
	STR("optout_reply", "You are unsubscribed and will get no more "
			    "messages. Reply START to subscribe again."),
	STR("optin_reply", "You are subscribed again. Reply STOP to "
			   "unsubscribe."),
	STR("help_reply", "Reply STOP to unsubscribe, START to subscribe "
			  "again."),
	STR("reassembly_timeout", "10m"),
	/* smstools3 and Gammu SMSD compatibility (README "Coming from") */
	CFG_BOOL("strict_headers", cfg_false, CFGF_NONE),
	STRN("eventhandler"),
	STRN("incoming"),
	STRN("sent"),
	STRN("failed"),
	STRN("runonreceive"),
	CFG_SEC("rule", config_rule_opts,
		CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("hooks", config_hooks_opts, CFGF_NONE),
	CFG_SEC("retention", config_retention_opts, CFGF_NONE),
	CFG_SEC("modem", config_modem_opts,
		CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("http", config_http_opts, CFGF_NONE),
	CFG_SEC("webhook", config_webhook_opts,
		CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

static void config_install_checks(cfg_t *cfg)
{
	static const struct {
		const char *prefix;
		cfg_opt_t *opts;
	} sections[] = {
		{ "", config_root_opts },
		{ "modem|", config_modem_opts },
		{ "modem|sim|", config_sim_opts },
		{ "rule|", config_rule_opts },
		{ "hooks|", config_hooks_opts },
		{ "retention|", config_retention_opts },
	};

	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		for (cfg_opt_t *o = sections[i].opts; o->name; o++) {
			char path[64];
			cfg_validate_callback_t cb = NULL;

			if (o->type == CFGT_STR)
				cb = config_opt_check_string;
			else if (o->type == CFGT_INT)
				cb = config_opt_check_int;
			if (!cb)
				continue;
			snprintf(path, sizeof(path), "%s%s", sections[i].prefix,
				 o->name);
			cfg_set_validate_func(cfg, path, cb);
		}
	}
	cfg_set_validate_func(cfg, "modem", config_check_modem_section);
	cfg_set_validate_func(cfg, "rule", config_check_rule_section);
	cfg_set_validate_func(cfg, "http", config_http_check_section);
	cfg_set_validate_func(cfg, "webhook", config_webhook_check_section);
}

/* ---- conversion into plain structs ---- */

static char *config_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int64_t config_duration(cfg_t *cfg, const char *name)
{
	int64_t ms = 0;

	/* Already checked while parsing; defaults are valid too. */
	config_parse_duration(cfg_getstr(cfg, name), &ms);
	return ms;
}

static char **config_dup_list(cfg_t *cfg, const char *name, size_t *n)
{
	char **v;

	*n = cfg_size(cfg, name);
	v = calloc(*n + 1, sizeof(*v));
	for (size_t i = 0; v && i < *n; i++)
		v[i] = strdup(cfg_getnstr(cfg, name, (unsigned)i));
	return v;
}

static void config_free_list(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void config_convert_sim(cfg_t *s, const char *title,
			       struct config_sim *out)
{
	out->name = strdup(title);
	out->number = config_dup(s ? cfg_getstr(s, "number") : NULL);
	out->iccid = config_dup(s ? cfg_getstr(s, "iccid") : NULL);
	out->number_ussd = config_dup(s ? cfg_getstr(s, "number_ussd")
					 : NULL);
	out->pool = strdup(s ? cfg_getstr(s, "pool") : "default");
	out->daily_limit = s ? (int)cfg_getint(s, "daily_limit") : 0;
	out->monthly_limit = s ? (int)cfg_getint(s, "monthly_limit") : 0;
	out->min_gap_ms = s ? config_duration(s, "min_gap") : 0;
	out->send = s ? cfg_getbool(s, "send") : true;
}

static void config_convert_modem(cfg_t *m, struct config_modem *out)
{
	size_t nsims = cfg_size(m, "sim");

	out->name = strdup(cfg_title(m));
	out->device = strdup(cfg_getstr(m, "device"));
	out->driver = strdup(cfg_getstr(m, "driver"));
	out->baudrate = (int)cfg_getint(m, "baudrate");
	out->pin = config_dup(cfg_getstr(m, "pin"));
	out->imei = config_dup(cfg_getstr(m, "imei"));
	out->smsc = config_dup(cfg_getstr(m, "smsc"));
	out->init = config_dup_list(m, "init", &out->ninit);
	out->receive = cfg_getbool(m, "receive");
	out->health_interval_ms = config_duration(m, "health_interval");
	out->hub_port = config_dup(cfg_getstr(m, "hub_port"));
	out->keep_link = !strcmp(cfg_getstr(m, "keep_link"), "yes")
				 ? CONFIG_KEEP_LINK_YES
			 : !strcmp(cfg_getstr(m, "keep_link"), "no")
				 ? CONFIG_KEEP_LINK_NO
				 : CONFIG_KEEP_LINK_AUTO;
	out->delivery = !strcmp(cfg_getstr(m, "delivery"), "direct")
				? CONFIG_DELIVERY_DIRECT
				: CONFIG_DELIVERY_STORED;
	/* A modem without sim sections has one SIM, slot "1". */
	out->nsims = nsims ? nsims : 1;
	out->sims = calloc(out->nsims, sizeof(*out->sims));
	if (!nsims) {
		config_convert_sim(NULL, "1", &out->sims[0]);
		return;
	}
	for (size_t i = 0; i < nsims; i++) {
		cfg_t *s = cfg_getnsec(m, "sim", (unsigned)i);

		config_convert_sim(s, cfg_title(s), &out->sims[i]);
	}
}

static void config_convert_rule(cfg_t *r, struct config_rule *out)
{
	out->name = strdup(cfg_title(r));
	out->match = strdup(cfg_getstr(r, "match"));
	config_rule_action_parse(cfg_getstr(r, "action"), &out->action);
	out->reply = config_dup(cfg_getstr(r, "reply"));
	out->forward = config_dup(cfg_getstr(r, "forward"));
	out->hook = config_dup(cfg_getstr(r, "hook"));
}

static void config_convert_hooks(cfg_t *h, struct config_hooks *out)
{
	out->on_received = config_dup(h ? cfg_getstr(h, "on_received") : NULL);
	out->on_sent = config_dup(h ? cfg_getstr(h, "on_sent") : NULL);
	out->on_failed = config_dup(h ? cfg_getstr(h, "on_failed") : NULL);
	out->on_delivered = config_dup(h ? cfg_getstr(h, "on_delivered")
					 : NULL);
	out->on_rejected = config_dup(h ? cfg_getstr(h, "on_rejected") : NULL);
	out->on_modem = config_dup(h ? cfg_getstr(h, "on_modem") : NULL);
	out->timeout_ms = h ? config_duration(h, "timeout") : 30000;
}

static int64_t config_retention(cfg_t *r, const char *name)
{
	const char *v = r ? cfg_getstr(r, name) : "off";
	int64_t ms = 0;

	if (strcmp(v, "off") == 0 || !config_parse_duration(v, &ms))
		return 0;
	return ms;
}

static void config_convert_retention(cfg_t *r, struct config_retention *out)
{
	out->messages_ms = config_retention(r, "messages");
	out->events_ms = config_retention(r, "events");
	out->inbound_ms = config_retention(r, "inbound");
	out->interval_ms = r ? config_duration(r, "prune_interval")
			     : 3600 * 1000LL;
}

static void config_convert_outbound(cfg_t *cfg, struct config *c)
{
	c->resend_unknown_direct = cfg_getbool(cfg, "resend_unknown_direct");
	c->resend_unknown_bulk = cfg_getbool(cfg, "resend_unknown_bulk");
	c->max_attempts = (int)cfg_getint(cfg, "max_attempts");
	c->retry_min_ms = config_duration(cfg, "retry_min");
	c->retry_max_ms = config_duration(cfg, "retry_max");
	c->prompt_timeout_ms = config_duration(cfg, "prompt_timeout");
	c->send_timeout_ms = config_duration(cfg, "send_timeout");
	c->expire_after_ms = config_duration(cfg, "expire_after");
	c->sticky_ttl_ms = config_duration(cfg, "sticky_ttl");
	c->report_window_ms = config_duration(cfg, "report_window");
	c->report_default = cfg_getbool(cfg, "report");
	c->quiet_hours = config_dup(cfg_getstr(cfg, "quiet_hours"));
	c->max_file_bytes = (int)cfg_getint(cfg, "max_file_size");
	c->max_parts = (int)cfg_getint(cfg, "max_parts");
	c->pause_after_errors = (int)cfg_getint(cfg, "pause_after_errors");
	c->pause_window_ms = config_duration(cfg, "pause_window");
	c->pause_for_ms = config_duration(cfg, "pause_for");
}

static void config_convert_inbound(cfg_t *cfg, struct config *c)
{
	c->optout_keywords = config_dup_list(cfg, "optout_keywords",
				      &c->noptout_keywords);
	c->optin_keywords = config_dup_list(cfg, "optin_keywords",
					    &c->noptin_keywords);
	c->help_keywords = config_dup_list(cfg, "help_keywords",
					   &c->nhelp_keywords);
	c->optout_reply = config_dup(cfg_getstr(cfg, "optout_reply"));
	c->optin_reply = config_dup(cfg_getstr(cfg, "optin_reply"));
	c->help_reply = config_dup(cfg_getstr(cfg, "help_reply"));
	c->reassembly_timeout_ms = config_duration(cfg, "reassembly_timeout");
	c->nrules = cfg_size(cfg, "rule");
	c->rules = calloc(c->nrules + 1, sizeof(*c->rules));
	for (size_t i = 0; i < c->nrules; i++)
		config_convert_rule(cfg_getnsec(cfg, "rule", (unsigned)i),
				    &c->rules[i]);
	config_convert_hooks(cfg_size(cfg, "hooks") ? cfg_getsec(cfg, "hooks")
						    : NULL, &c->hooks);
}

static struct config *config_convert(cfg_t *cfg, const char *path)
{
	struct config *c = calloc(1, sizeof(*c));
	const char *cc;

	if (!c)
		return NULL;
	c->path = strdup(path);
	c->spool = strdup(cfg_getstr(cfg, "spool"));
	c->database = strdup(cfg_getstr(cfg, "database"));
	c->box = config_dup(cfg_getstr(cfg, "box"));
	c->lease_ms = config_duration(cfg, "lease");
	cc = cfg_getstr(cfg, "default_country");
	c->default_country = strdup(cc[0] == '+' ? cc + 1 : cc);
	c->trunk_prefix = strdup(cfg_getstr(cfg, "trunk_prefix"));
	c->timezone = config_dup(cfg_getstr(cfg, "timezone"));
	c->log_level = strdup(cfg_getstr(cfg, "log_level"));
	c->at_trace = config_dup(cfg_getstr(cfg, "at_trace"));
	c->trace_full = cfg_getbool(cfg, "trace_full");
	config_convert_retention(cfg_size(cfg, "retention")
				 ? cfg_getsec(cfg, "retention") : NULL,
				 &c->retention);
	c->strict_headers = cfg_getbool(cfg, "strict_headers");
	c->eventhandler = config_dup(cfg_getstr(cfg, "eventhandler"));
	c->eh_incoming = config_dup(cfg_getstr(cfg, "incoming"));
	c->eh_sent = config_dup(cfg_getstr(cfg, "sent"));
	c->eh_failed = config_dup(cfg_getstr(cfg, "failed"));
	c->runonreceive = config_dup(cfg_getstr(cfg, "runonreceive"));
	config_convert_outbound(cfg, c);
	config_convert_inbound(cfg, c);
	c->nmodems = cfg_size(cfg, "modem");
	c->modems = calloc(c->nmodems + 1, sizeof(*c->modems));
	for (size_t i = 0; i < c->nmodems; i++)
		config_convert_modem(cfg_getnsec(cfg, "modem", (unsigned)i),
			      &c->modems[i]);
	if (!config_http_convert(cfg, &c->http, &c->webhooks, &c->nwebhooks)) {
		config_free(c);
		return NULL;
	}
	return c;
}

/* A string that runs over a line break before the line libconfuse
 * stumbled on is most likely a missing closing quote: say where it opens. */
static void config_note_open_quote(const struct config_text *t,
				   const char *path, char *err,
				   size_t errsize)
{
	size_t used = strlen(err);

	if (!t->multiline_quote_line || !config_err.first_line ||
	    t->multiline_quote_line >= config_err.first_line)
		return;
	snprintf(err + used, errsize - used,
		 "\n%s:%d: the quote opened on this line is not closed on it"
		 " (a missing '\"'?)", path, t->multiline_quote_line);
}

static int config_parse_text(const char *path, struct config_text *text,
			     struct config **out, char *err, size_t errsize)
{
	cfg_t *cfg;
	int rc;

	cfg = cfg_init(config_root_opts, CFGF_NONE);
	if (!cfg) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	config_err.buf = err;
	config_err.size = errsize;
	config_err.used = 0;
	config_err.path = path;
	config_err.first_line = 0;
	cfg_set_error_function(cfg, config_errfunc);
	config_install_checks(cfg);
	/* The blanked text: libconfuse's line numbers are then right
	 * (include/config_text.h). */
	rc = cfg_parse_buf(cfg, text->text);
	if (rc == CFG_SUCCESS && config_check_whole(cfg, err, errsize, path) < 0)
		rc = CFG_PARSE_ERROR;
	if (rc == CFG_SUCCESS)
		*out = config_convert(cfg, path);
	else if (!err[0])
		snprintf(err, errsize, "%s: cannot be parsed", path);
	else
		config_note_open_quote(text, path, err, errsize);
	config_err.buf = NULL;
	cfg_free(cfg);
	if (rc == CFG_SUCCESS && !*out) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	return rc == CFG_SUCCESS ? 0 : -1;
}

int config_load(const char *path, struct config **out, char *err,
		size_t errsize)
{
	struct config_text text;
	int rc;

	*out = NULL;
	err[0] = '\0';
	if (config_text_read(path, &text, err, errsize) < 0)
		return -1;
	rc = config_parse_text(path, &text, out, err, errsize);
	config_text_free(&text);
	return rc;
}

int config_load_defaults(const char *path, struct config **out)
{
	struct config_text text;
	char err[256];
	int rc;

	*out = NULL;
	if (config_text_prepare(path, "", 0, &text, err, sizeof(err)) < 0)
		return -1;
	rc = config_parse_text(path, &text, out, err, sizeof(err));
	config_text_free(&text);
	return rc;
}

static void config_free_modem(struct config_modem *m)
{
	free(m->name);
	free(m->device);
	free(m->driver);
	free(m->hub_port);
	free(m->pin);
	free(m->imei);
	free(m->smsc);
	config_free_list(m->init, m->ninit);
	for (size_t i = 0; i < m->nsims; i++) {
		free(m->sims[i].name);
		free(m->sims[i].number);
		free(m->sims[i].iccid);
		free(m->sims[i].number_ussd);
		free(m->sims[i].pool);
	}
	free(m->sims);
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nmodems; i++)
		config_free_modem(&c->modems[i]);
	free(c->modems);
	for (size_t i = 0; i < c->nrules; i++) {
		free(c->rules[i].name);
		free(c->rules[i].match);
		free(c->rules[i].reply);
		free(c->rules[i].forward);
		free(c->rules[i].hook);
	}
	free(c->rules);
	free(c->hooks.on_received);
	free(c->hooks.on_sent);
	free(c->hooks.on_failed);
	free(c->hooks.on_delivered);
	free(c->hooks.on_rejected);
	free(c->hooks.on_modem);
	config_free_list(c->optout_keywords, c->noptout_keywords);
	config_free_list(c->optin_keywords, c->noptin_keywords);
	config_free_list(c->help_keywords, c->nhelp_keywords);
	free(c->optout_reply);
	free(c->optin_reply);
	free(c->help_reply);
	free(c->quiet_hours);
	free(c->path);
	free(c->spool);
	free(c->database);
	free(c->box);
	free(c->default_country);
	free(c->trunk_prefix);
	free(c->timezone);
	free(c->log_level);
	free(c->at_trace);
	free(c->eventhandler);
	free(c->eh_incoming);
	free(c->eh_sent);
	free(c->eh_failed);
	free(c->runonreceive);
	config_http_free(&c->http, c->webhooks, c->nwebhooks);
	free(c);
}

size_t config_pools(const struct config *cfg, const char **out, size_t max)
{
	size_t n = 0;

	if (max)
		out[n++] = "default";
	for (size_t i = 0; i < cfg->nmodems; i++) {
		for (size_t j = 0; j < cfg->modems[i].nsims; j++) {
			const char *p = cfg->modems[i].sims[j].pool;
			size_t k;

			for (k = 0; k < n && strcmp(out[k], p) != 0; k++)
				;
			if (k == n && n < max)
				out[n++] = p;
		}
	}
	return n;
}
