/*
 * cli_report_charts — the charts of `smsgw report` (inline SVG, the same
 * as the status page's): sends per hour, the delivery funnel and the
 * time from sent to delivered.
 */
#include "cli.h"
#include "pg_cli.h"
#include "store.h"
#include "store_report.h"
#include "svg_chart.h"

#include <stdio.h>
#include <string.h>

#define REPORT_MAX_HOURS 168

struct cli_report_charts_hours {
	char labels[REPORT_MAX_HOURS][16];
	struct svg_point p[REPORT_MAX_HOURS];
	size_t n;
};

static int cli_report_charts_hour(void *ud, const char *hour, int count)
{
	struct cli_report_charts_hours *h = ud;

	if (h->n >= REPORT_MAX_HOURS)
		return 1;
	snprintf(h->labels[h->n], sizeof(h->labels[h->n]), "%s", hour);
	h->p[h->n] = (struct svg_point){ h->labels[h->n], count };
	h->n++;
	return 0;
}

static int cli_report_charts_per_hour(FILE *f, struct cli *cli, int64_t id)
{
	static struct cli_report_charts_hours h;

	h.n = 0;
	if ((cli->pg ? pg_cli_report_per_hour(cli->pg, id,
					      cli_report_charts_hour, &h)
		     : store_report_per_hour(cli->store, id,
					     cli_report_charts_hour, &h)) < 0)
		return -1;
	svg_chart_bars(f, "sends-per-hour", "Messages sent per hour (UTC)",
		       h.p, h.n, "messages");
	return 0;
}

static int cli_report_charts_funnel(FILE *f, struct cli *cli, int64_t id)
{
	struct store_report_funnel fu;
	int rc = cli->pg ? pg_cli_report_funnel(cli->pg, id, &fu)
			 : store_report_funnel(cli->store, id, &fu);

	if (rc < 0)
		return -1;
	if (rc) {
		struct svg_point p[] = {
			{ "messages", fu.messages },
			{ "sent", fu.sent },
			{ "delivered", fu.delivered },
			{ "replied", fu.replied },
			{ "failed", fu.failed },
		};

		svg_chart_funnel(f, "funnel", "Delivery funnel", p,
				 sizeof(p) / sizeof(p[0]));
	}
	return 0;
}

static const struct {
	const char *label;
	int64_t below_ms;
} cli_report_charts_buckets[] = {
	{ "< 10 s", 10000 },	 { "10-30 s", 30000 },
	{ "30-60 s", 60000 },	 { "1-5 min", 300000 },
	{ "5-30 min", 1800000 }, { "30 min-2 h", 7200000 },
	{ "> 2 h", INT64_MAX },
};
#define REPORT_BUCKETS                                                   \
	(sizeof(cli_report_charts_buckets) / sizeof(cli_report_charts_buckets[0]))

static void cli_report_charts_count(void *ud, int64_t ms)
{
	struct svg_point *p = ud;
	size_t i = 0;

	while (i < REPORT_BUCKETS - 1 &&
	       ms >= cli_report_charts_buckets[i].below_ms)
		i++;
	p[i].value++;
}

static int cli_report_charts_delivery(FILE *f, struct cli *cli, int64_t id)
{
	struct svg_point p[REPORT_BUCKETS];

	for (size_t i = 0; i < REPORT_BUCKETS; i++)
		p[i] = (struct svg_point){ cli_report_charts_buckets[i].label,
					   0 };
	if ((cli->pg ? pg_cli_report_delivery(cli->pg, id,
					      cli_report_charts_count, p)
		     : store_report_delivery(cli->store, id,
					     cli_report_charts_count, p)) < 0)
		return -1;
	svg_chart_bars(f, "time-to-delivery", "Time from sent to delivered", p,
		       REPORT_BUCKETS, "messages");
	return 0;
}

int cli_report_charts(FILE *f, struct cli *cli, int64_t id)
{
	if (cli_report_charts_funnel(f, cli, id) < 0 ||
	    cli_report_charts_per_hour(f, cli, id) < 0 ||
	    cli_report_charts_delivery(f, cli, id) < 0)
		return -1;
	return 0;
}
