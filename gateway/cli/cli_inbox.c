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

/* ?1 received since (ms) or NULL, ?2 sender normalised or NULL, ?3
 * limit, ?4 the sender as written (an alphanumeric one is not a number). */
#define INBOX_WHERE                                                      \
	" FROM inbox i LEFT JOIN outbox o ON o.id = i.in_reply_to"       \
	" JOIN inbound r ON r.id = i.id"                                 \
	" WHERE (?1 IS NULL OR r.received_at >= ?1)"                     \
	" AND (?2 IS NULL OR i.sender = ?2 OR i.sender = ?4)"
#define INBOX_FROM INBOX_WHERE " ORDER BY i.id DESC LIMIT ?3"

static const char count_sql[] = "SELECT count(*)" INBOX_WHERE;

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
	struct store *st;
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
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	{
		const struct cli_bind b[] = {
			has_since ? CLI_INT(since) : CLI_TEXT(NULL),
			CLI_TEXT(from), CLI_INT(limit ? limit : -1),
			CLI_TEXT(as_written),
		};

		n = cli_print_query(st, fmt == CLI_FORMAT_TABLE ? table_sql
								 : json_sql,
				    b, 4, fmt, fmt == CLI_FORMAT_TABLE ? 40 : 0,
				    stdout);
		if (n < 0)
			return CLI_ERROR;
		if (fmt == CLI_FORMAT_TABLE)
			cli_query_note_limit(st, count_sql, b, 4, n, limit,
					     stdout);
	}
	return CLI_OK;
}
