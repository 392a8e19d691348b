/*
 * smsgw report --campaign C -o FILE.html
 *
 * One self-contained HTML page about a campaign: the funnel, the SIMs that
 * carried it, the errors, and sends per hour. Written atomically.
 */
#include "cli.h"
#include "cli_query.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void html(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* A table of a statement's rows, with headings from its columns; the
 * statement is finalized. -1 when it failed or is NULL. */
static int table(FILE *f, sqlite3_stmt *s, const char *title)
{
	int rc, n = 0;

	if (!s)
		return -1;
	fprintf(f, "<h2>");
	html(f, title);
	fprintf(f, "</h2>\n<table>\n<tr>");
	for (int c = 0; c < sqlite3_column_count(s); c++) {
		fprintf(f, "<th>");
		html(f, sqlite3_column_name(s, c));
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		fprintf(f, "<tr>");
		for (int c = 0; c < sqlite3_column_count(s); c++) {
			const char *v = (const char *)sqlite3_column_text(s, c);

			fprintf(f, sqlite3_column_type(s, c) == SQLITE_INTEGER
					   ? "<td class=n>" : "<td>");
			html(f, v ? v : "");
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
		n++;
	}
	if (!n)
		fprintf(f, "<tr><td colspan=%d>none</td></tr>\n",
			sqlite3_column_count(s));
	fprintf(f, "</table>\n");
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char *const sections[][2] = {
	{ "By SIM",
	  "SELECT coalesce(s.modem || '/' || s.slot, '-') AS sim,"
	  " count(*) AS messages, sum(m.parts) AS parts,"
	  " coalesce(sum(m.state = 'delivered'), 0) AS delivered,"
	  " coalesce(sum(m.state IN ('failed', 'expired')), 0) AS failed"
	  " FROM message m LEFT JOIN sim s ON s.id = m.sim_id"
	  " WHERE m.campaign_id = ?1 AND m.sim_id IS NOT NULL"
	  " GROUP BY m.sim_id ORDER BY messages DESC" },
	{ "Errors",
	  "SELECT error, count(*) AS messages FROM message"
	  " WHERE campaign_id = ?1 AND error IS NOT NULL"
	  " GROUP BY error ORDER BY messages DESC LIMIT 20" },
	{ "Sent per hour (UTC)",
	  "SELECT strftime('%Y-%m-%d %H:00', sent_at / 1000, 'unixepoch')"
	  " AS hour, count(*) AS messages FROM message"
	  " WHERE campaign_id = ?1 AND sent_at IS NOT NULL"
	  " GROUP BY hour ORDER BY hour" },
};

static int write_report(FILE *f, struct store *st, const char *name,
			int64_t id)
{
	const struct cli_bind by_name[] = { CLI_TEXT(name) };
	const struct cli_bind by_id[] = { CLI_INT(id) };
	char now[32];

	store_format_time(store_now_ms(), now, sizeof(now));
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		   "<title>Campaign ");
	html(f, name);
	fprintf(f, "</title>\n<style>body{font-family:sans-serif;margin:2em}"
		   "table{border-collapse:collapse;margin-bottom:1.5em}"
		   "td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}"
		   "td.n{text-align:right}th{background:#f0f0f0}"
		   "figcaption{font-weight:bold;margin:.3em 0}</style>"
		   "</head><body>\n<h1>Campaign ");
	html(f, name);
	fprintf(f, "</h1>\n<p>Report of %s by smsgw %s.</p>\n", now,
		SMSGW_VERSION);
	if (cli_report_charts(f, st, id) < 0)
		return -1;
	/* The funnel is `smsgw stats --campaign`'s, bound by name. */
	if (table(f, cli_prepare(st, cli_stats_funnel_sql, by_name, 1),
		  "Funnel") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (table(f, cli_prepare(st, sections[i][1], by_id, 1),
			  sections[i][0]) < 0)
			return -1;
	fprintf(f, "</body></html>\n");
	return 0;
}

int cli_report(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "campaign", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	const char *campaign = NULL, *out = NULL;
	char tmp[4096];
	struct store *st;
	int64_t id;
	FILE *f;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "o:", opts)) != -1) {
		if (c == 'C')
			campaign = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return cli_usage("report: unknown option");
	}
	if (!campaign || !out || optind != argc)
		return cli_usage("report --campaign C -o FILE.html|-");
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	id = cli_campaign_id(st, campaign);
	if (!id)
		return CLI_ERROR;
	if (strcmp(out, "-") == 0) {
		if (write_report(stdout, st, campaign, id) < 0)
			return cli_error("database: %s", store_errmsg(st));
		return fflush(stdout) == 0 ? CLI_OK
					   : cli_error("stdout: %s",
						       strerror(errno));
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	f = fopen(tmp, "w");
	if (!f)
		return cli_error("%s: %s", tmp, strerror(errno));
	if (write_report(f, st, campaign, id) < 0) {
		fclose(f);
		unlink(tmp);
		return cli_error("database: %s", store_errmsg(st));
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0 || fclose(f) != 0 ||
	    rename(tmp, out) < 0) {
		unlink(tmp);
		return cli_error("%s: %s", out, strerror(errno));
	}
	printf("%s\n", out);
	return CLI_OK;
}
