/*
 * smsgw events [--since T] [--level L] [--limit N | --all] [--json | --csv]
 *              [--utc]
 *
 * The audit log (the events view), newest first, without sqlite3.
 */
#include "cli.h"
#include "cli_query.h"
#include "store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *const cli_events_levels[] = { "info", "warning", "error" };

int cli_events(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ "limit", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ "utc", no_argument, NULL, 'u' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	bool has_since = false;
	int64_t since = 0;
	long limit = -1, n;
	int level = 0, c;
	char *end;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's':
			if (!cli_parse_since(optarg, &since))
				return cli_usage("events: --since takes an "
						 "ISO-8601 time "
						 "(2026-11-27T08:00:00Z) or a "
						 "duration (2h, 7d), not '%s'",
						 optarg);
			has_since = true;
			break;
		case 'l':
			for (level = 0; level < 3; level++)
				if (strcmp(optarg, cli_events_levels[level]) == 0)
					break;
			if (level == 3)
				return cli_usage("events: --level is info, "
						 "warning or error, not '%s'",
						 optarg);
			break;
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (limit <= 0 || *end)
				return cli_usage("events: --limit needs a positive number");
			break;
		case 'a':
			limit = 0;
			break;
		case 'j':
			fmt = CLI_FORMAT_JSON;
			break;
		case 'v':
			fmt = CLI_FORMAT_CSV;
			break;
		case 'u':
			cli_query_utc(true);
			break;
		default:
			return cli_usage("events: unknown option");
		}
	}
	if (optind != argc)
		return cli_usage("events: unexpected argument '%s'", argv[optind]);
	if (limit < 0)
		limit = fmt == CLI_FORMAT_TABLE ? 100 : 0;
	if (!cli_db(cli))
		return CLI_ERROR;
	{
		const struct store_bind b[] = {
			has_since ? STORE_INT(since) : STORE_TEXT(NULL),
			STORE_INT(level), STORE_INT(limit ? limit : -1),
		};

		n = cli_print(cli, STORE_Q_EVENTS, b, 3, fmt, 0, stdout);
		if (n < 0)
			return CLI_ERROR;
		if (fmt == CLI_FORMAT_TABLE)
			cli_query_note_limit(cli, STORE_Q_EVENTS_COUNT, b, 2, n,
					     limit, stdout);
	}
	return CLI_OK;
}
