/*
 * spool_file — spool files on disk: taking one in safely and reading it
 * through the parser's two passes (for the daemon), and writing one
 * atomically (for `smsgw send`). The daemon's glue is then:
 *
 *	fd = spool_file_open(claimdirfd, name, cfg->max_file_bytes, &err);
 *	if (fd == -EBADMSG) → rejected/ with spool_error_format(&err)
 *	spool_rules_init(&rules, cfg);
 *	p = spool_parse_new(&rules);
 *	rc = spool_file_scan(fd, p, cfg->max_file_bytes);
 *	if (rc == -EBADMSG) → rejected/ with spool_parse_error(p)
 *	msg = spool_parse_message(p);  … Id: check, BEGIN …
 *	rc = spool_file_recipients(fd, p, cfg->max_file_bytes, add_row, ctx);
 *	rc == 0 → COMMIT, unlink; otherwise ROLLBACK (and -EBADMSG: rejected/)
 *
 * Functions return 0 (or an fd) or -errno, as system-facing ones do here.
 */
#ifndef SMSGW_SPOOL_FILE_H
#define SMSGW_SPOOL_FILE_H

#include "spool_parse.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Opens name in the directory dirfd for reading. What a spool must not
 * take is refused before it is opened (fstatat without following links)
 * and checked again on the open file: a symbolic link, anything but a
 * regular file (FIFO, device, directory, socket), a file with more than
 * one hard link (someone else's file linked in), one larger than
 * max_bytes (0: no limit).
 *
 * Returns an fd (O_CLOEXEC) the caller closes; -EBADMSG with err filled
 * in (code SPOOL_ERROR_FILE) for a file to reject; -ENOENT when it went
 * away; -EAGAIN when it was replaced between the checks (try again); any
 * other -errno (EACCES…) with err filled in, for the caller to decide.
 */
int spool_file_open(int dirfd, const char *name, int64_t max_bytes,
		    struct spool_error *err);

/*
 * Pass 1: feeds the whole of fd, from offset 0, to a new parser p and
 * finishes it. Returns 0 when the file is accepted (spool_parse_message()
 * is valid), -EBADMSG when it is refused (spool_parse_error() says why;
 * a file longer than max_bytes, 0 for no limit, is refused too), or the
 * -errno of a failed read.
 */
int spool_file_scan(int fd, struct spool_parser *p, int64_t max_bytes);

/*
 * Pass 2 after a successful spool_file_scan() on the same fd: fn is called
 * for every unique recipient. Returns 0, -ECANCELED when fn returned
 * false, -EBADMSG when the file changed since pass 1, or a read's -errno.
 */
int spool_file_recipients(int fd, struct spool_parser *p, int64_t max_bytes,
			  spool_recipient_fn fn, void *ud);

/*
 * One step of a pass (spool_parse_rewind() first for pass 2): feeds up to
 * about want bytes of fd from *off on to p, advancing *off. Returns 1
 * when there is more, 0 when the pass is complete (finished), -EBADMSG
 * when the parser refused (spool_parse_error()), -ECANCELED when the
 * recipient callback returned false, or a read's -errno.
 */
int spool_file_feed(int fd, struct spool_parser *p, int64_t *off,
		    int64_t max_bytes, size_t want);

enum spool_file_name {
	SPOOL_FILE_NAME_OK,
	SPOOL_FILE_NAME_IGNORE,	/* starts with '.': someone's temporary */
	SPOOL_FILE_NAME_BAD,	/* reject it; err says why */
};

/*
 * Names the daemon takes: 1 to 128 bytes of UTF-8 without control
 * characters; spaces, '@' and letters of any script are ordinary. Names
 * starting with '.' are ignored (doc/contract.md §4: someone's
 * temporary).
 */
enum spool_file_name spool_file_name_check(const char *name, char *err,
					   size_t errsize);

/* Room for any name escaped by spool_name_escape (4 bytes per byte). */
#define SPOOL_NAME_ESCAPED 1040
/* name for logs and .reason files: UTF-8 and printable ASCII as they are,
 * control bytes, '\\', '"' and bytes that are not UTF-8 as \xNN. Always
 * terminated; cut short when size is too small. */
void spool_name_escape(const char *name, char *out, size_t size);

/*
 * Writes len bytes of text as a new spool file, atomically: into
 * <spool>/tmp/ under a unique name ("<prefix>-<UTC time>-<pid>-<random>"),
 * fsync, rename into <spool>/outgoing/ (never over another file), fsync
 * of outgoing/. The spool directory and its tmp/ and outgoing/ are
 * created when missing (mode 0770 less the umask); the file is 0640.
 * Returns 0 with the file's path in path, or -errno with a reason in err.
 */
int spool_file_submit(const char *spool, const char *prefix, const void *text,
		      size_t len, char *path, size_t pathsize, char *err,
		      size_t errsize);

#endif
