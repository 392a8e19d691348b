/*
 * ucs2 — the SMS "UCS2" alphabet (TS 23.038 §6.2.3), which every phone
 * since the 2000s reads as UTF-16 big-endian: characters above U+FFFF
 * (emoji) travel as surrogate pairs.
 *
 * Pure.
 */
#ifndef SMSGW_UCS2_H
#define SMSGW_UCS2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* UTF-16 code units for cp: 2 above U+FFFF, else 1. */
int ucs2_units(uint32_t cp);

/* Writes cp as UTF-16BE at out (2 or 4 octets); returns the octets written. */
size_t ucs2_put(uint32_t cp, uint8_t *out);

/*
 * Reads the code unit at in[*i] (the caller checks that two octets are
 * there), joined with the next one when the two are a surrogate pair, and
 * advances *i past them. An unpaired surrogate comes back as it is, for
 * the caller to judge.
 */
uint32_t ucs2_next(const uint8_t *in, size_t n, size_t *i);

/*
 * Converts n octets of UTF-16BE to UTF-8 in out (size bytes, always
 * NUL-terminated). Unpaired surrogates and a dangling odd octet become
 * U+FFFD: they are what a sender's bad split produces, and the rest of the
 * text is still worth reading. U+0000 becomes U+FFFD too, so the string
 * holds the whole text. Returns false when out is too small.
 */
bool ucs2_to_utf8(const uint8_t *in, size_t n, char *out, size_t size);

#endif
