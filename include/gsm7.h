/*
 * gsm7 — the GSM 7-bit default alphabet, its extension table and the
 * national language shift tables (3GPP TS 23.038 §6.2.1 and annex A), and
 * septet packing (TS 23.038 §6.1.2.1.1, TS 23.040 §9.2.3.24 for the fill
 * bits after a user data header).
 *
 * Pure. A character set is a pair of national language identifiers
 * (TS 23.038 §6.2.1.2.4): the locking shift table that replaces the default
 * alphabet and the single shift table reached through ESC. 0 means the
 * default alphabet and the default extension table. Identifiers this module
 * has no table for (Bengali, Urdu...) act as 0, which is what §6.2.1.2.3
 * asks of a receiver that lacks a table.
 */
#ifndef SMSGW_GSM7_H
#define SMSGW_GSM7_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GSM7_ESC 0x1b

enum gsm7_lang {
	GSM7_LANG_DEFAULT = 0,
	GSM7_LANG_TURKISH = 1,
	GSM7_LANG_SPANISH = 2,
	GSM7_LANG_PORTUGUESE = 3,
};

/* Whether lang has a locking shift table here (Turkish, Portuguese). */
bool gsm7_has_locking(int lang);
/* Whether lang has a single shift table here (Turkish, Spanish, Portuguese). */
bool gsm7_has_single(int lang);

/*
 * Encodes cp with the given tables into out: returns 1 (one septet), 2 (ESC
 * and a code of the single shift table) or 0 when the pair has no such
 * character.
 */
int gsm7_encode_char(uint32_t cp, int locking, int single, uint8_t out[2]);

/*
 * The character for septet c of the locking table, or for ESC c when
 * escaped. ESC ESC reads as a space and an ESC code missing from the shift
 * table as the locking table's character, as TS 23.038 §6.2.1.1 asks.
 */
uint32_t gsm7_decode_char(uint8_t c, bool escaped, int locking, int single);

/*
 * Converts n septets (one per byte, values 0-127) to UTF-8 in out (size
 * bytes, always NUL-terminated). A trailing lone ESC is dropped. Returns
 * false when out is too small.
 */
bool gsm7_to_utf8(const uint8_t *septets, size_t n, int locking, int single,
		  char *out, size_t size);

/*
 * Packs n septets into out, the first one at septet position start (so a
 * user data header of h octets is followed by start = (h * 8 + 6) / 7, the
 * fill bits being zero). out must hold gsm7_packed_len(start + n) octets;
 * the octets from the start position on are overwritten, bits before it are
 * kept.
 */
void gsm7_pack(const uint8_t *septets, size_t n, size_t start, uint8_t *out);

/* Octets that hold n septets: ceil(n * 7 / 8). */
size_t gsm7_packed_len(size_t n);

/*
 * Unpacks n septets from in (inlen octets) starting at septet position
 * start. Returns false, touching nothing, when in is too short.
 */
bool gsm7_unpack(const uint8_t *in, size_t inlen, size_t start, size_t n,
		 uint8_t *septets);

#endif
