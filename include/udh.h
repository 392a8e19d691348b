/*
 * udh — the user data header (3GPP TS 23.040 §9.2.3.24): parsing the IEs
 * smsgw acts on (concatenation 0x00/0x08, national language shifts
 * 0x24/0x25) among any others, and building the header of an outgoing part.
 *
 * Pure.
 */
#ifndef SMSGW_UDH_H
#define SMSGW_UDH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdu.h"
#include "sms.h"

#define UDH_IEI_CONCAT8 0x00	/* §9.2.3.24.1 */
#define UDH_IEI_CONCAT16 0x08	/* §9.2.3.24.8 */
#define UDH_IEI_SINGLE_SHIFT 0x24	/* §9.2.3.24.15 */
#define UDH_IEI_LOCKING_SHIFT 0x25	/* §9.2.3.24.16 */

struct udh_info {
	struct sms_concat concat;	/* total 0: none */
	uint8_t lang_locking;		/* 0: none */
	uint8_t lang_single;
};

/*
 * Parses the IEs of a header (without its UDHL octet) that the reader r
 * has just consumed, so errors carry r's offset. An IE that runs past the
 * header, or a known IE with the wrong length, is an error; a
 * concatenation IE whose numbers are zero or out of order is ignored as
 * §9.2.3.24.1 asks; unknown IEs are skipped; the last of repeated IEs wins.
 */
bool udh_parse(struct pdu_reader *r, const uint8_t *udh, size_t len,
	       struct udh_info *info);

/*
 * Octets of the header, UDHL included, for a part with these IEs (0 when
 * there are none): concat is NULL for a single part.
 */
size_t udh_len(const struct sms_concat *concat, int locking, int single);

/* Writes that header to out (udh_len() octets); returns its length. */
size_t udh_build(uint8_t *out, const struct sms_concat *concat, int locking,
		 int single);

#endif
