/*
 * cli — what every `smsgw` subcommand shares. Each subcommand lives in
 * gateway/cli_<name>.c as `int cli_<name>(struct cli *cli, int argc,
 * char **argv)`, where argv[0] is the subcommand's name, and returns an exit
 * status of doc/contract.md §6: 0 success, 1 a user error (one clear line on
 * stderr, written with cli_error()), 2 a usage error (cli_usage()).
 */
#ifndef SMSGW_CLI_H
#define SMSGW_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct config;
struct store;

enum cli_exit {
	CLI_OK = 0,
	CLI_ERROR = 1,
	CLI_USAGE = 2,
};

struct cli {
	const char *config_path;	/* -c FILE, or the default path */
	struct config *cfg;		/* loaded by cli_config() */
	struct store *store;		/* opened by cli_store() */
};

/* Loads the configuration once; on failure prints why and returns NULL. */
struct config *cli_config(struct cli *cli);
/* Opens the database named by the configuration (creating it if needed). */
struct store *cli_store(struct cli *cli);
/* The pid of the smsgwd serving cfg's spool, or 0 when none runs. */
pid_t cli_daemon_pid(const struct config *cfg);
/* Closes what cli_config() and cli_store() opened. */
void cli_close(struct cli *cli);

/* "smsgw: <message>" on stderr; returns CLI_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "smsgw: <message>" and a hint to --help on stderr; returns CLI_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The id of the campaign called name, or 0 after saying on stderr that
 * there is none (or that the database failed). */
int64_t cli_campaign_id(struct store *st, const char *name);

/* The funnel query of `smsgw stats` (?1: a campaign name or NULL), which
 * `smsgw report` shows too. */
extern const char cli_stats_funnel_sql[];

int cli_send(struct cli *cli, int argc, char **argv);
int cli_status(struct cli *cli, int argc, char **argv);
int cli_ussd(struct cli *cli, int argc, char **argv);
int cli_inbox(struct cli *cli, int argc, char **argv);
int cli_outbox(struct cli *cli, int argc, char **argv);
int cli_stats(struct cli *cli, int argc, char **argv);
int cli_optout(struct cli *cli, int argc, char **argv);
int cli_ports(struct cli *cli, int argc, char **argv);
int cli_rules(struct cli *cli, int argc, char **argv);
int cli_campaign(struct cli *cli, int argc, char **argv);
int cli_report(struct cli *cli, int argc, char **argv);
int cli_metrics(struct cli *cli, int argc, char **argv);
int cli_pdu(struct cli *cli, int argc, char **argv);
int cli_migrate(struct cli *cli, int argc, char **argv);
/* backup and restore (argv[0] tells which); forget. */
int cli_backup(struct cli *cli, int argc, char **argv);
int cli_forget(struct cli *cli, int argc, char **argv);
int cli_token(struct cli *cli, int argc, char **argv);

/* The charts of `smsgw report` for campaign id (inline SVG); -1 on a
 * database error. */
int cli_report_charts(FILE *f, struct store *st, int64_t id);

#endif
