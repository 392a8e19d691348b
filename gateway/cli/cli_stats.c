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

/*
 * The funnel of all messages (?1 NULL) or of the campaign named ?1: the
 * rows still there plus what pruning and smsgw forget rolled up into
 * daily_stats (r), so the figures survive them (issue 19).
 */
const char cli_stats_funnel_sql[] =
	"WITH m AS (SELECT * FROM message WHERE ?1 IS NULL OR campaign_id ="
	"  (SELECT id FROM campaign WHERE name = ?1)),"
	" r AS (SELECT coalesce(sum(messages), 0) AS messages,"
	"  coalesce(sum(sent), 0) AS sent,"
	"  coalesce(sum(delivered), 0) AS delivered,"
	"  coalesce(sum(failed), 0) AS failed,"
	"  coalesce(sum(unknown), 0) AS unknown,"
	"  coalesce(sum(suppressed), 0) AS suppressed,"
	"  coalesce(sum(cancelled), 0) AS cancelled,"
	"  coalesce(sum(replied), 0) AS replied,"
	"  coalesce(sum(CASE WHEN ?1 IS NULL THEN opted_out_all"
	"   ELSE opted_out END), 0) AS opted_out,"
	"  coalesce(sum(sms_parts), 0) AS sms_parts"
	"  FROM daily_stats WHERE ?1 IS NULL OR campaign_id ="
	"  (SELECT id FROM campaign WHERE name = ?1)),"
	" o AS (SELECT count(DISTINCT m.recipient) AS n FROM m JOIN optout o"
	"  ON o.number = m.recipient AND o.active = 1"
	"  AND o.opted_out_at >= m.created_at)"
	" SELECT count(*) + (SELECT messages FROM r) AS messages,"
	" coalesce(sum(state IN ('queued', 'deferred', 'sending')), 0) AS queued,"
	" coalesce(sum(state IN ('sent', 'delivered')), 0)"
	"  + (SELECT sent FROM r) AS sent,"
	" coalesce(sum(state = 'delivered'), 0)"
	"  + (SELECT delivered FROM r) AS delivered,"
	" coalesce(sum(state IN ('failed', 'expired')), 0)"
	"  + (SELECT failed FROM r) AS failed,"
	" coalesce(sum(state = 'unknown'), 0)"
	"  + (SELECT unknown FROM r) AS unknown,"
	" coalesce(sum(state = 'suppressed'), 0)"
	"  + (SELECT suppressed FROM r) AS suppressed,"
	" coalesce(sum(state = 'cancelled'), 0)"
	"  + (SELECT cancelled FROM r) AS cancelled,"
	" (SELECT count(DISTINCT i.in_reply_to) FROM inbound i"
	"  WHERE i.in_reply_to IN (SELECT id FROM m))"
	"  + (SELECT replied FROM r) AS replied,"
	" (SELECT n FROM o) + (SELECT opted_out FROM r) AS opted_out,"
	" coalesce(sum(parts * (state IN ('sent', 'delivered'))), 0)"
	"  + (SELECT sms_parts FROM r) AS sms_parts"
	" FROM m";

/* JSON keeps "opted-out", doc/contract.md's funnel word, beside
 * opted_out for the scripts that read it; tables, CSV and the report show
 * one. */
static const char json_sql_head[] = "SELECT *, opted_out AS \"opted-out\" FROM (";

/* The funnel as "name  number" lines under the campaign's name. */
static int print_funnel(struct store *st, const char *campaign)
{
	const struct cli_bind b[] = { CLI_TEXT(campaign) };
	sqlite3_stmt *s = cli_prepare(st, cli_stats_funnel_sql, b, 1);

	if (!s)
		return cli_error("database: %s", store_errmsg(st));
	if (sqlite3_step(s) == SQLITE_ROW) {
		printf("%s\n", campaign ? campaign : "all messages");
		for (int i = 0; i < sqlite3_column_count(s); i++)
			printf("  %-11s %8lld\n", sqlite3_column_name(s, i),
			       (long long)sqlite3_column_int64(s, i));
	}
	sqlite3_finalize(s);
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
	struct store *st;
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
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	if (campaign && !cli_campaign_id(st, campaign))
		return CLI_ERROR;
	if (fmt == CLI_FORMAT_JSON) {
		const struct cli_bind b[] = { CLI_TEXT(campaign) };

		char sql[sizeof(json_sql_head) + sizeof(cli_stats_funnel_sql) + 2];

		snprintf(sql, sizeof(sql), "%s%s)", json_sql_head,
			 cli_stats_funnel_sql);
		if (cli_print_row_json(st, sql, b, 1, stdout) < 0)
			return CLI_ERROR;
		putchar('\n');
		return CLI_OK;
	}
	if (fmt == CLI_FORMAT_CSV) {
		const struct cli_bind b[] = { CLI_TEXT(campaign) };

		return cli_print_query(st, cli_stats_funnel_sql, b, 1, fmt, 0,
				       stdout) < 0 ? CLI_ERROR : CLI_OK;
	}
	return print_funnel(st, campaign);
}
