/*
 * smsgw campaign list [--json]
 * smsgw campaign show NAME [--json]
 * smsgw campaign pause|resume|cancel NAME
 *
 * Pausing holds a campaign's queued and deferred messages (they show as
 * deferred); resuming releases them; cancelling ends every message not yet
 * handed to a modem. Messages being sent at that moment finish.
 */
#include "cli.h"
#include "cli_query.h"
#include "config.h"
#include "control.h"
#include "pg_cli.h"
#include "store.h"
#include "store_campaign.h"
#include "store_outbox.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

int64_t cli_campaign_id(struct cli *cli, const char *name)
{
	int64_t id;

	if (!cli_db(cli))
		return 0;
	id = cli->pg ? pg_cli_campaign_id(cli->pg, name)
		     : store_campaign_id(cli->store, name);
	if (id == 0)
		cli_error("no campaign named '%s'", name);
	else if (id < 0)
		cli_error("database: %s", cli_db_errmsg(cli));
	return id > 0 ? id : 0;
}

static const struct {
	const char *verb;
	enum outbox_campaign_action action;
} cli_campaign_actions[] = {
	{ "pause", OUTBOX_CAMPAIGN_PAUSE },
	{ "resume", OUTBOX_CAMPAIGN_RESUME },
	{ "cancel", OUTBOX_CAMPAIGN_CANCEL },
};

static int cli_campaign_change(struct cli *cli, struct store *st,
			       const char *verb, const char *name)
{
	int64_t id = cli_campaign_id(cli, name);
	int n;

	if (!id)
		return CLI_ERROR;
	for (size_t i = 0; i < sizeof(cli_campaign_actions) /
				sizeof(cli_campaign_actions[0]); i++) {
		if (strcmp(verb, cli_campaign_actions[i].verb) != 0)
			continue;
		/* On every box at once: smsgw_campaign_set(). */
		if (cli->pg) {
			n = pg_cli_campaign_set(cli->pg, id, name, verb,
						store_now_ms());
			if (n < 0)
				return cli_error("database: %s",
						 cli_db_errmsg(cli));
			goto done;
		}
		if (store_begin(st) < 0)
			return cli_error("database: %s", store_errmsg(st));
		if ((n = store_outbox_campaign_set(st, id,
				cli_campaign_actions[i].action,
				store_now_ms())) < 0 ||
		    store_event(st, STORE_EVENT_INFO, "cli",
				"campaign %s: %s", name, verb) < 0) {
			store_rollback(st);
			return cli_error("database: %s", store_errmsg(st));
		}
		if (store_commit(st) < 0)
			return cli_error("database: %s", store_errmsg(st));
done:
		control_send(cli->cfg->spool, "kick");
		printf("campaign %s: %s (%d message%s)\n", name,
		       strcmp(verb, "pause") == 0    ? "paused"
		       : strcmp(verb, "resume") == 0 ? "resumed"
						     : "cancelled",
		       n, n == 1 ? "" : "s");
		return CLI_OK;
	}
	return cli_usage("campaign: unknown action '%s'", verb);
}

int cli_campaign(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ "utc", no_argument, NULL, 'u' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	const char *verb, *name = NULL;
	struct store *st;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'j')
			fmt = CLI_FORMAT_JSON;
		else if (c == 'v')
			fmt = CLI_FORMAT_CSV;
		else if (c == 'u')
			cli_query_utc(true);
		else
			return cli_usage("campaign: unknown option");
	}
	if (optind >= argc)
		return cli_usage("campaign: list, show, pause, resume or cancel?");
	verb = argv[optind++];
	if (strcmp(verb, "list") != 0) {
		if (optind != argc - 1)
			return cli_usage("campaign %s: one campaign name, please",
					 verb);
		name = argv[optind];
	} else if (optind != argc) {
		return cli_usage("campaign list: unexpected argument '%s'",
				 argv[optind]);
	}
	if (strcmp(verb, "list") && strcmp(verb, "show")) {
		char action[64];

		snprintf(action, sizeof(action), "campaign %s", verb);
		if (!cli_db_rw(cli, action))
			return CLI_ERROR;
	} else if (!cli_db(cli)) {
		return CLI_ERROR;
	}
	st = cli->store;
	if (strcmp(verb, "list") == 0)
		return cli_print(cli, STORE_Q_CAMPAIGNS, NULL, 0, fmt, 30,
				 stdout) < 0 ? CLI_ERROR : CLI_OK;
	if (strcmp(verb, "show") == 0) {
		const struct store_bind b[] = { STORE_TEXT(name) };

		if (!cli_campaign_id(cli, name))
			return CLI_ERROR;
		if (fmt == CLI_FORMAT_JSON) {
			if (cli_print_row(cli, STORE_Q_CAMPAIGN, b, 1,
					  stdout) < 0)
				return CLI_ERROR;
			putchar('\n');
			return CLI_OK;
		}
		if (cli_print(cli, STORE_Q_CAMPAIGN, b, 1, fmt, 30, stdout) < 0)
			return CLI_ERROR;
		if (fmt == CLI_FORMAT_CSV)
			return CLI_OK;
		putchar('\n');
		return cli_print(cli, STORE_Q_CAMPAIGN_STATES, b, 1, fmt, 0,
				 stdout) < 0 ? CLI_ERROR : CLI_OK;
	}
	return cli_campaign_change(cli, st, verb, name);
}
