/*
 * smsgw outbox [--state S] [--campaign C] [--to NUMBER] [--limit N | --all]
 *              [--json | --csv] [--utc]
 * smsgw outbox show|resend|cancel ID
 *
 * The outbox view, newest first; one message (gateway/cli_outbox_show.c).
 */
#include "cli.h"
#include "cli_query.h"
#include "cli_outbox.h"
#include "number.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* ?1 state, ?2 campaign, ?3 recipient (each NULL: any), ?4 limit. */
#define OUTBOX_WHERE                                                     \
	" FROM outbox WHERE (?1 IS NULL OR state = ?1)"                  \
	" AND (?2 IS NULL OR campaign = ?2)"                             \
	" AND (?3 IS NULL OR recipient = ?3)"

/* A cell cut at n characters, for a table that fits a terminal. */
#define CUT(col, n)                                                      \
	"CASE WHEN length(" col ") > " #n " THEN substr(" col ", 1, " #n \
	" - 1) || '…' ELSE " col " END"

/* not_before is the epoch for a message that may go at once. */
#define NOT_BEFORE                                                       \
	"CASE WHEN not_before > '1970-01-02' THEN not_before END"

static const char json_sql[] =
	"SELECT id, created_at, recipient, body, kind, campaign, priority,"
	" state, sim, sim_name, parts, attempts, " NOT_BEFORE " AS not_before,"
	" sent_at, delivered_at, error" OUTBOX_WHERE " ORDER BY id DESC LIMIT ?4";

static const char table_sql[] =
	"SELECT id, created_at AS created, recipient, state, sim_name AS sim,"
	" " NOT_BEFORE " AS not_before, " CUT("campaign", 10) " AS campaign,"
	" " CUT("error", 20) " AS error, " CUT("replace(body, char(10), ' ')", 20)
	" AS text" OUTBOX_WHERE " ORDER BY id DESC LIMIT ?4";

static const char count_sql[] = "SELECT count(*)" OUTBOX_WHERE;

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

struct outbox_opts {
	const char *state, *campaign, *to;
	enum cli_format fmt;
	long limit;		/* -1: the format's default, 0: all */
};

static int outbox_opts_parse(struct cli *cli, int argc, char **argv,
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
			if (!valid_state(optarg))
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

static int outbox_list(struct cli *cli, struct outbox_opts *o)
{
	char to_buf[NUMBER_MAX + 1];
	const char *to = NULL;
	struct store *st;
	long n;

	/* People read a screenful; scripts get everything. */
	if (o->limit < 0)
		o->limit = o->fmt == CLI_FORMAT_TABLE ? 100 : 0;
	if (o->to) {
		if (cli_number(cli, o->to, to_buf, sizeof(to_buf)) != CLI_OK)
			return CLI_ERROR;
		to = to_buf;
	}
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	{
		const struct cli_bind b[] = {
			CLI_TEXT(o->state), CLI_TEXT(o->campaign),
			CLI_TEXT(to),
			CLI_INT(o->limit ? o->limit : -1),
		};
		const char *sql = o->fmt == CLI_FORMAT_TABLE ? table_sql : json_sql;

		n = cli_print_query(st, sql, b, 4, o->fmt, 0, stdout);
		if (n < 0)
			return CLI_ERROR;
		if (o->fmt == CLI_FORMAT_TABLE)
			cli_query_note_limit(st, count_sql, b, 3, n, o->limit,
					     stdout);
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

	rc = outbox_opts_parse(cli, argc, argv, &o);
	if (rc != CLI_OK)
		return rc;
	if (optind == argc)
		return outbox_list(cli, &o);
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
