/* config_http — the http and webhook sections; see config_http.h. */
#include "config_http.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const config_webhook_event_names[] = {
	"received", "sent", "delivered", "failed", "optout", NULL,
};

unsigned config_webhook_event_bit(const char *name)
{
	for (unsigned i = 0; config_webhook_event_names[i]; i++)
		if (strcmp(name, config_webhook_event_names[i]) == 0)
			return 1u << i;
	return 0;
}

cfg_opt_t config_http_opts[] = {
	CFG_STR("listen", "127.0.0.1:8080", CFGF_NONE),
	CFG_INT("max_body", CONFIG_HTTP_MAX_BODY, CFGF_NONE),
	CFG_INT("rate_limit", CONFIG_HTTP_RATE_LIMIT, CFGF_NONE),
	CFG_INT("rate_burst", CONFIG_HTTP_RATE_BURST, CFGF_NONE),
	CFG_STR("timeout", "30s", CFGF_NONE),
	CFG_INT("max_connections", CONFIG_HTTP_MAX_CONNECTIONS, CFGF_NONE),
	CFG_END()
};

cfg_opt_t config_webhook_opts[] = {
	CFG_STR("url", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("events", "{received, sent, delivered, failed, optout}",
		     CFGF_NONE),
	CFG_STR("secret", NULL, CFGF_NODEFAULT),
	CFG_STR("timeout", "10s", CFGF_NONE),
	CFG_STR("give_up", "24h", CFGF_NONE),
	CFG_END()
};

bool config_http_split_listen(const char *s, char *host, size_t size,
			      int *port)
{
	const char *colon;
	char *end;
	long p;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return false;
		colon = close + 1;
		if ((size_t)(close - s - 1) >= size)
			return false;
		snprintf(host, size, "%.*s", (int)(close - s - 1), s + 1);
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= size)
			return false;
		snprintf(host, size, "%.*s", (int)(colon - s), s);
	}
	p = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || p < 1 || p > 65535)
		return false;
	*port = (int)p;
	return true;
}

static int config_http_fail(cfg_t *cfg, const char *sec, const char *msg,
			    const char *val)
{
	cfg_error(cfg, "%s: %s%s%s", sec, msg, val ? ": " : "", val ? val : "");
	return -1;
}

static bool config_http_range(long v, long lo, long hi)
{
	return v >= lo && v <= hi;
}

int config_http_check_section(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *h = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	char host[256];
	int64_t ms;
	int port;

	if (!config_http_split_listen(cfg_getstr(h, "listen"), host,
				      sizeof(host), &port))
		return config_http_fail(cfg, "http", "listen is not "
					"\"HOST:PORT\"", cfg_getstr(h, "listen"));
	if (!config_http_range(cfg_getint(h, "max_body"), 256, 1L << 30))
		return config_http_fail(cfg, "http", "max_body is out of range "
					"(256 to 1073741824 bytes)", NULL);
	if (!config_http_range(cfg_getint(h, "rate_limit"), 1, 1000000) ||
	    !config_http_range(cfg_getint(h, "rate_burst"), 1, 1000000))
		return config_http_fail(cfg, "http", "rate_limit and rate_burst "
					"must be 1 to 1000000", NULL);
	if (!config_http_range(cfg_getint(h, "max_connections"), 1, 100000))
		return config_http_fail(cfg, "http", "max_connections is out "
					"of range (1 to 100000)", NULL);
	if (!config_parse_duration(cfg_getstr(h, "timeout"), &ms) ||
	    ms < 1000 || ms > 3600000)
		return config_http_fail(cfg, "http", "timeout must be a duration "
					"from 1s to 1h", cfg_getstr(h, "timeout"));
	return 0;
}

int config_webhook_check_section(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *w = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	const char *url = cfg_getstr(w, "url"), *secret = cfg_getstr(w, "secret");
	char sec[160];
	int64_t ms;

	snprintf(sec, sizeof(sec), "webhook \"%s\"", cfg_title(w));
	if (!url || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return config_http_fail(cfg, sec, "url must be an http:// or "
					"https:// URL", url);
	if (!secret || strlen(secret) < 16)
		return config_http_fail(cfg, sec, "secret must have at least 16 "
					"characters", NULL);
	if (!cfg_size(w, "events"))
		return config_http_fail(cfg, sec, "events is empty", NULL);
	for (unsigned i = 0; i < cfg_size(w, "events"); i++)
		if (!config_webhook_event_bit(cfg_getnstr(w, "events", i)))
			return config_http_fail(cfg, sec, "not an event (received, "
						"sent, delivered, failed, optout)",
						cfg_getnstr(w, "events", i));
	if (!config_parse_duration(cfg_getstr(w, "timeout"), &ms) ||
	    ms < 100 || ms > 600000)
		return config_http_fail(cfg, sec, "timeout must be a duration "
					"from 100ms to 10m", cfg_getstr(w, "timeout"));
	if (!config_parse_duration(cfg_getstr(w, "give_up"), &ms) || ms < 1000)
		return config_http_fail(cfg, sec, "give_up must be a duration "
					"of 1s or more", cfg_getstr(w, "give_up"));
	return 0;
}

static int64_t config_http_ms(cfg_t *s, const char *name)
{
	int64_t ms = 0;

	config_parse_duration(cfg_getstr(s, name), &ms);
	return ms;
}

bool config_http_convert(cfg_t *root, struct config_http *http,
			 struct config_webhook **webhooks, size_t *nwebhooks)
{
	size_t n = cfg_size(root, "webhook");

	memset(http, 0, sizeof(*http));
	http->max_body = CONFIG_HTTP_MAX_BODY;
	http->rate_limit = CONFIG_HTTP_RATE_LIMIT;
	http->rate_burst = CONFIG_HTTP_RATE_BURST;
	http->timeout_ms = CONFIG_HTTP_TIMEOUT_MS;
	http->max_connections = CONFIG_HTTP_MAX_CONNECTIONS;
	/* libconfuse makes a default section when the file has none; only
	 * one that was written in the file has a line. */
	if (cfg_size(root, "http") && cfg_getsec(root, "http")->line > 0) {
		cfg_t *h = cfg_getsec(root, "http");

		http->listen = strdup(cfg_getstr(h, "listen"));
		http->max_body = cfg_getint(h, "max_body");
		http->rate_limit = (int)cfg_getint(h, "rate_limit");
		http->rate_burst = (int)cfg_getint(h, "rate_burst");
		http->timeout_ms = config_http_ms(h, "timeout");
		http->max_connections = (int)cfg_getint(h, "max_connections");
		if (!http->listen)
			return false;
	}
	*nwebhooks = n;
	*webhooks = calloc(n + 1, sizeof(**webhooks));
	if (!*webhooks)
		return false;
	for (size_t i = 0; i < n; i++) {
		cfg_t *w = cfg_getnsec(root, "webhook", (unsigned)i);
		struct config_webhook *o = &(*webhooks)[i];

		o->name = strdup(cfg_title(w));
		o->url = strdup(cfg_getstr(w, "url"));
		o->secret = strdup(cfg_getstr(w, "secret"));
		for (unsigned j = 0; j < cfg_size(w, "events"); j++)
			o->events |= config_webhook_event_bit(
				cfg_getnstr(w, "events", j));
		o->timeout_ms = config_http_ms(w, "timeout");
		o->give_up_ms = config_http_ms(w, "give_up");
		if (!o->name || !o->url || !o->secret)
			return false;
	}
	return true;
}

void config_http_free(struct config_http *http,
		      struct config_webhook *webhooks, size_t nwebhooks)
{
	free(http->listen);
	http->listen = NULL;
	for (size_t i = 0; webhooks && i < nwebhooks; i++) {
		free(webhooks[i].name);
		free(webhooks[i].url);
		free(webhooks[i].secret);
	}
	free(webhooks);
}
