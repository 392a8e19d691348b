/*
 * store_metrics — the database as Prometheus text exposition (version
 * 0.0.4): what `smsgw metrics` prints and smsgwd serves at /metrics.
 */
#ifndef SMSGW_STORE_METRICS_H
#define SMSGW_STORE_METRICS_H

#include <stdbool.h>
#include <stdio.h>

struct store;

/* Every metric into f; up: whether smsgwd runs (smsgw_up). 0 or -EIO
 * (store_errmsg() says why). */
int store_metrics_write(struct store *st, bool up, FILE *f);

#endif
