/*
 * smsgw inbox [--since T] [--from N] [--limit N] [--json]
 *
 * Replies, newest first, each with the message it answers where known (the
 * last message sent to that number before it arrived). --since takes an
 * ISO-8601 time or a duration back from now ("2h", "7d").
 */
#include "cli.h"
#include "cli_query.h"
#include "config.h"
#include "number.h"
#include "store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse_since(const char *s, int64_t *ms)
{
	int64_t d;

	if (store_parse_time(s, ms))
		return true;
	if (config_parse_duration(s, &d)) {
		*ms = store_now_ms() - d;
		return true;
	}
	return false;
}

int cli_inbox(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "from", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ "utc", no_argument, NULL, 'u' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	char from_buf[NUMBER_MAX + 1];
	const char *from = NULL, *as_written = NULL;
	char *end;
	long n;
	int64_t since = 0;
	bool has_since = false;
	long limit = -1;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's':
			if (!cli_parse_since(optarg, &since))
				return cli_usage("inbox: --since takes an ISO-8601 "
						 "time (2026-11-27T08:00:00Z) or a "
						 "duration (2h, 7d), not '%s'",
						 optarg);
			has_since = true;
			break;
		case 'f':
			from = as_written = optarg;
			break;
		case 'n':
			limit = strtol(optarg, &end, 10);
			if (limit <= 0 || *end)
				return cli_usage("inbox: --limit needs a positive number");
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
			return cli_usage("inbox: unknown option");
		}
	}
	if (optind != argc)
		return cli_usage("inbox: unexpected argument '%s'", argv[optind]);
	if (limit < 0)
		limit = fmt == CLI_FORMAT_TABLE ? 100 : 0;
	/* As send writes it; an alphanumeric sender ("Bank") stays as
	 * given and is matched as such. */
	if (from && !cli_config(cli))
		return CLI_ERROR;
	if (from && cli_number_try(cli, from, from_buf, sizeof(from_buf)))
		from = from_buf;
	if (!cli_db(cli))
		return CLI_ERROR;
	{
		const struct store_bind b[] = {
			has_since ? STORE_INT(since) : STORE_TEXT(NULL),
			STORE_TEXT(from), STORE_INT(limit ? limit : -1),
			STORE_TEXT(as_written),
		};

		n = cli_print(cli, fmt == CLI_FORMAT_TABLE ? STORE_Q_INBOX_TABLE
							  : STORE_Q_INBOX_JSON,
			      b, 4, fmt, fmt == CLI_FORMAT_TABLE ? 40 : 0,
				    stdout);
		if (n < 0)
			return CLI_ERROR;
		if (fmt == CLI_FORMAT_TABLE)
			cli_query_note_limit(cli, STORE_Q_INBOX_COUNT, b, 4, n,
					     limit, stdout);
	}
	return CLI_OK;
}
