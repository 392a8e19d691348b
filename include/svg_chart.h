/*
 * svg_chart — small inline SVG charts for server-rendered HTML (the
 * status page at / and `smsgw report`): no script, no external file, so a
 * page is one self-contained document that prints and archives as is.
 * Each chart is an <svg> with role="img" and an aria-label; every bar
 * has a <title> with its label and value, which a browser shows on hover.
 */
#ifndef SMSGW_SVG_CHART_H
#define SMSGW_SVG_CHART_H

#include <stddef.h>
#include <stdio.h>

struct svg_point {
	const char *label;
	double value;
};

/* Text escaped for HTML and SVG (& < > "). */
void svg_escape(FILE *f, const char *s);

/* Vertical bars, one per point, labelled under the first, middle and last
 * bar; id becomes the svg's id (for tests and links). */
void svg_chart_bars(FILE *f, const char *id, const char *title,
		    const struct svg_point *p, size_t n, const char *unit);

/* Horizontal bars sharing one scale (the first point's value is 100 %):
 * a funnel. */
void svg_chart_funnel(FILE *f, const char *id, const char *title,
		      const struct svg_point *p, size_t n);

/* A gauge: value of max, as a bar with the number beside it; max <= 0
 * draws "no limit". */
void svg_chart_meter(FILE *f, double value, double max, const char *text);

#endif
