/* spool_parse_header — one header line; see include/spool_parse_priv.h. */
#include "spool_parse_priv.h"

#include "spool_text.h"
#include "store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool spool_parse_header_keep(struct spool_parser *p, const char **dst,
				    const char *v)
{
	char *copy = strdup(v);

	if (!copy)
		return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
					"out of memory");
	*dst = copy;
	return true;
}

static bool spool_parse_header_add_macro(struct spool_parser *p, const char *v,
					 size_t n)
{
	const char *eq = memchr(v, '=', n);
	char *m, **grown;

	if (!eq || eq == v)
		return spool_parse_fail(p, SPOOL_ERROR_VALUE, "Macro",
					"'%s' is not name=value",
					SPOOL_TEXT_Q(v));
	grown = realloc(p->macros, (p->nmacros + 1) * sizeof(*grown));
	if (!grown)
		return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
					"out of memory");
	p->macros = grown;
	m = malloc(n + 1);
	if (!m)
		return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
					"out of memory");
	memcpy(m, v, n + 1);
	m[eq - v] = '\0';
	p->macros[p->nmacros++] = m;
	return true;
}

/* Appends "item" to a comma-separated note (pass 1 only; cut when full). */
static void spool_parse_header_note(struct spool_parser *p, char *buf,
				    size_t size,
		 const char *item)
{
	size_t len = strlen(buf);

	if (p->pass != 1 || len + 1 >= size)
		return;
	snprintf(buf + len, size - len, "%s%s", len ? ", " : "", item);
}

/*
 * A boolean: smstools3's rule, or (strict_headers) only the eight words.
 * A value smsd reads as no without it being "no" is noted, so the accept
 * event says "Flash: 'maybe' read as no".
 */
static bool spool_parse_header_read_bool(struct spool_parser *p,
					 const char *name,
		      const char *v, bool *out, char *why, size_t whysize)
{
	char item[96];

	if (p->rules.strict_headers) {
		if (spool_header_bool(v, out))
			return true;
		snprintf(why, whysize, "'%s' is not yes or no",
			 SPOOL_TEXT_Q(v));
		return false;
	}
	if (!spool_header_bool_smstools(v, out)) {
		snprintf(item, sizeof(item), "%s: '%s' read as %s", name,
			 SPOOL_TEXT_Q(v), *out ? "yes" : "no");
		spool_parse_header_note(p, p->msg.not_honoured,
					sizeof(p->msg.not_honoured),
		     item);
	}
	return true;
}

static bool spool_parse_header_small_int(const char *v, long lo, long hi,
					 long *out)
{
	char *end;

	if (!isdigit((unsigned char)v[0]))
		return false;
	*out = strtol(v, &end, 10);
	return !*end && *out >= lo && *out <= hi;
}

static bool spool_parse_header_to_toa(struct spool_parser *p, const char *v)
{
	if (strncasecmp(v, "int", 3) == 0 || strncasecmp(v, "unk", 3) == 0)
		return true;	/* how we read numbers anyway */
	if (strncasecmp(v, "nat", 3) == 0)
		return spool_parse_fail(p, SPOOL_ERROR_UNSUPPORTED, "To_TOA",
					"national numbers without their trunk "
					"prefix are not supported: write them "
					"with it or in international form");
	return spool_parse_fail(p, SPOOL_ERROR_VALUE, "To_TOA",
				"'%s' is not International, National or "
				"Unknown", SPOOL_TEXT_Q(v));
}

/* Headers with a yes/no value, or one of a few words. */
static bool spool_parse_header_simple(struct spool_parser *p,
				      const struct spool_header_def *d,
		   const char *v)
{
	struct spool_message *m = &p->msg;
	char why[160];
	bool b, unsup;
	long n;

	switch (d->id) {
	case SPOOL_HEADER_KIND:
		m->kind_given = true;
		if (spool_header_kind(v, &m->kind, why, sizeof(why)))
			return true;
		break;
	case SPOOL_HEADER_PRIORITY:
		if (spool_header_priority(v, &m->priority, why, sizeof(why)))
			return true;
		break;
	case SPOOL_HEADER_REPORT:
	case SPOOL_HEADER_FLASH:
		if (!spool_parse_header_read_bool(p, d->name, v, &b, why,
						  sizeof(why)))
			break;
		if (d->id == SPOOL_HEADER_REPORT)
			m->report = b;
		else
			m->flash = m->flash || b;
		return true;
	case SPOOL_HEADER_VALIDITY:
		if (spool_header_validity(v, &m->validity_minutes, why,
					  sizeof(why)))
			return true;
		break;
	case SPOOL_HEADER_ALPHABET:
		if (spool_header_alphabet(v, &m->alphabet, &unsup, why,
					  sizeof(why))) {
			m->force_ucs2 = m->alphabet == SPOOL_ALPHABET_UCS2;
			return true;
		}
		if (unsup)
			return spool_parse_fail(p, SPOOL_ERROR_UNSUPPORTED,
						d->name, "%s", why);
		break;
	case SPOOL_HEADER_LANGUAGE:
		if (!spool_header_language(v, &m->language, why, sizeof(why)))
			break;
		/* Only these have shift tables in the codec; the others
		 * still send, as GSM 7-bit default or UCS-2. */
		if (m->language > 3)
			m->language = 0;
		return true;
	case SPOOL_HEADER_RETRIES:
		if (spool_parse_header_small_int(v, 0, 100, &n)) {
			m->retries = (int)n;
			return true;
		}
		snprintf(why, sizeof(why), "'%s' is not a number from 0 to "
			 "100", SPOOL_TEXT_Q(v));
		break;
	case SPOOL_HEADER_CLASS:
		/* TS 23.038 §4: class 0 is a flash message; 1–3 say where
		 * the phone stores it (ME, SIM, TE): set in TP-DCS. */
		if (spool_parse_header_small_int(v, 0, 3, &n)) {
			m->flash = m->flash || n == 0;
			m->msg_class = (int)n;
			return true;
		}
		snprintf(why, sizeof(why), "'%s' is not a class from 0 to 3",
			 SPOOL_TEXT_Q(v));
		break;
	case SPOOL_HEADER_AUTOSPLIT:
		/* smstools3 §fileformat: 0 off, 1 plain parts, 2 text
		 * numbers, 3 concatenated. We concatenate for 2 as well:
		 * "1/2 " prefixes cost room and phones join parts anyway. */
		if (spool_parse_header_small_int(v, 0, 3, &n)) {
			m->autosplit = (int)n;
			if (n == 2)
				spool_parse_header_note(p, m->not_honoured,
				     sizeof(m->not_honoured),
				     "Autosplit: 2 (sent concatenated, "
				     "without text numbers)");
			return true;
		}
		snprintf(why, sizeof(why), "'%s' is not 0, 1, 2 or 3",
			 SPOOL_TEXT_Q(v));
		break;
	case SPOOL_HEADER_REJECT_DUPLICATES:
		if (!spool_parse_header_read_bool(p, d->name, v, &b, why,
						  sizeof(why)))
			break;
		m->reject_duplicates = b;
		return true;
	case SPOOL_HEADER_REPLY_PATH:
		if (!spool_parse_header_read_bool(p, d->name, v, &b, why,
						  sizeof(why)))
			break;
		m->reply_path = b;
		return true;
	case SPOOL_HEADER_REPLACE:
		/* TS 23.040 §9.2.3.9: TP-PID 0x41–0x47 replace type 1–7;
		 * smsd reads anything else as 0, no replacing. */
		if (spool_parse_header_small_int(v, 0, 7, &n)) {
			m->replace = (int)n;
			return true;
		}
		snprintf(why, sizeof(why), "'%s' is not a number from 0 to 7",
			 SPOOL_TEXT_Q(v));
		break;
	case SPOOL_HEADER_RECIPIENTS:
		if (strcasecmp(v, "csv") == 0) {
			m->csv = true;
			return true;
		}
		snprintf(why, sizeof(why), "'%s' is not csv", SPOOL_TEXT_Q(v));
		break;
	default:
		return true;
	}
	return spool_parse_fail(p, SPOOL_ERROR_VALUE, d->name, "%s", why);
}

/*
 * A mail address as email2sms leaves it in To: ("Herbert +491721234567"
 * <sms@localhost>): smsd takes the digits after the '+' (or the whole
 * value), dropping blanks and '-', up to the first other character
 * (readSMSheader() in its smsd.c). Only values with an address in <…@…>
 * are rewritten; ours (commas, "; name=…") stay as they are.
 */
static size_t spool_parse_header_mail_to(char *v, size_t n)
{
	char *src = strchr(v, '+'), *dst = v;
	bool plus = src != NULL;

	if (!memchr(v, '<', n) || !memchr(v, '@', n) || !memchr(v, '>', n))
		return n;
	src = plus ? src + 1 : v;
	if (plus)
		*dst++ = '+';
	for (; *src; src++) {
		if (*src == ' ' || *src == '\t' || *src == '-')
			continue;
		if (!strchr("0123456789*#", *src))
			break;
		*dst++ = *src;
	}
	*dst = '\0';
	return (size_t)(dst - v);
}

static bool spool_parse_header_apply(struct spool_parser *p,
				     const struct spool_header_def *d,
		  char *v, size_t n)
{
	struct spool_message *m = &p->msg;
	const struct spool_rules *r = &p->rules;
	char why[200], sim[SPOOL_MAX_TEXT + 1];
	bool off;

	switch (d->id) {
	case SPOOL_HEADER_TO:
		if (!r->strict_headers)
			n = spool_parse_header_mail_to(v, n);
		return spool_parse_rcpt_to(p, v, n);
	case SPOOL_HEADER_CAMPAIGN:
	case SPOOL_HEADER_ID:
		if (!spool_header_text(v, why, sizeof(why)))
			break;
		return spool_parse_header_keep(p, d->id == SPOOL_HEADER_ID
						       ? &m->id : &m->campaign,
					       v);
	case SPOOL_HEADER_SEND_AT:
		m->has_send_at = true;
		if (store_parse_time(v, &m->send_at_ms))
			return true;
		snprintf(why, sizeof(why),
			 "'%s' is not an ISO-8601 time with an offset "
			 "(2026-11-27T08:00:00+02:00)", SPOOL_TEXT_Q(v));
		break;
	case SPOOL_HEADER_POOL:
		if (!spool_header_pool(v, r->cfg, why, sizeof(why)))
			break;
		return spool_parse_header_keep(p, &m->pool, v);
	case SPOOL_HEADER_SIM:
		p->sim_line = p->line;
		if (!spool_header_sim(v, r->cfg, &r->numbers, sim, sizeof(sim),
				      &m->sim_kind, why, sizeof(why)))
			break;
		return spool_parse_header_keep(p, &m->sim, sim);
	case SPOOL_HEADER_MACRO:
		return spool_parse_header_add_macro(p, v, n);
	case SPOOL_HEADER_TO_TOA:
		return spool_parse_header_to_toa(p, v);
	case SPOOL_HEADER_SMSC:
		if (!spool_header_smsc(v, sim, sizeof(sim), why, sizeof(why)))
			break;
		return spool_parse_header_keep(p, &m->smsc, sim);
	case SPOOL_HEADER_FROM:
		/* smstools3: "no function"; kept with the message. An
		 * e-mail's From: may be long: the first SPOOL_MAX_TEXT bytes,
		 * cut between characters (the line is valid UTF-8). */
		if (n > SPOOL_MAX_TEXT) {
			n = SPOOL_MAX_TEXT;
			while (n && ((unsigned char)v[n] & 0xC0) == 0x80)
				n--;
			v[n] = '\0';
		}
		return spool_parse_header_keep(p, &m->from, v);
	case SPOOL_HEADER_NOT_HONOURED:
		snprintf(why, sizeof(why), "%s (%s)", d->name, d->why);
		spool_parse_header_note(p, m->not_honoured,
					sizeof(m->not_honoured), why);
		return true;
	case SPOOL_HEADER_OFF_ONLY:
		if (p->rules.strict_headers ? spool_header_bool(v, &off) && !off
		    : (spool_header_bool_smstools(v, &off), !off))
			return true;
		return spool_parse_fail(p, SPOOL_ERROR_UNSUPPORTED, d->name,
					"%s", d->why);
	case SPOOL_HEADER_UNSUPPORTED:
		return spool_parse_fail(p, SPOOL_ERROR_UNSUPPORTED, d->name,
					"%s", d->why);
	case SPOOL_HEADER_IGNORED:
		return true;
	default:
		return spool_parse_header_simple(p, d, v);
	}
	return spool_parse_fail(p, SPOOL_ERROR_VALUE, d->name, "%s", why);
}

/* Our names: letters, digits, - and _. Otherwise (smstools3 ignores what
 * it does not know) any field name of RFC 5322 §3.6.8, so the headers of
 * a mail that email2sms copies through are unknown, not a syntax error. */
static bool spool_parse_header_name_ok(const char *s, size_t n, bool strict)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (strict ? !isalnum(c) && c != '-' && c != '_'
			   : c < 33 || c > 126)
			return false;
	}
	return true;
}

/*
 * Cuts "Name: value" in place into a NUL-terminated name (s) and value
 * (*v, *vlen), both trimmed.
 */
static bool spool_parse_header_split(struct spool_parser *p, char *s, size_t n,
				     char **v,
		  size_t *vlen)
{
	char *colon, quoted[64];
	size_t name_len;

	if (s[0] == ' ' || s[0] == '\t')
		return spool_parse_fail(p, SPOOL_ERROR_SYNTAX, NULL,
					"a header line cannot start with a "
					"space");
	colon = memchr(s, ':', n);
	/* Quoted for the errors only: every To: line of a big file comes
	 * here, twice or three times (spool_job.c). */
	if (!colon) {
		spool_text_quote(s, n, quoted, sizeof(quoted));
		return spool_parse_fail(p, SPOOL_ERROR_SYNTAX, NULL,
					"'%s' is not a header line (Name: "
					"value); a blank line must come before "
					"the body", quoted);
	}
	for (name_len = (size_t)(colon - s);
	     name_len && (s[name_len - 1] == ' ' || s[name_len - 1] == '\t');
	     name_len--)
		;
	if (!spool_parse_header_name_ok(s, name_len,
					p->rules.strict_headers)) {
		spool_text_quote(s, n, quoted, sizeof(quoted));
		return spool_parse_fail(p, SPOOL_ERROR_SYNTAX, NULL,
					"'%s' is not a header line (Name: "
					"value)", quoted);
	}
	*v = colon + 1;
	while (**v == ' ' || **v == '\t')
		(*v)++;
	*vlen = (size_t)(s + n - *v);
	while (*vlen && ((*v)[*vlen - 1] == ' ' || (*v)[*vlen - 1] == '\t'))
		(*vlen)--;
	(*v)[*vlen] = '\0';
	s[name_len] = '\0';
	return true;
}

bool spool_parse_header_line(struct spool_parser *p, char *s, size_t n)
{
	const struct spool_header_def *d;
	size_t name_len, vlen = 0;
	char *v = NULL;

	if (!spool_parse_check_line(p, s, n))
		return false;
	if (!p->rules.strict_headers && (s[0] == ' ' || s[0] == '\t')) {
		/* A folded mail header (RFC 5322 §2.2.3): smsd ignores the
		 * line; say so when it continues a header we read. */
		char item[48];

		if (!p->last_unknown) {
			snprintf(item, sizeof(item), "line %u (folded) ignored",
				 p->line);
			spool_parse_header_note(p, p->msg.not_honoured,
			     sizeof(p->msg.not_honoured), item);
		}
		return true;
	}
	if (!spool_parse_header_split(p, s, n, &v, &vlen))
		return false;
	name_len = strlen(s);

	d = spool_header_find(s, name_len);
	if (!d && name_len > 2 && (s[0] == 'X' || s[0] == 'x') &&
	    (s[1] == '-' || s[1] == '_')) {
		/* X-: the writer's own, ignored but counted. */
		p->last_unknown = true;
		if (++p->nheaders > p->rules.max_headers)
			goto too_many;
		return true;
	}
	if (!d && p->rules.strict_headers)
		return spool_parse_fail(p, SPOOL_ERROR_UNKNOWN_HEADER, NULL,
					"unknown header '%s'", s);
	if (!d) {
		/* smstools3 ignores it; the accept event names it. */
		char quoted[40];

		/* Not counted in max_headers: nothing is kept but the
		 * bounded note, and a mail has many Received: lines. */
		p->last_unknown = true;
		spool_text_quote(s, name_len, quoted, sizeof(quoted));
		if (!strstr(p->msg.ignored, quoted))
			spool_parse_header_note(p, p->msg.ignored,
						sizeof(p->msg.ignored), quoted);
		return true;
	}
	p->last_unknown = false;
	if (d->id != SPOOL_HEADER_TO && ++p->nheaders > p->rules.max_headers)
		goto too_many;
	if (!d->repeatable && p->seen[d->slot])
		return spool_parse_fail(p, SPOOL_ERROR_DUPLICATE_HEADER,
					d->name,
					"given twice (first on line %u)",
					p->seen[d->slot]);
	p->seen[d->slot] = p->line;
	if (p->pass == 2 && d->id != SPOOL_HEADER_TO)
		return true;
	return spool_parse_header_apply(p, d, v, vlen);
too_many:
	return spool_parse_fail(p, SPOOL_ERROR_LIMIT, NULL,
				"more than %zu header lines",
				p->rules.max_headers);
}
