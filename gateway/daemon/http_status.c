/*
 * http_status — GET /: the status page. Server-rendered HTML with inline
 * SVG (svg_chart.h), no script: SIMs (state, signal, quota left), the
 * queue, sends per minute over the last hour, recent errors and the
 * campaigns with their funnel. It reloads itself every 30 s, and is
 * rendered at most once every HTTP_STATUS_CACHE_MS however many browsers
 * look. On PostgreSQL its data are one statement, read while the
 * connection waits (the whole database: every box's SIMs).
 */
#include "http_priv.h"
#include "store.h"
#include "store_pg_http.h"
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

/* The first of the last 60 minutes (ms). */
static int64_t http_status_start(void)
{
	return (store_now_ms() / 60000 - 59) * 60000;
}

/* Parts handed to the network per minute, the last 60 minutes. */
static void http_status_rate_chart(FILE *f, int64_t start,
				   const int per_minute[60])
{
	struct svg_point p[60];
	char labels[60][8];

	for (int i = 0; i < 60; i++) {
		int64_t t = (start + (int64_t)i * 60000) / 1000;
		struct tm tm;
		time_t tt = (time_t)t;

		localtime_r(&tt, &tm);
		strftime(labels[i], sizeof(labels[i]), "%H:%M", &tm);
		p[i] = (struct svg_point){ .label = labels[i],
					   .value = per_minute[i] };
	}
	svg_chart_bars(f, "sends-per-minute", "SMS parts sent per minute, "
		       "last hour", p, 60, "parts");
}

static void http_status_rate(struct http_req *r, FILE *f)
{
	int64_t start = http_status_start();
	int per_minute[60];

	store_report_rate(r->h->deps.store, start, per_minute);
	http_status_rate_chart(f, start, per_minute);
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

static void http_status_head(FILE *f)
{
	char now[32];

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
}

/* The page in html (len bytes, taken over) is the cached one; answers
 * it. NULL: memory ran out. */
static enum MHD_Result http_status_keep(struct http_req *r, char *html,
					size_t len)
{
	struct http *h = r->h;

	if (!html)
		return MHD_NO;
	free(h->status_html);
	h->status_html = html;
	h->status_len = len;
	h->status_at = loop_now(h->deps.loop);
	return http_text(r, MHD_HTTP_OK, "text/html; charset=utf-8", html, len);
}

/* ---- PostgreSQL: the same page from one JSON document (pg_store_status())
 * read while the connection waits ---- */

static const char *http_status_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int http_status_int(json_t *o, const char *key)
{
	return (int)json_integer_value(json_object_get(o, key));
}

static void http_status_pg_render(FILE *f, json_t *d, int64_t start)
{
	json_t *a, *o, *q = json_object_get(d, "queue");
	struct http_status_out x = { .f = f };
	int per_minute[60] = { 0 };
	size_t i;

	fprintf(f, "<h2>SIMs</h2>\n<table id=\"sims\"><tr><th>SIM</th>"
		   "<th>state</th><th>signal</th><th>number</th>"
		   "<th>operator</th><th>quota left today</th></tr>\n");
	a = json_object_get(d, "sims");
	for (i = 0; i < json_array_size(a); i++) {
		o = json_array_get(a, i);
		http_status_sim(f, &(struct store_report_sim){
			.name = http_status_str(o, "name"),
			.state = http_status_str(o, "state"),
			.has_signal = json_is_integer(json_object_get(o,
								     "signal")),
			.signal = http_status_int(o, "signal"),
			.number = http_status_str(o, "number"),
			.operator = http_status_str(o, "operator"),
			.sent_today = http_status_int(o, "sent_today"),
			.daily_limit = http_status_int(o, "daily_limit") });
	}
	fprintf(f, "</table>\n");
	fprintf(f, "<h2>Queue</h2>\n<p id=\"queue\"><b>%d</b> queued, "
		   "<b>%d</b> deferred, <b>%d</b> sending</p>\n",
		http_status_int(q, "queued"), http_status_int(q, "deferred"),
		http_status_int(q, "sending"));
	a = json_object_get(d, "rate");
	for (i = 0; i < json_array_size(a); i++) {
		json_int_t m = json_integer_value(json_array_get(
			json_array_get(a, i), 0));

		if (m >= 0 && m < 60)
			per_minute[m] = (int)json_integer_value(json_array_get(
				json_array_get(a, i), 1));
	}
	http_status_rate_chart(f, start, per_minute);
	fprintf(f, "<h2>Recent errors</h2>\n<table id=\"errors\"><tr>"
		   "<th>at</th><th>level</th><th>source</th><th>message</th>"
		   "</tr>\n");
	a = json_object_get(d, "errors");
	for (i = 0; i < json_array_size(a); i++) {
		o = json_array_get(a, i);
		http_status_error(&x, &(struct store_report_error){
			.at = http_status_str(o, "at"),
			.level = http_status_str(o, "level"),
			.source = http_status_str(o, "source"),
			.message = http_status_str(o, "message") });
	}
	if (!x.n)
		fprintf(f, "<tr><td colspan=4>none</td></tr>\n");
	fprintf(f, "</table>\n<h2>Campaigns</h2>\n");
	x.n = 0;
	a = json_object_get(d, "campaigns");
	for (i = 0; i < json_array_size(a); i++) {
		o = json_array_get(a, i);
		http_status_campaign(&x, &(struct store_report_funnel){
			.name = http_status_str(o, "name"),
			.state = http_status_str(o, "state"),
			.messages = http_status_int(o, "messages"),
			.sent = http_status_int(o, "sent"),
			.delivered = http_status_int(o, "delivered"),
			.failed = http_status_int(o, "failed"),
			.replied = http_status_int(o, "replied") });
	}
	if (!x.n)
		fprintf(f, "<p>No campaigns yet.</p>\n");
}

struct http_status_wait {
	struct http_wait w;		/* first: http_wait_*() */
	int64_t start;
};

static enum MHD_Result http_status_pg_answer(struct http_req *r)
{
	json_t *d = r->later;
	char *html = NULL;
	size_t len = 0;
	FILE *f;

	r->later = NULL;
	if (!d)
		return http_db_problem(r);
	f = open_memstream(&html, &len);
	if (!f) {
		json_decref(d);
		return MHD_NO;
	}
	http_status_head(f);
	http_status_pg_render(f, d, r->later_ms);
	fprintf(f, "</body></html>\n");
	json_decref(d);
	if (fclose(f) != 0) {
		free(html);
		return MHD_NO;
	}
	return http_status_keep(r, html, len);
}

static void http_status_pg_read(int rc, json_t *d, void *ud)
{
	struct http_status_wait *x = ud;
	struct http_req *r = http_wait_end(&x->w);

	if (!r) {
		json_decref(d);
		free(x);
		return;
	}
	r->later = rc < 0 ? NULL : d;
	r->later_ms = x->start;
	free(x);
	http_wait_resume(r, http_status_pg_answer);
}

static enum MHD_Result http_status_pg(struct http_req *r)
{
	struct http_status_wait *x;

	if (!http_pg(r->h))
		return http_db_problem(r);	/* stopping */
	x = calloc(1, sizeof(*x));
	if (!x)
		return MHD_NO;
	x->start = http_status_start();
	http_wait_start(r, &x->w);
	pg_store_status(http_pg(r->h), x->start, HTTP_STATUS_CAMPAIGNS,
			http_status_pg_read, x);
	return MHD_YES;
}

enum MHD_Result http_status_page(struct http_req *r)
{
	struct http *h = r->h;
	char *html = NULL;
	size_t len = 0;
	FILE *f;

	if (h->status_html && loop_now(h->deps.loop) - h->status_at <
				      HTTP_STATUS_CACHE_MS)
		return http_text(r, MHD_HTTP_OK, "text/html; charset=utf-8",
				 h->status_html, h->status_len);
	if (http_is_pg(h))
		return http_status_pg(r);
	f = open_memstream(&html, &len);
	if (!f)
		return MHD_NO;
	http_status_head(f);
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
	return http_status_keep(r, html, len);
}
