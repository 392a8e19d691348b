/*
 * Helpers the spool parser tests share: parse a file held in memory with
 * both passes and keep the first recipients it gives.
 */
#ifndef SMSGW_TEST_SPOOL_HELPERS_H
#define SMSGW_TEST_SPOOL_HELPERS_H

#include "harness.h"
#include "spool_parse.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
/* A literal with NUL bytes in it, and its length. */
#define LIT(s) s, sizeof(s) - 1

#define GOT_MAX 16

struct got {
	size_t n;
	char number[GOT_MAX][NUMBER_MAX];
	enum number_kind kind[GOT_MAX];
	char body[GOT_MAX][1024];
	unsigned line[GOT_MAX];
};

static inline bool got_add(const struct spool_recipient *r, void *ud)
{
	struct got *g = ud;

	if (g->n < GOT_MAX) {
		snprintf(g->number[g->n], sizeof(g->number[0]), "%s",
			 r->number);
		snprintf(g->body[g->n], sizeof(g->body[0]), "%s", r->body);
		g->kind[g->n] = r->kind;
		g->line[g->n] = r->line;
	}
	g->n++;
	return true;
}

/* Germany's numbering: default country 49, trunk prefix 0. */
static inline void test_rules(struct spool_rules *r)
{
	spool_rules_init(r, NULL);
	r->numbers.default_country = "49";
	r->numbers.trunk_prefix = "0";
}

/* Both passes over text; the parser on success (caller frees), else NULL
 * with *e filled in. */
static inline struct spool_parser *
parse_with(const struct spool_rules *r, const char *text, size_t len,
	   struct got *g, struct spool_error *e)
{
	struct spool_parser *p = NULL;

	memset(g, 0, sizeof(*g));
	if (!spool_parse_buffer(r, text, len, got_add, g, &p, e))
		return NULL;
	return p;
}

static inline struct spool_parser *parse_text(const char *text, struct got *g,
					      struct spool_error *e)
{
	struct spool_rules r;

	test_rules(&r);
	return parse_with(&r, text, strlen(text), g, e);
}

/* "line 3: Priority: …" for a failure message. */
static inline const char *error_text(const struct spool_error *e)
{
	static char buf[300];

	spool_error_format(e, buf, sizeof(buf));
	return buf;
}

static inline struct spool_parser *parse_ok(const char *file, int line,
					    const char *text, struct got *g,
					    const char *what)
{
	struct spool_error e;
	struct spool_parser *p = parse_text(text, g, &e);

	if (!p)
		harness_fail(file, line, "%s: refused: %s", what,
			     error_text(&e));
	return p;
}

/* parse_text() of a file that must be accepted: the parser (caller frees),
 * or NULL after a failed check that names what and the reason. */
#define PARSE_OK(text, g, what) parse_ok(__FILE__, __LINE__, text, g, what)

#endif
