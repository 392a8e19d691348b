/*
 * smsgw — the command-line tool: send, inspect and administer
 * (doc/contract.md §6). Every subcommand is a function in
 * gateway/cli/cli_<name>.c.
 */
#include "cli.h"
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *what;	/* for `smsgw --help`; a command without
				   cli_help.c text: its synopsis */
};

static const struct cli_command main_smsgw_commands[] = {
	{ "send", cli_send, "queue a message (a spool file)" },
	{ "status", cli_status, "is smsgwd running, SIMs, the queue" },
	{ "outbox", cli_outbox, "outgoing messages; show, resend, cancel one" },
	{ "inbox", cli_inbox, "replies" },
	{ "events", cli_events, "the audit log" },
	{ "stats", cli_stats, "the funnel" },
	{ "optout", cli_optout, "opted-out numbers; add or remove one" },
	{ "campaign", cli_campaign, "campaigns; pause, resume, cancel one" },
	{ "report", cli_report, "an HTML report of a campaign" },
	{ "metrics", cli_metrics, "Prometheus text" },
	{ "ports", cli_ports, "serial ports and what is behind them" },
	{ "rules", cli_rules, "what a reply would do" },
	{ "pdu", cli_pdu, "decode and encode PDUs" },
	{ "migrate", cli_migrate, "a smsgw.conf from smsd.conf or gammu-smsdrc" },
	{ "token", cli_token, "HTTP API tokens; add, list or remove one" },
	{ "ussd", cli_ussd, "ussd SIM CODE" },
	{ "backup", cli_backup, "backup FILE" },
	{ "restore", cli_backup, "restore FILE           (smsgwd stopped)" },
	{ "forget", cli_forget, "forget [--json] NUMBER" },
	{ "query", cli_sql, "query [--json|--csv] [--utc] SQL" },
};

#define NCOMMANDS (sizeof(main_smsgw_commands) / sizeof(main_smsgw_commands[0]))

static void main_smsgw_usage(FILE *f)
{
	fprintf(f, "usage: smsgw [-c FILE] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", main_smsgw_commands[i].name, main_smsgw_commands[i].what);
	fprintf(f, "\n'smsgw COMMAND --help' shows a command's options.\n"
		   "\noptions (also after the command):\n"
		   "  -c, --config FILE  configuration (default %s or "
		   "$SMSGW_CONFIG)\n"
		   "  -h, --help         this text\n"
		   "  -V, --version      the version\n",
		CONFIG_DEFAULT_PATH);
}

/*
 * A command whose options do not go through cli_getopt() (it has no entry
 * in cli_help.c) still takes -c FILE anywhere and --help: both are taken
 * out of its argv here, before "--". Returns the new argc, or -1 after
 * printing help.
 */
static int main_smsgw_common_opts(struct cli *cli,
				  const struct cli_command *cmd, int argc,
				  char **argv)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			bool synopsis = strncmp(cmd->what, cmd->name,
						strlen(cmd->name)) == 0;

			printf("usage: smsgw %s\n\n"
			       "  -c, --config FILE  configuration\n"
			       "  -h, --help         this text\n"
			       "\nsee smsgw(1)\n",
			       synopsis ? cmd->what : cmd->name);
			return -1;
		}
		if ((strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) &&
		    i + 1 < argc) {
			cli->config_path = argv[++i];
			continue;
		}
		if (strncmp(a, "--config=", 9) == 0) {
			cli->config_path = a + 9;
			continue;
		}
		argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct cli cli = { .config_path = CONFIG_DEFAULT_PATH };
	int c, rc;

	if (getenv("SMSGW_CONFIG"))
		cli.config_path = getenv("SMSGW_CONFIG");
	/* "+": stop at the subcommand, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cli.config_path = optarg;
			break;
		case 'h':
			main_smsgw_usage(stdout);
			return CLI_OK;
		case 'V':
			printf("smsgw %s\n", SMSGW_VERSION);
			return CLI_OK;
		default:
			main_smsgw_usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		main_smsgw_usage(stderr);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char **sub = argv + optind;
		int subc = argc - optind;

		if (strcmp(sub[0], main_smsgw_commands[i].name) != 0)
			continue;
		/* Subcommands run getopt on their own argv from index 1. */
		optind = 0;
		cli.name = main_smsgw_commands[i].name;
		cli.help = cli_help_text(main_smsgw_commands[i].name);
		if (!cli.help) {
			subc = main_smsgw_common_opts(&cli, &main_smsgw_commands[i], subc,
						      sub);
			if (subc < 0)
				return CLI_OK;
		}
		rc = main_smsgw_commands[i].fn(&cli, subc, sub);
		cli_close(&cli);
		return rc;
	}
	fprintf(stderr, "smsgw: unknown command '%s'; see smsgw --help\n",
		argv[optind]);
	return CLI_USAGE;
}
