/*
 * smsgw rules test — which keyword class or custom rule a reply would hit,
 * its normal form, and the reply that would be sent (doc/contract.md §6, §9).
 * Nothing is sent and nothing is written: it only reads the configuration.
 */
#include "cli.h"
#include "cli_query.h"
#include "config.h"
#include "json.h"
#include "keyword.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A number from the range reserved for fiction (NANP 555-0100–0199). */
#define CLI_RULES_DEFAULT_FROM "+15555550100"

struct cli_rules_opts {
	bool json, csv;
	const char *from;
	const char *sim;
};

/* Finds SIM "modem/slot" in cfg; NULL name means the first one. */
static bool cli_rules_sim(const struct config *cfg, const char *name,
			  char *buf, size_t size, const char **number)
{
	for (size_t i = 0; i < cfg->nmodems; i++) {
		const struct config_modem *m = &cfg->modems[i];

		for (size_t j = 0; j < m->nsims; j++) {
			snprintf(buf, size, "%s/%s", m->name, m->sims[j].name);
			if (!name || strcmp(name, buf) == 0) {
				*number = m->sims[j].number;
				return true;
			}
		}
	}
	if (name)
		return false;
	buf[0] = '\0';
	return true;
}

static char *cli_rules_join(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	for (int i = 0; s && i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void cli_rules_print_text(const struct keyword_match *m,
				 const struct keyword_ctx *ctx,
				 const char *reply, const char *fwd)
{
	printf("text:       %s\n", ctx->text);
	printf("normalised: %s\n", m->normalised);
	if (m->cls == KEYWORD_CLASS_RULE)
		printf("class:      rule \"%s\" (pattern, action %s)\n",
		       m->rule->name, config_rule_action_name(m->rule->action));
	else if (m->matched)
		printf("class:      %s (%s, keyword \"%s\")\n",
		       keyword_class_name(m->cls), keyword_how_name(m->how),
		       m->matched);
	else
		printf("class:      none\n");
	printf("keyword:    %s\n",
	       keyword_match_tag(m) ? keyword_match_tag(m) : "(none)");
	for (size_t i = 0; i < m->ngroups; i++)
		printf("group:      %s = %s\n", m->groups[i].name,
		       m->groups[i].value);
	printf("reply:      %s\n", reply ? reply : "(none)");
	if (fwd)
		printf("forward:    to %s: %s\n", m->rule->forward, fwd);
	if (m->rule && m->rule->action == CONFIG_RULE_HOOK)
		printf("hook:       %s\n", m->rule->hook);
}

/* The JSON's flat fields as a header line and one row (rule: its name;
 * groups are left out). */
static void cli_rules_print_csv(const struct keyword_match *m,
				const struct keyword_ctx *ctx,
				const char *reply, const char *fwd)
{
	const char *v[] = {
		ctx->text, m->normalised, keyword_class_name(m->cls),
		keyword_how_name(m->how), m->matched, keyword_match_tag(m),
		m->rule ? m->rule->name : NULL,
		m->rule ? config_rule_action_name(m->rule->action) : NULL,
		reply, fwd, ctx->sender, ctx->sim[0] ? ctx->sim : NULL,
	};

	fputs("text,normalised,class,match,matched,keyword,rule,action,reply,"
	      "forward_text,sender,sim\r\n", stdout);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (i)
			putchar(',');
		cli_csv_field(v[i], stdout);
	}
	fputs("\r\n", stdout);
}

static void cli_rules_print_json(const struct keyword_match *m,
				 const struct keyword_ctx *ctx,
				 const char *reply, const char *fwd)
{
	bool first = true, gfirst = true;

	putchar('{');
	json_key(stdout, &first, "text");
	json_str(stdout, ctx->text);
	json_key(stdout, &first, "normalised");
	json_str(stdout, m->normalised);
	json_key(stdout, &first, "class");
	json_str(stdout, keyword_class_name(m->cls));
	json_key(stdout, &first, "match");
	json_str(stdout, keyword_how_name(m->how));
	json_key(stdout, &first, "matched");
	json_str(stdout, m->matched);
	json_key(stdout, &first, "keyword");
	json_str(stdout, keyword_match_tag(m));
	json_key(stdout, &first, "rule");
	if (m->rule) {
		bool rfirst = true;

		putchar('{');
		json_key(stdout, &rfirst, "name");
		json_str(stdout, m->rule->name);
		json_key(stdout, &rfirst, "action");
		json_str(stdout, config_rule_action_name(m->rule->action));
		json_key(stdout, &rfirst, "forward");
		json_str(stdout, m->rule->forward);
		json_key(stdout, &rfirst, "hook");
		json_str(stdout, m->rule->hook);
		putchar('}');
	} else {
		fputs("null", stdout);
	}
	json_key(stdout, &first, "groups");
	putchar('{');
	for (size_t i = 0; i < m->ngroups; i++) {
		json_key(stdout, &gfirst, m->groups[i].name);
		json_str(stdout, m->groups[i].value);
	}
	putchar('}');
	json_key(stdout, &first, "reply");
	json_str(stdout, reply);
	json_key(stdout, &first, "forward_text");
	json_str(stdout, fwd);
	json_key(stdout, &first, "sender");
	json_str(stdout, ctx->sender);
	json_key(stdout, &first, "sim");
	json_str(stdout, ctx->sim[0] ? ctx->sim : NULL);
	puts("}");
}

static int cli_rules_test(struct cli *cli, const struct cli_rules_opts *o,
			  char *text)
{
	struct keyword_ctx ctx = { .sender = o->from, .text = text };
	struct keyword_match m;
	struct keyword_set *ks;
	char err[1024], sim[96], *reply = NULL, *fwd = NULL;
	int rc = CLI_OK;

	if (!cli_config(cli))
		return CLI_ERROR;
	if (!cli_rules_sim(cli->cfg, o->sim, sim, sizeof(sim), &ctx.sim_number))
		return cli_error("no SIM %s in %s (want MODEM/SLOT, e.g. m1/1)",
				 o->sim, cli->config_path);
	ctx.sim = sim;
	ks = keyword_set_new(cli->cfg, 0, err, sizeof(err));
	if (!ks)
		return cli_error("%s: %s", cli->config_path, err);
	if (!keyword_match(ks, text, strlen(text), &m)) {
		rc = cli_error("out of memory");
		goto out;
	}
	reply = keyword_reply(ks, &m, &ctx, err, sizeof(err));
	if (!reply && err[0]) {
		rc = cli_error("reply: %s", err);
		goto out;
	}
	if (m.rule && m.rule->action == CONFIG_RULE_FORWARD)
		fwd = keyword_forward_text(&ctx);
	if (o->json)
		cli_rules_print_json(&m, &ctx, reply, fwd);
	else if (o->csv)
		cli_rules_print_csv(&m, &ctx, reply, fwd);
	else
		cli_rules_print_text(&m, &ctx, reply, fwd);
out:
	free(reply);
	free(fwd);
	keyword_match_free(&m);
	keyword_set_free(ks);
	return rc;
}

int cli_rules(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ "from", required_argument, NULL, 'f' },
		{ "sim", required_argument, NULL, 's' },
		{ 0 },
	};
	struct cli_rules_opts o = { .from = CLI_RULES_DEFAULT_FROM };
	char *text;
	int c, rc;

	/* Options may stand anywhere, before or after "test"; "--" ends
	 * them. */
	opterr = 0;
	while ((c = cli_getopt(cli, argc, argv, ":", opts)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'v':
			o.csv = true;
			break;
		case 'f':
			o.from = optarg;
			break;
		case 's':
			o.sim = optarg;
			break;
		case ':':
			return cli_usage("rules test: %s needs a value",
					 argv[optind - 1]);
		default:
			return cli_usage("rules test: unknown option %s",
					 argv[optind - 1]);
		}
	}
	if (optind >= argc || strcmp(argv[optind], "test") != 0)
		return cli_usage("rules: want 'rules test TEXT'");
	optind++;
	if (optind >= argc)
		return cli_usage("rules test: which TEXT?");
	text = cli_rules_join(argc - optind, argv + optind);
	if (!text)
		return cli_error("out of memory");
	rc = cli_rules_test(cli, &o, text);
	free(text);
	return rc;
}
