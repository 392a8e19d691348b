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

static int report_sends_per_hour(FILE *f, struct store *st, int64_t id)
{
	const struct cli_bind b[] = { CLI_INT(id) };
	sqlite3_stmt *s = cli_prepare(st,
		"SELECT strftime('%m-%d %H:00', sent_at / 1000, 'unixepoch'),"
		" count(*) FROM message WHERE campaign_id = ?1"
		" AND sent_at IS NOT NULL GROUP BY 1 ORDER BY 1", b, 1);
	static char labels[REPORT_MAX_HOURS][16];
	struct svg_point p[REPORT_MAX_HOURS];
	size_t n = 0;

	if (!s)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW && n < REPORT_MAX_HOURS) {
		snprintf(labels[n], sizeof(labels[n]), "%s",
			 sqlite3_column_text(s, 0));
		p[n] = (struct svg_point){ labels[n], sqlite3_column_int(s, 1) };
		n++;
	}
	sqlite3_finalize(s);
	svg_chart_bars(f, "sends-per-hour", "Messages sent per hour (UTC)", p,
		       n, "messages");
	return 0;
}

static int report_funnel(FILE *f, struct store *st, int64_t id)
{
	const struct cli_bind b[] = { CLI_INT(id) };
	sqlite3_stmt *s = cli_prepare(st,
		"SELECT count(*), coalesce(sum(state IN ('sent', 'delivered')), 0),"
		" coalesce(sum(state = 'delivered'), 0),"
		" (SELECT count(*) FROM inbound i WHERE i.in_reply_to IN"
		"  (SELECT id FROM message WHERE campaign_id = ?1)),"
		" coalesce(sum(state IN ('failed', 'expired', 'unknown')), 0)"
		" FROM message WHERE campaign_id = ?1", b, 1);

	if (!s)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW) {
		struct svg_point p[] = {
			{ "messages", sqlite3_column_int(s, 0) },
			{ "sent", sqlite3_column_int(s, 1) },
			{ "delivered", sqlite3_column_int(s, 2) },
			{ "replied", sqlite3_column_int(s, 3) },
			{ "failed", sqlite3_column_int(s, 4) },
		};

		svg_chart_funnel(f, "funnel", "Delivery funnel", p,
				 sizeof(p) / sizeof(p[0]));
	}
	sqlite3_finalize(s);
	return 0;
}

static int report_time_to_delivery(FILE *f, struct store *st, int64_t id)
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
	const struct cli_bind b[] = { CLI_INT(id) };
	struct svg_point p[sizeof(buckets) / sizeof(buckets[0])];
	sqlite3_stmt *s = cli_prepare(st,
		"SELECT delivered_at - sent_at FROM message WHERE campaign_id = ?1"
		" AND delivered_at IS NOT NULL AND sent_at IS NOT NULL", b, 1);
	size_t n = sizeof(p) / sizeof(p[0]);

	if (!s)
		return -1;
	for (size_t i = 0; i < n; i++)
		p[i] = (struct svg_point){ buckets[i].label, 0 };
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t ms = sqlite3_column_int64(s, 0);
		size_t i = 0;

		while (i < n - 1 && ms >= buckets[i].below_ms)
			i++;
		p[i].value++;
	}
	sqlite3_finalize(s);
	svg_chart_bars(f, "time-to-delivery", "Time from sent to delivered", p,
		       n, "messages");
	return 0;
}

int cli_report_charts(FILE *f, struct store *st, int64_t id)
{
	if (report_funnel(f, st, id) < 0 || report_sends_per_hour(f, st, id) < 0 ||
	    report_time_to_delivery(f, st, id) < 0)
		return -1;
	return 0;
}
