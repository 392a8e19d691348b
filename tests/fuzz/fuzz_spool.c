/*
 * Fuzz target for the spool file parser and the number normaliser. The
 * first byte picks the rules (default country or none, small limits) and
 * how the rest is cut into chunks; the rest is the file. Besides the
 * sanitizers it checks what must hold for any input:
 *   - the file is accepted or refused alike however it is chunked;
 *   - a refusal has a category and a one-line, printable, UTF-8 reason;
 *   - an accepted file gives exactly its count of recipients in pass 2,
 *     each with a normalised number and a valid UTF-8 body without NUL;
 *   - the first line, as a number, normalises to a number that normalises
 *     to itself.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "spool_parse.h"
#include "spool_text.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
	bool ok;
	struct spool_error err;
	size_t recipients, emitted;
	uint64_t body_hash;
};

static uint64_t hash(uint64_t h, const void *s, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void check_number(const char *n, enum number_kind kind)
{
	size_t len = strlen(n);
	size_t digits = strspn(n + (n[0] == '+'), "0123456789");

	if (kind == NUMBER_KIND_E164 &&
	    (n[0] != '+' || digits != len - 1 ||
	     digits < NUMBER_E164_DIGITS_MIN ||
	     digits > NUMBER_E164_DIGITS_MAX))
		abort();
	if (kind == NUMBER_KIND_SHORT &&
	    (digits != len || digits < NUMBER_SHORT_DIGITS_MIN ||
	     digits > NUMBER_E164_DIGITS_MAX))
		abort();
}

static bool on_rcpt(const struct spool_recipient *r, void *ud)
{
	struct outcome *o = ud;
	size_t bad;

	check_number(r->number, r->kind);
	if (strlen(r->body) != r->body_len ||
	    !utf8_valid(r->body, r->body_len, &bad) ||
	    r->index != o->emitted)
		abort();
	o->body_hash = hash(o->body_hash, r->number, strlen(r->number));
	o->body_hash = hash(o->body_hash, r->body, r->body_len);
	o->emitted++;
	return true;
}

static void check_reason(const struct spool_error *e)
{
	char buf[400];
	size_t bad;

	if (e->code == SPOOL_ERROR_NONE || !e->text[0])
		abort();
	spool_error_format(e, buf, sizeof(buf));
	for (const unsigned char *p = (const unsigned char *)buf; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			abort();
	if (!utf8_valid(buf, strlen(buf), &bad))
		abort();
}

/* Feeds data in chunks whose sizes come from seed (0: all at once). */
static bool feed(struct spool_parser *p, const uint8_t *data, size_t size,
		 unsigned seed)
{
	uint32_t x = seed;
	size_t off = 0;

	while (off < size) {
		size_t n = size - off;

		if (seed) {
			x = x * 1103515245 + 12345;
			n = 1 + (x >> 16) % 97;
			if (n > size - off)
				n = size - off;
		}
		if (!spool_parse_feed(p, data + off, n))
			return false;
		off += n;
	}
	return spool_parse_finish(p);
}

static void run(const struct spool_rules *r, const uint8_t *data, size_t size,
		unsigned seed, struct outcome *o)
{
	struct spool_parser *p = spool_parse_new(r);

	memset(o, 0, sizeof(*o));
	if (!p)
		abort();
	o->ok = feed(p, data, size, seed) &&
		spool_parse_rewind(p, on_rcpt, o) &&
		feed(p, data, size, seed);
	o->err = *spool_parse_error(p);
	if (o->ok) {
		const struct spool_message *m = spool_parse_message(p);
		size_t bad;
		unsigned cp;

		o->recipients = m->recipients;
		if (!m->recipients || o->emitted != m->recipients ||
		    strlen(m->body) != m->body_len ||
		    !utf8_valid(m->body, m->body_len, &bad) ||
		    !spool_text_controls_ok(m->body, m->body_len, &bad, &cp))
			abort();
		o->body_hash = hash(o->body_hash, m->body, m->body_len);
	} else {
		check_reason(&o->err);
	}
	spool_parse_free(p);
}

static void fuzz_number(const uint8_t *data, size_t size,
			const struct number_rules *r)
{
	char out[NUMBER_MAX], again[NUMBER_MAX], form[NUMBER_MAX + 1];
	char err[200];
	enum number_kind kind, k2;
	const uint8_t *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - data) : size;

	if (len > 64)
		len = 64;
	if (!number_normalise((const char *)data, len, r, out, &kind, err,
			      sizeof(err))) {
		if (!err[0])
			abort();
		return;
	}
	check_number(out, kind);
	number_spool_form(out, kind, form, sizeof(form));
	if (!number_normalise(form, strlen(form), r, again, &k2, err,
			      sizeof(err)) ||
	    strcmp(out, again) != 0 || k2 != kind)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_rules r;
	struct outcome whole, chunked;
	unsigned mode;

	if (!size)
		return 0;
	mode = data[0];
	data++;
	size--;
	spool_rules_init(&r, NULL);
	if (mode & 1)
		r.numbers.default_country = "49";
	if (mode & 2) {
		r.max_line = 200;
		r.max_body = 300;
		r.max_headers = 8;
		r.max_recipients = 20;
	}
	fuzz_number(data, size, &r.numbers);
	run(&r, data, size, 0, &whole);
	run(&r, data, size, (mode >> 2) + 1, &chunked);
	if (whole.ok != chunked.ok || whole.recipients != chunked.recipients ||
	    whole.body_hash != chunked.body_hash ||
	    whole.err.code != chunked.err.code ||
	    whole.err.line != chunked.err.line ||
	    strcmp(whole.err.text, chunked.err.text) != 0)
		abort();
	return 0;
}
