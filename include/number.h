/*
 * number — recipient numbers as users write them, normalised to what the
 * gateway stores and sends (doc/contract.md §4). Pure.
 *
 *   "+44 20 7946-0958"   E.164: "+" and digits → "+442079460958"
 *   "491721234567"       bare digits are international, as in smstools3
 *                        → "+491721234567"
 *   "0172 1234567"       starts with the trunk prefix: national, takes the
 *                        default country code → "+491721234567"
 *   "0049 172 1234567"   "00" is the international call prefix (ITU-T
 *                        E.164 annex; most countries) → "+491721234567"
 *   "+49 (0)172 123456"  the "(0)" that marks the trunk prefix is dropped
 *   "s12345"             smstools3 short code: digits, no "+" → "12345"
 *
 * Spaces, '-', '.', '/', '(' and ')' are formatting and are removed.
 * Anything else is refused with a reason: letters, ';', '"', control bytes
 * (CR, LF, NUL…), non-ASCII bytes, a second '+', too few or too many digits
 * (E.164 allows at most 15, ITU-T E.164 §6.1).
 */
#ifndef SMSGW_NUMBER_H
#define SMSGW_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most digits of an international number (ITU-T E.164 §6.1). */
#define NUMBER_E164_DIGITS_MAX 15
/* Fewest digits we take as an international number: the shortest
 * numbering plans (e.g. +290, +683) give seven. */
#define NUMBER_E164_DIGITS_MIN 7
/* Short codes: 2 to 15 digits. */
#define NUMBER_SHORT_DIGITS_MIN 2
/* Room for a normalised number: "+", 15 digits, NUL. */
#define NUMBER_MAX 17

enum number_kind {
	NUMBER_KIND_E164,	/* "+" and 7–15 digits */
	NUMBER_KIND_SHORT,	/* a short code: digits without "+" */
};

struct number_rules {
	/* Calling code digits ("49"), or NULL / "": national numbers are
	 * refused. */
	const char *default_country;
	/* The national trunk prefix ("0"), or NULL / "": no number is
	 * national. */
	const char *trunk_prefix;
};

/*
 * Normalises the len bytes at s (surrounding spaces allowed). Returns true
 * with the number in out and its kind in *kind, or false with a reason in
 * err ("letter 'x' is not allowed in a number"); the reason never repeats
 * the input, so the caller quotes it as it sees fit.
 */
bool number_normalise(const char *s, size_t len, const struct number_rules *r,
		      char out[NUMBER_MAX], enum number_kind *kind, char *err,
		      size_t errsize);

/*
 * The form a spool file carries: out itself for E.164, "s" and the digits
 * for a short code, so that the daemon reads it back the same way whatever
 * its rules. buf needs NUMBER_MAX + 1 bytes.
 */
void number_spool_form(const char *number, enum number_kind kind, char *buf,
		       size_t size);

/*
 * A set of normalised numbers, for removing duplicate recipients: eight
 * bytes a number at most twice over, so 100,000 numbers take about 2 MB.
 * Initialise with { 0 }.
 */
struct number_set {
	uint64_t *slots;
	size_t cap;	/* a power of two, or 0 */
	size_t count;
};

/* Adds a number normalise gave. Returns 1 when it was new, 0 when it was
 * already there, -1 when memory runs out. */
int number_set_add(struct number_set *set, const char *number,
		   enum number_kind kind);
/* Empties the set, keeping its memory. */
void number_set_clear(struct number_set *set);
void number_set_free(struct number_set *set);

#endif
