/*
 * Keywords: normalisation, the opt-out/opt-in/help lists with the config's
 * defaults, the broad opt-out rule on phrase fixtures in both directions,
 * custom PCRE2 rules and reply templates.
 */
#include "config.h"
#include "harness.h"
#include "keyword.h"
#include "keyword_norm.h"

#include <stdio.h>
#include <stdlib.h>

/* The shipped defaults plus a few rules. */
static const char rules_conf[] =
	"rule \"stoprule\" { match = \"stop\" }\n"
	"rule \"yesrule\" { match = \"^yes$\" }\n"
	"rule \"hours\" {\n"
	"    match  = \"^(opening )?hours\\\\??$\"\n"
	"    action = \"reply\"\n"
	"    reply  = \"Hi {{sender}}, we are open 9-17 Mon-Fri.\"\n"
	"}\n"
	"rule \"order\" {\n"
	"    match  = \"^order (?<code>[a-z]{2}-?\\\\d+)(?: (?<note>.*))?$\"\n"
	"    action = \"reply\"\n"
	"    reply  = \"Order {{code}} [{{note}}] from {{sender}} to "
	"{{sim_number}} ({{rule}})\"\n"
	"}\n"
	"rule \"sales\" {\n"
	"    match   = \"\\\\b(price|quote)\\\\b\"\n"
	"    action  = \"forward\"\n"
	"    forward = \"+15551230009\"\n"
	"}\n"
	"rule \"second\" { match = \"price\" action = \"tag\" }\n"
	"rule \"callback\" {\n"
	"    match = \"^call ?back\" action = \"hook\" hook = \"/bin/true\"\n"
	"}\n"
	"rule \"slow\" { match = \"^(a+)+$\" }\n";

static struct keyword_set *load_set(const char *name, const char *text,
				    struct config **cfgp)
{
	struct keyword_set *ks;
	struct config *cfg;
	char err[1024];

	if (!CHECK_INT(config_load(harness_write_file(name, text), &cfg, err,
				   sizeof(err)), 0)) {
		printf("# %s\n", err);
		return NULL;
	}
	ks = keyword_set_new(cfg, 0, err, sizeof(err));
	if (!CHECK(ks))
		printf("# %s\n", err);
	if (cfgp)
		*cfgp = cfg;
	else
		config_free(cfg);
	return ks;
}

TEST(keyword_norm_table)
{
	static const struct {
		const char *in, *want;
	} v[] = {
		{ "", "" },
		{ "   ", "" },
		{ "!!!", "" },
		{ "🛑", "" },
		{ "  Hello   World  ", "hello world" },
		{ "a\r\n\r\nb\t c", "a b c" },
		{ "STOP\r\n", "stop" },
		{ "ＳＴＯＰ！", "stop" },
		{ "ｈｅｌｌｏ\u3000ｗｏｒｌｄ", "hello world" },
		{ "\u00a0Stop\u2003now\u3000", "stop now" },
		{ "S\u200bT\u200dO\ufeffP\u00ad", "stop" },
		{ "ÀÉÎÕÜ ÆØÅ Þ", "àéîõü æøå þ" },
		{ "Straße STRASSE ẞ", "straße strasse ß" },
		{ "ŁÓDŹ ĞÜŞ İSTANBUL ıı Ÿ ſ", "łódź ğüş istanbul ıı ÿ s" },
		{ "ȘȚ ĂÎÂ", "șț ăîâ" },
		{ "ΟΔΥΣΣΕΥΣ Ελληνικά ΆΈΉ", "οδυσσευσ ελληνικά άέή" },
		{ "τέλος ΤΈΛΟΣ", "τέλοσ τέλοσ" },
		{ "МОСКВА Ёж ЇЄ Ӂ", "москва ёж їє ӂ" },
		{ "ՀԱՅ", "հայ" },
		{ "TIẾNG VIỆT", "tiếng việt" },
		{ "µ", "μ" },
		{ "¡¿Qué?!", "qué" },
		{ "«Stop»", "stop" },
		{ "“STOP” …", "stop" },
		{ "‘stop’", "stop" },
		{ "STOP!!! 😡👍🏽", "stop" },
		{ "Stop‼️", "stop" },
		{ "STOP。", "stop" },
		{ "停止。", "停止" },
		{ "stop؟", "stop" },
		{ "i ❤ you", "i ❤ you" },
		{ "don’t stop", "don't stop" },
		{ "well—stop", "well-stop" },
		{ "Opt-Out", "optout" },
		{ "OPT OUT", "optout" },
		{ "opt_out", "optout" },
		{ "opt–out!", "optout" },
		{ "ＯＰＴ\u3000ＯＵＴ", "optout" },
		{ "opt out now", "optout now" },
		{ "please opt-out me", "please optout me" },
		{ "OPT IN", "optin" },
		{ "adopt out", "adopt out" },
		{ "opt outside", "opt outside" },
		{ "opt  -  out", "opt - out" },
		{ "\xff\xfeSTOP", "stop" },
		{ "stop\xe2\x80", "stop" },
		{ "a\xc0\xaf" "b", "a\xef\xbf\xbd\xef\xbf\xbd" "b" },
		{ "a\xed\xa0\x80z", "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *n = keyword_norm(v[i].in, strlen(v[i].in));

		if (!CHECK_STR(n, v[i].want))
			printf("# case %zu\n", i);
		free(n);
	}
}

TEST(keyword_norm_fold_samples)
{
	static const uint32_t v[][2] = {
		{ 'A', 'a' }, { 'z', 'z' }, { 0xc0, 0xe0 }, { 0xd7, 0xd7 },
		{ 0xde, 0xfe }, { 0xdf, 0xdf }, { 0xb5, 0x3bc },
		{ 0x100, 0x101 },
		{ 0x101, 0x101 }, { 0x130, 'i' }, { 0x131, 0x131 },
		{ 0x139, 0x13a }, { 0x178, 0xff }, { 0x17d, 0x17e },
		{ 0x17f, 's' }, { 0x186, 0x254 }, { 0x1c5, 0x1c6 },
		{ 0x218, 0x219 }, { 0x391, 0x3b1 }, { 0x3a3, 0x3c3 },
		{ 0x3c2, 0x3c3 }, { 0x386, 0x3ac }, { 0x3d0, 0x3b2 },
		{ 0x3f4, 0x3b8 }, { 0x400, 0x450 }, { 0x410, 0x430 },
		{ 0x42f, 0x44f }, { 0x460, 0x461 }, { 0x4c0, 0x4cf },
		{ 0x4c1, 0x4c2 }, { 0x52e, 0x52f }, { 0x531, 0x561 },
		{ 0x1e9e, 0xdf }, { 0x1ea0, 0x1ea1 }, { 0x4e00, 0x4e00 },
		{ 0x1f600, 0x1f600 },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!CHECK_INT(keyword_norm_fold(v[i][0]), v[i][1]))
			printf("# U+%04X\n", v[i][0]);
}

TEST(keyword_norm_words_split)
{
	static const struct {
		const char *in;
		int total;
		const char *w[4];
	} v[] = {
		{ "stop,please", 2, { "stop", "please" } },
		{ "don't stop", 2, { "don't", "stop" } },
		{ "'stop' -now- 😡", 2, { "stop", "now" } },
		{ "non-stop", 1, { "non-stop" } },
		{ "stop. wrong number.", 3, { "stop", "wrong", "number" } },
		{ "s'il vous plaît", 3, { "s'il", "vous", "plaît" } },
		{ "a b c d e f g h i j k l m n o p q r", 18,
		  { "a", "b", "c", "d" } },
		{ "", 0, { NULL } },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct keyword_words w;

		if (!CHECK(keyword_norm_words(v[i].in, &w)))
			continue;
		CHECK_INT(w.total, v[i].total);
		for (size_t k = 0; k < 4 && v[i].w[k]; k++)
			if (CHECK(k < w.n))
				CHECK_STR(w.w[k], v[i].w[k]);
		keyword_norm_words_free(&w);
	}
}

/* Random bytes: never a crash, and the normal form is its own normal form. */
TEST(keyword_norm_idempotent_on_garbage)
{
	static const char pick[] = "sTOP -'\xc2\xa0\xe3\x80";
	unsigned st = 12345;

	for (int i = 0; i < 5000; i++) {
		char buf[48];
		size_t n = (size_t)(i % 47);
		char *a, *b;

		for (size_t k = 0; k < n; k++) {
			st = st * 1103515245u + 12345u;
			/* Many bytes that matter: letters, UTF-8, spaces. */
			if (k % 3)
				buf[k] = (char)(st >> 16);
			else
				buf[k] = pick[(st >> 16) % (sizeof(pick) - 1)];
		}
		a = keyword_norm(buf, n);
		b = a ? keyword_norm(a, strlen(a)) : NULL;
		if (!CHECK(a && b && strcmp(a, b) == 0))
			printf("# input %d: [%s] [%s]\n", i, a, b);
		free(a);
		free(b);
	}
}

struct fixture {
	const char *text;
	enum keyword_class cls;
	enum keyword_how how;
};

#define OUT_EXACT KEYWORD_CLASS_OPTOUT, KEYWORD_HOW_EXACT
#define OUT_BROAD KEYWORD_CLASS_OPTOUT, KEYWORD_HOW_BROAD
#define NONE KEYWORD_CLASS_NONE, KEYWORD_HOW_NONE

static const struct fixture fixtures[] = {
	/* exact opt-out, in every dress */
	{ "STOP", OUT_EXACT }, { "stop", OUT_EXACT }, { "Stop", OUT_EXACT },
	{ " STOP ", OUT_EXACT }, { "STOP.", OUT_EXACT }, { "Stop!", OUT_EXACT },
	{ "stop!!!", OUT_EXACT }, { "¡STOP!", OUT_EXACT },
	{ "¿stop?", OUT_EXACT },
	{ "«stop»", OUT_EXACT }, { "“STOP”", OUT_EXACT },
	{ "'stop'", OUT_EXACT },
	{ "STOP 🛑", OUT_EXACT }, { "😡 STOP 😡", OUT_EXACT },
	{ "ＳＴＯＰ", OUT_EXACT }, { "ｓｔｏｐ！", OUT_EXACT },
	{ "\u00a0STOP\u00a0", OUT_EXACT }, { "STOP\r\n", OUT_EXACT },
	{ "\tstop\t", OUT_EXACT }, { "S\u200bTOP", OUT_EXACT },
	{ "STOP。", OUT_EXACT }, { "stop…", OUT_EXACT }, { "Stop‼️", OUT_EXACT },
	{ "STOPALL", OUT_EXACT }, { "UNSUBSCRIBE", OUT_EXACT },
	{ "Unsubscribe.", OUT_EXACT }, { "CANCEL", OUT_EXACT },
	{ "end", OUT_EXACT }, { "QUIT", OUT_EXACT }, { "revoke", OUT_EXACT },
	{ "OPTOUT", OUT_EXACT }, { "opt out", OUT_EXACT },
	{ "Opt-Out", OUT_EXACT }, { "OPT_OUT", OUT_EXACT },
	{ "opt–out", OUT_EXACT }, { "opt  out", OUT_EXACT },
	{ "opt out!", OUT_EXACT }, { "ＯＰＴ\u3000ＯＵＴ", OUT_EXACT },
	/* broad opt-out: a trigger and only filler */
	{ "stop texting me please", OUT_BROAD }, { "stop please", OUT_BROAD },
	{ "please stop", OUT_BROAD }, { "Please STOP!", OUT_BROAD },
	{ "unsubscribe me", OUT_BROAD }, { "stop texting me", OUT_BROAD },
	{ "stop sending me messages", OUT_BROAD },
	{ "Stop sending me these messages", OUT_BROAD },
	{ "stop all", OUT_BROAD }, { "stop all texts", OUT_BROAD },
	{ "STOP STOP STOP", OUT_BROAD }, { "stop, please", OUT_BROAD },
	{ "stop,please", OUT_BROAD }, { "Stop. Wrong number.", OUT_BROAD },
	{ "wrong number, stop", OUT_BROAD },
	{ "Not interested. Stop", OUT_BROAD },
	{ "remove me", OUT_BROAD },
	{ "Please remove me from your list", OUT_BROAD },
	{ "remove my number", OUT_BROAD },
	{ "take me off your list", OUT_BROAD },
	{ "take me off the list please", OUT_BROAD },
	{ "opt me out", OUT_BROAD },
	{ "don't text me", OUT_BROAD }, { "Don’t text me", OUT_BROAD },
	{ "Dont text me anymore", OUT_BROAD }, { "do not text me", OUT_BROAD },
	{ "do not contact me", OUT_BROAD }, { "do not call", OUT_BROAD },
	{ "never text me again", OUT_BROAD }, { "no more texts", OUT_BROAD },
	{ "no more messages please", OUT_BROAD },
	{ "leave me alone", OUT_BROAD },
	{ "stop it", OUT_BROAD }, { "unsub", OUT_BROAD },
	{ "i want to unsubscribe", OUT_BROAD }, { "I want to stop", OUT_BROAD },
	{ "can you stop", OUT_BROAD }, { "cancel my subscription", OUT_BROAD },
	{ "end my subscription", OUT_BROAD }, { "quit texting me", OUT_BROAD },
	{ "stop messaging me", OUT_BROAD }, { "STOP SPAM", OUT_BROAD },
	{ "stop the spam", OUT_BROAD }, { "Stop spamming me", OUT_BROAD },
	{ "help stop", OUT_BROAD }, { "HELP! STOP!", OUT_BROAD },
	{ "stop, thanks", OUT_BROAD }, { "Thank you, stop", OUT_BROAD },
	{ "stop now", OUT_BROAD }, { "stop immediately", OUT_BROAD },
	{ "stop right now", OUT_BROAD }, { "Stop texting me!!!", OUT_BROAD },
	{ "please unsubscribe", OUT_BROAD },
	{ "unsubscribe please", OUT_BROAD },
	{ "optout please", OUT_BROAD }, { "please opt me out", OUT_BROAD },
	{ "opt-out me", OUT_BROAD }, { "stop bitte", OUT_BROAD },
	{ "stop s'il vous plaît", OUT_BROAD }, { "STOP por favor", OUT_BROAD },
	{ "STOP 🙏 thanks", OUT_BROAD },
	{ "please stop sending me these messages thank you", OUT_BROAD },
	/* not opt-outs */
	{ "don't stop", NONE }, { "Don't stop!", NONE },
	{ "do not stop", NONE },
	{ "never stop", NONE }, { "non-stop", NONE }, { "nonstop", NONE },
	{ "stop by the office tomorrow at 5", NONE },
	{ "stop by tomorrow", NONE },
	{ "Stop at the store", NONE }, { "cancel my appointment", NONE },
	{ "can I cancel my order?", NONE }, { "cancel order 123", NONE },
	{ "when does the sale end", NONE },
	{ "the end of the month works", NONE },
	{ "I will quit my job", NONE }, { "bus stop", NONE },
	{ "stop sign", NONE },
	{ "unstoppable", NONE }, { "stopped", NONE },
	{ "Hi, what time do you close?", NONE },
	{ "Thanks!", NONE }, { "ok", NONE }, { "Yes please", NONE },
	{ "no", NONE },
	{ "no thanks", NONE }, { "maybe later", NONE },
	{ "Is this legit?", NONE },
	{ "who is this", NONE }, { "stop?? why", NONE },
	{ "I can't stop laughing", NONE },
	{ "you can stop by anytime", NONE },
	{ "please don't stop sending deals", NONE },
	{ "stop sending me wrong invoices", NONE }, { "Stop the car", NONE },
	{ "end of story", NONE }, { "quit playing", NONE },
	{ "opt outside", NONE },
	{ "adopt out", NONE }, { "the red one please", NONE }, { "", NONE },
	{ "   ", NONE }, { "!!!", NONE }, { "🛑", NONE },
	{ "no more than 5 please", NONE },
	{ "not interested", NONE }, { "wrong number", NONE },
	{ "remove me from the group chat", NONE },
	{ "stop stop stop stop stop stop stop stop stop", NONE },
	{ "please stop sending me these messages thank you so", NONE },
	{ "help me", NONE }, { "more info", NONE },
	/* opt-in and help: exact only */
	{ "start", KEYWORD_CLASS_OPTIN, KEYWORD_HOW_EXACT },
	{ "START!", KEYWORD_CLASS_OPTIN, KEYWORD_HOW_EXACT },
	{ "Unstop", KEYWORD_CLASS_OPTIN, KEYWORD_HOW_EXACT },
	{ "YES.", KEYWORD_CLASS_OPTIN, KEYWORD_HOW_EXACT },
	{ "help", KEYWORD_CLASS_HELP, KEYWORD_HOW_EXACT },
	{ "HELP?", KEYWORD_CLASS_HELP, KEYWORD_HOW_EXACT },
	{ "Info.", KEYWORD_CLASS_HELP, KEYWORD_HOW_EXACT },
};

TEST(keyword_phrase_fixtures_default_lists)
{
	struct keyword_set *ks = load_set("defaults.conf", "", NULL);
	size_t nout = 0, nnot = 0;

	if (!ks)
		return;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];
		struct keyword_match m;

		if (!CHECK(keyword_match(ks, f->text, strlen(f->text), &m)))
			continue;
		if (!CHECK_INT(m.cls, f->cls) || !CHECK_INT(m.how, f->how))
			printf("# \"%s\" -> %s/%s (normalised \"%s\")\n",
			       f->text,
			       keyword_class_name(m.cls),
			       keyword_how_name(m.how), m.normalised);
		if (f->cls == KEYWORD_CLASS_OPTOUT)
			nout++;
		else if (f->cls == KEYWORD_CLASS_NONE)
			nnot++;
		keyword_match_free(&m);
	}
	/* The fixture table is the documented rule: keep it large. */
	CHECK(nout >= 100);
	CHECK(nnot >= 50);
	keyword_set_free(ks);
}

TEST(keyword_match_reports_what_matched)
{
	struct keyword_set *ks = load_set("defaults2.conf", "", NULL);
	struct keyword_match m;

	if (!ks)
		return;
	/* OPTOUT, "OPT OUT" and "OPT-OUT" are one keyword; the first wins. */
	CHECK(keyword_match(ks, "Opt-out!", 8, &m));
	CHECK_STR(m.matched, "OPTOUT");
	CHECK_STR(keyword_match_tag(&m), "optout");
	CHECK_STR(m.normalised, "optout");
	keyword_match_free(&m);
	CHECK(keyword_match(ks, "please remove me", 16, &m));
	CHECK_STR(m.matched, "remove me");
	CHECK_INT(m.how, KEYWORD_HOW_BROAD);
	keyword_match_free(&m);
	CHECK(keyword_match(ks, "hello", 5, &m));
	CHECK(keyword_match_tag(&m) == NULL);
	CHECK(m.matched == NULL && m.rule == NULL);
	keyword_match_free(&m);
	keyword_set_free(ks);
}

TEST(keyword_no_broad_flag)
{
	struct config *cfg;
	struct keyword_set *ks = load_set("nobroad.conf", "", &cfg);
	struct keyword_match m;
	char err[256];

	if (!ks)
		return;
	keyword_set_free(ks);
	ks = keyword_set_new(cfg, KEYWORD_NO_BROAD, err, sizeof(err));
	config_free(cfg);
	if (!CHECK(ks))
		return;
	CHECK(keyword_match(ks, "stop please", 11, &m));
	CHECK_INT(m.cls, KEYWORD_CLASS_NONE);
	keyword_match_free(&m);
	CHECK(keyword_match(ks, "STOP!", 5, &m));
	CHECK_INT(m.cls, KEYWORD_CLASS_OPTOUT);
	keyword_match_free(&m);
	keyword_set_free(ks);
}

TEST(keyword_other_languages_through_the_lists)
{
	static const struct fixture v[] = {
		{ "стоп", OUT_EXACT }, { "Стоп!", OUT_EXACT },
		{ "СТОП", OUT_EXACT },
		{ "СТОП пожалуйста", NONE }, { "arrêt", OUT_EXACT },
		{ "ARRÊT", OUT_EXACT }, { "arret", NONE },
		{ "iptal", OUT_EXACT },
		{ "İPTAL", OUT_EXACT }, { "τέλος", OUT_EXACT },
		{ "ΤΈΛΟΣ", OUT_EXACT },
		{ "stopp bitte", OUT_BROAD }, { "ARRÊT svp", OUT_BROAD },
		{ "désabonner moi", NONE },
		{ "ayuda", KEYWORD_CLASS_HELP, KEYWORD_HOW_EXACT },
		{ "stop", NONE },	/* not in this list */
		{ "remove me", OUT_BROAD },	/* built-in phrase */
	};
	struct keyword_set *ks = load_set("lang.conf",
		"optout_keywords = {\"СТОП\", \"ARRÊT\", \"İPTAL\", \"ΤΈΛΟΣ\", STOPP}\n"
		"help_keywords = {AYUDA}\n", NULL);

	if (!ks)
		return;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct keyword_match m;

		if (!CHECK(keyword_match(ks, v[i].text, strlen(v[i].text), &m)))
			continue;
		if (!CHECK_INT(m.cls, v[i].cls) || !CHECK_INT(m.how, v[i].how))
			printf("# \"%s\" (normalised \"%s\")\n", v[i].text,
			       m.normalised);
		keyword_match_free(&m);
	}
	keyword_set_free(ks);
}

TEST(keyword_rules_after_builtins_in_config_order)
{
	static const struct {
		const char *text, *tag;
		enum config_rule_action action;
	} v[] = {
		{ "stop", "optout", 0 },		/* never stoprule */
		{ "please stop", "optout", 0 },
		{ "stopwatch", "stoprule", CONFIG_RULE_TAG },
		{ "don't stop", "stoprule", CONFIG_RULE_TAG },
		{ "yes", "optin", 0 },			/* never yesrule */
		{ "HOURS?", "hours", CONFIG_RULE_REPLY },
		{ "Opening hours", "hours", CONFIG_RULE_REPLY },
		{ "what's the price?", "sales", CONFIG_RULE_FORWARD },
		{ "Price", "sales", CONFIG_RULE_FORWARD }, /* not "second" */
		{ "Call back later", "callback", CONFIG_RULE_HOOK },
		{ "hello", NULL, 0 },
	};
	struct keyword_set *ks = load_set("rules.conf", rules_conf, NULL);

	if (!ks)
		return;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct keyword_match m;
		const char *tag;

		if (!CHECK(keyword_match(ks, v[i].text, strlen(v[i].text), &m)))
			continue;
		tag = keyword_match_tag(&m);
		if (v[i].tag ? !CHECK_STR(tag, v[i].tag) : !CHECK(tag == NULL))
			printf("# \"%s\"\n", v[i].text);
		if (m.cls == KEYWORD_CLASS_RULE) {
			CHECK_INT(m.how, KEYWORD_HOW_PATTERN);
			CHECK_INT(m.rule->action, v[i].action);
		}
		keyword_match_free(&m);
	}
	keyword_set_free(ks);
}

static char *reply_for(struct keyword_set *ks, const char *text)
{
	struct keyword_ctx ctx = {
		.sender = "+15550001111", .text = text, .sim = "m1/1",
		.sim_number = "+15551230001",
	};
	struct keyword_match m;
	char err[128] = "x", *r;

	if (!CHECK(keyword_match(ks, text, strlen(text), &m)))
		return NULL;
	r = keyword_reply(ks, &m, &ctx, err, sizeof(err));
	if (!r)
		CHECK_STR(err, "");
	keyword_match_free(&m);
	return r;
}

TEST(keyword_replies_render_placeholders_and_groups)
{
	struct keyword_set *ks = load_set("replies.conf",
		"optout_reply = \"Bye {{sender}} ({{matched}}, {{keyword}})\"\n"
		"help_reply = \"\"\n", NULL);
	struct keyword_set *rk = load_set("rules2.conf", rules_conf, NULL);
	struct keyword_ctx ctx = { .sender = "+15550001111", .text = "Price?" };
	char *r;

	if (!ks || !rk)
		goto out;
	r = reply_for(ks, "Opt-Out");
	CHECK_STR(r, "Bye +15550001111 (OPTOUT, optout)");
	free(r);
	r = reply_for(ks, "start");
	CHECK_STR(r, "You are subscribed again. Reply STOP to unsubscribe.");
	free(r);
	CHECK(reply_for(ks, "help") == NULL);	/* empty help_reply */
	CHECK(reply_for(ks, "hello") == NULL);
	r = reply_for(rk, "hours");
	CHECK_STR(r, "Hi +15550001111, we are open 9-17 Mon-Fri.");
	free(r);
	r = reply_for(rk, "ORDER AB-123");
	CHECK_STR(r, "Order ab-123 [] from +15550001111 to +15551230001 (order)");
	free(r);
	r = reply_for(rk, "Order xy42 leave at the door");
	CHECK_STR(r, "Order xy42 [leave at the door] from +15550001111 to +15551230001 (order)");
	free(r);
	CHECK(reply_for(rk, "price") == NULL);	/* forward without reply */
	r = keyword_forward_text(&ctx);
	CHECK_STR(r, "From +15550001111: Price?");
	free(r);
out:
	keyword_set_free(ks);
	keyword_set_free(rk);
}

TEST(keyword_set_rejects_bad_config)
{
	static const struct {
		const char *conf, *err;
	} v[] = {
		{ "optout_reply = \"Bye {{name}}\"\n",
		  "optout_reply uses {{name}}, which is not one of sender, text, normalised, sim, sim_number, keyword, rule, matched" },
		{ "rule \"r\" { match = \"^(?<code>\\\\d+)$\" action = \"reply\" reply = \"{{code}} {{cod}}\" }\n",
		  "rule \"r\": reply uses {{cod}}, which is not one of sender, text, normalised, sim, sim_number, keyword, rule, matched or a named group of match" },
		{ "optout_keywords = {STOP, \"!!!\"}\n",
		  "optout_keywords: \"!!!\" must have 1 to 8 words of letters or digits" },
		{ "help_keywords = {\"a b c d e f g h i\"}\n",
		  "help_keywords: \"a b c d e f g h i\" must have 1 to 8 words of letters or digits" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct config *cfg;
		char err[512], name[32];

		snprintf(name, sizeof(name), "bad%zu.conf", i);
		if (!CHECK_INT(config_load(harness_write_file(name, v[i].conf), &cfg,
					   err, sizeof(err)), 0)) {
			printf("# %s\n", err);
			continue;
		}
		CHECK(keyword_set_new(cfg, 0, err, sizeof(err)) == NULL);
		CHECK_STR(err, v[i].err);
		config_free(cfg);
	}
}

TEST(keyword_rule_backtracking_is_bounded)
{
	struct keyword_set *ks = load_set("slow.conf", rules_conf, NULL);
	struct keyword_match m;
	char text[64];

	if (!ks)
		return;
	memset(text, 'a', 40);
	text[40] = 'b';
	text[41] = '\0';
	/* ^(a+)+$ on a…ab backtracks 2^40 times unbounded: the limit stops it
	 * and the rule counts as not matching. */
	CHECK(keyword_match(ks, text, strlen(text), &m));
	CHECK(keyword_match_tag(&m) == NULL);
	keyword_match_free(&m);
	text[40] = '\0';
	CHECK(keyword_match(ks, text, strlen(text), &m));
	CHECK_STR(keyword_match_tag(&m), "slow");
	keyword_match_free(&m);
	keyword_set_free(ks);
}
