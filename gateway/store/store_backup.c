/* store_backup — copy, check and carry-over of a database file; see
 * store_backup.h. */
#include "store_backup.h"
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int store_backup_copy(struct store *st, const char *path)
{
	sqlite3_stmt *s;
	int rc;

	/* VACUUM INTO writes a compact, consistent copy from one read
	 * transaction: the daemon keeps writing meanwhile. */
	if (sqlite3_prepare_v2(store_db(st), "VACUUM INTO ?", -1, &s, NULL) !=
	    SQLITE_OK)
		return -EINVAL;
	sqlite3_bind_text(s, 1, path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

enum store_backup_check store_backup_check(const char *file, int *version,
					   char *err, size_t errsize)
{
	enum store_backup_check rc = STORE_BACKUP_FOREIGN;
	sqlite3 *db = NULL;
	sqlite3_stmt *s;
	bool ok = false;
	int tables = 0;

	*version = -1;
	err[0] = '\0';
	if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errsize, "%s", sqlite3_errmsg(db));
		rc = STORE_BACKUP_UNREADABLE;
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			ok = strcmp((const char *)sqlite3_column_text(s, 0),
				    "ok") == 0;
		sqlite3_finalize(s);
	}
	if (!ok) {
		snprintf(err, errsize, "%s", sqlite3_errmsg(db));
		rc = STORE_BACKUP_UNSOUND;
		goto out;
	}
	if (sqlite3_prepare_v2(db, "SELECT (SELECT user_version FROM"
			       " pragma_user_version), (SELECT count(*) FROM"
			       " sqlite_master WHERE name IN ('message',"
			       " 'outbox', 'optout'))", -1, &s, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW) {
			*version = sqlite3_column_int(s, 0);
			tables = sqlite3_column_int(s, 1);
		}
		sqlite3_finalize(s);
	}
	if (tables == 3 && *version >= 1)
		rc = STORE_BACKUP_OK;
out:
	sqlite3_close(db);
	return rc;
}

int store_backup_carry_forgotten(const char *from, const char *to,
				 char *err, size_t errsize)
{
	char *msg = NULL;
	sqlite3_stmt *s;
	sqlite3 *db;
	int rc;

	err[0] = '\0';
	if (sqlite3_open(to, &db) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "ATTACH ? AS old", -1, &s, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return -EIO;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_bind_text(s, 1, from, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		rc = sqlite3_exec(db, "INSERT OR IGNORE INTO main.forgotten"
				  " SELECT hash, forgotten_at FROM old.forgotten",
				  NULL, NULL, &msg);
	if (rc != SQLITE_OK && rc != SQLITE_DONE &&
	    !strstr(msg ? msg : "", "no such table"))	/* from before v2 */
		snprintf(err, errsize, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_close(db);
	return 0;
}

int store_backup_numbers(struct store *st,
			 int (*cb)(void *ud, const char *number), void *ud)
{
	static const char numbers_sql[] =
		"SELECT recipient FROM message UNION SELECT sender FROM inbound"
		" UNION SELECT sender FROM inbound_part UNION SELECT number"
		" FROM optout UNION SELECT number FROM sticky UNION SELECT"
		" recipient FROM status_report WHERE recipient IS NOT NULL";
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), numbers_sql, -1, &s, NULL) !=
	    SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (cb(ud, (const char *)sqlite3_column_text(s, 0)))
			break;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}
