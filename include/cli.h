/*
 * cli — what every `smsgw` subcommand shares. Each subcommand lives in
 * gateway/cli/cli_<name>.c as `int cli_<name>(struct cli *cli, int argc,
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

#include "store_query.h"

struct config;
struct pg_cli;
struct store;

enum cli_exit {
	CLI_OK = 0,
	CLI_ERROR = 1,
	CLI_USAGE = 2,
};

struct cli {
	const char *config_path;	/* -c FILE, or the default path */
	const char *name;		/* the subcommand ("outbox") */
	const char *help;		/* its --help text */
	struct config *cfg;		/* loaded by cli_config() */
	struct store *store;		/* opened by cli_store() */
	struct pg_cli *pg;		/* or this, by cli_db() on PostgreSQL */
	bool readonly;			/* the store was opened read-only */
};

struct option;

/*
 * getopt_long(3) over a subcommand's argv, with the options every command
 * takes added to shortopts and longopts: -c/--config FILE (sets
 * cli->config_path, anywhere on the line) and -h/--help (prints cli->help
 * on stdout and exits 0). Commands must not use 'c' or 'h' themselves.
 * Returns what getopt_long returns for the command's own options.
 */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
	       const struct option *longopts);

/* Loads the configuration once; on failure prints why and returns NULL. */
struct config *cli_config(struct cli *cli);
/*
 * Opens the SQLite database named by the configuration (creating it if
 * needed). On a PostgreSQL database (`database = "postgresql://…"`) it
 * says that the command (cli->name) does not work there and returns NULL:
 * the commands that do call cli_db() instead.
 */
struct store *cli_store(struct cli *cli);
/*
 * Opens the configuration's database, SQLite (cli->store) or PostgreSQL
 * (cli->pg): true, or false after saying why. _rw as cli_store_rw().
 */
bool cli_db(struct cli *cli);
bool cli_db_rw(struct cli *cli, const char *action);
/* The database's last error, for "database: …". */
const char *cli_db_errmsg(struct cli *cli);
/* The cursor of a named query (store_query.h) on either backend, or NULL
 * after saying why. */
struct store_rows *cli_rows(struct cli *cli, enum store_query q,
			    const struct store_bind *binds, size_t nbinds);
/* The first column of q's first row: 0 (*found says whether there was
 * one) or -EIO, quietly. */
int cli_query_int(struct cli *cli, enum store_query q, const struct store_bind *binds,
		  size_t nbinds, int64_t *value, bool *found);
/* The pid of the smsgwd serving cfg's spool, or 0 when none runs. */
pid_t cli_daemon_pid(const struct config *cfg);
/*
 * The store, opened for writing: a user who may only read the database
 * gets one clear line saying so (naming the file and the action) and NULL.
 */
struct store *cli_store_rw(struct cli *cli, const char *action);
/*
 * Whether the daemon serving cfg is running, for any user who can read
 * the database: the daemon row it writes (pid, boot id and the process's
 * start time, checked against /proc) or, failing that, the lock on its
 * pid file (cli_daemon_pid()).
 * *pid gets its pid or 0.
 */
bool cli_daemon_running(struct cli *cli, pid_t *pid);
/* number normalised as `send` does (default_country, trunk prefix), or
 * CLI_ERROR after saying why it is not a number. */
int cli_number(struct cli *cli, const char *in, char *out, size_t size);
/* The same, silent: false when in is not a number (an alphanumeric
 * sender, say) or there is no configuration. */
bool cli_number_try(struct cli *cli, const char *in, char *out, size_t size);
/* Closes what cli_config() and cli_store() opened. */
void cli_close(struct cli *cli);

/* The --help text of the command called name (gateway/cli/cli_help.c). */
const char *cli_help_text(const char *name);

/* "smsgw: <message>" on stderr; returns CLI_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "smsgw: <message>" and a hint to --help on stderr; returns CLI_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* An ISO-8601 time or a duration back from now ("2h", "7d"), as --since
 * of inbox and events takes it. */
bool cli_parse_since(const char *s, int64_t *ms);

/* The id of the campaign called name, or 0 after saying on stderr that
 * there is none (or that the database failed). */
int64_t cli_campaign_id(struct cli *cli, const char *name);

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
int cli_events(struct cli *cli, int argc, char **argv);
/* backup and restore (argv[0] tells which); forget. */
int cli_backup(struct cli *cli, int argc, char **argv);
int cli_forget(struct cli *cli, int argc, char **argv);
int cli_token(struct cli *cli, int argc, char **argv);
/* smsgw query: one statement that reads (gateway/cli/cli_sql.c). */
int cli_sql(struct cli *cli, int argc, char **argv);

/* The charts of `smsgw report` for campaign id (inline SVG); -1 on a
 * database error. */
int cli_report_charts(FILE *f, struct cli *cli, int64_t id);

#endif
