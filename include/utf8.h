/*
 * utf8 — strict UTF-8 decoding and encoding of Unicode code points.
 *
 * Pure. "Strict" means what RFC 3629 means: no overlong forms, no UTF-16
 * surrogates (U+D800–U+DFFF), nothing above U+10FFFF.
 */
#ifndef SMSGW_UTF8_H
#define SMSGW_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the character at s[*pos] (s holds len bytes) into *cp and
 * advances *pos. Returns false, leaving *pos at the bad byte, when the bytes
 * there are not valid UTF-8.
 */
bool utf8_next(const char *s, size_t len, size_t *pos, uint32_t *cp);

/* Whether all of s is valid UTF-8; on false, *bad is the offset of the
 * first byte that is not. */
bool utf8_valid(const char *s, size_t len, size_t *bad);

/*
 * Decodes all of s into a malloc'd array of code points that the caller
 * frees; *n receives the count. Returns NULL on invalid UTF-8 (with the
 * offset of the bad byte in *bad) or when memory runs out (*bad == len).
 * Empty input gives a valid pointer and *n == 0.
 */
uint32_t *utf8_decode_all(const char *s, size_t len, size_t *n, size_t *bad);

/*
 * Writes cp (at most U+10FFFF) as 1 to 4 bytes at out, unchecked: a
 * surrogate comes out as its 3-byte form (WTF-8), which only a caller that
 * joins split surrogate pairs wants. Returns the number of bytes.
 */
size_t utf8_encode(uint32_t cp, char out[4]);

/*
 * Appends cp as UTF-8 to buf (size bytes) at *pos, keeping buf
 * NUL-terminated. Returns false, writing nothing, when it does not fit.
 * A cp that is not a Unicode scalar value is written as U+FFFD.
 */
bool utf8_put(char *buf, size_t size, size_t *pos, uint32_t cp);

#endif
