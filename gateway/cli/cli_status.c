/*
 * smsgw status [--json]
 *
 * Is the daemon running, each SIM's state, signal, network and quota use,
 * and the queue.
 */
#include "cli.h"
#include "cli_query.h"
#include "config.h"
#include "config_pg.h"
#include "pg_cli.h"
#include "store.h"
#include "store_prune.h"

#include <getopt.h>
#include <stdio.h>

/* Whether this box's smsgwd runs, and the database's sizes: on
 * PostgreSQL its row in the daemon table, and the database's size. */
static bool cli_status_daemon(struct cli *cli, pid_t *pid,
			      struct store_sizes *sz)
{
	char box[64];
	long p;
	bool running;

	*sz = (struct store_sizes){ 0 };
	if (!cli->pg) {
		running = cli_daemon_running(cli, pid);
		store_prune_sizes(cli->store, sz);
		return running;
	}
	config_box_name(cli->cfg, box, sizeof(box));
	running = pg_cli_box_running(cli->pg, box, &p) == 1;
	*pid = (pid_t)p;
	sz->db = pg_cli_size(cli->pg);
	return running;
}

/* Every box on the database, after this box's SIMs' table. */
static int cli_status_boxes(struct cli *cli, enum cli_format fmt)
{
	struct store_rows *r = pg_cli_boxes(cli->pg);
	long n;

	/* A reader's role may read the five views only. */
	if (!r) {
		if (fmt == CLI_FORMAT_JSON)
			printf("null");
		else
			printf("boxes: %s\n", cli_db_errmsg(cli));
		return CLI_OK;
	}
	n = cli_print_rows(cli, r, fmt, 0, stdout);
	return n < 0 ? CLI_ERROR : CLI_OK;
}

int cli_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ "utc", no_argument, NULL, 'u' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct store_sizes sz;
	char where[512];
	bool running;
	pid_t pid;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'j')
			fmt = CLI_FORMAT_JSON;
		else if (c == 'C')
			fmt = CLI_FORMAT_CSV;
		else if (c == 'u')
			cli_query_utc(true);
		else
			return cli_usage("status: unknown option");
	}
	if (optind != argc)
		return cli_usage("status: unexpected argument '%s'", argv[optind]);
	if (!cli_db(cli))
		return CLI_ERROR;
	running = cli_status_daemon(cli, &pid, &sz);
	{
		/* On PostgreSQL the sims view tells each box's SIMs offline
		 * itself (a stopped or silent box). */
		const struct store_bind b[] = {
			STORE_INT(!running && !cli->pg),
		};

		if (fmt == CLI_FORMAT_CSV)
			return cli_print(cli, STORE_Q_STATUS_SIMS, b, 1, fmt, 0,
					 stdout) < 0 ? CLI_ERROR : CLI_OK;
		if (fmt == CLI_FORMAT_JSON) {
			printf("{\"daemon\":{\"running\":%s,\"pid\":%ld},"
			       "\"queue\":", running ? "true" : "false",
			       (long)pid);
			if (cli_print_row(cli, STORE_Q_STATUS_QUEUE, NULL, 0,
					  stdout) < 0)
				return CLI_ERROR;
			printf(",\"sims\":");
			if (cli_print(cli, STORE_Q_STATUS_SIMS, b, 1, fmt, 0,
				      stdout) < 0)
				return CLI_ERROR;
			if (cli->pg) {
				printf(",\"boxes\":");
				if (cli_status_boxes(cli, fmt) != CLI_OK)
					return CLI_ERROR;
			}
			printf(",\"database\":{\"bytes\":%lld,"
			       "\"wal_bytes\":%lld,\"free_bytes\":%lld}}\n",
			       (long long)sz.db, (long long)sz.wal,
			       (long long)sz.free);
			return CLI_OK;
		}
		if (running && pid)
			printf("smsgwd is running (pid %ld)\n\n", (long)pid);
		else if (running)
			printf("smsgwd is running\n\n");
		else
			printf("smsgwd is not running\n\n");
		if (cli_print(cli, STORE_Q_STATUS_SIMS_TABLE, b, 1, fmt, 30,
			      stdout) < 0)
			return CLI_ERROR;
	}
	printf("\n");
	if (cli_print(cli, STORE_Q_STATUS_QUEUE, NULL, 0, CLI_FORMAT_TABLE, 0,
		      stdout) < 0)
		return CLI_ERROR;
	if (cli->pg) {
		printf("\n");
		if (cli_status_boxes(cli, CLI_FORMAT_TABLE) != CLI_OK)
			return CLI_ERROR;
		config_database_describe(cli->cfg->database, where,
					 sizeof(where));
		printf("\ndatabase %s: %.1f MB\n", where, sz.db / 1048576.0);
		return CLI_OK;
	}
	printf("\ndatabase %s: %.1f MB, WAL %.1f MB, %.1f MB free inside\n",
	       cli->cfg->database, sz.db / 1048576.0, sz.wal / 1048576.0,
	       sz.free / 1048576.0);
	return CLI_OK;
}
