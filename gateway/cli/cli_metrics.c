/*
 * smsgw metrics
 *
 * The database as Prometheus text exposition (version 0.0.4), for a
 * node_exporter textfile collector or a scrape wrapper.
 */
#include "cli.h"
#include "store.h"
#include "store_metrics.h"

#include <stdio.h>

int cli_metrics(struct cli *cli, int argc, char **argv)
{
	struct store *st;

	(void)argv;
	if (argc != 1)
		return cli_usage("metrics takes no arguments");
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	if (store_metrics_write(st, cli_daemon_pid(cli->cfg) != 0, stdout) < 0)
		return cli_error("database: %s", store_errmsg(st));
	return CLI_OK;
}
