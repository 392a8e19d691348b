/*
 * keyword_rule — the custom rules of smsgw.conf (`rule "name" { match = …
 * }`), compiled once with PCRE2 and tried in config order. Pure.
 *
 * Patterns are compiled with PCRE2_UTF | PCRE2_CASELESS | PCRE2_UCP (\w, \b
 * and \d know every script, since replies come in every script) and run
 * with a match limit, so that a hostile reply cannot make a careless
 * pattern backtrack for minutes: a match that hits the limit counts as no
 * match.
 */
#ifndef SMSGW_KEYWORD_RULE_H
#define SMSGW_KEYWORD_RULE_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>

/* PCRE2 backtracking budget per rule and text. */
#define KEYWORD_RULE_MATCH_LIMIT 100000

struct keyword_rules;

/* A named group of a matching rule: both strings malloc'd. An unset group
 * has the value "". */
struct keyword_group {
	char *name;
	char *value;
};

/*
 * Copies and compiles rules[0..n). Returns the set, or NULL with the rule's
 * name, the PCRE2 error and its offset in err (or "out of memory").
 */
struct keyword_rules *keyword_rules_new(const struct config_rule *rules,
					size_t n, char *err, size_t errsize);
void keyword_rules_free(struct keyword_rules *kr);

size_t keyword_rules_count(const struct keyword_rules *kr);
/* The copy of rule i; borrowed, lives as long as kr. */
const struct config_rule *keyword_rules_get(const struct keyword_rules *kr,
					    size_t i);
/* True when rule i's pattern has a group called name (len bytes). */
bool keyword_rules_has_group(const struct keyword_rules *kr, size_t i,
			     const char *name, size_t len);

/*
 * The first rule, in config order, whose pattern matches text (NUL-
 * terminated, valid UTF-8). Returns its index, or -1 when none does (or
 * memory runs out). On a match, *groups holds the rule's named groups
 * (malloc'd, free with keyword_groups_free()), or NULL when it has none.
 */
int keyword_rules_match(const struct keyword_rules *kr, const char *text,
			struct keyword_group **groups, size_t *ngroups);

void keyword_groups_free(struct keyword_group *g, size_t n);

#endif
