/*
 * smsgw metrics
 *
 * The database as Prometheus text exposition (version 0.0.4), for a
 * node_exporter textfile collector or a scrape wrapper.
 */
#include "cli.h"
#include "store.h"
#include "store_metrics.h"

#include <getopt.h>
#include <stdio.h>

int cli_metrics(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	struct store *st;
	bool up;
	pid_t pid;

	if (cli_getopt(cli, argc, argv, "", opts) != -1)
		return cli_usage("metrics: unknown option");
	if (optind != argc)
		return cli_usage("metrics takes no arguments");
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	up = cli_daemon_running(cli, &pid);
	if (store_metrics_write(st, up, stdout) < 0)
		return cli_error("database: %s", store_errmsg(st));
	return CLI_OK;
}
