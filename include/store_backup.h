/*
 * store_backup — what `smsgw backup` and `smsgw restore` ask of the
 * database file: a consistent copy, a check that a file is a database
 * this smsgw can migrate, carrying forgotten numbers over, and the
 * numbers a restored database holds (to forget again).
 */
#ifndef SMSGW_STORE_BACKUP_H
#define SMSGW_STORE_BACKUP_H

#include <stddef.h>

struct store;

/*
 * A consistent copy of the open database into path (which must not
 * exist), beside a running daemon. 0; -EINVAL when the copy could not
 * start, -EIO when it failed (store_errmsg() says why for both).
 */
int store_backup_copy(struct store *st, const char *path);

enum store_backup_check {
	STORE_BACKUP_OK,
	STORE_BACKUP_UNREADABLE,	/* cannot be opened: err says why */
	STORE_BACKUP_UNSOUND,		/* fails the integrity check */
	STORE_BACKUP_FOREIGN,		/* not an smsgw database */
};

/* Is file (not open) an smsgw database? Its schema version in *version;
 * err holds the database's message for the first two failures. */
enum store_backup_check store_backup_check(const char *file, int *version,
					   char *err, size_t errsize);

/*
 * Copies the hashes of the numbers forgotten in database from into
 * database to (neither open). 0, with err[0] set when they were not
 * carried over and why; -EIO when to could not be opened.
 */
int store_backup_carry_forgotten(const char *from, const char *to,
				 char *err, size_t errsize);

/* Calls cb with every number the database holds (recipients, senders,
 * opt-outs, sticky pairs, status reports), until cb returns non-zero. */
int store_backup_numbers(struct store *st,
			 int (*cb)(void *ud, const char *number), void *ud);

#endif
