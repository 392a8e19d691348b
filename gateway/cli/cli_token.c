/*
 * smsgw token add NAME [--rights send,read,admin]
 * smsgw token list [--json]
 * smsgw token remove NAME
 *
 * Bearer tokens of the HTTP API. `add` prints the new token once, on
 * stdout; only its SHA-256 is stored, so a lost token is replaced, never
 * recovered. The daemon looks tokens up per request: changes work at once.
 * On PostgreSQL the tokens are every box's (pg_http.sql): one added on
 * any box works on all of them.
 */
#include "cli.h"
#include "cli_query.h"
#include "pg_cli.h"
#include "store.h"
#include "token.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int cli_token_add(struct cli *cli, const char *name, const char *r)
{
	char token[TOKEN_LEN + 1], err[128];
	struct store *st;
	unsigned rights;
	int rc;

	if (!token_name_ok(name))
		return cli_error("token name '%s': use 1-64 letters, digits "
				 "and - _ . @", name);
	if (!token_rights_parse(r, &rights, err, sizeof(err)))
		return cli_error("--rights: %s", err);
	if (!cli_db(cli))
		return CLI_ERROR;
	if (cli->pg && !cli_db_rw(cli, "token add"))
		return CLI_ERROR;
	rc = token_generate(token, sizeof(token));
	if (rc < 0)
		return cli_error("getrandom: %s", strerror(-rc));
	if (cli->pg) {
		/* The event in the same transaction. */
		rc = pg_cli_token_add(cli->pg, name, token, rights,
				      store_now_ms());
	} else {
		st = cli->store;
		rc = token_add(st, name, token, rights, store_now_ms());
		if (rc == 0)
			store_event(st, STORE_EVENT_INFO, "cli",
				    "token %s added (%s)", name, r);
	}
	if (rc == -EEXIST)
		return cli_error("a token named '%s' exists; remove it first",
				 name);
	if (rc < 0)
		return cli_error("database: %s", cli_db_errmsg(cli));
	printf("%s\n", token);
	return CLI_OK;
}

static int cli_token_remove(struct cli *cli, const char *name)
{
	int rc;

	if (!cli_db(cli))
		return CLI_ERROR;
	if (cli->pg && !cli_db_rw(cli, "token remove"))
		return CLI_ERROR;
	if (cli->pg) {
		rc = pg_cli_token_remove(cli->pg, name);
	} else {
		rc = token_remove(cli->store, name);
		if (rc == 0)
			store_event(cli->store, STORE_EVENT_INFO, "cli",
				    "token %s removed", name);
	}
	if (rc == -ENOENT)
		return cli_error("no token named '%s'", name);
	if (rc < 0)
		return cli_error("database: %s", cli_db_errmsg(cli));
	return CLI_OK;
}

int cli_token(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rights", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	const char *rights = "send,read", *verb;
	int c;

	while ((c = cli_getopt(cli, argc, argv, "r:j", opts)) != -1) {
		if (c == 'r')
			rights = optarg;
		else if (c == 'j')
			fmt = CLI_FORMAT_JSON;
		else
			return cli_usage("token: unknown option");
	}
	if (optind >= argc)
		return cli_usage("token: add, list or remove?");
	verb = argv[optind++];
	if (strcmp(verb, "list") == 0) {
		if (optind != argc)
			return cli_usage("token list takes no name");
		if (!cli_db(cli))
			return CLI_ERROR;
		return cli_print(cli, STORE_Q_TOKENS, NULL, 0, fmt, 0,
				 stdout) < 0 ? CLI_ERROR : CLI_OK;
	}
	if (optind != argc - 1)
		return cli_usage("token %s: one token name, please", verb);
	if (strcmp(verb, "add") == 0)
		return cli_token_add(cli, argv[optind], rights);
	if (strcmp(verb, "remove") == 0)
		return cli_token_remove(cli, argv[optind]);
	return cli_usage("token: unknown action '%s'", verb);
}
