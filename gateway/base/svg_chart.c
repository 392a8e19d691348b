/* svg_chart — inline SVG bar charts; see svg_chart.h. */
#include "svg_chart.h"

#include <string.h>

void svg_escape(FILE *f, const char *s)
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

static double svg_chart_max(const struct svg_point *p, size_t n)
{
	double m = 0;

	for (size_t i = 0; i < n; i++)
		if (p[i].value > m)
			m = p[i].value;
	return m;
}

static void svg_chart_head(FILE *f, const char *id, const char *title,
			   int w, int h)
{
	fprintf(f, "<figure class=\"chart\"><figcaption>");
	svg_escape(f, title);
	fprintf(f, "</figcaption>\n<svg id=\"%s\" role=\"img\" aria-label=\"",
		id);
	svg_escape(f, title);
	fprintf(f, "\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "xmlns=\"http://www.w3.org/2000/svg\">\n", w, h, w, h);
}

static void svg_chart_label(FILE *f, double x, double y, const char *anchor,
			    const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" "
		   "text-anchor=\"%s\" fill=\"#444\">", x, y, anchor);
	svg_escape(f, text);
	fprintf(f, "</text>\n");
}

void svg_chart_bars(FILE *f, const char *id, const char *title,
		    const struct svg_point *p, size_t n, const char *unit)
{
	const int w = 640, h = 180, top = 14, base = 150, left = 36;
	double max = svg_chart_max(p, n), bw;
	char buf[32];

	svg_chart_head(f, id, title, w, h);
	snprintf(buf, sizeof(buf), "%g", max);
	svg_chart_label(f, left - 4, top + 8, "end", buf);
	svg_chart_label(f, left - 4, base, "end", "0");
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		   "stroke=\"#999\"/>\n", left, base, w, base);
	if (!n) {
		svg_chart_label(f, w / 2.0, h / 2.0, "middle", "no data yet");
		fprintf(f, "</svg></figure>\n");
		return;
	}
	bw = (double)(w - left) / (double)n;
	for (size_t i = 0; i < n; i++) {
		double bh = max > 0 ? p[i].value / max * (base - top) : 0;
		double x = left + bw * (double)i;

		fprintf(f, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" "
			   "width=\"%.1f\" height=\"%.1f\" fill=\"#3a7bd5\">"
			   "<title>", x + bw * 0.1, base - bh, bw * 0.8, bh);
		svg_escape(f, p[i].label);
		fprintf(f, ": %g %s</title></rect>\n", p[i].value, unit);
		if (i == 0 || i == n - 1 || i == n / 2)
			svg_chart_label(f, x + bw / 2, base + 14,
					i == 0 ? "start" : i == n - 1 ? "end"
								      : "middle",
					p[i].label);
	}
	fprintf(f, "</svg></figure>\n");
}

void svg_chart_funnel(FILE *f, const char *id, const char *title,
		      const struct svg_point *p, size_t n)
{
	const int w = 480, row = 24, left = 90;
	double full = n && p[0].value > 0 ? p[0].value : svg_chart_max(p, n);

	svg_chart_head(f, id, title, w, (int)n * row + 4);
	for (size_t i = 0; i < n; i++) {
		double bw = full > 0 ? p[i].value / full * (w - left - 60) : 0;
		double y = (double)i * row + 2;
		char v[48];

		svg_chart_label(f, left - 6, y + 15, "end", p[i].label);
		fprintf(f, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" "
			   "width=\"%.1f\" height=\"%d\" fill=\"#2e9e6a\">"
			   "<title>", left, y, bw, row - 6);
		svg_escape(f, p[i].label);
		fprintf(f, ": %g</title></rect>\n", p[i].value);
		snprintf(v, sizeof(v), "%g", p[i].value);
		svg_chart_label(f, left + bw + 6, y + 15, "start", v);
	}
	fprintf(f, "</svg></figure>\n");
}

void svg_chart_meter(FILE *f, double value, double max, const char *text)
{
	const int w = 120, h = 14;
	double frac = max > 0 ? value / max : 0;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	fprintf(f, "<svg class=\"meter\" role=\"img\" aria-label=\"");
	svg_escape(f, text);
	fprintf(f, "\" width=\"%d\" height=\"%d\" "
		   "xmlns=\"http://www.w3.org/2000/svg\">"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#eee\"/>", w, h, w, h);
	if (max > 0)
		fprintf(f, "<rect width=\"%.1f\" height=\"%d\" fill=\"%s\"/>",
			frac * w, h, frac < 0.2 ? "#d9534f" : "#3a7bd5");
	fprintf(f, "</svg> ");
	svg_escape(f, text);
}
