/* spool_file — spool files on disk; see include/spool_file.h. */
#include "spool_file.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 65536

static int spool_file_error(struct spool_error *err, int rc, const char *fmt,
			    ...)
	__attribute__((format(printf, 3, 4)));

static int spool_file_error(struct spool_error *err, int rc, const char *fmt,
			    ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	err->code = SPOOL_ERROR_FILE;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return rc;
}

/* Why st is no file we take, or NULL. */
static const char *spool_file_refuse(const struct stat *st, int64_t max_bytes,
				     char *buf, size_t size)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link, not a regular file";
	if (S_ISDIR(st->st_mode))
		return "a directory, not a regular file";
	if (S_ISFIFO(st->st_mode))
		return "a FIFO, not a regular file";
	if (S_ISSOCK(st->st_mode))
		return "a socket, not a regular file";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "a device, not a regular file";
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_nlink != 1) {
		snprintf(buf, size,
			 "%ju hard links: a spool file must have exactly one",
			 (uintmax_t)st->st_nlink);
		return buf;
	}
	if (max_bytes > 0 && st->st_size > max_bytes) {
		snprintf(buf, size,
			 "%jd bytes: larger than max_file_size (%jd bytes)",
			 (intmax_t)st->st_size, (intmax_t)max_bytes);
		return buf;
	}
	return NULL;
}

int spool_file_open(int dirfd, const char *name, int64_t max_bytes,
		    struct spool_error *err)
{
	struct stat before, st;
	const char *why;
	char buf[128];
	int fd, e;

	if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) < 0) {
		e = errno;
		return spool_file_error(err, -e, "%s", strerror(e));
	}
	why = spool_file_refuse(&before, max_bytes, buf, sizeof(buf));
	if (why)
		return spool_file_error(err, -EBADMSG, "%s", why);
	/* O_NONBLOCK: should a FIFO slip in after the check, opening it
	 * must not wait for a writer. */
	fd = openat(dirfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ELOOP)
			return spool_file_error(err, -EBADMSG,
						"a symbolic link, not "
					  "a regular file");
		return spool_file_error(err, -e, "%s", strerror(e));
	}
	if (fstat(fd, &st) < 0) {
		e = errno;
		close(fd);
		return spool_file_error(err, -e, "%s", strerror(e));
	}
	if (st.st_dev != before.st_dev || st.st_ino != before.st_ino) {
		close(fd);
		return spool_file_error(err, -EAGAIN,
					"replaced while being opened");
	}
	why = spool_file_refuse(&st, max_bytes, buf, sizeof(buf));
	if (why) {
		close(fd);
		return spool_file_error(err, -EBADMSG, "%s", why);
	}
	return fd;
}

/* Feeds all of fd to p; finishes the pass. */
static int spool_file_feed_all(int fd, struct spool_parser *p,
			       int64_t max_bytes)
{
	char *buf = malloc(READ_CHUNK);
	int64_t off = 0;
	ssize_t n;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = pread(fd, buf, READ_CHUNK, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			goto out;
		}
		if (!n)
			break;
		off += n;
		if (max_bytes > 0 && off > max_bytes) {
			/* It grew past the limit after it was opened. */
			spool_parse_refuse(p, SPOOL_ERROR_FILE,
					   "it grew larger than max_file_size "
					   "while being read");
			rc = -EBADMSG;
			goto out;
		}
		if (!spool_parse_feed(p, buf, (size_t)n)) {
			rc = -EBADMSG;
			goto out;
		}
	}
	if (!spool_parse_finish(p))
		rc = -EBADMSG;
out:
	free(buf);
	return rc;
}

int spool_file_feed(int fd, struct spool_parser *p, int64_t *off,
		    int64_t max_bytes, size_t want)
{
	char *buf = malloc(READ_CHUNK);
	size_t done = 0;
	ssize_t n;
	int rc = 1;

	if (!buf)
		return -ENOMEM;
	while (done < want) {
		size_t ask = want - done < READ_CHUNK ? want - done : READ_CHUNK;

		n = pread(fd, buf, ask, (off_t)*off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (!n) {
			rc = spool_parse_finish(p) ? 0 : -EBADMSG;
			break;
		}
		*off += n;
		done += (size_t)n;
		if (max_bytes > 0 && *off > max_bytes) {
			spool_parse_refuse(p, SPOOL_ERROR_FILE,
					   "it grew larger than max_file_size "
					   "while being read");
			rc = -EBADMSG;
			break;
		}
		if (!spool_parse_feed(p, buf, (size_t)n)) {
			rc = -EBADMSG;
			break;
		}
	}
	free(buf);
	if (rc == -EBADMSG &&
	    spool_parse_error(p)->code == SPOOL_ERROR_ABORTED)
		return -ECANCELED;
	return rc;
}

int spool_file_scan(int fd, struct spool_parser *p, int64_t max_bytes)
{
	return spool_file_feed_all(fd, p, max_bytes);
}

int spool_file_recipients(int fd, struct spool_parser *p, int64_t max_bytes,
			  spool_recipient_fn fn, void *ud)
{
	int rc;

	if (!spool_parse_rewind(p, fn, ud))
		return -EINVAL;
	rc = spool_file_feed_all(fd, p, max_bytes);
	if (rc == -EBADMSG &&
	    spool_parse_error(p)->code == SPOOL_ERROR_ABORTED)
		return -ECANCELED;
	return rc;
}

/* Length of the UTF-8 sequence at p (at most n bytes), or 0 if it is not
 * one (overlong forms, surrogates and C1 controls refused too). */
static size_t spool_file_utf8_len(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
	    (cp >= 0x80 && cp <= 0x9f))
		return 0;
	return len;
}

enum spool_file_name spool_file_name_check(const char *name, char *err,
					   size_t errsize)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t len = strlen(name);

	if (name[0] == '.')
		return SPOOL_FILE_NAME_IGNORE;
	if (!len || len > 128) {
		snprintf(err, errsize, "a name must have 1 to 128 bytes");
		return SPOOL_FILE_NAME_BAD;
	}
	for (size_t i = 0; i < len;) {
		size_t n = spool_file_utf8_len(p + i, len - i);

		if (n == 0) {
			snprintf(err, errsize, "byte 0x%02x at offset %zu is not "
				 "UTF-8", p[i], i);
			return SPOOL_FILE_NAME_BAD;
		}
		if (n == 1 && (p[i] < 0x20 || p[i] == 0x7f)) {
			snprintf(err, errsize, "control character 0x%02x at "
				 "offset %zu", p[i], i);
			return SPOOL_FILE_NAME_BAD;
		}
		i += n;
	}
	return SPOOL_FILE_NAME_OK;
}

void spool_name_escape(const char *name, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t len = strlen(name), o = 0;

	if (!size)
		return;
	for (size_t i = 0; i < len && o + 5 < size;) {
		size_t n = spool_file_utf8_len(p + i, len - i);

		if (n == 1 && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '\\' &&
		    p[i] != '"') {
			out[o++] = (char)p[i++];
		} else if (n > 1 && o + n < size) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			o += (size_t)snprintf(out + o, size - o, "\\x%02x",
					      p[i++]);
		}
	}
	out[o] = '\0';
}

static int spool_file_subdir(int dfd, const char *spool, const char *sub,
			     char *err,
		  size_t errsize)
{
	int fd;

	if (mkdirat(dfd, sub, 0770) < 0 && errno != EEXIST)
		goto fail;
	/* Never through a link a sender put in place of the directory. A
	 * sender may not list tmp/ and outgoing/ (mode 1730): a path-only
	 * fd is enough to create and rename in them. */
	fd = openat(dfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == EACCES)
		fd = openat(dfd, sub,
			    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return fd;
fail:
	fd = -errno;
	snprintf(err, errsize, "%s/%s: %s", spool, sub, strerror(-fd));
	return fd;
}

static void spool_file_unique_name(const char *prefix, char *name, size_t size)
{
	struct timespec ts;
	struct tm tm;
	uint32_t rnd;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
		rnd = (uint32_t)ts.tv_nsec ^ ((uint32_t)getpid() << 16);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(name, size, "%s-%s-%d-%08x", prefix, stamp, (int)getpid(),
		 rnd);
}

static int spool_file_move_in(int tmpfd, int outfd, const char *name)
{
	/* Never over an existing file; some filesystems lack the flag. */
	if (renameat2(tmpfd, name, outfd, name, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	if (faccessat(outfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	return renameat(tmpfd, name, outfd, name) < 0 ? -errno : 0;
}

/* Writes the whole file in tmp/ and flushes it; unlinks it on failure. */
static int spool_file_write_tmp(int tmpfd, const char *name, const void *text,
				size_t len)
{
	int fd, rc = 0;

	fd = openat(tmpfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0640);
	if (fd < 0)
		return -errno;
	/* The daemon's group reads it whatever the writer's umask. */
	if (fchmod(fd, 0640) < 0 || (rc = fs_write_all(fd, text, len)) < 0 ||
	    fsync(fd) < 0)
		rc = rc < 0 ? rc : -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (rc)
		unlinkat(tmpfd, name, 0);
	return rc;
}

/*
 * Makes name's entry in the directory outfd durable: fsync of the
 * directory, or, when we may only reach it by path (a sender), syncfs of
 * the file's filesystem. A file already gone was claimed by the daemon,
 * which makes its claim durable itself.
 */
static int spool_file_sync_entry(int outfd, const char *name)
{
	int fd, rc = 0;

	if (fsync(outfd) == 0)
		return 0;
	if (errno != EBADF)
		return -errno;
	fd = openat(outfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
			       O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (syncfs(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int spool_file_submit(const char *spool, const char *prefix, const void *text,
		      size_t len, char *path, size_t pathsize, char *err,
		      size_t errsize)
{
	int dfd, tmpfd = -1, outfd = -1, rc;
	char name[192];

	if (mkdir(spool, 0770) < 0 && errno != EEXIST)
		goto sys;
	dfd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		goto sys;
	tmpfd = spool_file_subdir(dfd, spool, "tmp", err, errsize);
	outfd = tmpfd < 0 ? -1 : spool_file_subdir(dfd, spool, "outgoing", err,
						   errsize);
	close(dfd);
	rc = tmpfd < 0 ? tmpfd : outfd;
	if (rc < 0)
		goto out;
	spool_file_unique_name(prefix, name, sizeof(name));
	rc = spool_file_write_tmp(tmpfd, name, text, len);
	if (rc < 0) {
		snprintf(err, errsize, "%s/tmp/%s: %s", spool, name,
			 strerror(-rc));
		goto out;
	}
	rc = spool_file_move_in(tmpfd, outfd, name);
	if (rc < 0) {
		unlinkat(tmpfd, name, 0);
		snprintf(err, errsize, "%s/tmp/%s: rename into outgoing/: %s",
			 spool, name, strerror(-rc));
		goto out;
	}
	/* The rename is durable only once the directory is. */
	if (spool_file_sync_entry(outfd, name) < 0) {
		rc = -errno;
		snprintf(err, errsize, "%s/outgoing: fsync: %s (%s is queued "
			 "but may not survive a power cut)", spool,
			 strerror(-rc), name);
		goto out;
	}
	snprintf(path, pathsize, "%s/outgoing/%s", spool, name);
	rc = 0;
	goto out;
sys:
	rc = -errno;
	snprintf(err, errsize, "%s: %s", spool, strerror(-rc));
out:
	if (outfd >= 0)
		close(outfd);
	if (tmpfd >= 0)
		close(tmpfd);
	return rc;
}
