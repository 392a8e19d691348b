/*
 * smsgw forget [--json] NUMBER
 *
 * The answer to an erasure request (GDPR art. 17 and the like): erases the
 * number in every form it takes (E.164, national, the semi-octets of PDUs)
 * from the database, the AT trace, rejected spool files and the
 * eventhandler's smstools3-style directories, with freed
 * pages overwritten (secure_delete) and the WAL checkpointed away. What
 * stays: the funnel counts (daily_stats, no number) and the number's keyed
 * hash, so that a later send to it is still suppressed. See forget.h.
 */
#include "cli.h"
#include "config.h"
#include "forget.h"
#include "fsutil.h"
#include "number.h"
#include "pg_cli.h"
#include "store.h"
#include "store_prune.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORGET_FILE_MAX (256 << 20)

struct scrub {
	const struct forget_forms *f;
	int trace_lines;
	int rejected;
};

/* Reads a whole regular file (not following links) opened at dirfd. */
static char *cli_forget_slurp_at(int dirfd, const char *name, size_t *len)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size < FORGET_FILE_MAX) {
		buf = malloc((size_t)sb.st_size + 1);
		n = buf ? read(fd, buf, (size_t)sb.st_size) : -1;
		if (n < 0) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	close(fd);
	return buf;
}

static bool cli_forget_mentions(const struct forget_forms *f, const char *s)
{
	for (size_t i = 0; i < f->ntext; i++)
		if (strstr(s, f->text[i]))
			return true;
	for (size_t i = 0; i < f->nsemi; i++)
		if (strcasestr(s, f->semi[i]))
			return true;
	return false;
}

/* Lines of the trace that carry the number become "[forgotten]": the file
 * is rewritten beside itself and renamed over; smsgwd reopens on SIGHUP. */
static int cli_forget_scrub_trace(struct scrub *sc, const char *path)
{
	char dir[4096], tmp[4200], *buf, *line, *save = NULL;
	const char *base;
	struct stat sb;
	size_t len = 0;
	int dirfd, fd, rc = 0;

	fs_dirname(path, dir, sizeof(dir));
	base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return 0;
	buf = cli_forget_slurp_at(dirfd, base, &len);
	if (!buf || !cli_forget_mentions(sc->f, buf)) {
		free(buf);
		close(dirfd);
		return 0;
	}
	snprintf(tmp, sizeof(tmp), ".%s.forget", base);
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0640);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	if (fstatat(dirfd, base, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    geteuid() == 0 && fchown(fd, sb.st_uid, sb.st_gid) < 0)
		rc = -errno;
	for (line = strtok_r(buf, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		if (cli_forget_mentions(sc->f, line)) {
			char *sp = strchr(line, ' ');

			/* Keep the time stamp: the gap stays visible. */
			if (sp)
				sp[1] = '\0';
			sc->trace_lines++;
			if (fs_write_all(fd, line, strlen(line)) < 0 ||
			    fs_write_all(fd, "[forgotten]\n", 12) < 0)
				rc = -EIO;
			continue;
		}
		if (fs_write_all(fd, line, strlen(line)) < 0 ||
		    fs_write_all(fd, "\n", 1) < 0)
			rc = -EIO;
	}
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, base) < 0)
		rc = -errno;
	if (rc < 0)
		unlinkat(dirfd, tmp, 0);
	else
		fs_sync_dirfd(dirfd);
out:
	free(buf);
	close(dirfd);
	if (rc < 0)
		cli_error("forget: %s: %s", path, strerror(-rc));
	return rc;
}

/* A file in path that names the number goes, with its .reason (rejected/
 * keeps one beside each file). */
static int cli_forget_scrub_dir(struct scrub *sc, const char *path)
{
	char reason[1024];
	struct dirent *e;
	DIR *d;
	int dfd;

	d = opendir(path);
	if (!d)
		return 0;
	dfd = dirfd(d);
	while ((e = readdir(d))) {
		size_t len = 0, nl = strlen(e->d_name);
		char *buf;

		if (e->d_name[0] == '.' ||
		    (nl > 7 && strcmp(e->d_name + nl - 7, ".reason") == 0))
			continue;
		buf = cli_forget_slurp_at(dfd, e->d_name, &len);
		snprintf(reason, sizeof(reason), "%s.reason", e->d_name);
		if (buf && (memchr(buf, '\0', len)
				    ? false
				    : cli_forget_mentions(sc->f, buf))) {
			unlinkat(dfd, e->d_name, 0);
			unlinkat(dfd, reason, 0);
			sc->rejected++;
		}
		free(buf);
	}
	fs_sync_dirfd(dfd);
	closedir(d);
	return 0;
}

static void cli_forget_scrub_files(struct scrub *sc, const struct config *cfg)
{
	char path[4200];
	pid_t pid;

	if (cfg->at_trace) {
		bool changed;
		int before = sc->trace_lines;

		cli_forget_scrub_trace(sc, cfg->at_trace);
		snprintf(path, sizeof(path), "%s.1", cfg->at_trace);
		cli_forget_scrub_trace(sc, path);
		changed = sc->trace_lines != before;
		pid = cli_daemon_pid(cfg);
		/* Its open file is the old one now: reopen (SIGHUP). */
		if (changed && pid && kill(pid, SIGHUP) < 0)
			cli_error("forget: cannot signal smsgwd (pid %ld): %s; "
				  "send it SIGHUP", (long)pid, strerror(errno));
	}
	snprintf(path, sizeof(path), "%s/rejected", cfg->spool);
	cli_forget_scrub_dir(sc, path);
	/* smstools3-style directories the eventhandler keeps files in. */
	if (cfg->eh_incoming)
		cli_forget_scrub_dir(sc, cfg->eh_incoming);
	if (cfg->eh_sent)
		cli_forget_scrub_dir(sc, cfg->eh_sent);
	if (cfg->eh_failed)
		cli_forget_scrub_dir(sc, cfg->eh_failed);
}

int cli_forget(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char e164[NUMBER_MAX], err[512];
	struct number_rules r;
	enum number_kind kind;
	struct forget_forms f;
	struct forget_counts n;
	struct scrub sc = { .f = &f };
	struct store *st;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'h') {
			printf("usage: smsgw forget [--json] NUMBER\n");
			return CLI_OK;
		} else
			return cli_usage("forget: unknown option");
	}
	if (argc - optind != 1)
		return cli_usage("forget takes one NUMBER");
	if (!cli_db_rw(cli, "forget"))
		return CLI_ERROR;
	st = cli->store;
	r = (struct number_rules){ .default_country = cli->cfg->default_country,
				   .trunk_prefix = cli->cfg->trunk_prefix };
	if (!number_normalise(argv[optind], strlen(argv[optind]), &r, e164,
			      &kind, err, sizeof(err)))
		return cli_error("forget: '%s' is not a number: %s",
				 argv[optind], err);
	if (kind != NUMBER_KIND_E164)
		return cli_error("forget: '%s' is a short code, not a person's "
				 "number", argv[optind]);
	forget_forms(e164, cli->cfg->default_country, cli->cfg->trunk_prefix,
		     &f);
	if (cli->pg) {
		/* Every box's rows; this box's files below (the others' are
		 * scrubbed by running it there too). PostgreSQL reuses the
		 * dead rows' space at its next vacuum. */
		if (pg_cli_forget(cli->pg, e164, &f, store_now_ms(), &n) < 0)
			return cli_error("forget: %s", cli_db_errmsg(cli));
	} else {
		if (forget_store(st, e164, &f, store_now_ms(), &n, err,
				 sizeof(err)) < 0)
			return cli_error("forget: %s", err);
		/* Freed pages back to the file system, the WAL folded in
		 * and cut: no old copy of a page stays behind. */
		store_prune_vacuum(st, 0);
		store_checkpoint(st);
	}
	cli_forget_scrub_files(&sc, cli->cfg);
	if (json) {
		printf("{\"messages\":%d,\"in_flight\":%d,\"received\":%d,"
		       "\"fragments\":%d,\"raw_pdus\":%d,\"status_reports\":%d,"
		       "\"texts_redacted\":%d,\"optouts\":%d,"
		       "\"trace_lines\":%d,\"rejected_files\":%d,"
		       "\"suppressed\":true}\n", n.messages, n.inflight,
		       n.inbound, n.fragments, n.raw_pdus, n.reports, n.texts,
		       n.optouts, sc.trace_lines, sc.rejected);
		return CLI_OK;
	}
	printf("forgot %s:\n"
	       "  %d message(s) to it, %d received from it, %d fragment(s),"
	       " %d raw PDU(s), %d status report(s) erased\n"
	       "  %d text(s) and event(s) that quoted it redacted\n"
	       "  %d AT trace line(s) and %d file(s) in rejected/ and the"
	       " eventhandler's directories erased\n"
	       "  kept: its keyed hash, so later sends to it are suppressed;"
	       " the counts in smsgw stats\n", argv[optind], n.messages,
	       n.inbound, n.fragments, n.raw_pdus, n.reports, n.texts,
	       sc.trace_lines, sc.rejected);
	if (n.inflight)
		printf("  %d message(s) to it were in a modem's hands: run "
		       "smsgw forget again when they are done\n", n.inflight);
	return CLI_OK;
}
