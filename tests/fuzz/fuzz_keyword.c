/*
 * Fuzz target: an inbound reply's text through normalisation, the keyword
 * lists, the broad opt-out rule, a custom rule and a reply template. Inbound
 * texts are whatever a stranger typed (or a broken phone encoded).
 */
#include "config.h"
#include "keyword.h"
#include "keyword_norm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct keyword_set *fuzz_keyword_set(void)
{
	static char *optout[] = { "STOP", "OPT OUT", "СТОП", "ARRÊT" };
	static char *optin[] = { "START", "YES" };
	static char *help[] = { "HELP" };
	static struct config_rule rules[] = {
		{ .name = "order", .match = "^order (?<code>\\w+)(?: (.*))?$",
		  .action = CONFIG_RULE_REPLY, .reply = "{{code}} {{text}}" },
		{ .name = "slow", .match = "^(a|aa)+$",
		  .action = CONFIG_RULE_TAG },
	};
	static struct config cfg = {
		.optout_keywords = optout, .noptout_keywords = 4,
		.optin_keywords = optin, .noptin_keywords = 2,
		.help_keywords = help, .nhelp_keywords = 1,
		.optout_reply = "bye {{sender}} {{matched}}",
		.rules = rules, .nrules = 2,
	};
	static struct keyword_set *ks;
	char err[256];

	if (!ks)
		ks = keyword_set_new(&cfg, 0, err, sizeof(err));
	if (!ks)
		abort();
	return ks;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyword_set *ks = fuzz_keyword_set();
	struct keyword_ctx ctx = { .sender = "+15550001111", .sim = "m1/1" };
	struct keyword_match m;
	char *text = malloc(size + 1), *again, *reply, err[128];

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ctx.text = text;
	if (keyword_match(ks, (const char *)data, size, &m)) {
		/* The normal form is its own normal form. */
		again = keyword_norm(m.normalised, strlen(m.normalised));
		if (again && strcmp(again, m.normalised) != 0)
			abort();
		free(again);
		reply = keyword_reply(ks, &m, &ctx, err, sizeof(err));
		free(reply);
	}
	keyword_match_free(&m);
	free(text);
	return 0;
}
