/*
 * segment — alphabet choice and splitting a message into parts.
 *
 * Capacities follow TS 23.040 §9.2.3.16 and §9.2.3.24: 140 octets of user
 * data per part, of which the user data header takes its share; GSM 7-bit
 * text starts at the next septet boundary after the header (fill bits).
 * That gives 160/153 septets, 70/67 UTF-16 units and 140/134 octets with
 * the 8-bit concatenation IE, one less with the 16-bit one, and less again
 * when national language shift IEs ride in every part.
 *
 * A part never ends inside an escape sequence (ESC + code costs 2 septets
 * and moves as one) nor between the two halves of a surrogate pair: the
 * split works on whole characters.
 *
 * Pure; segment_choose() allocates nothing, the caller passes scratch.
 */
#ifndef SMSGW_SEGMENT_H
#define SMSGW_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sms.h"

#define SEGMENT_MAX_PARTS 255

enum segment_result {
	SEGMENT_OK,
	SEGMENT_UNENCODABLE,	/* a character the alphabet lacks */
	SEGMENT_TOO_LONG,	/* more than SEGMENT_MAX_PARTS parts */
};

struct segment_plan {
	/* Chosen by the caller of segment_split(): */
	enum sms_encoding encoding;
	int locking;		/* GSM 7-bit national tables, 0: default */
	int single;
	bool concat16;		/* 16-bit concatenation reference */
	/* Filled by segment_split(): */
	int nparts;
	int units;		/* septets, UTF-16 units or octets in all */
	int capacity;		/* units per part */
	int last_units;		/* units in the last part */
	/* Part i holds items bounds[i] .. bounds[i + 1] - 1. */
	size_t bounds[SEGMENT_MAX_PARTS + 1];
};

/*
 * Units item costs in an encoding: septets (1, 2 for an escape, 0 when the
 * tables lack it), UTF-16 units, or 1 octet for 8-bit data.
 */
int segment_cost(uint32_t item, enum sms_encoding e, int locking, int single);

/* Units a part holds when its header is udh_len octets (UDHL included). */
int segment_capacity(enum sms_encoding e, size_t udh_len);

/* Splits n items (code points, or octets for 8-bit) as plan p asks. */
enum segment_result segment_split(const uint32_t *items, size_t n,
				  struct segment_plan *p);

struct segment_choice {
	struct segment_plan plan;
	const uint32_t *items;	/* cps, or scratch when smart_applied */
	size_t n;
	bool smart_applied;
};

/*
 * Picks the alphabet for text cps[0..n) and splits it: GSM 7-bit with the
 * default tables when every character fits; else, when language allows
 * (SMS_LANGUAGE_AUTO tries them all), the national shift tables giving the
 * fewest parts (on a tie: no locking shift, then fewest septets); else,
 * with smart, the same after mapping look-alikes (into
 * scratch, which holds n * SMART_MAX_EXPANSION code points); else UCS-2 of
 * the original text. force_ucs2 goes straight to UCS-2.
 */
enum segment_result segment_choose(const uint32_t *cps, size_t n,
				   uint32_t *scratch, bool force_ucs2,
				   bool smart, enum sms_language language,
				   bool concat16, struct segment_choice *out);

#endif
