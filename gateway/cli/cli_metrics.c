/*
 * smsgw metrics
 *
 * The database as Prometheus text exposition (version 0.0.4), for a
 * node_exporter textfile collector or a scrape wrapper. On PostgreSQL the
 * figures are the shared database's (every box's), smsgw_up this box's.
 */
#include "cli.h"
#include "config.h"
#include "config_pg.h"
#include "pg_cli.h"
#include "store.h"
#include "store_metrics.h"

#include <getopt.h>
#include <stdio.h>

int cli_metrics(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { 0 } };
	char box[64];
	bool up;
	pid_t pid;
	long p;

	if (cli_getopt(cli, argc, argv, "", opts) != -1)
		return cli_usage("metrics: unknown option");
	if (optind != argc)
		return cli_usage("metrics takes no arguments");
	if (!cli_db(cli))
		return CLI_ERROR;
	if (cli->pg) {
		config_box_name(cli->cfg, box, sizeof(box));
		up = pg_cli_box_running(cli->pg, box, &p) == 1;
		if (pg_cli_metrics_write(cli->pg, up, stdout) < 0)
			return cli_error("database: %s", cli_db_errmsg(cli));
		return CLI_OK;
	}
	up = cli_daemon_running(cli, &pid);
	if (store_metrics_write(cli->store, up, stdout) < 0)
		return cli_error("database: %s", store_errmsg(cli->store));
	return CLI_OK;
}
