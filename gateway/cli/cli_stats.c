/*
 * smsgw stats [--campaign C] [--json]
 *
 * The funnel of all messages or of one campaign: queued, sent, delivered,
 * failed, replied (messages that got an answer), opted out (recipients who
 * opted out after the message).
 */
#include "cli.h"
#include "cli_query.h"
#include "store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* The funnel as "name  number" lines under the campaign's name. */
static int cli_stats_print_funnel(struct cli *cli, const char *campaign)
{
	const struct store_bind b[] = { STORE_TEXT(campaign) };
	struct store_rows *s = cli_rows(cli, STORE_Q_FUNNEL, b, 1);

	if (!s)
		return CLI_ERROR;
	if (store_rows_next(s) == 1) {
		printf("%s\n", campaign ? campaign : "all messages");
		for (int i = 0; i < store_rows_ncols(s); i++)
			printf("  %-11s %8lld\n", store_rows_name(s, i),
			       (long long)store_rows_int(s, i));
	}
	store_rows_close(s);
	return CLI_OK;
}

int cli_stats(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "campaign", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	const char *campaign = NULL;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'C')
			campaign = optarg;
		else if (c == 'j')
			fmt = CLI_FORMAT_JSON;
		else if (c == 'v')
			fmt = CLI_FORMAT_CSV;
		else
			return cli_usage("stats: unknown option");
	}
	if (optind != argc)
		return cli_usage("stats: unexpected argument '%s'", argv[optind]);
	if (!cli_db(cli))
		return CLI_ERROR;
	if (campaign && !cli_campaign_id(cli, campaign))
		return CLI_ERROR;
	if (fmt == CLI_FORMAT_JSON) {
		const struct store_bind b[] = { STORE_TEXT(campaign) };

		if (cli_print_row(cli, STORE_Q_FUNNEL_JSON, b, 1, stdout) < 0)
			return CLI_ERROR;
		putchar('\n');
		return CLI_OK;
	}
	if (fmt == CLI_FORMAT_CSV) {
		const struct store_bind b[] = { STORE_TEXT(campaign) };

		return cli_print(cli, STORE_Q_FUNNEL, b, 1, fmt, 0,
				 stdout) < 0 ? CLI_ERROR : CLI_OK;
	}
	return cli_stats_print_funnel(cli, campaign);
}
