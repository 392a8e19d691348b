/*
 * daemon_db — smsgwd's database: a SQLite file beside its locks, or a
 * shared PostgreSQL (doc/postgresql.md "The daemon on PostgreSQL"), where
 * the connection lives on the loop and comes and goes without stopping
 * the daemon: the modems keep their state, the outbound claims nothing
 * while it is away (store_ready()), and each connect registers this box's
 * SIMs again and wakes the outbound.
 */
#include "daemon.h"
#include "daemon_priv.h"
#include "config.h"
#include "config_pg.h"
#include "forget.h"
#include "fsutil.h"
#include "log.h"
#include "loop.h"
#include "outbound.h"
#include "store.h"
#include "store_daemon.h"
#include "store_pg.h"
#include "store_pgd.h"
#include "store_prune.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

bool daemon_is_pg(const struct daemon *d)
{
	return config_database_is_pg(d->cfg->database);
}

/*
 * The locks beside the database, in a directory only the daemon's user
 * writes to (a sender can neither remove them, and start a second
 * daemon, nor put a link in their place):
 *   <database>.lock  0600, exclusive: one daemon per database; nobody
 *                    else can open it, so nobody else can hold it;
 *   <database>.pid   0644, shared: our pid for `smsgw status`, which tells
 *                    a running daemon by this lock. A reader holding it
 *                    costs only that.
 */
static int daemon_take_lock(struct daemon *d)
{
	char dir[4096], name[4096], err[4400];
	const char *base = strrchr(d->cfg->database, '/');
	pid_t holder = 0;
	int dfd, rc;

	base = base ? base + 1 : d->cfg->database;
	fs_dirname(d->cfg->database, dir, sizeof(dir));
	rc = fs_mkdirs(dir, 0750);
	dfd = rc < 0 ? rc : open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = dfd == -1 ? -errno : dfd;
		log_error("daemon: %s: %s", dir, strerror(-rc));
		return rc;
	}
	snprintf(name, sizeof(name), "%s" DAEMON_LOCKFILE_SUFFIX, base);
	d->lock_fd = fs_lock_pidfile_at(dfd, name, 0600, LOCK_EX, &holder, err,
					sizeof(err));
	if (d->lock_fd == -EWOULDBLOCK) {
		log_error("daemon: another smsgwd (pid %ld) already uses %s",
			  (long)holder, d->cfg->database);
		close(dfd);
		return -EWOULDBLOCK;
	}
	if (d->lock_fd < 0) {
		log_error("daemon: %s/%s", dir, err);
		close(dfd);
		return d->lock_fd;
	}
	snprintf(name, sizeof(name), "%s" DAEMON_PIDFILE_SUFFIX, base);
	d->pid_fd = fs_lock_pidfile_at(dfd, name, 0644, LOCK_SH, NULL, err,
				       sizeof(err));
	if (d->pid_fd < 0)
		log_warn("daemon: %s/%s (smsgw status may say the daemon is "
			 "not running)", dir, err);
	close(dfd);
	return 0;
}

/*
 * A database file of 0 bytes would silently become a new, empty database:
 * the opt-out list gone without a word. Refused unless asked for (-N).
 * A damaged one is refused too (PRAGMA quick_check).
 */
static int daemon_check_database_file(struct daemon *d)
{
	struct stat st;

	if (stat(d->cfg->database, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0 && !d->new_database) {
		log_error("store: %s is an empty file (0 bytes), not a "
			  "database; restore it from a backup, or start once "
			  "with -N to make a new, empty database in it",
			  d->cfg->database);
		return -EINVAL;
	}
	return 0;
}

static int daemon_db_open_sqlite(struct daemon *d)
{
	unsigned char key[FORGET_KEY_BYTES];
	char err[1024];
	int rc;

	rc = daemon_take_lock(d);
	if (rc < 0)
		return rc;
	rc = daemon_check_database_file(d);
	if (rc < 0)
		return rc;
	rc = store_open(d->cfg->database, STORE_OPEN_CREATE, &d->store, err,
			sizeof(err));
	if (rc < 0) {
		log_error("store: %s", err);
		return rc;
	}
	rc = store_quick_check(d->store, err, sizeof(err));
	if (rc < 0) {
		log_error("store: %s: damaged: %s", d->cfg->database, err);
		return rc;
	}
	/* Before anyone else uses it: a database from before auto-vacuum
	 * (schema v4) gets it, with one VACUUM; without room it runs on. */
	if (store_prune_enable_autovacuum(d->store, d->cfg->database) == -EIO)
		return -EIO;
	/* The key of smsgw forget's hashes, ours from the start (0600). */
	if (forget_key_load(d->cfg->database, true, key, err, sizeof(err)) < 0)
		log_error("forget: %s", err);
	return 0;
}

static int daemon_db_open_pg(struct daemon *d)
{
	struct pg_store_options o = {
		.lease_ms = d->cfg->lease_ms,
		.resend_direct = d->cfg->resend_unknown_direct,
		.resend_bulk = d->cfg->resend_unknown_bulk,
	};
	char box[64], err[1024], where[512];
	int rc;

	config_box_name(d->cfg, box, sizeof(box));
	o.box = box;
	rc = store_open_pg(d->loop, d->cfg->database, &o, &d->store, err,
			   sizeof(err));
	if (rc < 0) {
		log_error("store: %s", err);
		return rc;
	}
	config_database_describe(d->cfg->database, where, sizeof(where));
	log_notice("daemon: box %s on %s (connecting in the background)",
		   box, where);
	return 0;
}

int daemon_open_database(struct daemon *d)
{
	if (daemon_is_pg(d))
		return daemon_db_open_pg(d);
	return daemon_db_open_sqlite(d);
}

static void daemon_db_on_state(enum store_pg_state state, void *ud)
{
	struct daemon *d = ud;

	if (state == STORE_PG_BOX_TAKEN) {
		d->exit_code = 1;
		loop_stop(d->loop);
		return;
	}
	if (state == STORE_PG_DOWN) {
		log_warn("daemon: the database is away: nothing is claimed "
			 "until it is back; the modems carry on");
		return;
	}
	/* Rows (and ids) of our SIMs: each answer wakes the outbound. */
	sim_registry_register(&d->reg);
	outbound_kick(d->ob);
}

static void daemon_db_on_queue(void *ud)
{
	struct daemon *d = ud;

	/* A message became queued on some box: our idle SIMs try now. */
	outbound_kick(d->ob);
}

void daemon_db_attach(struct daemon *d)
{
	if (!store_is_pg(d->store))
		return;
	store_pg_on_state(d->store, daemon_db_on_state, d);
	store_pg_on_queue(d->store, daemon_db_on_queue, d);
}

void daemon_db_stop(struct daemon *d)
{
	if (!d->store || !store_is_pg(d->store))
		return;
	store_pg_on_state(d->store, NULL, NULL);
	store_pg_on_queue(d->store, NULL, NULL);
	if (d->started)
		store_daemon_stopped(d->store, store_now_ms());
	store_event(d->store, STORE_EVENT_INFO, "daemon", "stopped");
	store_pg_shutdown(d->store, DAEMON_DB_DRAIN_MS);
}
