/*
 * spool_dirs — the spool's directories, opened once and held; see
 * include/spool.h.
 *
 * The spool root is writable by the spool's group (the senders), so
 * nothing under it is taken on trust: every subdirectory is opened
 * relative to the held root fd without following a symbolic link and
 * must be a directory of the daemon's own uid (a sender who replaced
 * active/ with a link to the database directory would otherwise have us
 * move the database into rejected/). The modes are set here, whatever
 * the umask of whoever created them:
 *
 *   root       sticky added: a sender cannot rename or remove what the
 *              daemon (or another sender) owns there
 *   outgoing/  1730  senders may add files and rename them in, but not
 *   tmp/       1730  list the directory nor touch another sender's file
 *   rejected/  1770  senders find (and may remove) their own rejections
 *   active/    0700  the daemon's alone
 */
#include "spool.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *name;
	mode_t mode;
	size_t off;
} spool_dirs_subdirs[] = {
	{ "outgoing", 01730, offsetof(struct spool_dirs, outgoing) },
	{ "tmp", 01730, offsetof(struct spool_dirs, tmp) },
	{ "rejected", 01770, offsetof(struct spool_dirs, rejected) },
	{ "active", 0700, offsetof(struct spool_dirs, active) },
};

void spool_dirs_init(struct spool_dirs *d)
{
	d->root = d->outgoing = d->tmp = d->rejected = d->active = -1;
}

/* The root is the administrator's: it may be ours or root's, but a
 * directory others can write to without the sticky bit is refused. */
static int spool_dirs_open_root(const char *spool, int *out, char *err,
				size_t errsize)
{
	struct stat st;
	int fd, rc;

	rc = fs_mkdirs(spool, 0770);
	if (rc < 0) {
		snprintf(err, errsize, "%s: %s", spool, strerror(-rc));
		return rc;
	}
	fd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(err, errsize, "%s: %s", spool, strerror(-rc));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (st.st_uid == geteuid()) {
		mode_t want = (st.st_mode & 02775) | S_ISVTX;

		if ((st.st_mode & 07777) != want && fchmod(fd, want) < 0) {
			rc = -errno;
			snprintf(err, errsize, "%s: chmod: %s", spool,
				 strerror(-rc));
			close(fd);
			return rc;
		}
	} else if (st.st_uid != 0 ||
		   ((st.st_mode & 0022) && !(st.st_mode & S_ISVTX))) {
		snprintf(err, errsize, "%s: owned by uid %ld; the spool must "
			 "belong to the daemon's uid %ld (or to root, with the "
			 "sticky bit when others may write to it)", spool,
			 (long)st.st_uid, (long)geteuid());
		close(fd);
		return -EPERM;
	}
	*out = fd;
	return 0;
}

int spool_dirs_open(const char *spool, bool create, struct spool_dirs *d,
		    char *err, size_t errsize)
{
	char why[512];
	int rc;

	spool_dirs_init(d);
	rc = spool_dirs_open_root(spool, &d->root, err, errsize);
	if (rc < 0)
		return rc;
	for (size_t i = 0;
	     i < sizeof(spool_dirs_subdirs) / sizeof(spool_dirs_subdirs[0]); i++) {
		int *fd = (int *)((char *)d + spool_dirs_subdirs[i].off);

		rc = fs_open_dir_at(d->root, spool_dirs_subdirs[i].name,
				    spool_dirs_subdirs[i].mode,
				    create, fd, why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errsize, "%s/%s", spool, why);
			spool_dirs_close(d);
			return rc;
		}
	}
	/* Nothing in the root is ours but these and the control socket:
	 * the directory's own fsync makes their creation durable. */
	fsync(d->root);
	return 0;
}

int spool_dirs_lock(struct spool_dirs *d)
{
	/* active/ is 0700: no sender can open it, so no sender can hold
	 * this lock and keep the daemon from starting. */
	return flock(d->active, LOCK_EX | LOCK_NB) < 0 ? -errno : 0;
}

void spool_dirs_close(struct spool_dirs *d)
{
	int *fds[] = { &d->root, &d->outgoing, &d->tmp, &d->rejected,
		       &d->active };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}
