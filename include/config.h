/*
 * config — smsgw.conf (doc/contract.md §3), read with libconfuse into plain
 * structs. Every value is range-checked while parsing; errors name the file,
 * the line and the option ("smsgw.conf:12: modem "m1": baudrate 1234 is not
 * a standard rate"). Unknown options are errors.
 *
 * A loaded config is immutable; reloading builds a new one.
 */
#ifndef SMSGW_CONFIG_H
#define SMSGW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config_http.h"

#define CONFIG_DEFAULT_PATH "/etc/smsgw/smsgw.conf"

/* The longest USSD code smsgw sends (AT+CUSD=1,"<str>", TS 27.007 §7.15):
 * 160 characters of the GSM alphabet, which the 160 octets of a USSD
 * string (TS 24.080) hold packed. number_ussd, `smsgw ussd`, the control
 * request and the modem all take this many. */
#define CONFIG_USSD_MAX 160

struct config_sim {
	char *name;		/* the section title: "1", "2", … */
	char *number;		/* own number (E.164) or NULL: from AT+CNUM */
	char *iccid;		/* expected ICCID or NULL */
	char *number_ussd;	/* USSD code that tells the own number when
				 * AT+CNUM does not, or NULL */
	char *pool;		/* "default" unless set */
	int daily_limit;	/* 0: no limit */
	int monthly_limit;	/* 0: no limit */
	int64_t min_gap_ms;		/* minimum time between two sends */
	bool send;		/* takes outgoing traffic */
};

struct config_modem {
	char *name;		/* the section title */
	char *device;		/* tty path, symlink or pseudo-terminal */
	char *driver;		/* "auto", "generic", "huawei", … */
	int baudrate;
	char *pin;		/* NULL: none configured */
	char *imei;		/* NULL, or the IMEI this entry must be */
	char *smsc;		/* NULL: keep the SIM's */
	char **init;		/* extra AT commands after init */
	size_t ninit;
	bool receive;		/* read inbound SMS from this modem */
	int64_t health_interval_ms;	/* +CSQ/+CREG/+COPS refresh */
	/* AT+CMMS during a burst (TS 27.005 §3.5.6): auto (when AT+CMMS=?
	 * lists it), yes (try it without asking), no. */
	enum { CONFIG_KEEP_LINK_AUTO, CONFIG_KEEP_LINK_YES,
	       CONFIG_KEEP_LINK_NO } keep_link;
	/* How SMS come in (TS 27.005 §3.4.1 +CNMI <mt>): stored on the
	 * SIM with +CMTI and read with AT+CMGR (1), or direct, the PDU in
	 * the +CMT URC and acknowledged with AT+CNMA after the commit (2;
	 * needs +CSMS=1, else stored). */
	enum { CONFIG_DELIVERY_STORED, CONFIG_DELIVERY_DIRECT } delivery;
	/* "LOCATION:PORT" for uhubctl: power-cycle the modem's hub port at
	 * the end of the recovery ladder; NULL: never (modem_hub.c). */
	char *hub_port;
	struct config_sim *sims;
	size_t nsims;
};

enum config_rule_action {
	CONFIG_RULE_TAG,	/* only tags the inbox row */
	CONFIG_RULE_REPLY,	/* tags and answers with reply */
	CONFIG_RULE_FORWARD,	/* tags and forwards the text to forward */
	CONFIG_RULE_HOOK,	/* tags and runs hook */
};

struct config_rule {
	char *name;		/* the section title; the inbox keyword */
	char *match;		/* PCRE2 pattern, matched on the normalised text */
	enum config_rule_action action;
	char *reply;		/* with {{placeholders}} */
	char *forward;		/* E.164 number */
	char *hook;		/* command */
};

struct config_hooks {
	char *on_received;
	char *on_sent;
	char *on_failed;
	char *on_delivered;
	char *on_rejected;	/* a spool file went to rejected/ */
	char *on_modem;		/* a SIM went out of service or came back */
	int64_t timeout_ms;
};

/* retention { }: 0 keeps rows for ever. */
struct config_retention {
	int64_t messages_ms;	/* finished outgoing messages, their parts… */
	int64_t events_ms;	/* the audit log */
	int64_t inbound_ms;	/* received messages and raw PDUs */
	int64_t interval_ms;	/* pruning rounds; the first one at start */
};

struct config {
	char *path;		/* the file this came from */
	char *spool;
	char *database;		/* a file path (SQLite) or postgresql://… */
	char *box;		/* this smsgwd's name on a shared database;
				   NULL: the host name (doc/postgresql.md) */
	int64_t lease_ms;	/* PostgreSQL: a claim's lease, renewed while
				   the message is being sent */
	char *default_country;	/* calling code digits, "" when unset */
	char *trunk_prefix;	/* national prefix, "0" */
	char *timezone;		/* NULL: the system's; quotas reset at its midnight */
	char *log_level;
	char *at_trace;		/* NULL: off; else the trace file path */
	bool trace_full;	/* numbers and texts unredacted in log and trace */
	struct config_retention retention;

	/* outbound */
	bool resend_unknown_direct;
	bool resend_unknown_bulk;
	int max_attempts;
	int64_t retry_min_ms;
	int64_t retry_max_ms;
	int64_t prompt_timeout_ms;	/* AT+CMGS until "> " */
	int64_t send_timeout_ms;	/* Ctrl-Z until +CMGS: / +CMS ERROR */
	int64_t expire_after_ms; /* queued this long without a send: expired */
	int64_t sticky_ttl_ms;
	int64_t report_window_ms;	/* how long a status report may take */
	bool report_default;	/* ask for status reports unless Report: no */
	char *quiet_hours;	/* "21:00-08:00" or NULL */
	int max_file_bytes;	/* spool files larger than this are rejected */
	int max_parts;		/* longest message, in parts */
	int pause_after_errors;	/* barring/spam errors that pause a SIM… */
	int64_t pause_window_ms; /* …within this window… */
	int64_t pause_for_ms;	/* …for this long */

	/* inbound and compliance */
	char **optout_keywords;
	size_t noptout_keywords;
	char **optin_keywords;
	size_t noptin_keywords;
	char **help_keywords;
	size_t nhelp_keywords;
	char *optout_reply;	/* NULL or "": no confirmation */
	char *optin_reply;
	char *help_reply;
	int64_t reassembly_timeout_ms;
	struct config_rule *rules;
	size_t nrules;
	struct config_hooks hooks;

	/* smstools3 and Gammu SMSD compatibility */
	bool strict_headers;	/* refuse unknown spool headers */
	char *eventhandler;	/* smstools3: PATH EVENT FILE [ID]; NULL off */
	char *eh_incoming;	/* directories that keep smstools3 files of */
	char *eh_sent;		/* received, sent and failed messages; NULL: */
	char *eh_failed;	/* the file is removed after the handler */
	char *runonreceive;	/* Gammu: command with SMS_* variables */

	struct config_modem *modems;
	size_t nmodems;

	/* HTTP API and webhooks (config_http.h) */
	struct config_http http;
	struct config_webhook *webhooks;
	size_t nwebhooks;
};

/*
 * Loads and checks path. Returns 0 and a config the caller frees with
 * config_free(), or -1 with one or more lines describing the problems in
 * err (always NUL-terminated).
 */
int config_load(const char *path, struct config **out, char *err,
		size_t errsize);
/* Every option at its default and no modem, as if path were empty: for a
 * sender who may not read the configuration (it holds SIM PINs). Returns 0
 * or -1 (out of memory). */
int config_load_defaults(const char *path, struct config **out);
void config_free(struct config *cfg);

/* Pool names seen in the config, in order of first use ("default" included). */
size_t config_pools(const struct config *cfg, const char **out, size_t max);

/* "tag", "reply", "forward" or "hook": the action as the file spells it. */
const char *config_rule_action_name(enum config_rule_action a);

/* Parses "90", "90s", "500ms", "10m", "12h", "8d", "1w" into milliseconds. */
bool config_parse_duration(const char *s, int64_t *ms);

#endif
