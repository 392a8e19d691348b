/*
 * Helpers the spool parser tests share: parse a file held in memory with
 * both passes and keep the first recipients it gives.
 */
#ifndef SMSGW_TEST_SPOOL_HELPERS_H
#define SMSGW_TEST_SPOOL_HELPERS_H

#include "spool_parse.h"

#include <stdio.h>
#include <string.h>

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

#endif
