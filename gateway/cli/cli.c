/* cli — what the subcommands share; see include/cli.h. */
#include "cli.h"

#include "config.h"
#include "config_pg.h"
#include "daemon.h"
#include "fsutil.h"
#include "number.h"
#include "pg_cli.h"
#include "store.h"
#include "store_daemon.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CLI_MAX_LONGOPTS 40

int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	static char sbuf[128];
	static struct option lbuf[CLI_MAX_LONGOPTS];
	static const struct option *built;
	int c;

	if (built != longopts || !built) {
		size_t n = 0, k = 0;

		/* getopt's flags ('+', '-', ':') must stay in front. */
		while (shortopts[k] == '+' || shortopts[k] == '-' ||
		       shortopts[k] == ':')
			k++;
		snprintf(sbuf, sizeof(sbuf), "%.*sc:h%s", (int)k, shortopts,
			 shortopts + k);
		for (; longopts && longopts[n].name && n < CLI_MAX_LONGOPTS - 3;
		     n++)
			lbuf[n] = longopts[n];
		lbuf[n++] = (struct option){ "config", required_argument, NULL,
					     'c' };
		lbuf[n++] = (struct option){ "help", no_argument, NULL, 'h' };
		lbuf[n] = (struct option){ 0 };
		built = longopts;
	}
	while ((c = getopt_long(argc, argv, sbuf, lbuf, NULL)) != -1) {
		if (c == 'c') {
			cli->config_path = optarg;
			continue;
		}
		if (c == 'h') {
			fputs(cli->help ? cli->help : "", stdout);
			fflush(stdout);
			exit(CLI_OK);
		}
		break;
	}
	return c;
}

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

/* Tables show times in the configured zone, as the daemon keeps quotas
 * and quiet hours in it. */
static struct config *cli_config_loaded(struct cli *cli)
{
	if (cli->cfg->timezone)
		setenv("TZ", cli->cfg->timezone, 1);
	tzset();
	return cli->cfg;
}

struct config *cli_config(struct cli *cli)
{
	char err[2048];

	if (cli->cfg)
		return cli->cfg;
	if (config_load(cli->config_path, &cli->cfg, err, sizeof(err)) == 0)
		return cli_config_loaded(cli);
	/* The configuration holds SIM PINs and is not the senders' to read
	 * (0640 root:smsgw): a sender gets the default spool and database. */
	if (access(cli->config_path, F_OK) == 0 &&
	    access(cli->config_path, R_OK) < 0 && errno == EACCES &&
	    config_load_defaults(cli->config_path, &cli->cfg) == 0) {
		fprintf(stderr, "smsgw: note: %s is readable only by smsgwd and"
			" administrators; using the default spool %s and"
			" database %s\n", cli->config_path, cli->cfg->spool,
			cli->cfg->database);
		return cli_config_loaded(cli);
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
	if (config_database_is_pg(cli->cfg->database)) {
		cli_error("%s does not work with a PostgreSQL database (see "
			  "smsgw(1), POSTGRESQL)", cli->name ? cli->name
							     : "this");
		return NULL;
	}
	/* Readers and the CLI's few writes share the daemon's database; WAL
	 * lets them run beside it. Creating it (and its directory) here lets
	 * every command work before the daemon ever ran. */
	if (store_open(cli->cfg->database, STORE_OPEN_CREATE, &cli->store, err,
		       sizeof(err)) == 0) {
		/* SQLite opens a file it may not write read-only, quietly. */
		cli->readonly = store_readonly(cli->store);
		return cli->store;
	}
	/* A reader with read access only (a group that may read replies)
	 * still reads; commands that write then fail on their write. */
	if (access(cli->cfg->database, R_OK) == 0 &&
	    access(cli->cfg->database, W_OK) < 0 &&
	    store_open(cli->cfg->database, STORE_OPEN_READONLY, &cli->store,
		       err, sizeof(err)) == 0) {
		cli->readonly = true;
		return cli->store;
	}
	fprintf(stderr, "smsgw: %s\n", err);
	return NULL;
}

struct store *cli_store_rw(struct cli *cli, const char *action)
{
	struct store *st = cli_store(cli);

	if (st && cli->readonly) {
		cli_error("%s: you may read %s but not change it; run this as "
			  "root or as the daemon's user (sudo -u smsgw)",
			  action, cli->cfg->database);
		return NULL;
	}
	return st;
}

/* A PostgreSQL database: the CLI's own synchronous connection (a
 * command may block; a daemon's loop may not). */
static bool cli_db_pg(struct cli *cli)
{
	char err[1024], box[64];

	if (cli->pg)
		return true;
	config_box_name(cli->cfg, box, sizeof(box));
	if (pg_cli_open(cli->cfg->database, box, &cli->pg, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "smsgw: %s\n", err);
		return false;
	}
	cli->readonly = pg_cli_readonly(cli->pg);
	return true;
}

bool cli_db(struct cli *cli)
{
	if (cli->store || cli->pg)
		return true;
	if (!cli_config(cli))
		return false;
	if (config_database_is_pg(cli->cfg->database))
		return cli_db_pg(cli);
	return cli_store(cli) != NULL;
}

bool cli_db_rw(struct cli *cli, const char *action)
{
	if (!cli_db(cli))
		return false;
	if (!cli->readonly)
		return true;
	if (cli->pg)
		cli_error("%s: your database role may read smsgw's rows but "
			  "not change them; run this as the daemon's role",
			  action);
	else
		cli_error("%s: you may read %s but not change it; run this as "
			  "root or as the daemon's user (sudo -u smsgw)",
			  action, cli->cfg->database);
	return false;
}

const char *cli_db_errmsg(struct cli *cli)
{
	if (cli->pg)
		return pg_cli_errmsg(cli->pg);
	return cli->store ? store_errmsg(cli->store) : "not open";
}

struct store_rows *cli_rows(struct cli *cli, enum store_query q,
			    const struct store_bind *b, size_t n)
{
	struct store_rows *r;

	if (!cli_db(cli))
		return NULL;
	r = cli->pg ? pg_cli_query(cli->pg, q, b, n)
		    : store_query_open(cli->store, q, b, n);
	if (!r)
		cli_error("database: %s", cli_db_errmsg(cli));
	return r;
}

int cli_query_int(struct cli *cli, enum store_query q,
		  const struct store_bind *b, size_t n, int64_t *value,
		  bool *found)
{
	struct store_rows *r;
	int rc;

	*value = 0;
	*found = false;
	if (!cli->pg)
		return cli->store ? store_query_int(cli->store, q, b, n, value,
						    found) : -EIO;
	r = pg_cli_query(cli->pg, q, b, n);
	if (!r)
		return -EIO;
	rc = store_rows_next(r);
	if (rc == 1) {
		*value = store_rows_int(r, 0);
		*found = true;
	}
	store_rows_close(r);
	return rc < 0 ? -EIO : 0;
}

/* in as `send` writes it, by the loaded configuration's rules. */
static bool cli_number_norm(const struct config *cfg, const char *in,
			    char *out, size_t size, char *err, size_t errsize)
{
	struct number_rules r = { .default_country = cfg->default_country,
				  .trunk_prefix = cfg->trunk_prefix };
	enum number_kind kind;
	char n[NUMBER_MAX];

	if (!number_normalise(in, strlen(in), &r, n, &kind, err, errsize))
		return false;
	snprintf(out, size, "%s", n);
	return true;
}

int cli_number(struct cli *cli, const char *in, char *out, size_t size)
{
	char err[128];

	if (!cli_config(cli))
		return CLI_ERROR;
	if (!cli_number_norm(cli->cfg, in, out, size, err, sizeof(err)))
		return cli_error("'%s' is not a number: %s", in, err);
	return CLI_OK;
}

bool cli_number_try(struct cli *cli, const char *in, char *out, size_t size)
{
	char err[128];

	return cli->cfg &&
	       cli_number_norm(cli->cfg, in, out, size, err, sizeof(err));
}

bool cli_daemon_running(struct cli *cli, pid_t *pid)
{
	enum store_daemon_state s = STORE_DAEMON_UNKNOWN;
	pid_t lock;

	*pid = 0;
	if (cli->store)
		s = store_daemon_check(cli->store, pid);
	if (s == STORE_DAEMON_RUNNING)
		return true;
	if (s == STORE_DAEMON_STOPPED || s == STORE_DAEMON_GONE) {
		*pid = 0;
		return false;
	}
	/* No row (a daemon older than the row) or no /proc to check it
	 * against: the lock on the daemon's pid file. */
	lock = cli->cfg ? cli_daemon_pid(cli->cfg) : 0;
	if (lock > 0)
		*pid = lock;
	return lock > 0 || (s == STORE_DAEMON_UNKNOWN && *pid > 0);
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
	pg_cli_close(cli->pg);
	cli->pg = NULL;
	config_free(cli->cfg);
	cli->cfg = NULL;
}
