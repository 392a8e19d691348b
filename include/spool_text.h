/*
 * spool_text — the character sets a spool file body may be written in
 * (smstools3's Alphabet: header), turned into the UTF-8 the gateway works
 * in, and the checks every text from a spool file goes through. Pure.
 */
#ifndef SMSGW_SPOOL_TEXT_H
#define SMSGW_SPOOL_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Converts ISO-8859-15 to UTF-8. Bytes 0x80–0x9F, control codes in
 * ISO-8859-15 that no smstools3 user means, are read as Windows-1252 (€ ‚ „
 * … ‘ ’ “ ” – — ™…), since that is what Windows editors write into files
 * they call "ANSI". Returns a malloc'd NUL-terminated string and its length
 * in *outlen, or NULL with *bad at a byte Windows-1252 leaves undefined
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D), or *bad == len when memory runs out.
 */
char *spool_text_from_latin9(const char *s, size_t len, size_t *outlen,
			     size_t *bad);

/*
 * Converts a UCS-2 big-endian body (smstools3's Alphabet: UCS2; UTF-16
 * surrogate pairs are taken as the pair's character) to UTF-8. A leading
 * byte order mark U+FEFF is dropped. Returns a malloc'd NUL-terminated
 * string, or NULL with a reason in err (odd length, a lone surrogate, U+0000
 * and its offset).
 */
char *spool_text_from_ucs2be(const unsigned char *s, size_t len,
			     size_t *outlen, char *err, size_t errsize);

/*
 * Whether the UTF-8 text s holds only characters a message may: no NUL, no
 * C0 control other than tab, LF and CR, no DEL, no C1 control. On false,
 * *bad is the offset of the first one and *cp the code point.
 */
bool spool_text_controls_ok(const char *s, size_t len, size_t *bad,
			    unsigned *cp);

/*
 * Writes s for an error message into out: printable ASCII and valid UTF-8
 * as they are, anything else as \xHH, cut at about 40 characters with
 * "...". Never longer than size - 1.
 */
void spool_text_quote(const char *s, size_t len, char *out, size_t size);

/* spool_text_quote() of the string s into buf, returned: for printf. */
const char *spool_text_q(const char *s, char buf[64]);
#define SPOOL_TEXT_Q(s) spool_text_q((s), (char[64]){ 0 })

/* Counts the '\n' in the first n bytes of s: the line of an offset. */
unsigned spool_text_lines(const char *s, size_t n);

#endif
