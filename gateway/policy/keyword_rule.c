/* keyword_rule — PCRE2 custom rules; see include/keyword_rule.h. */
#include "keyword_rule.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct keyword_rule_entry {
	struct config_rule rule;	/* strings owned */
	pcre2_code *re;
	uint32_t nnames;
	uint32_t name_size;		/* bytes per name table entry */
	PCRE2_SPTR names;		/* PCRE2's name table */
};

struct keyword_rules {
	struct keyword_rule_entry *v;
	size_t n;
	pcre2_match_context *mctx;
};

static char *keyword_rule_dup(const char *s, bool *ok)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

static void keyword_rule_entry_free(struct keyword_rule_entry *e)
{
	free(e->rule.name);
	free(e->rule.match);
	free(e->rule.reply);
	free(e->rule.forward);
	free(e->rule.hook);
	pcre2_code_free(e->re);
}

static bool keyword_rule_compile(struct keyword_rule_entry *e,
				 const struct config_rule *r, char *err,
				 size_t errsize)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	bool ok = true;
	int code;

	e->rule.name = keyword_rule_dup(r->name, &ok);
	e->rule.match = keyword_rule_dup(r->match, &ok);
	e->rule.action = r->action;
	e->rule.reply = keyword_rule_dup(r->reply, &ok);
	e->rule.forward = keyword_rule_dup(r->forward, &ok);
	e->rule.hook = keyword_rule_dup(r->hook, &ok);
	if (!ok || !r->match) {
		snprintf(err, errsize, "rule \"%s\": %s", r->name,
			 ok ? "match is required" : "out of memory");
		return false;
	}
	e->re = pcre2_compile((PCRE2_SPTR)r->match, PCRE2_ZERO_TERMINATED,
			      PCRE2_UTF | PCRE2_CASELESS | PCRE2_UCP, &code,
			      &off, NULL);
	if (!e->re) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errsize,
			 "rule \"%s\": match is not a valid regular expression: %s at offset %zu",
			 r->name, (char *)msg, (size_t)off);
		return false;
	}
	pcre2_pattern_info(e->re, PCRE2_INFO_NAMECOUNT, &e->nnames);
	pcre2_pattern_info(e->re, PCRE2_INFO_NAMEENTRYSIZE, &e->name_size);
	pcre2_pattern_info(e->re, PCRE2_INFO_NAMETABLE, &e->names);
	return true;
}

struct keyword_rules *keyword_rules_new(const struct config_rule *rules,
					size_t n, char *err, size_t errsize)
{
	struct keyword_rules *kr = calloc(1, sizeof(*kr));

	if (!kr || !(kr->v = calloc(n + 1, sizeof(*kr->v))) ||
	    !(kr->mctx = pcre2_match_context_create(NULL))) {
		snprintf(err, errsize, "out of memory");
		keyword_rules_free(kr);
		return NULL;
	}
	pcre2_set_match_limit(kr->mctx, KEYWORD_RULE_MATCH_LIMIT);
	pcre2_set_depth_limit(kr->mctx, KEYWORD_RULE_MATCH_LIMIT / 10);
	for (; kr->n < n; kr->n++) {
		if (!keyword_rule_compile(&kr->v[kr->n], &rules[kr->n], err,
					  errsize)) {
			kr->n++;
			keyword_rules_free(kr);
			return NULL;
		}
	}
	return kr;
}

void keyword_rules_free(struct keyword_rules *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; kr->v && i < kr->n; i++)
		keyword_rule_entry_free(&kr->v[i]);
	free(kr->v);
	pcre2_match_context_free(kr->mctx);
	free(kr);
}

size_t keyword_rules_count(const struct keyword_rules *kr)
{
	return kr ? kr->n : 0;
}

const struct config_rule *keyword_rules_get(const struct keyword_rules *kr,
					    size_t i)
{
	return i < kr->n ? &kr->v[i].rule : NULL;
}

/* The name table: each entry is a 2-byte group number and the name. */
static const char *keyword_rule_name(const struct keyword_rule_entry *e,
				     uint32_t k, uint32_t *group)
{
	PCRE2_SPTR t = e->names + (size_t)k * e->name_size;

	*group = ((uint32_t)t[0] << 8) | t[1];
	return (const char *)t + 2;
}

bool keyword_rules_has_group(const struct keyword_rules *kr, size_t i,
			     const char *name, size_t len)
{
	const struct keyword_rule_entry *e;

	if (i >= kr->n)
		return false;
	e = &kr->v[i];
	for (uint32_t k = 0; k < e->nnames; k++) {
		uint32_t g;
		const char *nm = keyword_rule_name(e, k, &g);

		if (strlen(nm) == len && memcmp(nm, name, len) == 0)
			return true;
	}
	return false;
}

void keyword_groups_free(struct keyword_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++) {
		free(g[i].name);
		free(g[i].value);
	}
	free(g);
}

static bool keyword_rule_groups(const struct keyword_rule_entry *e,
				const char *text, pcre2_match_data *md,
				struct keyword_group **out, size_t *nout)
{
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	uint32_t npairs = pcre2_get_ovector_count(md);
	struct keyword_group *g;

	*out = NULL;
	*nout = 0;
	if (!e->nnames)
		return true;
	g = calloc(e->nnames, sizeof(*g));
	if (!g)
		return false;
	for (uint32_t k = 0; k < e->nnames; k++) {
		uint32_t num;
		const char *nm = keyword_rule_name(e, k, &num);
		size_t a = 0, b = 0;

		if (num < npairs && ov[2 * num] != PCRE2_UNSET) {
			a = ov[2 * num];
			b = ov[2 * num + 1];
		}
		g[k].name = strdup(nm);
		g[k].value = strndup(text + a, b > a ? b - a : 0);
		if (!g[k].name || !g[k].value) {
			keyword_groups_free(g, k + 1);
			return false;
		}
	}
	*out = g;
	*nout = e->nnames;
	return true;
}

int keyword_rules_match(const struct keyword_rules *kr, const char *text,
			struct keyword_group **groups, size_t *ngroups)
{
	*groups = NULL;
	*ngroups = 0;
	for (size_t i = 0; kr && i < kr->n; i++) {
		const struct keyword_rule_entry *e = &kr->v[i];
		pcre2_match_data *md =
			pcre2_match_data_create_from_pattern(e->re, NULL);
		int rc;

		if (!md)
			return -1;
		rc = pcre2_match(e->re, (PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED,
				 0, 0, md, kr->mctx);
		/* Errors, the match limit included, count as no match. */
		if (rc < 0) {
			pcre2_match_data_free(md);
			continue;
		}
		if (!keyword_rule_groups(e, text, md, groups, ngroups)) {
			pcre2_match_data_free(md);
			return -1;
		}
		pcre2_match_data_free(md);
		return (int)i;
	}
	return -1;
}
