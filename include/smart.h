/*
 * smart — "smart encoding": Unicode look-alikes that cost a message its GSM
 * 7-bit alphabet (curly quotes, long dashes, the ellipsis, odd spaces,
 * fullwidth forms...) mapped to the GSM characters they stand for, so that
 * text pasted from a word processor stays at 160 characters a part instead
 * of 70.
 *
 * Pure. The caller decides whether to use the result: the encoder only
 * does when the mapped text then fits GSM 7-bit.
 */
#ifndef SMSGW_SMART_H
#define SMSGW_SMART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Most code points one character maps to ("…" is "..."). */
#define SMART_MAX_EXPANSION 3

/*
 * Writes the replacement of cp to out and returns its length (0: the
 * character is dropped, such as a zero-width space), or -1 when cp has no
 * replacement.
 */
int smart_map_char(uint32_t cp, uint32_t out[SMART_MAX_EXPANSION]);

/*
 * Maps in[0..n) to out, which holds n * SMART_MAX_EXPANSION code points;
 * *outn receives the length. Returns whether anything changed.
 */
bool smart_map(const uint32_t *in, size_t n, uint32_t *out, size_t *outn);

#endif
