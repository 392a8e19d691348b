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
	const char *usage;
};

static const struct cli_command commands[] = {
	{ "send", cli_send,
	  "send [--campaign C] [--report|--no-report] [--at TIME] [--dry-run]\n"
	  "             [--kind bulk|direct] [--priority high|normal|low]\n"
	  "             [--pool P | --sim S] [--id KEY] [--flash] [--validity V]\n"
	  "             [--json] NUMBER... (-m TEXT | < FILE)\n"
	  "  smsgw send --check [--json] FILE..." },
	{ "status", cli_status, "status [--json]" },
	{ "inbox", cli_inbox, "inbox [--since T] [--from N] [--json]" },
	{ "outbox", cli_outbox, "outbox [--state S] [--campaign C] [--json]" },
	{ "stats", cli_stats, "stats [--campaign C] [--json]" },
	{ "optout", cli_optout, "optout list|add|remove NUMBER" },
	{ "ports", cli_ports, "ports [--json]" },
	{ "ussd", cli_ussd, "ussd SIM CODE" },
	{ "rules", cli_rules, "rules test [--json] [--from NUMBER] [--sim NAME] TEXT..." },
	{ "campaign", cli_campaign, "campaign list|show|pause|resume|cancel NAME" },
	{ "report", cli_report, "report --campaign C -o FILE.html" },
	{ "metrics", cli_metrics, "metrics" },
	{ "backup", cli_backup, "backup FILE" },
	{ "restore", cli_backup, "restore FILE           (smsgwd stopped)" },
	{ "forget", cli_forget, "forget [--json] NUMBER" },
	{ "token", cli_token, "token add NAME [--rights send,read,admin] | list | remove NAME" },
	{ "pdu", cli_pdu,
	  "pdu decode HEX|-\n"
	  "  smsgw pdu encode [--report] [--flash] [--validity V] [--ucs2] [--smart]\n"
	  "                   [--language L] [--ref N] [--ref16] NUMBER TEXT" },
	{ "migrate", cli_migrate, "migrate smstools3|gammu FILE" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: smsgw [-c FILE] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  smsgw %s\n", commands[i].usage);
	fprintf(f, "\noptions:\n"
		   "  -c FILE      configuration (default %s)\n"
		   "  -h, --help   this text\n"
		   "  -V, --version\n",
		CONFIG_DEFAULT_PATH);
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
			usage(stdout);
			return CLI_OK;
		case 'V':
			printf("smsgw %s\n", SMSGW_VERSION);
			return CLI_OK;
		default:
			usage(stderr);
			return CLI_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char **sub = argv + optind;
		int subc = argc - optind;

		if (strcmp(sub[0], commands[i].name) != 0)
			continue;
		/* Subcommands run getopt on their own argv from index 1. */
		optind = 0;
		rc = commands[i].fn(&cli, subc, sub);
		cli_close(&cli);
		return rc;
	}
	fprintf(stderr, "smsgw: unknown command '%s'; see smsgw --help\n",
		argv[optind]);
	return CLI_USAGE;
}
