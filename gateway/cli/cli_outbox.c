/*
 * smsgw outbox [--state S] [--campaign C] [--to NUMBER] [--limit N] [--json]
 *
 * The outbox view, newest first.
 */
#include "cli.h"
#include "cli_query.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* ?1 state, ?2 campaign, ?3 recipient (each NULL: any), ?4 limit. */
#define OUTBOX_WHERE                                                     \
	" FROM outbox WHERE (?1 IS NULL OR state = ?1)"                  \
	" AND (?2 IS NULL OR campaign = ?2)"                             \
	" AND (?3 IS NULL OR recipient = ?3)"                            \
	" ORDER BY id DESC LIMIT ?4"

static const char json_sql[] =
	"SELECT id, created_at, recipient, body, kind, campaign, priority,"
	" state, sim, sim_name, parts, attempts, sent_at, delivered_at, error"
	OUTBOX_WHERE;

static const char table_sql[] =
	"SELECT id, created_at, recipient, state, kind, campaign,"
	" sim_name AS sim, parts, attempts, error, body"
	OUTBOX_WHERE;

static const char *const states[] = {
	"queued", "deferred", "sending", "sent", "delivered", "failed",
	"expired", "suppressed", "unknown", "cancelled",
};

static bool valid_state(const char *s)
{
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (strcmp(s, states[i]) == 0)
			return true;
	return false;
}

int cli_outbox(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "campaign", required_argument, NULL, 'c' },
		{ "to", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	const char *state = NULL, *campaign = NULL, *to = NULL;
	enum cli_format fmt = CLI_FORMAT_TABLE;
	long limit = -1;
	struct store *st;
	int c;

	while ((c = getopt_long(argc, argv, "s:c:t:n:j", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!valid_state(optarg))
				return cli_usage("outbox: '%s' is not a state "
						 "(queued, deferred, sending, sent, "
						 "delivered, failed, expired, "
						 "suppressed, unknown, cancelled)",
						 optarg);
			state = optarg;
			break;
		case 'c':
			campaign = optarg;
			break;
		case 't':
			to = optarg;
			break;
		case 'n':
			limit = strtol(optarg, NULL, 10);
			if (limit <= 0)
				return cli_usage("outbox: --limit needs a positive number");
			break;
		case 'j':
			fmt = CLI_FORMAT_JSON;
			break;
		default:
			return cli_usage("outbox: unknown option");
		}
	}
	if (optind != argc)
		return cli_usage("outbox: unexpected argument '%s'", argv[optind]);
	/* People read a screenful; scripts get everything. */
	if (limit < 0)
		limit = fmt == CLI_FORMAT_TABLE ? 100 : -1;
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	{
		const struct cli_bind b[] = { CLI_TEXT(state), CLI_TEXT(campaign),
					      CLI_TEXT(to), CLI_INT(limit) };
		const char *sql = fmt == CLI_FORMAT_JSON ? json_sql : table_sql;

		if (cli_print_query(st, sql, b, 4, fmt, 40, stdout) < 0)
			return CLI_ERROR;
	}
	return CLI_OK;
}
