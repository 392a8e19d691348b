/*
 * keyword — what an inbound reply asks for (doc/contract.md §9): opt-out,
 * opt-in, help, a custom rule, or nothing; and the automatic reply it gets. Pure:
 * no I/O, no globals, no logging. The glue matches a message once it is
 * complete (or released partial), stores keyword_match_tag() in the inbox
 * row, and acts.
 *
 * Order (compliance first; the first that matches wins):
 *  1. exact opt-out: the words of the normalised text (keyword_norm.h) are
 *     the words of an optout_keywords entry ("STOP", "Stop.", "ＳＴＯＰ",
 *     "opt-out!", "  stop 🛑" all are);
 *  2. exact opt-in (optin_keywords), 3. exact help (help_keywords);
 *  4. broad opt-out (unless KEYWORD_NO_BROAD), FCC 24-24's "reasonable
 *     means" read narrowly (doc/reliability.md, "The keyword
 *     matcher"). A reply of at most KEYWORD_BROAD_MAX_WORDS words is an
 *     opt-out when it holds a trigger (an optout_keywords entry, or a
 *     built-in English phrase:
 *     "unsub", "remove me", "take me off", "opt me out", "don't text",
 *     "do not text|message|contact|call …", "never text", "no more",
 *     "leave me alone", "stop it") and every other word is filler: please,
 *     thanks, now, me, my, your, texts, messages, list, number, "wrong
 *     number", "not interested", a help keyword, a few intensifiers …
 *     (keyword.c lists them all). So "stop texting me please", "please
 *     stop", "unsubscribe me", "Stop. Wrong number" are opt-outs; "don't
 *     stop", "stopwatch", "stop by the office tomorrow at 5", "cancel my
 *     appointment", "when does the sale end" are not (a word that is
 *     neither trigger nor filler, such as a negation, vetoes). The filler
 *     and phrases are English; other languages match through their
 *     configured keywords, exactly or surrounded by the filler words;
 *  5. custom rules (keyword_rule.h), in config order, on the normalised
 *     text. A rule can never shadow STOP, START or HELP.
 *
 * Opt-in and help match exactly only: a misread START would re-subscribe
 * someone, and "help, I can't log in" deserves a human. The glue should act
 * on opt-in (and reply) only when the number is opted out; otherwise an
 * answer "Yes" to a question would get the subscription text.
 */
#ifndef SMSGW_KEYWORD_H
#define SMSGW_KEYWORD_H

#include "config.h"
#include "keyword_rule.h"

#include <stdbool.h>
#include <stddef.h>

#define KEYWORD_BROAD_MAX_WORDS 8

enum keyword_class {
	KEYWORD_CLASS_NONE,
	KEYWORD_CLASS_OPTOUT,
	KEYWORD_CLASS_OPTIN,
	KEYWORD_CLASS_HELP,
	KEYWORD_CLASS_RULE,
};

/* "none", "optout", "optin", "help", "rule" */
const char *keyword_class_name(enum keyword_class c);

enum keyword_how {
	KEYWORD_HOW_NONE,
	KEYWORD_HOW_EXACT,	/* the whole reply is a keyword */
	KEYWORD_HOW_BROAD,	/* step 4: trigger and filler words */
	KEYWORD_HOW_PATTERN,	/* a custom rule's regular expression */
};

/* "none", "exact", "broad", "pattern" */
const char *keyword_how_name(enum keyword_how h);

enum keyword_flags {
	KEYWORD_NO_BROAD = 1 << 0,	/* skip step 4 */
};

struct keyword_set;

/*
 * Builds the matcher from cfg's keyword lists, replies and rules (copied:
 * cfg may be freed afterwards). Checks that every reply template names
 * only known placeholders (see keyword_reply()). Returns NULL with a
 * message in err when a pattern does not compile, a template is wrong or
 * memory runs out.
 */
struct keyword_set *keyword_set_new(const struct config *cfg, unsigned flags,
				    char *err, size_t errsize);
void keyword_set_free(struct keyword_set *ks);

struct keyword_match {
	enum keyword_class cls;
	enum keyword_how how;
	/* EXACT and BROAD: the list entry as configured ("OPT OUT") or the
	 * built-in phrase ("remove me") that matched; borrowed from the set.
	 * NULL otherwise. */
	const char *matched;
	/* RULE: the rule (name, action, reply, forward, hook), borrowed from
	 * the set. NULL otherwise. */
	const struct config_rule *rule;
	char *normalised;		/* malloc'd; "" for an empty text */
	struct keyword_group *groups;	/* RULE: its named groups */
	size_t ngroups;
};

/*
 * Classifies text (UTF-8, len bytes). Returns false only when memory runs
 * out. Free out with keyword_match_free() either way.
 */
bool keyword_match(const struct keyword_set *ks, const char *text,
		   size_t len, struct keyword_match *out);
void keyword_match_free(struct keyword_match *m);

/* The inbox view's keyword column: "optout", "optin", "help", the rule's
 * name, or NULL. */
const char *keyword_match_tag(const struct keyword_match *m);

/* What a reply template may use besides a rule's named groups. */
struct keyword_ctx {
	const char *sender;	/* the number the reply came from */
	const char *text;	/* the reply as received */
	const char *sim;	/* the receiving SIM's name ("m1/1") */
	const char *sim_number;	/* its own number, NULL if unknown */
};

/*
 * The automatic reply for m: optout_reply, optin_reply or help_reply for
 * those classes, a rule's reply when it has one (whatever its action), or
 * none. Placeholders: {{sender}}, {{text}}, {{normalised}}, {{sim}},
 * {{sim_number}}, {{keyword}} (keyword_match_tag()), {{rule}}, {{matched}}
 * and, in a rule's reply, the pattern's named groups ((?<code>\d+) gives
 * {{code}}); a field wins over a group of the same name. Unknown values
 * are "". Returns a malloc'd text, or NULL with err "" when there is no
 * reply (or it is empty), or NULL with err set when memory runs out.
 */
char *keyword_reply(const struct keyword_set *ks, const struct keyword_match *m,
		    const struct keyword_ctx *ctx, char *err, size_t errsize);

/* For action forward: "From <sender>: <text>", malloc'd (NULL: no memory). */
char *keyword_forward_text(const struct keyword_ctx *ctx);

#endif
