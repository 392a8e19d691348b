/*
 * The spool's directories as the daemon opens them (issue 11): never
 * through a symbolic link, only directories of our own uid, modes set
 * whatever the umask; the locks a second daemon runs into; the pid file
 * that is a link or a FIFO refused without being opened for writing.
 */
#include "fsutil.h"
#include "harness.h"
#include "spool.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void path_of(char *buf, size_t size, const char *spool, const char *sub)
{
	snprintf(buf, size, "%s/%s", spool, sub);
}

TEST(spool_dirs_created_with_their_modes_and_sticky_root)
{
	char spool[512], p[600], err[512];
	struct spool_dirs d;
	struct stat st;
	mode_t old = umask(022);

	snprintf(spool, sizeof(spool), "%s/s1", harness_tmpdir());
	CHECK_INT(spool_dirs_open(spool, true, &d, err, sizeof(err)), 0);
	umask(old);
	CHECK(stat(spool, &st) == 0 && (st.st_mode & S_ISVTX));
	path_of(p, sizeof(p), spool, "outgoing");
	CHECK(stat(p, &st) == 0);
	CHECK_INT(st.st_mode & 07777 & ~S_ISGID, 01730);
	path_of(p, sizeof(p), spool, "active");
	CHECK(stat(p, &st) == 0);
	CHECK_INT(st.st_mode & 07777 & ~S_ISGID, 0700);
	path_of(p, sizeof(p), spool, "rejected");
	CHECK(stat(p, &st) == 0);
	CHECK_INT(st.st_mode & 07777 & ~S_ISGID, 01770);
	/* The spool's lock: a second holder is refused at once. */
	CHECK_INT(spool_dirs_lock(&d), 0);
	{
		struct spool_dirs d2;

		CHECK_INT(spool_dirs_open(spool, true, &d2, err, sizeof(err)), 0);
		CHECK_INT(spool_dirs_lock(&d2), -EWOULDBLOCK);
		spool_dirs_close(&d2);
	}
	spool_dirs_close(&d);
}

TEST(spool_dirs_refuse_a_link_or_a_file_in_place)
{
	char spool[512], p[600], err[512];
	struct spool_dirs d;

	snprintf(spool, sizeof(spool), "%s/s2", harness_tmpdir());
	CHECK_INT(spool_dirs_open(spool, true, &d, err, sizeof(err)), 0);
	spool_dirs_close(&d);
	path_of(p, sizeof(p), spool, "active");
	CHECK(rmdir(p) == 0);
	CHECK(symlink(harness_tmpdir(), p) == 0);
	CHECK_INT(spool_dirs_open(spool, true, &d, err, sizeof(err)), -ENOTDIR);
	CHECK(strstr(err, "active: not a directory") != NULL);
	CHECK_INT(d.root, -1);
	CHECK(unlink(p) == 0);
	path_of(p, sizeof(p), spool, "outgoing");
	CHECK(rmdir(p) == 0);
	CHECK(close(open(p, O_WRONLY | O_CREAT, 0600)) == 0);
	CHECK_INT(spool_dirs_open(spool, true, &d, err, sizeof(err)), -ENOTDIR);
}

TEST(pid_lock_refuses_links_and_fifos_and_a_second_holder)
{
	char dir[512], p[600], err[512];
	pid_t holder = 0;
	int dfd, fd, fd2;

	snprintf(dir, sizeof(dir), "%s/lib", harness_tmpdir());
	mkdir(dir, 0750);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	fd = fs_lock_pidfile_at(dfd, "db.pid", 0600, LOCK_EX, &holder, err, sizeof(err));
	CHECK(fd >= 0);
	fd2 = fs_lock_pidfile_at(dfd, "db.pid", 0600, LOCK_EX, &holder, err, sizeof(err));
	CHECK_INT(fd2, -EWOULDBLOCK);
	CHECK_INT(holder, getpid());
	close(fd);
	/* A link in its place (to the database, say) is never followed. */
	snprintf(p, sizeof(p), "%s/victim", dir);
	CHECK(close(open(p, O_WRONLY | O_CREAT, 0600)) == 0);
	CHECK(symlinkat("victim", dfd, "link.pid") == 0);
	CHECK(fs_lock_pidfile_at(dfd, "link.pid", 0600, LOCK_EX, NULL, err, sizeof(err)) < 0);
	{
		struct stat st;

		CHECK(stat(p, &st) == 0 && st.st_size == 0);
	}
	/* A FIFO: refused without waiting for a reader. */
	CHECK(mkfifoat(dfd, "fifo.pid", 0600) == 0);
	CHECK_INT(fs_lock_pidfile_at(dfd, "fifo.pid", 0600, LOCK_EX, NULL, err, sizeof(err)),
		  -EPERM);
	close(dfd);
}
