/*
 * smsgw query [--json | --csv] [--utc] SQL
 *
 * One statement that reads, on either backend, printed as the other
 * commands print rows: what a reader does with sqlite3 or psql, without
 * either. On SQLite only a read-only statement is prepared; on
 * PostgreSQL it runs in a READ ONLY transaction and, when the role may,
 * as smsgw_read, which reads the five contract views and nothing else.
 */
#include "cli.h"
#include "cli_query.h"
#include "pg_cli.h"
#include "store.h"

#include <getopt.h>
#include <stdio.h>

int cli_sql(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ "utc", no_argument, NULL, 'u' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct store_rows *r;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'j')
			fmt = CLI_FORMAT_JSON;
		else if (c == 'v')
			fmt = CLI_FORMAT_CSV;
		else if (c == 'u')
			cli_query_utc(true);
		else
			return cli_usage("query: unknown option");
	}
	if (argc - optind != 1)
		return cli_usage("query takes one SQL statement (quote it)");
	if (!cli_db(cli))
		return CLI_ERROR;
	if (cli->pg) {
		r = pg_cli_query_user(cli->pg, argv[optind]);
		if (!r)
			return cli_error("query: %s", cli_db_errmsg(cli));
	} else {
		r = store_query_user(cli->store, argv[optind], err,
				     sizeof(err));
		if (!r)
			return cli_error("query: %s", err);
	}
	return cli_print_rows(cli, r, fmt, 0, stdout) < 0 ? CLI_ERROR : CLI_OK;
}
