/*
 * smsgw status [--json]
 *
 * Is the daemon running, each SIM's state, signal, network and quota use,
 * and the queue.
 */
#include "cli.h"
#include "cli_query.h"
#include "config.h"
#include "store.h"
#include "store_prune.h"

#include <getopt.h>
#include <stdio.h>

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
	struct store *st;
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
	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	running = cli_daemon_running(cli, &pid);
	store_prune_sizes(st, &sz);
	{
		const struct store_bind b[] = { STORE_INT(!running) };

		if (fmt == CLI_FORMAT_CSV)
			return cli_print(st, STORE_Q_STATUS_SIMS, b, 1, fmt, 0,
					 stdout) < 0 ? CLI_ERROR : CLI_OK;
		if (fmt == CLI_FORMAT_JSON) {
			printf("{\"daemon\":{\"running\":%s,\"pid\":%ld},"
			       "\"queue\":", running ? "true" : "false",
			       (long)pid);
			if (cli_print_row(st, STORE_Q_STATUS_QUEUE, NULL, 0,
					  stdout) < 0)
				return CLI_ERROR;
			printf(",\"sims\":");
			if (cli_print(st, STORE_Q_STATUS_SIMS, b, 1, fmt, 0,
				      stdout) < 0)
				return CLI_ERROR;
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
		if (cli_print(st, STORE_Q_STATUS_SIMS_TABLE, b, 1, fmt, 30,
			      stdout) < 0)
			return CLI_ERROR;
	}
	printf("\n");
	if (cli_print(st, STORE_Q_STATUS_QUEUE, NULL, 0, CLI_FORMAT_TABLE, 0,
		      stdout) < 0)
		return CLI_ERROR;
	printf("\ndatabase %s: %.1f MB, WAL %.1f MB, %.1f MB free inside\n",
	       cli->cfg->database, sz.db / 1048576.0, sz.wal / 1048576.0,
	       sz.free / 1048576.0);
	return CLI_OK;
}
