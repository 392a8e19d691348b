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
#include "store_report.h"
#include "svg_chart.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HTTP_STATUS_CAMPAIGNS 5

/* A column's text for the page: "" for NULL. */
static const char *http_status_or(const char *v)
{
	return v ? v : "";
}

static void http_status_sim(void *ud, const struct store_report_sim *s)
{
	FILE *f = ud;
	int limit = s->daily_limit;
	int left = limit - s->sent_today;
	char text[64];

	fprintf(f, "<tr class=\"sim\"><td>");
	svg_escape(f, http_status_or(s->name));
	fprintf(f, "</td><td class=\"state %s\">", http_status_or(s->state));
	svg_escape(f, http_status_or(s->state));
	fprintf(f, "</td><td>");
	if (!s->has_signal) {
		fprintf(f, "unknown");
	} else {
		snprintf(text, sizeof(text), "%d dBm", s->signal);
		/* -113 dBm is no signal, -51 the best (TS 27.007 §8.5). */
		svg_chart_meter(f, s->signal + 113, 62, text);
	}
	fprintf(f, "</td><td>");
	svg_escape(f, http_status_or(s->number));
	fprintf(f, "</td><td>");
	svg_escape(f, http_status_or(s->operator));
	fprintf(f, "</td><td>");
	if (limit > 0) {
		snprintf(text, sizeof(text), "%d of %d", left < 0 ? 0 : left,
			 limit);
		svg_chart_meter(f, left, limit, text);
	} else {
		fprintf(f, "no limit");
	}
	fprintf(f, "</td></tr>\n");
}

static void http_status_sims(struct http_req *r, FILE *f)
{
	fprintf(f, "<h2>SIMs</h2>\n<table id=\"sims\"><tr><th>SIM</th>"
		   "<th>state</th><th>signal</th><th>number</th>"
		   "<th>operator</th><th>quota left today</th></tr>\n");
	store_report_sims(r->h->deps.store, http_status_sim, f);
	fprintf(f, "</table>\n");
}

static void http_status_queue(struct http_req *r, FILE *f)
{
	struct store_report_queue q;

	if (store_report_queue(r->h->deps.store, &q) == 0)
		fprintf(f, "<h2>Queue</h2>\n<p id=\"queue\"><b>%d</b> queued, "
			   "<b>%d</b> deferred, <b>%d</b> sending</p>\n",
			q.queued, q.deferred, q.sending);
}

/* Parts handed to the network per minute, the last 60 minutes. */
static void http_status_rate(struct http_req *r, FILE *f)
{
	struct svg_point p[60];
	char labels[60][8];
	int64_t now = store_now_ms(), start = (now / 60000 - 59) * 60000;
	int per_minute[60];

	for (int i = 0; i < 60; i++) {
		int64_t t = (start + (int64_t)i * 60000) / 1000;
		struct tm tm;
		time_t tt = (time_t)t;

		localtime_r(&tt, &tm);
		strftime(labels[i], sizeof(labels[i]), "%H:%M", &tm);
		p[i] = (struct svg_point){ .label = labels[i] };
	}
	store_report_rate(r->h->deps.store, start, per_minute);
	for (int i = 0; i < 60; i++)
		p[i].value = per_minute[i];
	svg_chart_bars(f, "sends-per-minute", "SMS parts sent per minute, "
		       "last hour", p, 60, "parts");
}

/* Where a section goes and how many rows it had. */
struct http_status_out {
	FILE *f;
	int n;
};

static void http_status_error(void *ud, const struct store_report_error *e)
{
	struct http_status_out *x = ud;
	const char *cells[] = { e->at, e->level, e->source, e->message };

	fprintf(x->f, "<tr>");
	for (int c = 0; c < 4; c++) {
		fprintf(x->f, "<td>");
		svg_escape(x->f, http_status_or(cells[c]));
		fprintf(x->f, "</td>");
	}
	fprintf(x->f, "</tr>\n");
	x->n++;
}

static void http_status_errors(struct http_req *r, FILE *f)
{
	struct http_status_out x = { .f = f };

	fprintf(f, "<h2>Recent errors</h2>\n<table id=\"errors\"><tr>"
		   "<th>at</th><th>level</th><th>source</th><th>message</th>"
		   "</tr>\n");
	store_report_errors(r->h->deps.store, http_status_error, &x);
	if (!x.n)
		fprintf(f, "<tr><td colspan=4>none</td></tr>\n");
	fprintf(f, "</table>\n");
}

static void http_status_campaign(void *ud, const struct store_report_funnel *c)
{
	struct http_status_out *x = ud;
	struct svg_point p[] = {
		{ "messages", c->messages },
		{ "sent", c->sent },
		{ "delivered", c->delivered },
		{ "replied", c->replied },
		{ "failed", c->failed },
	};
	char id[32], title[200];

	snprintf(id, sizeof(id), "campaign-%d", x->n++);
	snprintf(title, sizeof(title), "%s (%s)", http_status_or(c->name),
		 http_status_or(c->state));
	svg_chart_funnel(x->f, id, title, p, sizeof(p) / sizeof(p[0]));
}

static void http_status_campaigns(struct http_req *r, FILE *f)
{
	struct http_status_out x = { .f = f };

	fprintf(f, "<h2>Campaigns</h2>\n");
	store_report_campaigns(r->h->deps.store, HTTP_STATUS_CAMPAIGNS,
			       http_status_campaign, &x);
	if (!x.n)
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
