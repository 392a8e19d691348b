/*
 * spool_parse — the spool file format; see include/spool_parse.h.
 *
 * Bytes are cut into lines here; each line goes to the handler of the
 * section it is in (headers, body, CSV). Header values are read in
 * spool_parse_header.c, recipients in spool_parse_rcpt.c; what the three
 * share is in spool_parse_priv.h.
 */
#include "spool_parse.h"
#include "spool_parse_priv.h"

#include "config.h"
#include "template.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CSV_MARKER "--- recipients ---"
/* FNV-1a, 64 bits (Fowler, Noll, Vo; IETF draft-eastlake-fnv). */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

void spool_rules_init(struct spool_rules *r, const struct config *cfg)
{
	int parts = cfg && cfg->max_parts > 0 ? cfg->max_parts : 10;

	memset(r, 0, sizeof(*r));
	r->numbers.default_country = cfg ? cfg->default_country : "";
	r->numbers.trunk_prefix = cfg ? cfg->trunk_prefix : "0";
	r->cfg = cfg;
	r->strict_headers = cfg && cfg->strict_headers;
	r->max_line = SPOOL_MAX_LINE;
	r->max_headers = SPOOL_MAX_HEADERS;
	r->max_recipients = SPOOL_MAX_RECIPIENTS;
	/*
	 * Bytes, not characters: the codec counts parts later. A GSM 7-bit
	 * part holds 153 septets, at most about 230 bytes of UTF-8 (two
	 * septets and three bytes for €); 640 a part leaves room.
	 */
	r->max_body = (size_t)parts * 640;
	if (r->max_body < 4096)
		r->max_body = 4096;
}

const char *spool_error_code_name(enum spool_error_code c)
{
	static const char *const names[] = {
		[SPOOL_ERROR_NONE] = "none",
		[SPOOL_ERROR_SYNTAX] = "syntax",
		[SPOOL_ERROR_UNKNOWN_HEADER] = "unknown-header",
		[SPOOL_ERROR_DUPLICATE_HEADER] = "duplicate-header",
		[SPOOL_ERROR_VALUE] = "value",
		[SPOOL_ERROR_UNSUPPORTED] = "unsupported",
		[SPOOL_ERROR_RECIPIENT] = "recipient",
		[SPOOL_ERROR_NO_RECIPIENT] = "no-recipient",
		[SPOOL_ERROR_ENCODING] = "encoding",
		[SPOOL_ERROR_LIMIT] = "limit",
		[SPOOL_ERROR_PLACEHOLDER] = "placeholder",
		[SPOOL_ERROR_CSV] = "csv",
		[SPOOL_ERROR_FILE] = "file",
		[SPOOL_ERROR_NAME] = "name",
		[SPOOL_ERROR_CHANGED] = "changed",
		[SPOOL_ERROR_ABORTED] = "aborted",
		[SPOOL_ERROR_NOMEM] = "nomem",
	};

	if ((size_t)c >= sizeof(names) / sizeof(names[0]) || !names[c])
		return "unknown";
	return names[c];
}

void spool_error_format(const struct spool_error *e, char *buf, size_t size)
{
	char where[32] = "";

	if (e->line)
		snprintf(where, sizeof(where), "line %u: ", e->line);
	snprintf(buf, size, "%s%s%s%s", where, e->header,
		 e->header[0] ? ": " : "", e->text);
}

bool spool_parse_fail(struct spool_parser *p, enum spool_error_code code,
		      const char *header, const char *fmt, ...)
{
	va_list ap;

	/* The first reason is the one that counts. */
	if (p->state == SPOOL_STATE_FAILED)
		return false;
	p->err.code = code;
	p->err.line = p->line;
	snprintf(p->err.header, sizeof(p->err.header), "%s",
		 header ? header : "");
	va_start(ap, fmt);
	vsnprintf(p->err.text, sizeof(p->err.text), fmt, ap);
	va_end(ap);
	p->state = SPOOL_STATE_FAILED;
	return false;
}

bool spool_parse_fail_at(struct spool_parser *p, unsigned line,
			 enum spool_error_code code, const char *header,
			 const char *what)
{
	if (p->state == SPOOL_STATE_FAILED)
		return false;
	spool_parse_fail(p, code, header, "%s", what);
	p->err.line = line;
	return false;
}

bool spool_parse_check_line(struct spool_parser *p, const char *s, size_t n)
{
	size_t bad;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!c)
			return spool_parse_fail(p, SPOOL_ERROR_ENCODING, NULL,
						"NUL byte");
		/* A CR here is not a line end: it would smuggle a line
		 * into a number or a value. */
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return spool_parse_fail(p, SPOOL_ERROR_ENCODING, NULL,
						"control byte 0x%02x", c);
	}
	if (!utf8_valid(s, n, &bad))
		return spool_parse_fail(p, SPOOL_ERROR_ENCODING, NULL,
					"invalid UTF-8 (byte 0x%02x)",
					(unsigned char)s[bad]);
	return true;
}

void spool_parse_refuse(struct spool_parser *p, enum spool_error_code code,
			const char *text)
{
	p->line = 0;
	spool_parse_fail(p, code, NULL, "%s", text);
}

struct spool_parser *spool_parse_new(const struct spool_rules *rules)
{
	struct spool_parser *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->rules = *rules;
	p->lcap = rules->max_line > rules->max_body ? rules->max_line
						    : rules->max_body;
	p->lbuf = malloc(p->lcap + 1);
	if (!p->lbuf) {
		free(p);
		return NULL;
	}
	p->pass = 1;
	p->dups_ok = true;
	p->line = 1;
	p->hash = FNV_OFFSET;
	p->state = SPOOL_STATE_HEADERS;
	p->msg.report = -1;
	p->msg.validity_minutes = -1;
	p->msg.retries = -1;
	p->msg.autosplit = -1;
	p->msg.msg_class = -1;
	p->msg.priority = SPOOL_PRIORITY_NORMAL;
	return p;
}

void spool_parse_free(struct spool_parser *p)
{
	if (!p)
		return;
	free(p->lbuf);
	free(p->body);
	free(p->text);
	free((char *)p->msg.campaign);
	free((char *)p->msg.pool);
	free((char *)p->msg.sim);
	free((char *)p->msg.id);
	free((char *)p->msg.smsc);
	free((char *)p->msg.from);
	for (size_t i = 0; i < p->nmacros; i++)
		free(p->macros[i]);
	free(p->macros);
	number_set_free(&p->set);
	free(p->dups);
	free(p);
}

const struct spool_message *spool_parse_message(const struct spool_parser *p)
{
	return &p->msg;
}

const struct spool_error *spool_parse_error(const struct spool_parser *p)
{
	return &p->err;
}

/* Appends to the raw body of pass 1 (pass 2 only counts). */
static bool spool_parse_body_add(struct spool_parser *p, const char *s,
				 size_t n)
{
	size_t cap;
	char *b;

	if (p->pass == 2)
		return true;
	if (p->body_len + n > p->rules.max_body)
		return spool_parse_fail(p, SPOOL_ERROR_LIMIT, NULL,
					"the body is longer than %zu bytes",
					p->rules.max_body);
	if (p->body_len + n + 1 > p->body_cap) {
		cap = p->body_cap ? p->body_cap : 256;
		while (cap < p->body_len + n + 1)
			cap *= 2;
		b = realloc(p->body, cap);
		if (!b)
			return spool_parse_fail(p, SPOOL_ERROR_NOMEM, NULL,
						"out of memory");
		p->body = b;
		p->body_cap = cap;
	}
	memcpy(p->body + p->body_len, s, n);
	p->body_len += n;
	p->body[p->body_len] = '\0';
	return true;
}

static bool spool_parse_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static bool spool_parse_end_of_headers(struct spool_parser *p)
{
	if (p->pass == 1)
		p->body_line = p->line + 1;
	if (p->msg.alphabet == SPOOL_ALPHABET_UCS2) {
		if (p->msg.csv)
			return spool_parse_fail(p, SPOOL_ERROR_VALUE,
						"Recipients",
						"a CSV section needs a text "
						"body, not Alphabet: UCS2");
		p->state = SPOOL_STATE_BODY_RAW;
	} else {
		p->state = SPOOL_STATE_BODY;
	}
	return true;
}

static bool spool_parse_body_line(struct spool_parser *p, const char *s,
				  size_t n)
{
	size_t a = 0, b = n;

	if (p->msg.csv) {
		while (a < b && (s[a] == ' ' || s[a] == '\t'))
			a++;
		while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
			b--;
		if (b - a == strlen(CSV_MARKER) &&
		    strncasecmp(s + a, CSV_MARKER, b - a) == 0) {
			p->state = SPOOL_STATE_CSV_HEAD;
			return true;
		}
	}
	/* CRLF became LF already: bodies written on Windows read the same. */
	return spool_parse_body_add(p, s, n) && spool_parse_body_add(p, "\n",
								     1);
}

/* One complete line, without its '\n' (and without a CR before it). */
static bool spool_parse_line_end(struct spool_parser *p)
{
	char *s = p->lbuf;
	size_t n = p->llen;
	bool ok = true;

	if (n && s[n - 1] == '\r')
		n--;
	s[n] = '\0';
	switch (p->state) {
	case SPOOL_STATE_HEADERS:
		/* A byte order mark from a Windows editor is not a header. */
		if (p->line == 1 && n >= 3 &&
		    memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			n -= 3;
		}
		ok = spool_parse_blank(s, n) ? spool_parse_end_of_headers(p)
				 : spool_parse_header_line(p, s, n);
		break;
	case SPOOL_STATE_BODY:
		ok = spool_parse_body_line(p, s, n);
		break;
	case SPOOL_STATE_CSV_HEAD:
	case SPOOL_STATE_CSV_ROWS:
		ok = spool_parse_rcpt_csv(p, s, n);
		break;
	default:
		break;
	}
	p->llen = 0;
	p->line++;
	return ok;
}

static bool spool_parse_line_add(struct spool_parser *p, const char *s,
				 size_t n)
{
	size_t cap = p->state == SPOOL_STATE_BODY ? p->rules.max_body
						  : p->rules.max_line;

	if (p->llen + n > cap) {
		if (p->state == SPOOL_STATE_BODY)
			return spool_parse_fail(p, SPOOL_ERROR_LIMIT, NULL,
						"the body is longer than %zu "
						"bytes", p->rules.max_body);
		return spool_parse_fail(p, SPOOL_ERROR_LIMIT, NULL,
					"line longer than %zu bytes", cap);
	}
	memcpy(p->lbuf + p->llen, s, n);
	p->llen += n;
	return true;
}

bool spool_parse_feed(struct spool_parser *p, const void *data, size_t len)
{
	const char *d = data;

	if (p->state == SPOOL_STATE_FAILED)
		return false;
	if (p->state == SPOOL_STATE_DONE)
		return spool_parse_fail(p, SPOOL_ERROR_SYNTAX, NULL,
					"input after the end of the file");
	p->nbytes += len;
	for (size_t i = 0; i < len; i++)
		p->hash = (p->hash ^ (unsigned char)d[i]) * FNV_PRIME;
	while (len) {
		const char *nl;
		size_t n;

		if (p->state == SPOOL_STATE_BODY_RAW)
			return spool_parse_body_add(p, d, len);
		nl = memchr(d, '\n', len);
		n = nl ? (size_t)(nl - d) : len;
		if (!spool_parse_line_add(p, d, n))
			return false;
		if (!nl)
			break;
		if (!spool_parse_line_end(p))
			return false;
		d += n + 1;
		len -= n + 1;
	}
	return p->state != SPOOL_STATE_FAILED;
}

bool spool_parse_rewind(struct spool_parser *p, spool_recipient_fn fn,
			void *ud)
{
	/* After a finished pass 2 too: a big file is checked in one pass 2
	 * and added in another (spool_job.c). */
	if (p->state != SPOOL_STATE_DONE)
		return false;
	p->pass = 2;
	p->state = SPOOL_STATE_HEADERS;
	p->line = 1;
	p->llen = 0;
	p->nbytes = 0;
	p->hash = FNV_OFFSET;
	p->nheaders = 0;
	p->nraw = 0;
	p->emitted = 0;
	memset(p->seen, 0, sizeof(p->seen));
	/* Pass 1 wrote down every duplicate: the set is not needed again. */
	if (p->dups_ok)
		number_set_free(&p->set);
	else
		number_set_clear(&p->set);
	p->fn = fn;
	p->ud = ud;
	return true;
}

bool spool_parse_finish(struct spool_parser *p)
{
	if (p->state == SPOOL_STATE_FAILED)
		return false;
	if (p->state == SPOOL_STATE_DONE)
		return true;
	if (p->llen && p->state != SPOOL_STATE_BODY_RAW &&
	    !spool_parse_line_end(p))
		return false;
	p->line--;	/* errors below are about the last line */
	switch (p->state) {
	case SPOOL_STATE_HEADERS:
		if (!p->nbytes)
			return spool_parse_fail(p, SPOOL_ERROR_SYNTAX, NULL,
						"empty file");
		return spool_parse_fail(p, SPOOL_ERROR_SYNTAX, NULL,
					"no blank line between the headers "
					"and the body");
	case SPOOL_STATE_BODY:
		if (p->msg.csv)
			return spool_parse_fail(p, SPOOL_ERROR_CSV,
						"Recipients", "no '" CSV_MARKER
						"' line after the body");
		break;
	case SPOOL_STATE_CSV_HEAD:
		return spool_parse_fail(p, SPOOL_ERROR_CSV, NULL,
					"no CSV header row after '"
					CSV_MARKER "'");
	default:
		break;
	}
	if (p->pass == 2) {
		if (p->emitted != p->msg.recipients ||
		    p->nbytes != p->pass1_bytes || p->hash != p->pass1_hash)
			return spool_parse_fail(p, SPOOL_ERROR_CHANGED, NULL,
						"the file changed while it "
						"was read");
		p->state = SPOOL_STATE_DONE;
		return true;
	}
	if (!spool_parse_body_finish(p))
		return false;
	p->pass1_bytes = p->nbytes;
	p->pass1_hash = p->hash;
	snprintf(p->msg.hash, sizeof(p->msg.hash), "%016llx",
		 (unsigned long long)p->hash);
	p->state = SPOOL_STATE_DONE;
	return true;
}

static bool spool_parse_count_rcpt(const struct spool_recipient *r, void *ud)
{
	(void)r;
	(void)ud;
	return true;
}

bool spool_parse_buffer(const struct spool_rules *rules, const void *data,
			size_t len, spool_recipient_fn fn, void *ud,
			struct spool_parser **out, struct spool_error *err)
{
	struct spool_parser *p = spool_parse_new(rules);
	bool ok;

	if (!p) {
		memset(err, 0, sizeof(*err));
		err->code = SPOOL_ERROR_NOMEM;
		snprintf(err->text, sizeof(err->text), "out of memory");
		return false;
	}
	ok = spool_parse_feed(p, data, len) && spool_parse_finish(p) &&
	     spool_parse_rewind(p, fn ? fn : spool_parse_count_rcpt, ud) &&
	     spool_parse_feed(p, data, len) && spool_parse_finish(p);
	*err = p->err;
	if (ok && out) {
		*out = p;
		return true;
	}
	spool_parse_free(p);
	return ok;
}
