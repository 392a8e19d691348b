/*
 * cli_report_charts — the charts of `smsgw report` (inline SVG, the same
 * as the status page's): sends per hour, the delivery funnel and the
 * time from sent to delivered.
 */
#include "cli.h"
#include "cli_query.h"
#include "store.h"
#include "svg_chart.h"

#include <stdio.h>
#include <string.h>

#define REPORT_MAX_HOURS 168

static int cli_report_per_hour(FILE *f, struct store *st, int64_t id)
{
	const struct store_bind b[] = { STORE_INT(id) };
	struct store_rows *s =
		store_query_open(st, STORE_Q_CHART_PER_HOUR, b, 1);
	static char labels[REPORT_MAX_HOURS][16];
	struct svg_point p[REPORT_MAX_HOURS];
	size_t n = 0;

	if (!s)
		return -1;
	while (store_rows_next(s) == 1 && n < REPORT_MAX_HOURS) {
		snprintf(labels[n], sizeof(labels[n]), "%s",
			 store_rows_text(s, 0));
		p[n] = (struct svg_point){ labels[n],
					   (int)store_rows_int(s, 1) };
		n++;
	}
	store_rows_close(s);
	svg_chart_bars(f, "sends-per-hour", "Messages sent per hour (UTC)", p,
		       n, "messages");
	return 0;
}

static int cli_report_funnel(FILE *f, struct store *st, int64_t id)
{
	const struct store_bind b[] = { STORE_INT(id) };
	struct store_rows *s = store_query_open(st, STORE_Q_CHART_FUNNEL, b, 1);

	if (!s)
		return -1;
	if (store_rows_next(s) == 1) {
		struct svg_point p[] = {
			{ "messages", (int)store_rows_int(s, 0) },
			{ "sent", (int)store_rows_int(s, 1) },
			{ "delivered", (int)store_rows_int(s, 2) },
			{ "replied", (int)store_rows_int(s, 3) },
			{ "failed", (int)store_rows_int(s, 4) },
		};

		svg_chart_funnel(f, "funnel", "Delivery funnel", p,
				 sizeof(p) / sizeof(p[0]));
	}
	store_rows_close(s);
	return 0;
}

static int cli_report_delivery(FILE *f, struct store *st, int64_t id)
{
	static const struct {
		const char *label;
		int64_t below_ms;
	} buckets[] = {
		{ "< 10 s", 10000 },	 { "10-30 s", 30000 },
		{ "30-60 s", 60000 },	 { "1-5 min", 300000 },
		{ "5-30 min", 1800000 }, { "30 min-2 h", 7200000 },
		{ "> 2 h", INT64_MAX },
	};
	const struct store_bind b[] = { STORE_INT(id) };
	struct svg_point p[sizeof(buckets) / sizeof(buckets[0])];
	struct store_rows *s =
		store_query_open(st, STORE_Q_CHART_DELIVERY, b, 1);
	size_t n = sizeof(p) / sizeof(p[0]);

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		p[i] = (struct svg_point){ buckets[i].label, 0 };
	while (store_rows_next(s) == 1) {
		int64_t ms = store_rows_int(s, 0);
		size_t i = 0;

		while (i < n - 1 && ms >= buckets[i].below_ms)
			i++;
		p[i].value++;
	}
	store_rows_close(s);
	svg_chart_bars(f, "time-to-delivery", "Time from sent to delivered", p,
		       n, "messages");
	return 0;
}

int cli_report_charts(FILE *f, struct store *st, int64_t id)
{
	if (cli_report_funnel(f, st, id) < 0 ||
	    cli_report_per_hour(f, st, id) < 0 ||
	    cli_report_delivery(f, st, id) < 0)
		return -1;
	return 0;
}
