/* fsutil — directories, durable renames, lock files; see include/fsutil.h. */
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdirs(const char *path, mode_t mode)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

int fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_sync_dirfd(int dirfd)
{
	return fsync(dirfd) < 0 ? -errno : 0;
}

void fs_dirname(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}

static pid_t fsutil_read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

int fs_lock_pidfile(const char *path, pid_t *holder)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	char buf[32];
	int n;

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = -errno;

		if (holder)
			*holder = fsutil_read_pid(fd);
		close(fd);
		return err;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int fs_open_dir_at(int dirfd, const char *name, mode_t mode, bool create,
		   int *out, char *err, size_t errsize)
{
	struct stat st;
	int fd;

	*out = -1;
	if (create && mkdirat(dirfd, name, mode & 0777) < 0 && errno != EEXIST)
		goto sys;
	/* O_NOFOLLOW: a symbolic link put here by a member of the spool's
	 * group must never take us somewhere else (ELOOP). */
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR) {
			snprintf(err, errsize, "%s: not a directory (a symbolic "
				 "link or a file is in its place)", name);
			return -ENOTDIR;
		}
		goto sys;
	}
	if (fstat(fd, &st) < 0) {
		close(fd);
		goto sys;
	}
	if (!S_ISDIR(st.st_mode)) {
		close(fd);
		snprintf(err, errsize, "%s: not a directory", name);
		return -ENOTDIR;
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		snprintf(err, errsize, "%s: owned by uid %ld, not by the "
			 "daemon's uid %ld", name, (long)st.st_uid,
			 (long)geteuid());
		return -EPERM;
	}
	/* The mode is ours to set whatever the umask of whoever created
	 * it; a set-group-ID bit the directory inherited stays. */
	if ((st.st_mode & 07777) != (mode | (st.st_mode & S_ISGID)) &&
	    fchmod(fd, mode | (st.st_mode & S_ISGID)) < 0) {
		int e = errno;

		close(fd);
		snprintf(err, errsize, "%s: chmod: %s", name, strerror(e));
		return -e;
	}
	*out = fd;
	return 0;
sys:
	fd = -errno;
	snprintf(err, errsize, "%s: %s", name, strerror(-fd));
	return fd;
}

int fs_lock_pidfile_at(int dirfd, const char *name, mode_t mode, int op,
		       pid_t *holder, char *err, size_t errsize)
{
	struct stat st;
	char buf[32];
	int fd, n;

	/* O_NOFOLLOW and O_NONBLOCK: neither a link nor a FIFO in its place
	 * can redirect the write or stop us. */
	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
				 O_NOCTTY | O_CLOEXEC, mode);
	if (fd < 0) {
		fd = -errno;
		snprintf(err, errsize, "%s: %s", name, strerror(-fd));
		return fd;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != geteuid() || st.st_nlink != 1) {
		snprintf(err, errsize, "%s: not a regular file of the daemon's "
			 "uid with one link; remove it", name);
		close(fd);
		return -EPERM;
	}
	if (flock(fd, op | LOCK_NB) < 0) {
		int e = -errno;

		if (holder)
			*holder = fsutil_read_pid(fd);
		snprintf(err, errsize, "%s: %s", name, strerror(-e));
		close(fd);
		return e;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (fchmod(fd, mode) < 0 || ftruncate(fd, 0) < 0 ||
	    pwrite(fd, buf, (size_t)n, 0) != n) {
		int e = -errno;

		snprintf(err, errsize, "%s: %s", name, strerror(-e));
		close(fd);
		return e;
	}
	return fd;
}

pid_t fs_lock_holder(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	pid_t pid = 0;

	if (fd < 0)
		return 0;
	/* A lock we can take means nobody holds it (the daemon holds a
	 * shared one on its pid file: try an exclusive one). */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
		pid = fsutil_read_pid(fd);
	close(fd);
	return pid;
}
