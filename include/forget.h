/*
 * forget — erasing a person (smsgw forget NUMBER, issue 19): the forms a
 * number takes in the database, the trace and PDUs, and the keyed hash that
 * keeps a forgotten number suppressed without keeping the number.
 *
 * The key is 32 random bytes in "<database>.key" (mode 0600, owned by
 * whoever created it: smsgwd creates it at start). The hash is
 * HMAC-SHA256(key, E.164 number) in hex, in the table forgotten. Without
 * the key the hashes cannot be tested against a number list, so a copy of
 * the database alone does not tell whom it forgot; backups carry the key
 * beside the database (smsgw backup writes FILE.key).
 */
#ifndef SMSGW_FORGET_H
#define SMSGW_FORGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define FORGET_KEY_BYTES 32
#define FORGET_HASH_HEX 65	/* 64 hex digits and NUL */
#define FORGET_FORMS_MAX 12
#define FORGET_FORM_MAX 40

/* The ways one number is written: E.164, digits without "+", "00"-prefixed,
 * national with the trunk prefix (when the country is the default one),
 * and the semi-octet hex of each digit string (3GPP TS 23.040 §9.1.2.5,
 * as PDUs carry addresses). Longest first, so replacing one form never
 * leaves a longer one half-replaced. */
struct forget_forms {
	char text[FORGET_FORMS_MAX][FORGET_FORM_MAX];
	size_t ntext;
	char semi[FORGET_FORMS_MAX][FORGET_FORM_MAX];	/* upper-case hex */
	size_t nsemi;
};

/* e164 is "+" and digits; country and trunk from the config ("" unset). */
void forget_forms(const char *e164, const char *country, const char *trunk,
		  struct forget_forms *out);

/* "<database>.key" into buf. */
void forget_key_path(const char *db_path, char *buf, size_t size);

/*
 * Reads the key; with create, makes it first when it does not exist.
 * Refuses a key file that is not a regular file or that others may read.
 * Returns 0, -ENOENT (none and !create) or -errno with a reason in err.
 */
int forget_key_load(const char *db_path, bool create,
		    unsigned char key[FORGET_KEY_BYTES], char *err,
		    size_t errsize);

/* HMAC-SHA256(key, number) as lower-case hex. */
int forget_hash(const unsigned char key[FORGET_KEY_BYTES], const char *number,
		char out[FORGET_HASH_HEX]);

/*
 * 1 when number was forgotten (its hash is in the table), 0 when not, or
 * -EIO. Reads the key next to the store's database the first time it is
 * needed; a table that is empty costs one query and no hashing.
 */
int forget_is_forgotten(struct store *st, const char *number);
/* Removes the number's hash: an opt-in (START) after a forget. */
int forget_unforget(struct store *st, const char *number);

struct forget_counts {
	int messages, inflight, inbound, fragments, raw_pdus, reports,
	    events, texts, optouts;
};

#include "store_forget.h"

#endif
