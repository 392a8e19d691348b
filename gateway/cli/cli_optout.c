/*
 * smsgw optout list [--json]
 * smsgw optout add NUMBER [--keyword K]
 * smsgw optout remove NUMBER
 *
 * Manual entries are recorded with source "manual". Adding suppresses the
 * number's queued messages at once; the daemon's next claim would anyway.
 */
#include "cli.h"
#include "cli_query.h"
#include "config.h"
#include "control.h"
#include "number.h"
#include "pg_cli.h"
#include "store.h"
#include "store_inbox.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* The number opted out everywhere; says how it went. */
static int cli_optout_add_done(const char *n, bool was_active, int suppressed)
{
	if (was_active)
		printf("%s was already opted out\n", n);
	else
		printf("%s opted out (%d queued message%s suppressed)\n", n,
		       suppressed, suppressed == 1 ? "" : "s");
	return CLI_OK;
}

static int cli_optout_add(struct cli *cli, struct store *st, const char *number,
	       const char *keyword)
{
	char n[NUMBER_MAX];
	bool was_active;
	int suppressed;

	if (cli_number(cli, number, n, sizeof(n)) != CLI_OK)
		return CLI_ERROR;
	/* On PostgreSQL: every box's queued rows, in one transaction. */
	if (cli->pg) {
		if (pg_cli_optout_add(cli->pg, n, keyword, store_now_ms(),
				      &was_active, &suppressed) < 0)
			return cli_error("database: %s", cli_db_errmsg(cli));
		return cli_optout_add_done(n, was_active, suppressed);
	}
	if (store_begin(st) < 0)
		return cli_error("database: %s", store_errmsg(st));
	if (store_optout_add(st, n, keyword, 0, "manual", NULL, store_now_ms(),
			     &was_active, &suppressed) < 0 ||
	    (!was_active && store_event(st, STORE_EVENT_INFO, "cli",
					"%s opted out by hand; %d queued "
					"message%s suppressed", n, suppressed,
					suppressed == 1 ? "" : "s") < 0)) {
		store_rollback(st);
		return cli_error("database: %s", store_errmsg(st));
	}
	if (store_commit(st) < 0)
		return cli_error("database: %s", store_errmsg(st));
	return cli_optout_add_done(n, was_active, suppressed);
}

static int cli_optout_remove_number(struct cli *cli, struct store *st,
				    const char *number)
{
	char n[NUMBER_MAX];
	bool was_active;

	if (cli_number(cli, number, n, sizeof(n)) != CLI_OK)
		return CLI_ERROR;
	if (cli->pg) {
		if (pg_cli_optout_remove(cli->pg, n, store_now_ms(),
					 &was_active) < 0)
			return cli_error("database: %s", cli_db_errmsg(cli));
		goto done;
	}
	if (store_begin(st) < 0)
		return cli_error("database: %s", store_errmsg(st));
	if (store_optout_remove(st, n, store_now_ms(), &was_active) < 0 ||
	    (was_active && store_event(st, STORE_EVENT_INFO, "cli",
				       "%s opted in by hand", n) < 0)) {
		store_rollback(st);
		return cli_error("database: %s", store_errmsg(st));
	}
	if (store_commit(st) < 0)
		return cli_error("database: %s", store_errmsg(st));
done:
	if (!was_active)
		return cli_error("%s is not opted out", n);
	/* Messages held back are not revived: they were suppressed for good. */
	control_send(cli->cfg->spool, "kick");
	printf("%s removed from the opt-out list\n", n);
	return CLI_OK;
}

int cli_optout(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'v' },
		{ "utc", no_argument, NULL, 'u' },
		{ "all", no_argument, NULL, 'a' },
		{ "keyword", required_argument, NULL, 'k' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	const char *verb, *keyword = NULL;
	bool all = false;
	struct store *st;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "", opts)) != -1) {
		if (c == 'j')
			fmt = CLI_FORMAT_JSON;
		else if (c == 'v')
			fmt = CLI_FORMAT_CSV;
		else if (c == 'u')
			cli_query_utc(true);
		else if (c == 'a')
			all = true;
		else if (c == 'k')
			keyword = optarg;
		else
			return cli_usage("optout: unknown option");
	}
	if (optind >= argc)
		return cli_usage("optout: list, add NUMBER or remove NUMBER?");
	verb = argv[optind++];
	if (strcmp(verb, "list") == 0) {
		if (optind != argc)
			return cli_usage("optout list takes no number");
	} else if (strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0) {
		if (optind != argc - 1)
			return cli_usage("optout %s: one number, please", verb);
	} else {
		return cli_usage("optout: unknown action '%s'", verb);
	}
	if (strcmp(verb, "list") == 0) {
		enum store_query q =
			fmt == CLI_FORMAT_TABLE
				? (all ? STORE_Q_OPTOUTS_ALL : STORE_Q_OPTOUTS)
				: (all ? STORE_Q_OPTOUTS_ALL_JSON
				       : STORE_Q_OPTOUTS_JSON);

		return cli_print(cli, q, NULL, 0, fmt, 0, stdout) < 0
			       ? CLI_ERROR : CLI_OK;
	}
	if (!cli_config(cli))
		return CLI_ERROR;
	if (!cli_db_rw(cli, strcmp(verb, "add") == 0 ? "optout add"
						      : "optout remove"))
		return CLI_ERROR;
	st = cli->store;
	if (strcmp(verb, "add") == 0)
		return cli_optout_add(cli, st, argv[optind], keyword);
	return cli_optout_remove_number(cli, st, argv[optind]);
}
