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
#include "store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* ?1 received since (ms) or NULL, ?2 sender or NULL, ?3 limit. */
#define INBOX_FROM                                                       \
	" FROM inbox i LEFT JOIN outbox o ON o.id = i.in_reply_to"       \
	" JOIN inbound r ON r.id = i.id"                                 \
	" WHERE (?1 IS NULL OR r.received_at >= ?1)"                     \
	" AND (?2 IS NULL OR i.sender = ?2 OR i.sender = '+' || ?2)"     \
	" ORDER BY i.id DESC LIMIT ?3"

static const char json_sql[] =
	"SELECT i.id, i.received_at, i.sender, i.recipient, i.sim, i.sim_name,"
	" i.body, i.parts, i.keyword, i.partial, i.in_reply_to,"
	" o.body AS in_reply_to_body, o.campaign AS in_reply_to_campaign"
	INBOX_FROM;

static const char table_sql[] =
	"SELECT i.id, i.received_at, i.sender, i.sim_name AS sim,"
	" coalesce(i.keyword, '') AS keyword, i.body,"
	" coalesce(o.body, '') AS answers"
	INBOX_FROM;

static bool parse_since(const char *s, int64_t *ms)
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
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	const char *from = NULL;
	int64_t since = 0;
	bool has_since = false;
	long limit = -1;
	struct store *st;
	int c;

	while ((c = getopt_long(argc, argv, "s:f:n:j", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!parse_since(optarg, &since))
				return cli_usage("inbox: --since takes an ISO-8601 "
						 "time (2026-11-27T08:00:00Z) or a "
						 "duration (2h, 7d), not '%s'",
						 optarg);
			has_since = true;
			break;
		case 'f':
			from = optarg;
			break;
		case 'n':
			limit = strtol(optarg, NULL, 10);
			if (limit <= 0)
				return cli_usage("inbox: --limit needs a positive number");
			break;
		case 'j':
			fmt = CLI_FORMAT_JSON;
			break;
		default:
			return cli_usage("inbox: unknown option");
		}
	}
	if (optind != argc)
		return cli_usage("inbox: unexpected argument '%s'", argv[optind]);
	if (limit < 0)
		limit = fmt == CLI_FORMAT_TABLE ? 100 : -1;
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	{
		const struct cli_bind b[] = {
			has_since ? CLI_INT(since) : CLI_TEXT(NULL),
			CLI_TEXT(from), CLI_INT(limit),
		};

		if (cli_print_query(st, fmt == CLI_FORMAT_JSON ? json_sql : table_sql,
				    b, 3, fmt, 40, stdout) < 0)
			return CLI_ERROR;
	}
	return CLI_OK;
}
