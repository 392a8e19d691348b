/* token — bearer tokens of the HTTP API; see token.h. */
#include "token.h"
#include "store.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

static const struct {
	const char *name;
	unsigned bit;
} token_right_names[] = {
	{ "send", TOKEN_RIGHT_SEND },
	{ "read", TOKEN_RIGHT_READ },
	{ "admin", TOKEN_RIGHT_ADMIN },
};

#define NRIGHTS (sizeof(token_right_names) / sizeof(token_right_names[0]))

bool token_rights_parse(const char *s, unsigned *rights, char *err,
			size_t errsize)
{
	*rights = 0;
	while (*s) {
		size_t n = strcspn(s, ", "), i;

		for (i = 0; i < NRIGHTS; i++)
			if (n == strlen(token_right_names[i].name) &&
			    strncmp(s, token_right_names[i].name, n) == 0)
				break;
		if (n && i == NRIGHTS) {
			snprintf(err, errsize, "'%.*s' is not a right (send, "
				 "read, admin)", (int)n, s);
			return false;
		}
		if (n)
			*rights |= token_right_names[i].bit;
		s += n;
		s += strspn(s, ", ");
	}
	if (!*rights) {
		snprintf(err, errsize, "no rights given (send, read, admin)");
		return false;
	}
	return true;
}

void token_rights_format(unsigned rights, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NRIGHTS; i++)
		if (rights & token_right_names[i].bit)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used ? "," : "",
						 token_right_names[i].name);
}

bool token_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-_.@", *p)))
			return false;
	return true;
}

static void token_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

int token_generate(char *buf, size_t size)
{
	unsigned char r[32];

	if (size < TOKEN_LEN + 1)
		return -ENOSPC;
	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -errno;
	memcpy(buf, TOKEN_PREFIX, sizeof(TOKEN_PREFIX) - 1);
	token_hex(r, sizeof(r), buf + sizeof(TOKEN_PREFIX) - 1);
	return 0;
}

void token_hash(const char *token, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(token, len, md, &n, EVP_sha256(), NULL);
	token_hex(md, n, hex);
}

int token_add(struct store *st, const char *name, const char *token,
	      unsigned rights, int64_t now)
{
	char hash[TOKEN_HASH_LEN + 1], r[32];
	sqlite3_stmt *s;
	int rc;

	token_hash(token, strlen(token), hash);
	token_rights_format(rights, r, sizeof(r));
	s = store_prepare(st, "INSERT INTO api_token (name, hash, rights,"
			      " created_at) VALUES (?, ?, ?, ?)");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, r, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 4, now);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int token_remove(struct store *st, const char *name)
{
	sqlite3_stmt *s = store_prepare(st, "DELETE FROM api_token"
					    " WHERE name = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	if (store_step_done(st, s) < 0)
		return -EIO;
	return sqlite3_changes(store_db(st)) ? 0 : -ENOENT;
}

int token_lookup(struct store *st, const char *token, size_t len,
		 char *name, size_t size, unsigned *rights)
{
	char hash[TOKEN_HASH_LEN + 1], err[64];
	sqlite3_stmt *s;
	int rc, found = 0;

	*rights = 0;
	if (len != TOKEN_LEN)
		return 0;
	token_hash(token, len, hash);
	s = store_prepare(st, "SELECT name, rights FROM api_token"
			      " WHERE hash = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, hash, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		snprintf(name, size, "%s", sqlite3_column_text(s, 0));
		found = token_rights_parse((const char *)sqlite3_column_text(s, 1),
					   rights, err, sizeof(err));
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	return found;
}

int token_note_use(struct store *st, const char *name, int64_t now)
{
	sqlite3_stmt *s = store_prepare(st, "UPDATE api_token SET used_at = ?"
					    " WHERE name = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	return store_step_done(st, s);
}
