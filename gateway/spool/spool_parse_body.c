/*
 * spool_parse_body — the end of pass 1: the body in UTF-8, smstools3
 * macros, every placeholder checked against every recipient, defaults.
 * See spool_parse_priv.h.
 */
#include "spool_parse_priv.h"

#include "spool_text.h"
#include "utf8.h"
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *spool_parse_body_dup_bytes(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		if (n)
			memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* The line an offset into a text body is on. */
static unsigned spool_parse_body_line_of(const struct spool_parser *p,
					 const char *s, size_t off)
{
	if (p->msg.alphabet == SPOOL_ALPHABET_UCS2)
		return p->body_line;
	return p->body_line + spool_text_lines(s, off);
}

/*
 * smstools3 reads a body without Alphabet: (or with ISO) as ISO-8859-15,
 * but with its default outgoing_utf8 = yes it takes valid UTF-8 as UTF-8.
 * We do the same: Latin-9 text is almost never valid UTF-8 by accident.
 */
static bool spool_parse_body_decode(struct spool_parser *p, size_t *len)
{
	const char *raw = p->body ? p->body : "";
	size_t bad;
	char why[160];

	switch (p->msg.alphabet) {
	case SPOOL_ALPHABET_UCS2:
		/* smstools3's own example (send_sms_unicode.sms) ends its
		 * UCS-2 text with a one-byte "\n" from the editor. */
		if (p->body_len % 2 && raw[p->body_len - 1] == '\n')
			p->body_len--;
		p->text = spool_text_from_ucs2be((const unsigned char *)raw,
						 p->body_len, len, why,
						 sizeof(why));
		if (!p->text)
			return spool_parse_fail_at(p, p->body_line,
						   SPOOL_ERROR_ENCODING, NULL,
						   why);
		return true;
	case SPOOL_ALPHABET_UTF8:
		if (!utf8_valid(raw, p->body_len, &bad)) {
			snprintf(why, sizeof(why),
				 "invalid UTF-8 in the body (byte 0x%02x)",
				 (unsigned char)raw[bad]);
			return spool_parse_fail_at(p,
				spool_parse_body_line_of(p, raw, bad),
				SPOOL_ERROR_ENCODING, NULL, why);
		}
		break;
	case SPOOL_ALPHABET_ISO:
		if (utf8_valid(raw, p->body_len, &bad))
			break;
		p->text = spool_text_from_latin9(raw, p->body_len, len, &bad);
		if (!p->text && bad < p->body_len) {
			snprintf(why, sizeof(why),
				 "byte 0x%02x in the body is neither UTF-8 "
				 "nor ISO-8859-15",
				 (unsigned char)raw[bad]);
			return spool_parse_fail_at(p,
				spool_parse_body_line_of(p, raw, bad),
				SPOOL_ERROR_ENCODING, NULL, why);
		}
		p->msg.from_latin9 = true;
		goto done;
	}
	p->text = spool_parse_body_dup_bytes(raw, p->body_len);
	*len = p->body_len;
done:
	if (!p->text)
		return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
					"out of memory");
	return true;
}

static bool spool_parse_body_check_text(struct spool_parser *p, size_t len)
{
	size_t bad;
	unsigned cp;
	char why[80];

	if (spool_text_controls_ok(p->text, len, &bad, &cp))
		return true;
	if (cp)
		snprintf(why, sizeof(why),
			 "control character U+%04X in the body", cp);
	else
		snprintf(why, sizeof(why), "NUL byte in the body");
	return spool_parse_fail_at(p, spool_parse_body_line_of(p, p->text,
								bad),
				   SPOOL_ERROR_ENCODING, NULL, why);
}

/* smstools3 Macro: name=value: every name in the body becomes value. */
static bool spool_parse_body_apply_macro(struct spool_parser *p, size_t *len,
					 const char *name,
			const char *value)
{
	size_t nl = strlen(name), vl = strlen(value), count = 0, o = 0;
	const char *s, *hit;
	char *out;

	for (s = p->text; (hit = strstr(s, name)); s = hit + nl)
		count++;
	if (!count)
		return true;
	if (*len - count * nl + count * vl > p->rules.max_body)
		return spool_parse_fail_at(p, 0, SPOOL_ERROR_LIMIT, "Macro",
					   "the body would be too long");
	out = malloc(*len - count * nl + count * vl + 1);
	if (!out)
		return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
					"out of memory");
	for (s = p->text; (hit = strstr(s, name)); s = hit + nl) {
		memcpy(out + o, s, (size_t)(hit - s));
		o += (size_t)(hit - s);
		memcpy(out + o, value, vl);
		o += vl;
	}
	strcpy(out + o, s);
	free(p->text);
	p->text = out;
	*len = strlen(out);
	return true;
}

struct names {
	char name[SPOOL_MAX_FIELDS + 1][SPOOL_FIELD_NAME_MAX + 1];
	size_t count[SPOOL_MAX_FIELDS + 1];
	size_t n;
	bool overflow;
};

static void spool_parse_body_collect(const char *name, size_t len, void *ud)
{
	struct names *c = ud;
	size_t i;

	if (len > SPOOL_FIELD_NAME_MAX) {
		c->overflow = true;
		return;
	}
	for (i = 0; i < c->n; i++)
		if (strlen(c->name[i]) == len && !memcmp(c->name[i], name, len))
			break;
	if (i == c->n) {
		if (c->n == SPOOL_MAX_FIELDS + 1) {
			c->overflow = true;
			return;
		}
		memcpy(c->name[i], name, len);
		c->name[i][len] = '\0';
		c->n++;
	}
	c->count[i]++;
}

/* Every placeholder needs a value for every recipient; the earliest line
 * that lacks one is the one to fix. */
static bool spool_parse_body_placeholders(struct spool_parser *p, size_t len)
{
	struct names c = { 0 };
	const struct spool_field_track *t;
	unsigned worst = 0, line;
	const char *worst_name = NULL;
	char why[120];

	p->msg.body_len_max = len;
	if (!template_names(p->text, spool_parse_body_collect, &c))
		return true;
	if (c.overflow)
		return spool_parse_fail_at(p, p->body_line, SPOOL_ERROR_LIMIT,
					   NULL, "too many placeholders");
	p->msg.personalised = true;
	for (size_t i = 0; i < c.n; i++) {
		if (strcmp(c.name[i], "number") == 0) {
			p->msg.body_len_max += c.count[i] * NUMBER_MAX;
			continue;
		}
		t = NULL;
		for (size_t k = 0; k < p->nfields && !t; k++)
			if (strcmp(p->fields[k].name, c.name[i]) == 0)
				t = &p->fields[k];
		line = t ? t->first_missing : p->first_rcpt_line;
		if (line && (!worst || line < worst)) {
			worst = line;
			worst_name = c.name[i];
		}
		if (t)
			p->msg.body_len_max += c.count[i] * t->max_len;
	}
	if (!worst)
		return true;
	snprintf(why, sizeof(why), "no value for {{%s}}", worst_name);
	return spool_parse_fail_at(p, worst, SPOOL_ERROR_PLACEHOLDER, NULL,
				   why);
}

bool spool_parse_body_finish(struct spool_parser *p)
{
	struct spool_message *m = &p->msg;
	size_t len = 0;

	if (!spool_parse_body_decode(p, &len) ||
	    !spool_parse_body_check_text(p, len))
		return false;
	/* A file ends with a line break; the message does not. */
	while (len && (p->text[len - 1] == '\n' || p->text[len - 1] == '\r'))
		p->text[--len] = '\0';
	for (size_t i = 0; i < p->nmacros; i++) {
		const char *name = p->macros[i];

		if (!spool_parse_body_apply_macro(p, &len, name,
						  name + strlen(name) + 1))
			return false;
	}
	if (len > p->rules.max_body)
		return spool_parse_fail_at(p, p->body_line, SPOOL_ERROR_LIMIT,
					   NULL, "the body is too long");
	if (!m->recipients)
		return spool_parse_fail_at(p, 0, SPOOL_ERROR_NO_RECIPIENT, NULL,
					   "no recipients: no To: line and "
					   "no CSV row");
	if (m->pool && m->sim)
		return spool_parse_fail_at(p, p->sim_line, SPOOL_ERROR_VALUE,
					   "SIM", "Pool: and SIM: cannot both "
					   "be given");
	if (!spool_parse_body_placeholders(p, len))
		return false;
	if (!m->kind_given)
		m->kind = m->recipients > 1 ? SPOOL_KIND_BULK
					    : SPOOL_KIND_DIRECT;
	m->body = p->text;
	m->body_len = len;
	free(p->body);
	p->body = NULL;
	p->body_len = p->body_cap = 0;
	return true;
}
