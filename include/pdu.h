/*
 * pdu — the fields that SMS TPDUs share (3GPP TS 23.040 §9.1.2, §9.2.3):
 * hex, addresses, time stamps, the validity period and the data coding
 * scheme, plus a bounds-checked reader for hostile input.
 *
 * Pure. Every read goes through struct pdu_reader, which checks the length
 * before it touches a byte and writes a reason naming the field and the
 * octet offset on failure.
 */
#ifndef SMSGW_PDU_H
#define SMSGW_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sms.h"

/* Longest binary PDU accepted: 12 octets of SMSC and a 164-octet TPDU,
 * rounded up; anything longer is not a PDU a modem can print. */
#define PDU_BIN_MAX 200

/* Type-of-address octets this encoder writes (TS 23.040 §9.1.2.5). */
#define PDU_TOA_INTERNATIONAL 0x91	/* TON 1, NPI 1 (E.164) */
#define PDU_TOA_UNKNOWN 0x81		/* TON 0, NPI 1: digits as dialled */
#define PDU_TOA_ALPHANUMERIC 0xd0	/* TON 5, NPI 0 */

struct pdu_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	char *err;
	size_t errsize;
};

void pdu_reader_init(struct pdu_reader *r, const uint8_t *buf, size_t len,
		     char *err, size_t errsize);
/* Writes "<field>: <message> (octet <pos>)" to r->err; returns false. */
bool pdu_fail(struct pdu_reader *r, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
bool pdu_read_u8(struct pdu_reader *r, const char *field, uint8_t *v);
/* Points *p at the next n octets and skips them. */
bool pdu_read(struct pdu_reader *r, const char *field, size_t n,
	      const uint8_t **p);
size_t pdu_remaining(const struct pdu_reader *r);

/*
 * Hex to binary. Leading and trailing white space (a modem's \r\n) is
 * skipped; anything else that is not a hex digit, an odd digit count or
 * more than outsize octets is an error.
 */
bool pdu_hex_decode(const char *hex, size_t len, uint8_t *out, size_t outsize,
		    size_t *outlen, char *err, size_t errsize);
/* Upper-case hex of n octets to out (2n + 1 bytes), NUL-terminated. */
void pdu_hex_encode(const uint8_t *in, size_t n, char *out);

/*
 * Reads an address field: the SMSC form of TS 24.011 §8.2.5.1 (length in
 * octets, 0 for none) when smsc is true, else TP-OA/TP-DA/TP-RA (length in
 * semi-octets, §9.1.2.5).
 */
bool pdu_addr_read(struct pdu_reader *r, const char *field, bool smsc,
		   struct sms_addr *a);

/*
 * Parses a user's address: "+" and 7-15 digits is international, 1-20
 * digits national (written with TON "unknown", which SMSCs read with their
 * own dialling plan, national trunk prefix included); with allow_alnum,
 * up to 11 characters of the GSM default alphabet are alphanumeric.
 * Anything else is an error.
 */
bool pdu_addr_parse(const char *text, bool allow_alnum, struct sms_addr *a,
		    char *err, size_t errsize);

/* Writes a as an address field; returns the octets written (at most 12). */
size_t pdu_addr_write(const struct sms_addr *a, bool smsc, uint8_t *out);

/* TP-SCTS / TP-DT / absolute TP-VP: 7 octets (§9.2.3.11). */
bool pdu_time_read(struct pdu_reader *r, const char *field,
		   struct sms_time *t);
void pdu_time_write(const struct sms_time *t, uint8_t out[7]);

/* Relative TP-VP (§9.2.3.12.1) in minutes: 5 minutes to 63 weeks. */
int pdu_vp_to_minutes(uint8_t vp);
/* The shortest relative TP-VP of at least minutes; false outside
 * 1 minute..63 weeks. */
bool pdu_vp_from_minutes(int minutes, uint8_t *vp);
#define PDU_VP_MAX_MINUTES (63 * 7 * 24 * 60)

/* Fills ud->dcs, encoding, msg_class and the DCS flags (TS 23.038 §4). */
void pdu_dcs_parse(uint8_t dcs, struct sms_user_data *ud);
/* General data coding group (§4 "00xx"): the alphabet, class 0 if flash. */
uint8_t pdu_dcs_make(enum sms_encoding e, bool flash);

#endif
