/*
 * config_http — the http section and the webhook sections of smsgw.conf
 * (README "HTTP API", smsgw.conf(5)). config.c includes their option
 * tables and calls the converters; every value is checked while parsing.
 *
 *	http {
 *	    listen       = "127.0.0.1:8080"  # off when the section is absent
 *	    max_body     = 262144            # bytes; larger requests get 413
 *	    rate_limit   = 50                # requests a second per token; 429
 *	    rate_burst   = 100               # requests at once before 429
 *	    timeout      = "30s"             # header and idle timeout
 *	    max_connections = 64
 *	}
 *	webhook "crm" {
 *	    url    = "http://127.0.0.1:9000/sms"
 *	    events = {"received", "sent", "delivered", "failed", "optout"}
 *	    secret = "…"                     # at least 16 characters
 *	    timeout = "10s"                  # one delivery attempt
 *	    give_up = "24h"                  # then the delivery is dead
 *	}
 */
#ifndef SMSGW_CONFIG_HTTP_H
#define SMSGW_CONFIG_HTTP_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_HTTP_MAX_BODY 262144	/* one short transaction */
#define CONFIG_HTTP_RATE_LIMIT 50
#define CONFIG_HTTP_RATE_BURST 100
#define CONFIG_HTTP_TIMEOUT_MS 30000
#define CONFIG_HTTP_MAX_CONNECTIONS 64

struct config_http {
	char *listen;		/* "HOST:PORT"; NULL: no HTTP server */
	long max_body;
	int rate_limit;
	int rate_burst;
	int64_t timeout_ms;
	int max_connections;
};

enum webhook_event_bit {
	WEBHOOK_EVENT_RECEIVED = 1 << 0,
	WEBHOOK_EVENT_SENT = 1 << 1,
	WEBHOOK_EVENT_DELIVERED = 1 << 2,
	WEBHOOK_EVENT_FAILED = 1 << 3,
	WEBHOOK_EVENT_OPTOUT = 1 << 4,
};

struct config_webhook {
	char *name;		/* the section title */
	char *url;
	char *secret;
	unsigned events;	/* enum webhook_event_bit */
	int64_t timeout_ms;
	int64_t give_up_ms;
};

/* "received" → WEBHOOK_EVENT_RECEIVED; 0 when it is no event. */
unsigned config_webhook_event_bit(const char *name);
/* The names of the events, in bit order, NULL-terminated. */
extern const char *const config_webhook_event_names[];

extern cfg_opt_t config_http_opts[];
extern cfg_opt_t config_webhook_opts[];

/* Section validators for cfg_set_validate_func(cfg, "http"/"webhook"). */
int config_http_check_section(cfg_t *cfg, cfg_opt_t *opt);
int config_webhook_check_section(cfg_t *cfg, cfg_opt_t *opt);

/* From the parsed root into out; false when memory ran out. */
bool config_http_convert(cfg_t *root, struct config_http *http,
			 struct config_webhook **webhooks, size_t *nwebhooks);
void config_http_free(struct config_http *http,
		      struct config_webhook *webhooks, size_t nwebhooks);

/* Splits "HOST:PORT" ("[::1]:8080" for IPv6); false when malformed. */
bool config_http_split_listen(const char *s, char *host, size_t size,
			      int *port);

#endif
