/* keyword — keyword lists, broad opt-out and replies; see keyword.h. */
#include "keyword.h"
#include "keyword_norm.h"
#include "template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct keyword_entry {
	char *label;			/* as configured */
	struct keyword_words words;	/* its normalised words */
};

struct keyword_list {
	struct keyword_entry *v;
	size_t n;
};

struct keyword_set {
	struct keyword_list optout, optin, help;
	char *optout_reply, *optin_reply, *help_reply;
	struct keyword_rules *rules;
	unsigned flags;
};

/* A built-in phrase: words, each a '|'-separated list of alternatives. */
struct keyword_phrase {
	const char *label;
	const char *w[4];
};

#define KEYWORD_VERBS "text|txt|message|msg|sms|contact|email|send|spam|call"

/* Step 4 triggers that hold no keyword: English ways of saying stop. */
static const struct keyword_phrase keyword_stop_phrases[] = {
	{ "unsub", { "unsub" } },
	{ "remove me", { "remove", "me|us|my|this|our" } },
	{ "take me off", { "take", "me|us|my|this|our", "off" } },
	{ "opt me out", { "opt", "me|us", "out" } },
	{ "don't text", { "don't|dont|do'nt", KEYWORD_VERBS } },
	{ "do not text", { "do", "not", KEYWORD_VERBS } },
	{ "never text", { "never", KEYWORD_VERBS } },
	{ "no more", { "no", "more" } },
	{ "leave me alone", { "leave", "me|us", "alone" } },
	{ "stop it", { "stop|quit", "it" } },
};

/* Step 4 filler made of several words. */
static const struct keyword_phrase keyword_filler_phrases[] = {
	{ "not interested", { "not", "interested" } },
	{ "wrong number", { "wrong", "number|person|guy" } },
	{ "s'il vous plait", { "s'il", "vous", "plait|plaît" } },
	{ "por favor", { "por", "favor" } },
};

/*
 * Step 4 filler words: politeness, urgency, what is being stopped and
 * who. No negation, no "yes"/"no", nothing that names an appointment,
 * an order or a place: those veto the broad match.
 */
static const char *const keyword_filler_words[] = {
	"please", "pls", "plz", "plez", "plse", "thanks", "thank", "thx", "ty",
	"you", "u", "now", "right", "away", "immediately", "asap", "already",
	"just", "all", "me", "my", "us", "our", "i", "i'm", "im", "this",
	"these", "those", "that", "the", "your", "ur", "from", "to", "of",
	"list", "lists", "number", "numbers", "phone", "texts", "text",
	"texting", "txt", "txts", "sms", "messages", "message", "messaging",
	"msgs", "msg", "sending", "send", "contacting", "calling", "emails",
	"spam", "spamming", "more", "anymore", "again", "ever", "forever",
	"permanently", "want", "wanna", "would", "like", "need", "can",
	"could", "will", "ok", "okay", "hey", "hi", "hello", "sir", "madam",
	"bye", "goodbye", "lol", "omg", "wtf", "damn", "fucking", "stupid",
	"annoying", "seriously", "really", "and", "also", "too",
	"subscription", "subscriptions", "membership", "alerts",
	"notifications", "service", "marketing", "promo", "promos",
	"promotions", "ads", "updates", "newsletter", "bitte", "danke",
	"merci", "svp", "gracias", "grazie",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *keyword_class_name(enum keyword_class c)
{
	static const char *const names[] = {
		[KEYWORD_CLASS_NONE] = "none",
		[KEYWORD_CLASS_OPTOUT] = "optout",
		[KEYWORD_CLASS_OPTIN] = "optin",
		[KEYWORD_CLASS_HELP] = "help",
		[KEYWORD_CLASS_RULE] = "rule",
	};

	return (size_t)c < NELEM(names) ? names[c] : "?";
}

const char *keyword_how_name(enum keyword_how h)
{
	static const char *const names[] = {
		[KEYWORD_HOW_NONE] = "none",
		[KEYWORD_HOW_EXACT] = "exact",
		[KEYWORD_HOW_BROAD] = "broad",
		[KEYWORD_HOW_PATTERN] = "pattern",
	};

	return (size_t)h < NELEM(names) ? names[h] : "?";
}

/* ---- building ---- */

static void keyword_list_free(struct keyword_list *l)
{
	for (size_t i = 0; l->v && i < l->n; i++) {
		free(l->v[i].label);
		keyword_norm_words_free(&l->v[i].words);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static bool keyword_list_init(struct keyword_list *l, const char *what,
			      char *const *kw, size_t n, char *err,
			      size_t errsize)
{
	l->v = calloc(n + 1, sizeof(*l->v));
	if (!l->v)
		goto nomem;
	for (; l->n < n; l->n++) {
		struct keyword_entry *e = &l->v[l->n];
		char *norm = keyword_norm(kw[l->n], strlen(kw[l->n]));
		bool ok = norm && keyword_norm_words(norm, &e->words);

		free(norm);
		e->label = strdup(kw[l->n]);
		if (!ok || !e->label) {
			l->n++;
			goto nomem;
		}
		if (!e->words.n || e->words.total > KEYWORD_BROAD_MAX_WORDS) {
			snprintf(err, errsize,
				 "%s: \"%s\" must have 1 to %d words of letters or digits",
				 what, kw[l->n], KEYWORD_BROAD_MAX_WORDS);
			l->n++;
			return false;
		}
	}
	return true;
nomem:
	snprintf(err, errsize, "out of memory");
	return false;
}

/* The placeholders every reply may use; see keyword_reply(). */
static const char *const keyword_fields[] = {
	"sender", "text", "normalised", "sim", "sim_number", "keyword", "rule",
	"matched",
};

/* The index of the placeholder name (len bytes) in keyword_fields, or -1. */
static int keyword_field(const char *name, size_t len)
{
	for (size_t i = 0; i < NELEM(keyword_fields); i++)
		if (strlen(keyword_fields[i]) == len &&
		    memcmp(keyword_fields[i], name, len) == 0)
			return (int)i;
	return -1;
}

struct keyword_check {
	const struct keyword_set *ks;
	long rule;		/* index, or -1 for the global replies */
	char bad[64];		/* the first unknown placeholder */
};

static void keyword_check_name(const char *name, size_t len, void *ud)
{
	struct keyword_check *c = ud;

	if (c->bad[0] || keyword_field(name, len) >= 0)
		return;
	if (c->rule >= 0 &&
	    keyword_rules_has_group(c->ks->rules, (size_t)c->rule, name, len))
		return;
	snprintf(c->bad, sizeof(c->bad), "%.*s", (int)len, name);
}

static bool keyword_check_template(const struct keyword_set *ks, long rule,
				   const char *what, const char *tpl,
				   char *err, size_t errsize)
{
	struct keyword_check c = { .ks = ks, .rule = rule };

	if (!tpl)
		return true;
	template_names(tpl, keyword_check_name, &c);
	if (!c.bad[0])
		return true;
	snprintf(err, errsize,
		 "%s uses {{%s}}, which is not one of sender, text, normalised, sim, sim_number, keyword, rule, matched%s",
		 what, c.bad, rule >= 0 ? " or a named group of match" : "");
	return false;
}

static bool keyword_check_templates(const struct keyword_set *ks, char *err,
				    size_t errsize)
{
	char what[96];

	if (!keyword_check_template(ks, -1, "optout_reply", ks->optout_reply,
				    err, errsize) ||
	    !keyword_check_template(ks, -1, "optin_reply", ks->optin_reply,
				    err, errsize) ||
	    !keyword_check_template(ks, -1, "help_reply", ks->help_reply, err,
				    errsize))
		return false;
	for (size_t i = 0; i < keyword_rules_count(ks->rules); i++) {
		const struct config_rule *r = keyword_rules_get(ks->rules, i);

		snprintf(what, sizeof(what), "rule \"%s\": reply", r->name);
		if (!keyword_check_template(ks, (long)i, what, r->reply, err,
					    errsize))
			return false;
	}
	return true;
}

static char *keyword_strdup_or_null(const char *s, bool *ok)
{
	char *d = s && s[0] ? strdup(s) : NULL;

	if (s && s[0] && !d)
		*ok = false;
	return d;
}

struct keyword_set *keyword_set_new(const struct config *cfg, unsigned flags,
				    char *err, size_t errsize)
{
	struct keyword_set *ks = calloc(1, sizeof(*ks));
	bool ok = true;

	err[0] = '\0';
	if (!ks) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	ks->flags = flags;
	ks->optout_reply = keyword_strdup_or_null(cfg->optout_reply, &ok);
	ks->optin_reply = keyword_strdup_or_null(cfg->optin_reply, &ok);
	ks->help_reply = keyword_strdup_or_null(cfg->help_reply, &ok);
	if (!ok)
		snprintf(err, errsize, "out of memory");
	if (!ok ||
	    !keyword_list_init(&ks->optout, "optout_keywords",
			       cfg->optout_keywords, cfg->noptout_keywords, err,
			       errsize) ||
	    !keyword_list_init(&ks->optin, "optin_keywords",
			       cfg->optin_keywords, cfg->noptin_keywords, err,
			       errsize) ||
	    !keyword_list_init(&ks->help, "help_keywords", cfg->help_keywords,
			       cfg->nhelp_keywords, err, errsize) ||
	    !(ks->rules = keyword_rules_new(cfg->rules, cfg->nrules, err,
					    errsize)) ||
	    !keyword_check_templates(ks, err, errsize)) {
		keyword_set_free(ks);
		return NULL;
	}
	return ks;
}

void keyword_set_free(struct keyword_set *ks)
{
	if (!ks)
		return;
	keyword_list_free(&ks->optout);
	keyword_list_free(&ks->optin);
	keyword_list_free(&ks->help);
	free(ks->optout_reply);
	free(ks->optin_reply);
	free(ks->help_reply);
	keyword_rules_free(ks->rules);
	free(ks);
}

/* ---- matching ---- */

static bool keyword_alt(const char *alts, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = alts;;) {
		const char *bar = strchr(p, '|');
		size_t l = bar ? (size_t)(bar - p) : strlen(p);

		if (l == wl && memcmp(p, word, l) == 0)
			return true;
		if (!bar)
			return false;
		p = bar + 1;
	}
}

static const char *keyword_exact(const struct keyword_list *l,
				 const struct keyword_words *t)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct keyword_words *k = &l->v[i].words;
		size_t j;

		if (k->n != t->total)
			continue;
		for (j = 0; j < k->n && strcmp(k->w[j], t->w[j]) == 0; j++)
			;
		if (j == k->n)
			return l->v[i].label;
	}
	return NULL;
}

/* Marks every occurrence of the phrase w[0..n) in t; true if there was one. */
static bool keyword_cover(const struct keyword_words *t, const char *const *w,
			  size_t n, bool *covered)
{
	bool found = false;

	for (size_t i = 0; n && i + n <= t->n; i++) {
		size_t j;

		for (j = 0; j < n && keyword_alt(w[j], t->w[i + j]); j++)
			;
		if (j < n)
			continue;
		for (j = 0; j < n; j++)
			covered[i + j] = true;
		found = true;
	}
	return found;
}

static size_t keyword_phrase_len(const struct keyword_phrase *p)
{
	size_t n = 0;

	while (n < NELEM(p->w) && p->w[n])
		n++;
	return n;
}

static bool keyword_is_filler(const char *w)
{
	for (size_t i = 0; i < NELEM(keyword_filler_words); i++)
		if (strcmp(keyword_filler_words[i], w) == 0)
			return true;
	return false;
}

/* Step 4 of the header; returns the trigger's label or NULL. */
static const char *keyword_broad(const struct keyword_set *ks,
				 const struct keyword_words *t)
{
	bool covered[KEYWORD_NORM_MAX_WORDS] = { false };
	const char *trigger = NULL;

	if (!t->total || t->total > KEYWORD_BROAD_MAX_WORDS)
		return NULL;
	for (size_t i = 0; i < ks->optout.n; i++) {
		const struct keyword_entry *e = &ks->optout.v[i];

		if (keyword_cover(t, e->words.w, e->words.n, covered) &&
		    !trigger)
			trigger = e->label;
	}
	for (size_t i = 0; i < NELEM(keyword_stop_phrases); i++) {
		const struct keyword_phrase *p = &keyword_stop_phrases[i];

		if (keyword_cover(t, p->w, keyword_phrase_len(p), covered) &&
		    !trigger)
			trigger = p->label;
	}
	if (!trigger)
		return NULL;
	for (size_t i = 0; i < NELEM(keyword_filler_phrases); i++) {
		const struct keyword_phrase *p = &keyword_filler_phrases[i];

		keyword_cover(t, p->w, keyword_phrase_len(p), covered);
	}
	for (size_t i = 0; i < ks->help.n; i++)
		keyword_cover(t, ks->help.v[i].words.w, ks->help.v[i].words.n,
			      covered);
	for (size_t i = 0; i < t->n; i++)
		if (!covered[i] && !keyword_is_filler(t->w[i]))
			return NULL;
	return trigger;
}

static bool keyword_match_rules(const struct keyword_set *ks,
				struct keyword_match *out)
{
	int i = keyword_rules_match(ks->rules, out->normalised, &out->groups,
				    &out->ngroups);

	if (i < 0)
		return true;
	out->cls = KEYWORD_CLASS_RULE;
	out->how = KEYWORD_HOW_PATTERN;
	out->rule = keyword_rules_get(ks->rules, (size_t)i);
	return true;
}

bool keyword_match(const struct keyword_set *ks, const char *text,
		   size_t len, struct keyword_match *out)
{
	static const enum keyword_class classes[] = {
		KEYWORD_CLASS_OPTOUT, KEYWORD_CLASS_OPTIN, KEYWORD_CLASS_HELP,
	};
	const struct keyword_list *lists[] = { &ks->optout, &ks->optin,
					       &ks->help };
	struct keyword_words t;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->normalised = keyword_norm(text, len);
	if (!out->normalised || !keyword_norm_words(out->normalised, &t))
		return false;
	for (size_t i = 0; i < NELEM(classes) && !out->cls; i++) {
		out->matched = keyword_exact(lists[i], &t);
		if (out->matched) {
			out->cls = classes[i];
			out->how = KEYWORD_HOW_EXACT;
		}
	}
	if (!out->cls && !(ks->flags & KEYWORD_NO_BROAD)) {
		out->matched = keyword_broad(ks, &t);
		if (out->matched) {
			out->cls = KEYWORD_CLASS_OPTOUT;
			out->how = KEYWORD_HOW_BROAD;
		}
	}
	keyword_norm_words_free(&t);
	if (!out->cls)
		ok = keyword_match_rules(ks, out);
	return ok;
}

void keyword_match_free(struct keyword_match *m)
{
	free(m->normalised);
	keyword_groups_free(m->groups, m->ngroups);
	memset(m, 0, sizeof(*m));
}

const char *keyword_match_tag(const struct keyword_match *m)
{
	switch (m->cls) {
	case KEYWORD_CLASS_OPTOUT:
	case KEYWORD_CLASS_OPTIN:
	case KEYWORD_CLASS_HELP:
		return keyword_class_name(m->cls);
	case KEYWORD_CLASS_RULE:
		return m->rule->name;
	default:
		return NULL;
	}
}

/* ---- replies ---- */

struct keyword_reply_ud {
	const struct keyword_match *m;
	const struct keyword_ctx *ctx;
};

static const char *keyword_or_empty(const char *s)
{
	return s ? s : "";
}

static const char *keyword_lookup(const char *name, size_t len, void *ud)
{
	const struct keyword_reply_ud *u = ud;
	const struct keyword_match *m = u->m;
	const char *const values[] = {
		u->ctx->sender, u->ctx->text, m->normalised, u->ctx->sim,
		u->ctx->sim_number, keyword_match_tag(m),
		m->rule ? m->rule->name : NULL, m->matched,
	};
	int f = keyword_field(name, len);

	if (f >= 0)
		return keyword_or_empty(values[f]);
	for (size_t i = 0; i < m->ngroups; i++)
		if (strlen(m->groups[i].name) == len &&
		    memcmp(m->groups[i].name, name, len) == 0)
			return m->groups[i].value;
	return "";
}

char *keyword_reply(const struct keyword_set *ks, const struct keyword_match *m,
		    const struct keyword_ctx *ctx, char *err, size_t errsize)
{
	struct keyword_reply_ud u = { .m = m, .ctx = ctx };
	const char *tpl = NULL;

	err[0] = '\0';
	switch (m->cls) {
	case KEYWORD_CLASS_OPTOUT:
		tpl = ks->optout_reply;
		break;
	case KEYWORD_CLASS_OPTIN:
		tpl = ks->optin_reply;
		break;
	case KEYWORD_CLASS_HELP:
		tpl = ks->help_reply;
		break;
	case KEYWORD_CLASS_RULE:
		tpl = m->rule->reply;
		break;
	default:
		break;
	}
	if (!tpl || !tpl[0])
		return NULL;
	return template_render(tpl, keyword_lookup, &u, err, errsize);
}

char *keyword_forward_text(const struct keyword_ctx *ctx)
{
	char *s;

	if (asprintf(&s, "From %s: %s", keyword_or_empty(ctx->sender),
		     keyword_or_empty(ctx->text)) < 0)
		return NULL;
	return s;
}
