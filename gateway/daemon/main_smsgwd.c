/*
 * smsgwd — the SMS gateway daemon.
 *
 *	smsgwd [-c FILE] [-f] [-N] [-t] [-v]
 */
#include "config.h"
#include "config_pg.h"
#include "daemon.h"
#include "keyword.h"
#include "log.h"

#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void main_smsgwd_usage(FILE *f)
{
	fprintf(f,
		"usage: smsgwd [-c FILE] [-f] [-N] [-t] [-v]\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"  -f, --foreground   stay in the foreground and log to stderr\n"
		"  -N, --new-database fill an empty (0-byte) database file with a\n"
		"                     new database instead of refusing to start\n"
		"  -t, --test         check the configuration and exit (0 valid, "
		"1 not)\n"
		"  -v, --verbose      log at debug level\n"
		"  -h, --help         this text\n"
		"  -V, --version      the version\n",
		CONFIG_DEFAULT_PATH);
}

/* The classic double fork: no controlling terminal, not a group leader. */
static int main_smsgwd_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -1;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -1;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "new-database", no_argument, NULL, 'N' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct daemon d = { .config_path = CONFIG_DEFAULT_PATH };
	static char abs_config[PATH_MAX];
	bool check_only = false;
	char err[4096];
	int c;

	if (getenv("SMSGW_CONFIG"))
		d.config_path = getenv("SMSGW_CONFIG");
	while ((c = getopt_long(argc, argv, "c:fNtvhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.config_path = optarg;
			break;
		case 'f':
			d.foreground = true;
			break;
		case 'N':
			d.new_database = true;
			break;
		case 't':
			check_only = true;
			break;
		case 'v':
			d.verbose = true;
			break;
		case 'h':
			main_smsgwd_usage(stdout);
			return 0;
		case 'V':
			printf("smsgwd %s\n", SMSGW_VERSION);
			return 0;
		default:
			main_smsgwd_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		main_smsgwd_usage(stderr);
		return 2;
	}
	/* The daemon leaves its directory (chdir "/"), and hooks get the
	 * path in SMSGW_CONFIG: both want it absolute (-t names the file as
	 * it was given). */
	if (!check_only && d.config_path[0] != '/' &&
	    realpath(d.config_path, abs_config))
		d.config_path = abs_config;
	if (config_load(d.config_path, &d.cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "smsgwd: %s\n", err);
		return 1;
	}
	if (check_only) {
		char db[512];
		struct keyword_set *ks = keyword_set_new(d.cfg, 0, err,
							 sizeof(err));

		if (!ks) {
			fprintf(stderr, "smsgwd: %s: %s\n", d.config_path, err);
			config_free(d.cfg);
			return 1;
		}
		keyword_set_free(ks);
		/* Valid, but nothing would be sent or received. */
		if (!d.cfg->nmodems)
			fprintf(stderr, "smsgwd: %s: warning: no modem section:"
				" nothing will be sent or received\n",
				d.config_path);
		config_database_describe(d.cfg->database, db, sizeof(db));
		printf("smsgwd: %s: database: %s\n", d.config_path, db);
		if (config_database_is_pg(d.cfg->database)) {
			config_box_name(d.cfg, db, sizeof(db));
			printf("smsgwd: %s: box: %s\n", d.config_path, db);
		}
		if (config_pg_unsupported(d.cfg)) {
			fprintf(stderr, "smsgwd: %s: %s\n", d.config_path,
				config_pg_unsupported(d.cfg));
			config_free(d.cfg);
			return 1;
		}
		printf("smsgwd: %s: configuration ok (%zu modem%s)\n",
		       d.config_path, d.cfg->nmodems,
		       d.cfg->nmodems == 1 ? "" : "s");
		config_free(d.cfg);
		return 0;
	}
	if (config_pg_unsupported(d.cfg)) {
		fprintf(stderr, "smsgwd: %s: %s\n", d.config_path,
			config_pg_unsupported(d.cfg));
		config_free(d.cfg);
		return 1;
	}
	if (!d.foreground && main_smsgwd_daemonize() < 0) {
		perror("smsgwd: daemonize");
		return 1;
	}
	log_open("smsgwd", d.foreground,
		 d.verbose ? LOG_LEVEL_DEBUG : LOG_LEVEL_NOTICE);
	return daemon_run(&d);
}
