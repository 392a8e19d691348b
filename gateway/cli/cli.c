/* cli — what the subcommands share; see include/cli.h. */
#include "cli.h"

#include "config.h"
#include "daemon.h"
#include "fsutil.h"
#include "store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("smsgw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERROR;
}

int cli_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("smsgw: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nsee smsgw --help\n", stderr);
	return CLI_USAGE;
}

struct config *cli_config(struct cli *cli)
{
	char err[2048];

	if (cli->cfg)
		return cli->cfg;
	if (config_load(cli->config_path, &cli->cfg, err, sizeof(err)) == 0)
		return cli->cfg;
	/* The configuration holds SIM PINs and is not the senders' to read
	 * (0640 root:smsgw): a sender gets the default spool and database. */
	if (access(cli->config_path, F_OK) == 0 &&
	    access(cli->config_path, R_OK) < 0 && errno == EACCES &&
	    config_load_defaults(cli->config_path, &cli->cfg) == 0) {
		fprintf(stderr, "smsgw: note: %s is readable only by smsgwd and"
			" administrators; using the default spool %s and"
			" database %s\n", cli->config_path, cli->cfg->spool,
			cli->cfg->database);
		return cli->cfg;
	}
	fprintf(stderr, "smsgw: %s\n", err);
	return NULL;
}

struct store *cli_store(struct cli *cli)
{
	char err[1024];

	if (cli->store)
		return cli->store;
	if (!cli_config(cli))
		return NULL;
	/* Readers and the CLI's few writes share the daemon's database; WAL
	 * lets them run beside it. Creating it (and its directory) here lets
	 * every command work before the daemon ever ran. */
	if (store_open(cli->cfg->database, STORE_OPEN_CREATE, &cli->store, err,
		       sizeof(err)) == 0)
		return cli->store;
	/* A reader with read access only (a group that may read replies)
	 * still reads; commands that write then fail on their write. */
	if (access(cli->cfg->database, R_OK) == 0 &&
	    access(cli->cfg->database, W_OK) < 0 &&
	    store_open(cli->cfg->database, STORE_OPEN_READONLY, &cli->store,
		       err, sizeof(err)) == 0)
		return cli->store;
	fprintf(stderr, "smsgw: %s\n", err);
	return NULL;
}

pid_t cli_daemon_pid(const struct config *cfg)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s" DAEMON_PIDFILE_SUFFIX, cfg->database);
	return fs_lock_holder(path);
}

void cli_close(struct cli *cli)
{
	store_close(cli->store);
	cli->store = NULL;
	config_free(cli->cfg);
	cli->cfg = NULL;
}
