/*
 * forget — number forms, the HMAC key, the forgotten table and the erasure
 * of a number from the database; see include/forget.h.
 */
#include "forget.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "store_prune.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static void forget_add_text(struct forget_forms *f, const char *s)
{
	for (size_t i = 0; i < f->ntext; i++)
		if (strcmp(f->text[i], s) == 0)
			return;
	if (s[0] && f->ntext < FORGET_FORMS_MAX)
		snprintf(f->text[f->ntext++], FORGET_FORM_MAX, "%s", s);
}

/* Digits in swapped nibbles, 'F' filling an odd last octet (TS 23.040
 * §9.1.2.5). */
static void forget_add_semi(struct forget_forms *f, const char *digits)
{
	size_t n = strlen(digits), o = 0;
	char *out;

	if (n < 3 || f->nsemi >= FORGET_FORMS_MAX || n * 2 + 2 > FORGET_FORM_MAX)
		return;
	out = f->semi[f->nsemi++];
	for (size_t i = 0; i < n; i += 2) {
		out[o++] = i + 1 < n ? digits[i + 1] : 'F';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static int forget_by_length(const void *a, const void *b)
{
	return (int)strlen(b) - (int)strlen(a);
}

void forget_forms(const char *e164, const char *country, const char *trunk,
		  struct forget_forms *out)
{
	const char *digits = e164[0] == '+' ? e164 + 1 : e164;
	char buf[FORGET_FORM_MAX];
	size_t cl = country ? strlen(country) : 0;

	memset(out, 0, sizeof(*out));
	forget_add_text(out, e164);
	forget_add_text(out, digits);
	snprintf(buf, sizeof(buf), "00%s", digits);
	forget_add_text(out, buf);
	forget_add_semi(out, digits);
	if (cl && strncmp(digits, country, cl) == 0) {
		const char *national = digits + cl;

		snprintf(buf, sizeof(buf), "%s%s", trunk ? trunk : "",
			 national);
		forget_add_text(out, buf);
		forget_add_semi(out, national);
		if (trunk && trunk[0])
			forget_add_semi(out, buf);
	}
	qsort(out->text, out->ntext, sizeof(out->text[0]), forget_by_length);
	qsort(out->semi, out->nsemi, sizeof(out->semi[0]), forget_by_length);
}

void forget_key_path(const char *db_path, char *buf, size_t size)
{
	snprintf(buf, size, "%s.key", db_path);
}

static int forget_read_key(int fd, const char *path, unsigned char *key,
			   char *err,
		    size_t errsize)
{
	struct stat sb;
	ssize_t n;

	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsize, "%s is not a regular file", path);
		return -EINVAL;
	}
	if (sb.st_mode & 077) {
		snprintf(err, errsize, "%s may be read by others (mode %o); "
			 "chmod 600 it", path, (unsigned)(sb.st_mode & 0777));
		return -EPERM;
	}
	n = read(fd, key, FORGET_KEY_BYTES);
	if (n != FORGET_KEY_BYTES) {
		snprintf(err, errsize, "%s: not a %d-byte key", path,
			 FORGET_KEY_BYTES);
		return -EINVAL;
	}
	return 0;
}

/* root (smsgw forget before smsgwd ever ran) makes the key for the
 * database's owner, who is the daemon: it must read it to suppress. */
static int forget_create_key(const char *db_path, const char *path,
			     unsigned char *key, char *err, size_t errsize)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
			    O_CLOEXEC, 0600);
	struct stat db;

	if (fd < 0)
		return -errno;
	if (geteuid() == 0 && stat(db_path, &db) == 0 &&
	    fchown(fd, db.st_uid, db.st_gid) < 0) {
		snprintf(err, errsize, "%s: chown: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -EIO;
	}
	/* The kernel's CSPRNG: no library state to set up at every start. */
	if (getrandom(key, FORGET_KEY_BYTES, 0) != FORGET_KEY_BYTES ||
	    write(fd, key, FORGET_KEY_BYTES) != FORGET_KEY_BYTES ||
	    fsync(fd) < 0) {
		snprintf(err, errsize, "%s: cannot write the key", path);
		close(fd);
		unlink(path);
		return -EIO;
	}
	close(fd);
	return 0;
}

int forget_key_load(const char *db_path, bool create,
		    unsigned char key[FORGET_KEY_BYTES], char *err,
		    size_t errsize)
{
	char path[4096];
	int fd, rc;

	forget_key_path(db_path, path, sizeof(path));
	for (int tries = 0; tries < 2; tries++) {
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			rc = forget_read_key(fd, path, key, err, errsize);
			close(fd);
			return rc;
		}
		if (errno != ENOENT || !create) {
			rc = -errno;
			snprintf(err, errsize, "%s: %s", path, strerror(-rc));
			return rc;
		}
		rc = forget_create_key(db_path, path, key, err, errsize);
		if (rc == 0)
			return 0;
		if (rc != -EEXIST) {	/* EEXIST: someone else just made it */
			if (!err[0] || rc != -EIO)
				snprintf(err, errsize, "%s: %s", path,
					 strerror(-rc));
			return rc;
		}
	}
	snprintf(err, errsize, "%s: cannot read or create", path);
	return -EIO;
}

int forget_hash(const unsigned char key[FORGET_KEY_BYTES], const char *number,
		char out[FORGET_HASH_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), key, FORGET_KEY_BYTES,
		  (const unsigned char *)number, strlen(number), md, &len) ||
	    len != 32)
		return -EIO;
	for (unsigned i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* One database per process: the key of the last one asked about. */
static struct {
	char db[4096];
	unsigned char key[FORGET_KEY_BYTES];
	bool loaded;
	int64_t failed_at;	/* monotonic ms of the last failure, 0: none */
} forget_key_cache;

static int forget_store_key(struct store *st, unsigned char **key)
{
	const char *db = sqlite3_db_filename(store_db(st), "main");
	char err[512] = "";

	if (!db || !db[0])
		return -ENOENT;
	if (forget_key_cache.loaded && strcmp(forget_key_cache.db, db) == 0) {
		*key = forget_key_cache.key;
		return 0;
	}
	/* Said once a minute, not on every claim. */
	if (forget_key_cache.failed_at &&
	    loop_clock_ms() - forget_key_cache.failed_at < 60000)
		return -ENOENT;
	if (forget_key_load(db, false, forget_key_cache.key, err, sizeof(err)) < 0) {
		log_error("forget: %s: numbers erased with smsgw forget are not "
			  "suppressed until it can be read", err);
		forget_key_cache.failed_at = loop_clock_ms();
		return -ENOENT;
	}
	forget_key_cache.failed_at = 0;
	snprintf(forget_key_cache.db, sizeof(forget_key_cache.db), "%s", db);
	forget_key_cache.loaded = true;
	*key = forget_key_cache.key;
	return 0;
}

static int forget_hash_of(struct store *st, const char *number,
			  char hex[FORGET_HASH_HEX])
{
	unsigned char *key;
	sqlite3_stmt *s = store_prepare(st, "SELECT EXISTS"
					    " (SELECT 1 FROM forgotten)");
	int any = 0;

	if (!s)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW)
		any = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (!any)
		return 0;
	/* Forgotten numbers but no key: suppress nothing we cannot check,
	 * and say so (store_key() logged why). */
	if (forget_store_key(st, &key) < 0)
		return 0;
	return forget_hash(key, number, hex) < 0 ? -EIO : 1;
}

int forget_is_forgotten(struct store *st, const char *number)
{
	char hex[FORGET_HASH_HEX];
	sqlite3_stmt *s;
	int rc = forget_hash_of(st, number, hex), r = 0;

	if (rc <= 0)
		return rc;
	s = store_prepare(st, "SELECT 1 FROM forgotten WHERE hash = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	r = rc == SQLITE_ROW;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? r : -EIO;
}

int forget_unforget(struct store *st, const char *number)
{
	char hex[FORGET_HASH_HEX];
	sqlite3_stmt *s;
	int rc = forget_hash_of(st, number, hex);

	if (rc <= 0)
		return rc;
	s = store_prepare(st, "DELETE FROM forgotten WHERE hash = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, hex, -1, SQLITE_TRANSIENT);
	return store_step_done(st, s);
}
