/*
 * smsgw outbox [--state S] [--campaign C] [--to NUMBER] [--limit N | --all]
 *              [--json | --csv] [--utc]
 * smsgw outbox show|resend|cancel ID
 *
 * The outbox view, newest first; one message (gateway/cli/cli_outbox_show.c).
 */
#include "cli.h"
#include "cli_query.h"
#include "cli_outbox.h"
#include "number.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char *const cli_outbox_states[] = {
	"queued", "deferred", "sending", "sent", "delivered", "failed",
	"expired", "suppressed", "unknown", "cancelled",
};

static bool cli_outbox_valid_state(const char *s)
{
	for (size_t i = 0; i < sizeof(cli_outbox_states) / sizeof(cli_outbox_states[0]); i++)
		if (strcmp(s, cli_outbox_states[i]) == 0)
			return true;
	return false;
}

struct outbox_opts {
	const char *state, *campaign, *to;
	enum cli_format fmt;
	long limit;		/* -1: the format's default, 0: all */
};

static int cli_outbox_opts_parse(struct cli *cli, int argc, char **argv,
			     struct outbox_opts *o)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "campaign", required_argument, NULL, 'C' },
		{ "to", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'n' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ "utc", no_argument, NULL, 'u' },
		{ 0 },
	};
	char *end;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		switch (c) {
		case 's':
			if (!cli_outbox_valid_state(optarg))
				return cli_usage("outbox: '%s' is not a state "
						 "(queued, deferred, sending, sent, "
						 "delivered, failed, expired, "
						 "suppressed, unknown, cancelled)",
						 optarg);
			o->state = optarg;
			break;
		case 'C':
			o->campaign = optarg;
			break;
		case 't':
			o->to = optarg;
			break;
		case 'n':
			o->limit = strtol(optarg, &end, 10);
			if (o->limit <= 0 || *end)
				return cli_usage("outbox: --limit needs a positive number");
			break;
		case 'a':
			o->limit = 0;
			break;
		case 'j':
			o->fmt = CLI_FORMAT_JSON;
			break;
		case 'v':
			o->fmt = CLI_FORMAT_CSV;
			break;
		case 'u':
			cli_query_utc(true);
			break;
		default:
			return cli_usage("outbox: unknown option");
		}
	}
	return CLI_OK;
}

static int cli_outbox_list(struct cli *cli, struct outbox_opts *o)
{
	char to_buf[NUMBER_MAX + 1];
	const char *to = NULL;
	long n;

	/* People read a screenful; scripts get everything. */
	if (o->limit < 0)
		o->limit = o->fmt == CLI_FORMAT_TABLE ? 100 : 0;
	if (o->to) {
		if (cli_number(cli, o->to, to_buf, sizeof(to_buf)) != CLI_OK)
			return CLI_ERROR;
		to = to_buf;
	}
	if (!cli_db(cli))
		return CLI_ERROR;
	{
		const struct store_bind b[] = {
			STORE_TEXT(o->state), STORE_TEXT(o->campaign),
			STORE_TEXT(to),
			STORE_INT(o->limit ? o->limit : -1),
		};
		enum store_query q = o->fmt == CLI_FORMAT_TABLE
					     ? STORE_Q_OUTBOX_TABLE
					     : STORE_Q_OUTBOX_JSON;

		n = cli_print(cli, q, b, 4, o->fmt, 0, stdout);
		if (n < 0)
			return CLI_ERROR;
		if (o->fmt == CLI_FORMAT_TABLE)
			cli_query_note_limit(cli, STORE_Q_OUTBOX_COUNT, b, 3, n,
					     o->limit, stdout);
	}
	return CLI_OK;
}

int cli_outbox(struct cli *cli, int argc, char **argv)
{
	struct outbox_opts o = { .fmt = CLI_FORMAT_TABLE, .limit = -1 };
	const char *verb;
	char *end;
	long long id;
	int rc;

	rc = cli_outbox_opts_parse(cli, argc, argv, &o);
	if (rc != CLI_OK)
		return rc;
	if (optind == argc)
		return cli_outbox_list(cli, &o);
	verb = argv[optind];
	if (strcmp(verb, "show") && strcmp(verb, "resend") &&
	    strcmp(verb, "cancel"))
		return cli_usage("outbox: unexpected argument '%s'", verb);
	if (optind + 2 != argc)
		return cli_usage("outbox %s: one message ID, please", verb);
	id = strtoll(argv[optind + 1], &end, 10);
	if (id <= 0 || *end)
		return cli_usage("outbox %s: '%s' is not a message ID (the id "
				 "column of smsgw outbox)", verb,
				 argv[optind + 1]);
	if (o.state || o.campaign || o.to || o.limit >= 0)
		return cli_usage("outbox %s takes no filter", verb);
	if (strcmp(verb, "show") == 0)
		return cli_outbox_show(cli, id, o.fmt);
	if (o.fmt != CLI_FORMAT_TABLE)
		return cli_usage("outbox %s prints no table", verb);
	return cli_outbox_change(cli, verb, id);
}
