/*
 * token — bearer tokens of the HTTP API (`smsgw token add|list|remove`).
 *
 * A token is "smsgw_" and 64 hex digits of getrandom(2); the database keeps
 * only the hex SHA-256 of the whole token, so a leaked database leaks no
 * token. The daemon looks a token up on every request, so one added or
 * removed works at once, without a restart.
 */
#ifndef SMSGW_TOKEN_H
#define SMSGW_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define TOKEN_PREFIX "smsgw_"
#define TOKEN_LEN (sizeof(TOKEN_PREFIX) - 1 + 64)
#define TOKEN_HASH_LEN 64	/* hex SHA-256 */

enum token_right {
	TOKEN_RIGHT_SEND = 1 << 0,	/* POST /v1/messages */
	TOKEN_RIGHT_READ = 1 << 1,	/* every GET, the status page, /metrics */
	TOKEN_RIGHT_ADMIN = 1 << 2,	/* campaign control, /v1/tokens */
};

/* "send,read" → bits; false naming the bad word in err. */
bool token_rights_parse(const char *s, unsigned *rights, char *err,
			size_t errsize);
/* bits → "send,read,admin"; buf needs 16 bytes. */
void token_rights_format(unsigned rights, char *buf, size_t size);

/* 1-64 letters, digits and "-_.@": a name shown in logs and lists. */
bool token_name_ok(const char *name);

/* A new random token into buf (TOKEN_LEN + 1 bytes). 0 or -errno. */
int token_generate(char *buf, size_t size);
/* The hex SHA-256 of token into hex (TOKEN_HASH_LEN + 1 bytes). */
void token_hash(const char *token, size_t len, char *hex);

/* Stores name with the hash of token. -EEXIST when the name is taken,
 * -EIO on a database error. */
int token_add(struct store *st, const char *name, const char *token,
	      unsigned rights, int64_t now);
/* 0, -ENOENT when there is no such name, or -EIO. */
int token_remove(struct store *st, const char *name);

/*
 * The token's name (into name, size bytes) and rights. 1 found, 0 not a
 * token we know, -EIO. Compares hashes, so the time it takes tells nothing
 * about how much of a token was right.
 */
int token_lookup(struct store *st, const char *token, size_t len,
		 char *name, size_t size, unsigned *rights);

/* api_token.used_at := now for the token called name; 0 or -EIO. */
int token_note_use(struct store *st, const char *name, int64_t now);

#endif
