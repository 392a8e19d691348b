/*
 * smsgw backup FILE
 * smsgw restore FILE
 *
 * backup writes a consistent snapshot of the database while smsgwd runs
 * (VACUUM INTO reads one transaction's view; it is also compact) to
 * FILE.partial, syncs it and renames it to FILE; the key of forgotten
 * numbers' hashes goes to FILE.key beside it. restore puts such a file in
 * place of the database while smsgwd is stopped: it checks the file,
 * migrates it to this smsgw's schema, keeps the database it replaces as
 * <database>.pre-restore, and restores FILE.key when there is one.
 */
#include "cli.h"
#include "config.h"
#include "config_pg.h"
#include "forget.h"
#include "fsutil.h"
#include "number.h"
#include "store.h"
#include "store_backup.h"
#include "store_prune.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int cli_backup_sync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static void cli_backup_sync_dir_of(const char *path)
{
	char dir[4096];
	int fd;

	fs_dirname(path, dir, sizeof(dir));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fs_sync_dirfd(fd);
		close(fd);
	}
}

/* Copies a small or large file to dst (created with mode, replaced). */
static int cli_backup_copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	int in, out, rc = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	unlink(dst);
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   mode);
	if (out < 0) {
		rc = -errno;
		close(in);
		return rc;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (fs_write_all(out, buf, (size_t)n) < 0) {
			rc = -EIO;
			break;
		}
	if (n < 0)
		rc = -errno;
	if (rc == 0 && fsync(out) < 0)
		rc = -errno;
	close(in);
	close(out);
	return rc;
}

static int cli_backup_key(const struct config *cfg, const char *file)
{
	char key[4096], dst[4096];
	int rc;

	forget_key_path(cfg->database, key, sizeof(key));
	if (access(key, F_OK) < 0)
		return 0;
	snprintf(dst, sizeof(dst), "%s.key", file);
	rc = cli_backup_copy_file(key, dst, 0600);
	if (rc < 0)
		return cli_error("backup: %s: %s", dst, strerror(-rc));
	printf("key:    %s (keep it with the backup: it is what keeps "
	       "forgotten numbers suppressed)\n", dst);
	return 0;
}

static int cli_backup_make(struct cli *cli, const char *file)
{
	char tmp[4200], stamp[32];
	struct store *st;
	struct stat sb;
	int rc;

	st = cli_store(cli);
	if (!st)
		return CLI_ERROR;
	snprintf(tmp, sizeof(tmp), "%s.partial", file);
	unlink(tmp);
	rc = store_backup_copy(st, tmp);
	if (rc == -EINVAL)
		return cli_error("backup: %s", store_errmsg(st));
	if (rc < 0) {
		cli_error("backup: %s: %s", tmp, store_errmsg(st));
		unlink(tmp);
		return CLI_ERROR;
	}
	/* A backup holds every number and text: as private as the DB. */
	chmod(tmp, 0600);
	rc = cli_backup_sync_path(tmp);
	if (rc == 0 && rename(tmp, file) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return cli_error("backup: %s: %s", file, strerror(-rc));
	}
	cli_backup_sync_dir_of(file);
	stat(file, &sb);
	store_format_time(store_now_ms(), stamp, sizeof(stamp));
	printf("backup: %s (%lld bytes, schema version %d, as of %s)\n", file,
	       (long long)sb.st_size, store_user_version(st), stamp);
	return cli_backup_key(cli->cfg, file) ? CLI_ERROR : CLI_OK;
}

/* The file must be an smsgw database this smsgw can migrate. */
static int cli_backup_check(const char *file)
{
	char err[512];
	int v;

	switch (store_backup_check(file, &v, err, sizeof(err))) {
	case STORE_BACKUP_UNREADABLE:
		return cli_error("restore: %s: %s", file, err);
	case STORE_BACKUP_UNSOUND:
		return cli_error("restore: %s is not a sound SQLite database "
				 "(quick_check failed: %s)", file, err);
	case STORE_BACKUP_FOREIGN:
		return cli_error("restore: %s is not an smsgw database", file);
	case STORE_BACKUP_OK:
		break;
	}
	if (v > store_schema_version())
		return cli_error("restore: %s has schema version %d; this smsgw "
				 "knows up to %d (upgrade smsgw first)", file, v,
				 store_schema_version());
	return CLI_OK;
}

/* Folds the old database's WAL into it, so that it moves as one file. */
static int cli_backup_settle(const char *path)
{
	struct store *st;
	char err[512];

	if (access(path, F_OK) < 0)
		return 0;
	if (store_open(path, 0, &st, err, sizeof(err)) < 0)
		return cli_error("restore: %s", err);
	store_checkpoint(st);
	store_close(st);
	return 0;
}

/*
 * Forgetting survives a restore: the hashes of numbers forgotten in the
 * database being replaced are carried into the restored one, and every
 * number there whose hash matches is forgotten again.
 */
static int cli_backup_carry_forgotten(const char *from, const char *to)
{
	char err[512];
	int rc;

	if (access(from, F_OK) < 0)
		return 0;
	rc = store_backup_carry_forgotten(from, to, err, sizeof(err));
	if (rc == 0 && err[0])
		cli_error("restore: forgotten numbers of %s not carried over: %s",
			  from, err);
	return rc;
}

/* The numbers of a restored database that were forgotten since. */
struct cli_backup_again {
	struct store *st;
	char (*numbers)[NUMBER_MAX];
	size_t count, cap;
};

static int cli_backup_note(void *ud, const char *num)
{
	struct cli_backup_again *a = ud;

	if (!num || num[0] != '+' || strlen(num) >= NUMBER_MAX ||
	    forget_is_forgotten(a->st, num) != 1)
		return 0;
	if (a->count == a->cap) {
		void *p = realloc(a->numbers, (a->cap = a->cap * 2 + 8) *
					      sizeof(*a->numbers));
		if (!p)
			return 1;
		a->numbers = p;
	}
	snprintf(a->numbers[a->count++], NUMBER_MAX, "%s", num);
	return 0;
}

static int cli_backup_reforget(struct cli *cli, const char *db_path)
{
	struct cli_backup_again a = { 0 };
	char err[512], (*again)[NUMBER_MAX];
	struct forget_forms f;
	struct forget_counts n;
	struct store *st;
	size_t count;

	if (store_open(db_path, 0, &st, err, sizeof(err)) < 0)
		return cli_error("restore: %s", err);
	a.st = st;
	store_backup_numbers(st, cli_backup_note, &a);
	again = a.numbers;
	count = a.count;
	for (size_t i = 0; i < count; i++) {
		forget_forms(again[i], cli->cfg->default_country,
			     cli->cfg->trunk_prefix, &f);
		if (forget_store(st, again[i], &f, store_now_ms(), &n, err,
				 sizeof(err)) < 0)
			cli_error("restore: forgetting again: %s", err);
	}
	if (count) {
		store_prune_vacuum(st, 0);
		printf("forget: %zu number(s) forgotten since the backup were "
		       "forgotten again\n", count);
	}
	store_checkpoint(st);
	store_close(st);
	free(again);
	return 0;
}

static void cli_backup_same_owner(const char *path, const struct stat *like)
{
	if (like && geteuid() == 0 && chown(path, like->st_uid, like->st_gid))
		cli_error("restore: chown %s: %s", path, strerror(errno));
}

static int cli_backup_restore_key(const struct config *cfg, const char *file,
		       const struct stat *like)
{
	char src[4200], key[4096], old[4200];
	int rc;

	snprintf(src, sizeof(src), "%s.key", file);
	if (access(src, F_OK) < 0) {
		printf("key:    no %s; the current key stays\n", src);
		return 0;
	}
	forget_key_path(cfg->database, key, sizeof(key));
	snprintf(old, sizeof(old), "%s.pre-restore", key);
	rename(key, old);
	rc = cli_backup_copy_file(src, key, 0600);
	if (rc < 0)
		return cli_error("restore: %s: %s", key, strerror(-rc));
	cli_backup_same_owner(key, like);
	printf("key:    %s restored\n", key);
	return 0;
}

static int cli_backup_restore(struct cli *cli, const char *file)
{
	char tmp[4200], old[4200], err[512];
	struct stat cur, *like = NULL;
	struct config *cfg = cli_config(cli);
	struct store *st;
	pid_t pid;
	int rc;

	if (!cfg)
		return CLI_ERROR;
	pid = cli_daemon_pid(cfg);
	if (pid)
		return cli_error("restore: smsgwd is running (pid %ld); stop it "
				 "first", (long)pid);
	if (cli_backup_check(file) != CLI_OK)
		return CLI_ERROR;
	if (stat(cfg->database, &cur) == 0)
		like = &cur;
	/* A new machine: the database's directory may not be there yet. */
	fs_dirname(cfg->database, tmp, sizeof(tmp));
	rc = fs_mkdirs(tmp, 0750);
	if (rc < 0)
		return cli_error("restore: %s: %s", tmp, strerror(-rc));
	snprintf(tmp, sizeof(tmp), "%s.restoring", cfg->database);
	rc = cli_backup_copy_file(file, tmp, 0640);
	if (rc < 0)
		return cli_error("restore: %s: %s", tmp, strerror(-rc));
	/* Older backups come up to this smsgw's schema here. */
	if (store_open(tmp, 0, &st, err, sizeof(err)) < 0) {
		unlink(tmp);
		return cli_error("restore: %s", err);
	}
	store_checkpoint(st);
	store_close(st);
	if (like)
		cli_backup_carry_forgotten(cfg->database, tmp);
	if (cli_backup_settle(cfg->database) != 0) {
		unlink(tmp);
		return CLI_ERROR;
	}
	snprintf(old, sizeof(old), "%s.pre-restore", cfg->database);
	if (like && rename(cfg->database, old) < 0) {
		rc = errno;
		unlink(tmp);
		return cli_error("restore: rename %s: %s", cfg->database,
				 strerror(rc));
	}
	if (rename(tmp, cfg->database) < 0)
		return cli_error("restore: rename %s: %s", tmp, strerror(errno));
	cli_backup_same_owner(cfg->database, like);
	cli_backup_sync_dir_of(cfg->database);
	printf("restore: %s now holds %s", cfg->database, file);
	if (like)
		printf(" (the previous database is %s)", old);
	printf("\n");
	if (cli_backup_restore_key(cfg, file, like))
		return CLI_ERROR;
	return cli_backup_reforget(cli, cfg->database) ? CLI_ERROR : CLI_OK;
}

/*
 * PostgreSQL: the database server's own tools. backup runs pg_dump (the
 * custom format, consistent while every box runs: one snapshot);
 * restore is a server operation with every box stopped, so it says the
 * command instead of running it. The forget key (smsgw_key) is a table:
 * the dump carries it, as FILE.key does on SQLite.
 */
static int cli_backup_pg(struct cli *cli, const char *file, bool restore)
{
	int status;
	pid_t pid;

	if (restore)
		return cli_error("restore: on PostgreSQL, stop smsgwd on every "
				 "box, then run: pg_restore --clean --if-exists "
				 "--single-transaction --dbname '%s' %s",
				 cli->cfg->database, file);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return cli_error("backup: fork: %s", strerror(errno));
	if (pid == 0) {
		execlp("pg_dump", "pg_dump", "--format=custom", "--file", file,
		       "--dbname", cli->cfg->database, (char *)NULL);
		fprintf(stderr, "smsgw: backup: pg_dump: %s (Debian: apt "
			"install postgresql-client)\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cli_error("backup: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return cli_error("backup: pg_dump failed; %s is not a backup",
				 file);
	printf("%s (pg_dump custom format; smsgw restore %s says how to "
	       "restore it)\n", file, file);
	return CLI_OK;
}

int cli_backup(struct cli *cli, int argc, char **argv)
{
	bool restore = strcmp(argv[0], "restore") == 0;
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			printf(restore ? "usage: smsgw restore FILE\n"
				       : "usage: smsgw backup FILE\n");
			return CLI_OK;
		}
		return cli_usage("%s: unknown option", argv[0]);
	}
	if (argc - optind != 1)
		return cli_usage("%s takes one FILE", argv[0]);
	if (!cli_config(cli))
		return CLI_ERROR;
	if (config_database_is_pg(cli->cfg->database))
		return cli_backup_pg(cli, argv[optind], restore);
	return restore ? cli_backup_restore(cli, argv[optind])
		       : cli_backup_make(cli, argv[optind]);
}
