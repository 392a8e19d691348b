/* spool_header — header names and value parsers; see include/spool_header.h. */
#include "spool_header.h"

#include "config.h"
#include "pdu.h"
#include "spool_text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Every header a file may carry. smstools3's outgoing headers come from its
 * file format page (smstools3.kekekasvi.com/index.php?p=fileformat, also in
 * Debian's smstools package); each is honoured, refused with a reason, or
 * ignored because it changes nothing we do. The last group is what smsd
 * writes into files it has sent or failed, so such a file may be queued
 * again as it is.
 */
static const struct spool_header_def spool_header_defs[] = {
	{ "To", SPOOL_HEADER_TO, 0, true },
	{ "Kind", SPOOL_HEADER_KIND, 1 },
	{ "Campaign", SPOOL_HEADER_CAMPAIGN, 2 },
	{ "Priority", SPOOL_HEADER_PRIORITY, 3 },
	{ "Send-At", SPOOL_HEADER_SEND_AT, 4 },
	{ "Report", SPOOL_HEADER_REPORT, 5 },
	{ "Flash", SPOOL_HEADER_FLASH, 6 },
	{ "Validity", SPOOL_HEADER_VALIDITY, 7 },
	{ "Pool", SPOOL_HEADER_POOL, 8 },
	{ "Queue", SPOOL_HEADER_POOL, 8 },
	{ "Provider", SPOOL_HEADER_POOL, 8 },
	{ "SIM", SPOOL_HEADER_SIM, 9 },
	{ "Id", SPOOL_HEADER_ID, 10 },
	{ "Alphabet", SPOOL_HEADER_ALPHABET, 11 },
	{ "Recipients", SPOOL_HEADER_RECIPIENTS, 12 },
	{ "Macro", SPOOL_HEADER_MACRO, 13, true },
	{ "Retries", SPOOL_HEADER_RETRIES, 14 },
	{ "Language", SPOOL_HEADER_LANGUAGE, 15 },
	{ "Class", SPOOL_HEADER_CLASS, 16 },
	{ "To_TOA", SPOOL_HEADER_TO_TOA, 17 },
	{ "Binary", SPOOL_HEADER_OFF_ONLY, 18, false,
	  "binary messages are not supported" },
	{ "Hex", SPOOL_HEADER_OFF_ONLY, 19, false,
	  "bodies written in hexadecimal are not supported" },
	{ "Ping", SPOOL_HEADER_OFF_ONLY, 20, false,
	  "silent messages (Ping) are not supported" },
	{ "System_message", SPOOL_HEADER_OFF_ONLY, 21, false,
	  "system messages are not supported" },
	{ "Text_is_pdu", SPOOL_HEADER_OFF_ONLY, 22, false,
	  "ready-made PDUs are not supported" },
	{ "Voicecall", SPOOL_HEADER_OFF_ONLY, 23, false,
	  "voice calls are not supported" },
	{ "Include", SPOOL_HEADER_UNSUPPORTED, 24, false,
	  "not supported: a spool file must hold its whole message" },
	{ "UDH-DATA", SPOOL_HEADER_UNSUPPORTED, 25, false,
	  "a user data header of your own is not supported" },
	{ "DCS_hex", SPOOL_HEADER_UNSUPPORTED, 26, false,
	  "a data coding scheme of your own is not supported" },
	{ "From", SPOOL_HEADER_FROM, 27 },
	{ "Autosplit", SPOOL_HEADER_AUTOSPLIT, 28 },
	{ "SMSC", SPOOL_HEADER_SMSC, 29 },
	{ "Reject_duplicates", SPOOL_HEADER_REJECT_DUPLICATES, 30 },
	{ "Reply_path", SPOOL_HEADER_REPLY_PATH, 31 },
	{ "Message_reference", SPOOL_HEADER_NOT_HONOURED, 32, false,
	  "the modem numbers messages itself (TP-MR)" },
	{ "Replace", SPOOL_HEADER_REPLACE, 33 },
	{ "UDH", SPOOL_HEADER_NOT_HONOURED, 34, false,
	  "only for binary messages" },
	{ "Language_ext", SPOOL_HEADER_NOT_HONOURED, 35, false,
	  "Language: sets both shift tables" },
	{ "Message_id", SPOOL_HEADER_IGNORED, 36 },
	{ "Sent", SPOOL_HEADER_IGNORED, 37 },
	{ "Modem", SPOOL_HEADER_IGNORED, 38 },
	{ "IMSI", SPOOL_HEADER_IGNORED, 39 },
	{ "IMEI", SPOOL_HEADER_IGNORED, 40 },
	{ "NOTICE", SPOOL_HEADER_IGNORED, 41 },
	{ "Sending_time", SPOOL_HEADER_IGNORED, 42 },
	{ "Failed", SPOOL_HEADER_IGNORED, 43 },
	{ "Error", SPOOL_HEADER_IGNORED, 44 },
};

_Static_assert(N(spool_header_defs) <= SPOOL_HEADER_SLOTS, "slots");

static int spool_header_name_char(char c)
{
	c = (char)tolower((unsigned char)c);
	return c == '_' ? '-' : c;
}

const struct spool_header_def *spool_header_find(const char *name, size_t len)
{
	for (size_t i = 0; i < N(spool_header_defs); i++) {
		const char *d = spool_header_defs[i].name;
		size_t j;

		if (strlen(d) != len)
			continue;
		for (j = 0; j < len; j++)
			if (spool_header_name_char(d[j]) !=
			    spool_header_name_char(name[j]))
				break;
		if (j == len)
			return &spool_header_defs[i];
	}
	return NULL;
}

bool spool_header_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < N(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool spool_header_bool_smstools(const char *v, bool *out)
{
	bool known = spool_header_bool(v, out);
	char c = (char)tolower((unsigned char)v[0]);

	*out = c == '1' || c == 'y' || c == 't' ||
	       (c == 'o' && tolower((unsigned char)v[1]) == 'n');
	return known;
}

bool spool_header_smsc(const char *v, char *out, size_t outsize, char *err,
		       size_t errsize)
{
	char digits[32];
	size_t n = 0;
	const char *p = v;

	if (p[0] == '+')
		p++;
	else if (p[0] == '0' && p[1] == '0')
		p += 2;
	for (; *p; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (!isdigit((unsigned char)*p) || n >= 20)
			goto bad;
		digits[n++] = *p;
	}
	if (n < 3)
		goto bad;
	digits[n] = '\0';
	snprintf(out, outsize, "+%s", digits);
	return true;
bad:
	snprintf(err, errsize, "'%s' is not a service centre number "
		 "(+ or 00, then 3 to 20 digits)", SPOOL_TEXT_Q(v));
	return false;
}

bool spool_header_kind(const char *v, enum spool_kind *out, char *err,
		       size_t errsize)
{
	if (strcasecmp(v, "direct") == 0)
		*out = SPOOL_KIND_DIRECT;
	else if (strcasecmp(v, "bulk") == 0)
		*out = SPOOL_KIND_BULK;
	else {
		snprintf(err, errsize, "'%s' is not bulk or direct",
			 SPOOL_TEXT_Q(v));
		return false;
	}
	return true;
}

bool spool_header_priority(const char *v, enum spool_priority *out,
			   char *err, size_t errsize)
{
	if (strcasecmp(v, "high") == 0)
		*out = SPOOL_PRIORITY_HIGH;
	else if (strcasecmp(v, "normal") == 0)
		*out = SPOOL_PRIORITY_NORMAL;
	else if (strcasecmp(v, "low") == 0)
		*out = SPOOL_PRIORITY_LOW;
	else {
		snprintf(err, errsize, "'%s' is not high, normal or low",
			 SPOOL_TEXT_Q(v));
		return false;
	}
	return true;
}

bool spool_header_validity(const char *v, int *minutes, char *err,
			   size_t errsize)
{
	static const struct {
		const char *unit;
		long minutes;
	} units[] = {
		{ "m", 1 },	    { "min", 1 },	{ "mins", 1 },
		{ "minute", 1 },    { "minutes", 1 },	{ "h", 60 },
		{ "hour", 60 },	    { "hours", 60 },	{ "d", 1440 },
		{ "day", 1440 },    { "days", 1440 },	{ "w", 10080 },
		{ "week", 10080 },  { "weeks", 10080 }, { "month", 43200 },
		{ "months", 43200 }, { "y", 525600 },	{ "year", 525600 },
		{ "years", 525600 },
	};
	const char *p = v;
	long n = 0;
	int digits = 0;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 9)
			goto bad;
		n = n * 10 + (*p - '0');
	}
	if (!digits)
		goto bad;
	while (*p == ' ')
		p++;
	if (!*p) {
		/* smstools3: a bare number is the TP-VP code itself. */
		if (n > 255) {
			snprintf(err, errsize,
				 "a bare number is a TP-VP code from 0 to 255; "
				 "write a unit (30m, 12h, 1d, 2w)");
			return false;
		}
		*minutes = pdu_vp_to_minutes((uint8_t)n);
		return true;
	}
	for (size_t i = 0; i < N(units); i++) {
		if (strcasecmp(p, units[i].unit) != 0)
			continue;
		if (n < 1 || n > PDU_VP_MAX_MINUTES / units[i].minutes) {
			snprintf(err, errsize,
				 "'%s' is out of range: from 1m to 63w",
				 SPOOL_TEXT_Q(v));
			return false;
		}
		*minutes = (int)(n * units[i].minutes);
		return true;
	}
bad:
	snprintf(err, errsize,
		 "'%s' is not a validity period (30m, 12h, 1d, 2w)",
		 SPOOL_TEXT_Q(v));
	return false;
}

bool spool_header_alphabet(const char *v, enum spool_alphabet *out,
			   bool *unsupported, char *err, size_t errsize)
{
	static const struct {
		const char *prefix;
		int alphabet;	/* -1: refused */
	} map[] = {
		{ "iso", SPOOL_ALPHABET_ISO }, { "lat", SPOOL_ALPHABET_ISO },
		{ "ans", SPOOL_ALPHABET_ISO }, { "utf", SPOOL_ALPHABET_UTF8 },
		{ "ucs", SPOOL_ALPHABET_UCS2 }, { "chi", SPOOL_ALPHABET_UCS2 },
		{ "uni", SPOOL_ALPHABET_UCS2 }, { "gsm", -1 },
		{ "bin", -1 },
	};

	*unsupported = false;
	for (size_t i = 0; strlen(v) >= 3 && i < N(map); i++) {
		if (strncasecmp(v, map[i].prefix, 3) != 0)
			continue;
		if (map[i].alphabet < 0) {
			*unsupported = true;
			snprintf(err, errsize,
				 "'%s' is not supported: write the body "
				 "in UTF-8", SPOOL_TEXT_Q(v));
			return false;
		}
		*out = (enum spool_alphabet)map[i].alphabet;
		return true;
	}
	snprintf(err, errsize, "'%s' is not ISO, UTF-8 or UCS2",
		 SPOOL_TEXT_Q(v));
	return false;
}

bool spool_header_language(const char *v, int *out, char *err,
			   size_t errsize)
{
	/* smstools3's list; TS 23.038 §6.2.1.2.4 numbers them. */
	static const char *const names[] = {
		"basic",   "turkish",  "spanish",   "portuguese", "bengali",
		"gujarati", "hindi",   "kannada",   "malayalam",  "oriya",
		"punjabi", "tamil",    "telugu",    "urdu",
	};
	size_t len = strlen(v);
	char *end;
	long n;

	if (len && isdigit((unsigned char)v[0])) {
		n = strtol(v, &end, 10);
		if (!*end && n >= 0 && n < (long)N(names)) {
			*out = (int)n;
			return true;
		}
	} else if (len) {
		/* "first matches": a prefix of the name does. */
		for (size_t i = 0; i < N(names); i++) {
			if (strncasecmp(names[i], v, len) == 0) {
				*out = (int)i;
				return true;
			}
		}
		if (strncasecmp(v, "assamese", len) == 0 ||
		    strncasecmp(v, "assemese", len) == 0) {
			*out = 4;
			return true;
		}
	}
	snprintf(err, errsize, "'%s' is not a language from 0 to 13",
		 SPOOL_TEXT_Q(v));
	return false;
}

bool spool_header_text(const char *v, char *err, size_t errsize)
{
	size_t len = strlen(v);

	if (!len) {
		snprintf(err, errsize, "empty value");
		return false;
	}
	if (len > SPOOL_MAX_TEXT) {
		snprintf(err, errsize, "longer than %d bytes", SPOOL_MAX_TEXT);
		return false;
	}
	return true;
}

bool spool_header_pool(const char *v, const struct config *cfg, char *err,
		       size_t errsize)
{
	const char *pools[64];
	size_t n, off;

	if (!spool_header_text(v, err, errsize))
		return false;
	if (!cfg)
		return true;
	n = config_pools(cfg, pools, N(pools));
	for (size_t i = 0; i < n; i++)
		if (strcmp(pools[i], v) == 0)
			return true;
	off = (size_t)snprintf(err, errsize,
			       "no pool '%s' in the configuration (pools:",
			       SPOOL_TEXT_Q(v));
	for (size_t i = 0; i < n && off < errsize; i++)
		off += (size_t)snprintf(err + off, errsize - off, "%s %s",
					i ? "," : "", pools[i]);
	if (off < errsize)
		snprintf(err + off, errsize - off, ")");
	return false;
}

/* ITU-T E.118: 19 or 20 digits; some SIMs report 18 or pad with F. */
static bool spool_header_is_iccid(const char *v)
{
	size_t len = strlen(v), d = strspn(v, "0123456789");

	if (d == len - 1 && (v[d] == 'F' || v[d] == 'f'))
		len--;
	return d == len && d >= 18 && d <= 22;
}

static bool spool_header_sim_name_ok(const char *v)
{
	size_t len = strlen(v), slashes = 0;

	if (v[0] == '/' || v[len - 1] == '/')
		return false;
	for (const char *p = v; *p; p++) {
		if (*p == '/')
			slashes++;
		else if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	}
	return slashes <= 1;
}

static bool spool_header_sim_resolve(const char *v, const struct config *cfg,
				     char *out,
			size_t outsize, char *err, size_t errsize)
{
	const char *slash = strchr(v, '/');
	size_t mlen = slash ? (size_t)(slash - v) : strlen(v);
	char name[64];

	for (size_t i = 0; i < cfg->nmodems; i++) {
		const struct config_modem *m = &cfg->modems[i];

		if (strlen(m->name) != mlen || memcmp(m->name, v, mlen) != 0)
			continue;
		if (!slash && m->nsims == 1) {
			snprintf(out, outsize, "%s/%s", m->name,
				 m->sims[0].name);
			return true;
		}
		if (!slash) {
			snprintf(err, errsize,
				 "modem '%s' has %zu SIMs: write %s/<slot>",
				 m->name, m->nsims, m->name);
			return false;
		}
		for (size_t j = 0; j < m->nsims; j++) {
			if (strcmp(m->sims[j].name, slash + 1) == 0) {
				snprintf(out, outsize, "%s", v);
				return true;
			}
		}
		snprintf(err, errsize, "modem '%s' has no SIM '%s'",
			 m->name, SPOOL_TEXT_Q(slash + 1));
		return false;
	}
	spool_text_quote(v, mlen, name, sizeof(name));
	snprintf(err, errsize, "no modem '%s' in the configuration", name);
	return false;
}

bool spool_header_sim(const char *v, const struct config *cfg,
		      const struct number_rules *numbers, char *out,
		      size_t outsize, enum spool_sim_kind *kind, char *err,
		      size_t errsize)
{
	char num[NUMBER_MAX], why[160];
	enum number_kind nk;

	if (!spool_header_text(v, err, errsize))
		return false;
	if (spool_header_is_iccid(v)) {
		snprintf(out, outsize, "%s", v);
		if (out[strlen(out) - 1] == 'f')
			out[strlen(out) - 1] = 'F';
		*kind = SPOOL_SIM_ICCID;
		return true;
	}
	if (!strchr(v, '/') && (v[0] == '+' || isdigit((unsigned char)v[0]))) {
		/* It starts with '+' or a digit: never a short code. */
		if (!number_normalise(v, strlen(v), numbers, num, &nk, why,
				      sizeof(why))) {
			snprintf(err, errsize, "'%s' is not a SIM's number: %s",
				 SPOOL_TEXT_Q(v), why);
			return false;
		}
		snprintf(out, outsize, "%s", num);
		*kind = SPOOL_SIM_NUMBER;
		return true;
	}
	if (!spool_header_sim_name_ok(v)) {
		snprintf(err, errsize,
			 "'%s' is not a SIM: write modem/slot (m1/1), an "
			 "ICCID or the SIM's number", SPOOL_TEXT_Q(v));
		return false;
	}
	*kind = SPOOL_SIM_NAME;
	if (!cfg) {
		snprintf(out, outsize, "%s", v);
		return true;
	}
	return spool_header_sim_resolve(v, cfg, out, outsize, err, errsize);
}
