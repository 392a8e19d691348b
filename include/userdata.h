/*
 * userdata — TP-UDL and TP-UD (3GPP TS 23.040 §9.2.3.16, §9.2.3.24): the
 * length in septets or octets as the DCS says, the optional header, the
 * fill bits, and the text in GSM 7-bit (with the shift tables the header
 * names), UCS-2/UTF-16 or 8-bit data.
 *
 * Pure.
 */
#ifndef SMSGW_USERDATA_H
#define SMSGW_USERDATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdu.h"
#include "sms.h"

/*
 * Reads TP-UDL and TP-UD at r into ud, whose DCS fields pdu_dcs_parse()
 * has filled; udhi is TP-UDHI. Every length is checked against the PDU and
 * against the limits of §9.2.3.16 before use.
 */
bool userdata_read(struct pdu_reader *r, bool udhi, struct sms_user_data *ud);

/*
 * Writes TP-UDL and TP-UD for items[0..n) (code points, or octets for
 * 8-bit) in encoding e with the header udh (udh_len octets, UDHL included,
 * 0 for none) and the GSM 7-bit tables locking/single. The caller has
 * checked the part fits (segment.h). out holds 1 + SMS_UD_MAX octets.
 * Returns the octets written.
 */
size_t userdata_write(const uint32_t *items, size_t n, enum sms_encoding e,
		      int locking, int single, const uint8_t *udh,
		      size_t udh_len, uint8_t *out);

#endif
