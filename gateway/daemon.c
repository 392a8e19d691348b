/*
 * daemon — start-up, signals, reload and shutdown of smsgwd.
 *
 * Start-up order: spool directories, the database (created or migrated),
 * the lock that keeps a second daemon off the same spool, then the
 * subsystems. Shutdown runs in reverse and leaves the database consistent:
 * every state change is a committed transaction, so stopping is closing.
 */
#include "daemon.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "loop.h"
#include "store.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int make_spool_dirs(const struct config *cfg)
{
	static const char *const subdirs[] = { "outgoing", "tmp", "rejected",
					       "active" };
	char path[4096];
	int rc;

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", cfg->spool, subdirs[i]);
		rc = fs_mkdirs(path, 0770);
		if (rc < 0) {
			log_error("spool: cannot create %s: %s", path,
				  strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static int open_database(struct daemon *d)
{
	char dir[4096], err[1024];
	int rc;

	fs_dirname(d->cfg->database, dir, sizeof(dir));
	rc = fs_mkdirs(dir, 0750);
	if (rc < 0) {
		log_error("store: cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	rc = store_open(d->cfg->database, STORE_OPEN_CREATE, &d->store, err,
			sizeof(err));
	if (rc < 0)
		log_error("store: %s", err);
	return rc;
}

static int take_lock(struct daemon *d)
{
	char path[4096];
	pid_t holder = 0;

	snprintf(path, sizeof(path), "%s/.smsgwd.pid", d->cfg->spool);
	d->lock_fd = fs_lock_pidfile(path, &holder);
	if (d->lock_fd == -EWOULDBLOCK) {
		log_error("daemon: another smsgwd (pid %ld) already serves %s",
			  (long)holder, d->cfg->spool);
		return -EWOULDBLOCK;
	}
	if (d->lock_fd < 0)
		log_error("daemon: %s: %s", path, strerror(-d->lock_fd));
	return d->lock_fd < 0 ? d->lock_fd : 0;
}

static void apply_timezone(const struct config *cfg)
{
	if (cfg->timezone)
		setenv("TZ", cfg->timezone, 1);
	tzset();
}

static void apply_log_level(const struct daemon *d, const struct config *cfg)
{
	enum log_level level;

	if (!d->verbose && log_level_parse(cfg->log_level, &level))
		log_set_level(level);
}

static void on_stop_signal(struct loop *loop, int signo, void *ud)
{
	struct daemon *d = ud;

	log_notice("daemon: %s, stopping", strsignal(signo));
	d->exit_code = 0;
	loop_stop(loop);
}

/*
 * SIGHUP: read the file again; a broken file keeps the running
 * configuration. Subsystems pick up what can change without a restart.
 */
static void on_reload_signal(struct loop *loop, int signo, void *ud)
{
	struct daemon *d = ud;
	struct config *next;
	char err[2048];

	(void)loop;
	(void)signo;
	if (config_load(d->config_path, &next, err, sizeof(err)) < 0) {
		log_error("daemon: reload refused, keeping the running "
			  "configuration: %s", err);
		store_event(d->store, STORE_EVENT_ERROR, "daemon",
			    "reload refused: %s", err);
		return;
	}
	if (strcmp(next->spool, d->cfg->spool) != 0 ||
	    strcmp(next->database, d->cfg->database) != 0)
		log_warn("daemon: spool and database changes need a restart");
	apply_log_level(d, next);
	config_free(d->cfg);
	d->cfg = next;
	log_notice("daemon: configuration reloaded from %s", d->config_path);
	store_event(d->store, STORE_EVENT_INFO, "daemon",
		    "configuration reloaded");
}

static int start(struct daemon *d)
{
	int rc;

	apply_timezone(d->cfg);
	apply_log_level(d, d->cfg);
	rc = make_spool_dirs(d->cfg);
	if (rc < 0)
		return rc;
	rc = take_lock(d);
	if (rc < 0)
		return rc;
	rc = open_database(d);
	if (rc < 0)
		return rc;
	rc = loop_new(&d->loop);
	if (rc < 0)
		return rc;
	if (loop_signal(d->loop, SIGTERM, on_stop_signal, d) < 0 ||
	    loop_signal(d->loop, SIGINT, on_stop_signal, d) < 0 ||
	    loop_signal(d->loop, SIGHUP, on_reload_signal, d) < 0)
		return -errno;
	/* Hooks and modems that go away must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void stop(struct daemon *d)
{
	if (d->store) {
		store_event(d->store, STORE_EVENT_INFO, "daemon", "stopped");
		store_checkpoint(d->store);
		store_close(d->store);
		d->store = NULL;
	}
	loop_free(d->loop);
	d->loop = NULL;
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	d->lock_fd = -1;
	config_free(d->cfg);
	d->cfg = NULL;
}

int daemon_run(struct daemon *d)
{
	int rc;

	d->lock_fd = -1;
	d->exit_code = 1;
	if (start(d) < 0) {
		stop(d);
		return 1;
	}
	store_event(d->store, STORE_EVENT_INFO, "daemon",
		    "started (smsgw %s, pid %ld, %zu modem%s)", SMSGW_VERSION,
		    (long)getpid(), d->cfg->nmodems,
		    d->cfg->nmodems == 1 ? "" : "s");
	log_notice("daemon: started, spool %s, database %s", d->cfg->spool,
		   d->cfg->database);
	rc = loop_run(d->loop);
	if (rc < 0) {
		log_error("daemon: event loop: %s", strerror(-rc));
		d->exit_code = 1;
	}
	stop(d);
	return d->exit_code;
}
