/*
 * fsutil — small filesystem helpers the daemon and the CLI share: creating
 * directories, durable renames, lock files.
 */
#ifndef SMSGW_FSUTIL_H
#define SMSGW_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* mkdir -p with mode for the directories it creates. 0 or -errno. */
int fs_mkdirs(const char *path, mode_t mode);
/* fsync() a directory so renames and creations in it survive a crash. */
int fs_sync_dirfd(int dirfd);
/* Writes all len bytes, retrying on EINTR and short writes. 0 or -errno. */
int fs_write_all(int fd, const void *buf, size_t len);
/* The directory part of path in buf ("." when there is none). */
void fs_dirname(const char *path, char *buf, size_t size);

/*
 * Takes an exclusive lock on path (created 0644), writes our pid into it and
 * returns the fd, which holds the lock until closed. -EWOULDBLOCK when
 * another process holds it; *holder then has its pid if readable.
 */
int fs_lock_pidfile(const char *path, pid_t *holder);
/*
 * Opens the directory name under dirfd (created with mode when create and
 * missing) without following a symbolic link, checks that it is a
 * directory owned by our effective uid and gives it exactly mode (a
 * set-group-ID bit it inherited is kept). *out is the fd (O_CLOEXEC).
 * 0 or -errno with err saying what is wrong.
 */
int fs_open_dir_at(int dirfd, const char *name, mode_t mode, bool create,
		   int *out, char *err, size_t errsize);
/*
 * Like fs_lock_pidfile() for name under dirfd: created with mode, a lock
 * op (LOCK_EX or LOCK_SH, never waiting), our pid written in. Opened
 * O_NOFOLLOW|O_NONBLOCK and refused (-EPERM) unless it is a regular file
 * of ours with one link. The fd, or -errno with err saying why.
 */
int fs_lock_pidfile_at(int dirfd, const char *name, mode_t mode, int op,
		       pid_t *holder, char *err, size_t errsize);
/* The pid written in a lock file that is currently locked, or 0. */
pid_t fs_lock_holder(const char *path);

#endif
