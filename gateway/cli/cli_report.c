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

static void cli_report_html(FILE *f, const char *s)
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

/* A table of a query's rows, with headings from its columns; the
 * cursor is closed. -1 when it failed or is NULL. */
static int cli_report_table(FILE *f, struct store_rows *s, const char *title)
{
	int rc, n = 0;

	if (!s)
		return -1;
	fprintf(f, "<h2>");
	cli_report_html(f, title);
	fprintf(f, "</h2>\n<table>\n<tr>");
	for (int c = 0; c < store_rows_ncols(s); c++) {
		fprintf(f, "<th>");
		cli_report_html(f, store_rows_name(s, c));
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	while ((rc = store_rows_next(s)) == 1) {
		fprintf(f, "<tr>");
		for (int c = 0; c < store_rows_ncols(s); c++) {
			const char *v = store_rows_text(s, c);

			fprintf(f, store_rows_type(s, c) == STORE_TYPE_INT
					   ? "<td class=n>" : "<td>");
			cli_report_html(f, v ? v : "");
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
		n++;
	}
	if (!n)
		fprintf(f, "<tr><td colspan=%d>none</td></tr>\n",
			store_rows_ncols(s));
	fprintf(f, "</table>\n");
	store_rows_close(s);
	return rc == 0 ? 0 : -1;
}

static const struct {
	const char *title;
	enum store_query q;
} cli_report_sections[] = {
	{ "By SIM", STORE_Q_REPORT_BY_SIM },
	{ "Errors", STORE_Q_REPORT_ERRORS },
	{ "Sent per hour (UTC)", STORE_Q_REPORT_PER_HOUR },
};
static int cli_report_write(FILE *f, struct cli *cli, const char *name,
			int64_t id)
{
	const struct store_bind by_name[] = { STORE_TEXT(name) };
	const struct store_bind by_id[] = { STORE_INT(id) };
	char now[32];

	store_format_time(store_now_ms(), now, sizeof(now));
	fprintf(f, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
		   "<title>Campaign ");
	cli_report_html(f, name);
	fprintf(f, "</title>\n<style>body{font-family:sans-serif;margin:2em}"
		   "table{border-collapse:collapse;margin-bottom:1.5em}"
		   "td,th{border:1px solid #ccc;padding:.3em .7em;text-align:left}"
		   "td.n{text-align:right}th{background:#f0f0f0}"
		   "figcaption{font-weight:bold;margin:.3em 0}</style>"
		   "</head><body>\n<h1>Campaign ");
	cli_report_html(f, name);
	fprintf(f, "</h1>\n<p>Report of %s by smsgw %s.</p>\n", now,
		SMSGW_VERSION);
	if (cli_report_charts(f, cli, id) < 0)
		return -1;
	/* The funnel is `smsgw stats --campaign`'s, bound by name. */
	if (cli_report_table(f,
			     cli_rows(cli, STORE_Q_FUNNEL, by_name, 1),
			     "Funnel") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(cli_report_sections) /
				sizeof(cli_report_sections[0]); i++)
		if (cli_report_table(f,
				     cli_rows(cli, cli_report_sections[i].q,
					      by_id, 1),
				     cli_report_sections[i].title) < 0)
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
	if (!cli_db(cli))
		return CLI_ERROR;
	id = cli_campaign_id(cli, campaign);
	if (!id)
		return CLI_ERROR;
	if (strcmp(out, "-") == 0) {
		if (cli_report_write(stdout, cli, campaign, id) < 0)
			return cli_error("database: %s", cli_db_errmsg(cli));
		return fflush(stdout) == 0 ? CLI_OK
					   : cli_error("stdout: %s",
						       strerror(errno));
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	f = fopen(tmp, "w");
	if (!f)
		return cli_error("%s: %s", tmp, strerror(errno));
	if (cli_report_write(f, cli, campaign, id) < 0) {
		fclose(f);
		unlink(tmp);
		return cli_error("database: %s", cli_db_errmsg(cli));
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0 || fclose(f) != 0 ||
	    rename(tmp, out) < 0) {
		unlink(tmp);
		return cli_error("%s: %s", out, strerror(errno));
	}
	printf("%s\n", out);
	return CLI_OK;
}
