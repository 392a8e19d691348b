/*
 * http_status — GET /: the status page. Server-rendered HTML with inline
 * SVG (svg_chart.h), no script: SIMs (state, signal, quota left), the
 * queue, sends per minute over the last hour, recent errors and the
 * campaigns with their funnel. It reloads itself every 30 s, and is
 * rendered at most once every HTTP_STATUS_CACHE_MS however many browsers
 * look.
 */
#include "http_priv.h"
#include "store.h"
#include "store_query.h"
#include "svg_chart.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HTTP_STATUS_CAMPAIGNS 5

static struct store_rows *http_status_q(struct http_req *r,
					enum store_query q,
					const struct store_bind *b, size_t n)
{
	return store_query_open(r->h->deps.store, q, b, n);
}

static const char *http_status_col(struct store_rows *s, int c)
{
	const char *v = store_rows_text(s, c);

	return v ? v : "";
}

static void http_status_sims(struct http_req *r, FILE *f)
{
	struct store_rows *s = http_status_q(r, STORE_Q_PAGE_SIMS, NULL, 0);

	fprintf(f, "<h2>SIMs</h2>\n<table id=\"sims\"><tr><th>SIM</th>"
		   "<th>state</th><th>signal</th><th>number</th>"
		   "<th>operator</th><th>quota left today</th></tr>\n");
	while (s && store_rows_next(s) == 1) {
		int limit = (int)store_rows_int(s, 6);
		int left = limit - (int)store_rows_int(s, 5);
		char text[64];

		fprintf(f, "<tr class=\"sim\"><td>");
		svg_escape(f, http_status_col(s, 0));
		fprintf(f, "</td><td class=\"state %s\">", http_status_col(s, 1));
		svg_escape(f, http_status_col(s, 1));
		fprintf(f, "</td><td>");
		if (store_rows_type(s, 2) == STORE_TYPE_NULL) {
			fprintf(f, "unknown");
		} else {
			int dbm = (int)store_rows_int(s, 2);

			snprintf(text, sizeof(text), "%d dBm", dbm);
			/* -113 dBm is no signal, -51 the best (TS 27.007 §8.5). */
			svg_chart_meter(f, dbm + 113, 62, text);
		}
		fprintf(f, "</td><td>");
		svg_escape(f, http_status_col(s, 3));
		fprintf(f, "</td><td>");
		svg_escape(f, http_status_col(s, 4));
		fprintf(f, "</td><td>");
		if (limit > 0) {
			snprintf(text, sizeof(text), "%d of %d",
				 left < 0 ? 0 : left, limit);
			svg_chart_meter(f, left, limit, text);
		} else {
			fprintf(f, "no limit");
		}
		fprintf(f, "</td></tr>\n");
	}
	store_rows_close(s);
	fprintf(f, "</table>\n");
}

static void http_status_queue(struct http_req *r, FILE *f)
{
	/* One count a state, as `smsgw status`: each uses its partial index
	 * instead of a scan of every message ever sent. */
	struct store_rows *s = http_status_q(r, STORE_Q_PAGE_QUEUE, NULL, 0);

	if (s && store_rows_next(s) == 1)
		fprintf(f, "<h2>Queue</h2>\n<p id=\"queue\"><b>%d</b> queued, "
			   "<b>%d</b> deferred, <b>%d</b> sending</p>\n",
			(int)store_rows_int(s, 0), (int)store_rows_int(s, 1),
			(int)store_rows_int(s, 2));
	store_rows_close(s);
}

/* Parts handed to the network per minute, the last 60 minutes. */
static void http_status_rate(struct http_req *r, FILE *f)
{
	struct svg_point p[60];
	char labels[60][8];
	int64_t now = store_now_ms(), start = (now / 60000 - 59) * 60000;
	const struct store_bind b[] = { STORE_INT(start) };
	struct store_rows *s = http_status_q(r, STORE_Q_PAGE_RATE, b, 1);

	for (int i = 0; i < 60; i++) {
		int64_t t = (start + (int64_t)i * 60000) / 1000;
		struct tm tm;
		time_t tt = (time_t)t;

		localtime_r(&tt, &tm);
		strftime(labels[i], sizeof(labels[i]), "%H:%M", &tm);
		p[i] = (struct svg_point){ .label = labels[i] };
	}
	while (s && store_rows_next(s) == 1) {
		int i = (int)store_rows_int(s, 0);

		if (i >= 0 && i < 60)
			p[i].value = (int)store_rows_int(s, 1);
	}
	store_rows_close(s);
	svg_chart_bars(f, "sends-per-minute", "SMS parts sent per minute, "
		       "last hour", p, 60, "parts");
}

static void http_status_errors(struct http_req *r, FILE *f)
{
	struct store_rows *s = http_status_q(r, STORE_Q_PAGE_ERRORS, NULL, 0);
	int n = 0;

	fprintf(f, "<h2>Recent errors</h2>\n<table id=\"errors\"><tr>"
		   "<th>at</th><th>level</th><th>source</th><th>message</th>"
		   "</tr>\n");
	while (s && store_rows_next(s) == 1) {
		fprintf(f, "<tr>");
		for (int c = 0; c < 4; c++) {
			fprintf(f, "<td>");
			svg_escape(f, http_status_col(s, c));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
		n++;
	}
	store_rows_close(s);
	if (!n)
		fprintf(f, "<tr><td colspan=4>none</td></tr>\n");
	fprintf(f, "</table>\n");
}

static void http_status_campaigns(struct http_req *r, FILE *f)
{
	const struct store_bind b[] = { STORE_INT(HTTP_STATUS_CAMPAIGNS) };
	struct store_rows *s = http_status_q(r, STORE_Q_PAGE_CAMPAIGNS, b, 1);
	int k = 0;

	fprintf(f, "<h2>Campaigns</h2>\n");
	while (s && store_rows_next(s) == 1) {
		struct svg_point p[] = {
			{ "messages", (int)store_rows_int(s, 2) },
			{ "sent", (int)store_rows_int(s, 3) },
			{ "delivered", (int)store_rows_int(s, 4) },
			{ "replied", (int)store_rows_int(s, 6) },
			{ "failed", (int)store_rows_int(s, 5) },
		};
		char id[32], title[200];

		snprintf(id, sizeof(id), "campaign-%d", k++);
		snprintf(title, sizeof(title), "%s (%s)", http_status_col(s, 0),
			 http_status_col(s, 1));
		svg_chart_funnel(f, id, title, p, sizeof(p) / sizeof(p[0]));
	}
	store_rows_close(s);
	if (!k)
		fprintf(f, "<p>No campaigns yet.</p>\n");
}

enum MHD_Result http_status_page(struct http_req *r)
{
	struct http *h = r->h;
	char *html = NULL, now[32];
	size_t len = 0;
	FILE *f;

	if (h->status_html && loop_now(h->deps.loop) - h->status_at <
				      HTTP_STATUS_CACHE_MS)
		return http_text(r, MHD_HTTP_OK, "text/html; charset=utf-8",
				 h->status_html, h->status_len);
	f = open_memstream(&html, &len);
	if (!f)
		return MHD_NO;
	store_format_time(store_now_ms(), now, sizeof(now));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		   "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
		   "content=\"30\"><title>smsgw status</title>\n<style>"
		   "body{font-family:sans-serif;margin:1.5em;color:#222}"
		   "table{border-collapse:collapse;margin-bottom:1em}"
		   "td,th{border:1px solid #ccc;padding:.25em .6em;"
		   "text-align:left;vertical-align:middle}"
		   "th{background:#f0f0f0}figure{margin:0 0 1em}"
		   "figcaption{font-weight:bold;margin:.3em 0}"
		   ".state.ready,.state.busy{color:#2e7d32}"
		   ".state.error,.state.blocked,.state.absent,"
		   ".state.no-network{color:#c62828}"
		   "</style></head><body>\n<h1>smsgw status</h1>\n"
		   "<p>smsgw %s &middot; %s</p>\n", SMSGW_VERSION, now);
	http_status_sims(r, f);
	http_status_queue(r, f);
	http_status_rate(r, f);
	http_status_errors(r, f);
	http_status_campaigns(r, f);
	fprintf(f, "</body></html>\n");
	if (fclose(f) != 0) {
		free(html);
		return MHD_NO;
	}
	free(h->status_html);
	h->status_html = html;
	h->status_len = len;
	h->status_at = loop_now(h->deps.loop);
	return http_text(r, MHD_HTTP_OK, "text/html; charset=utf-8", html, len);
}
