/*
 * sms_encode — text to SMS-SUBMIT PDUs for the gateway, and the network's
 * SMS-DELIVER and SMS-STATUS-REPORT for the simulator and tests
 * (gateway/codec/sms_encode.c; TS 23.040 §9.2.2). Pure. Included by
 * sms.h, whose struct sms_encode_opts it takes.
 */
#ifndef SMSGW_SMS_ENCODE_H
#define SMSGW_SMS_ENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sms.h"

struct sms_preview {
	enum sms_encoding encoding;
	int parts;
	int units;		/* septets, UCS-2 code units or octets */
	int chars_left;		/* room left in the last part, in characters
				   of the chosen encoding */
	bool smart_applied;	/* look-alikes were replaced */
	enum sms_language language;	/* shift tables used, or NONE */
	bool locking_shift;	/* IE 0x25 in every part */
	bool single_shift;	/* IE 0x24 in every part */
};

/*
 * Encoding and part count for utf8 with options o; false with a reason in
 * err on invalid UTF-8, a NUL character or more than 255 parts.
 */
bool sms_preview(const char *utf8, size_t len, const struct sms_encode_opts *o,
		 struct sms_preview *out, char *err, size_t errsize);

struct sms_encoded_part {
	char pdu[SMS_PDU_HEX_MAX];	/* hex, starting with SMSC "00" */
	int tpdu_length;		/* octets after the SMSC, for AT+CMGS */
};

struct sms_encoded {
	struct sms_preview info;
	int nparts;
	struct sms_encoded_part *parts;	/* malloc'd; sms_encoded_free() */
};

/*
 * Encodes utf8 to dest as one SMS-SUBMIT per part, in sequence order. dest
 * is "+" and 7-15 digits (international, TOA 0x91) or 1-20 digits (sent as
 * dialled with TOA 0x81); anything else is an error. Every PDU starts with
 * the SMSC octet "00" (the SIM's SMSC) and its tpdu_length is what
 * AT+CMGS= takes (TS 27.005 §3.5.1). Returns true, or false with a reason
 * in err (invalid UTF-8, NUL, bad number or validity, over 255 parts). On
 * success the caller frees out with sms_encoded_free(); on failure out
 * holds nothing to free.
 */
bool sms_encode_submit(const char *dest, const char *utf8, size_t len,
		       const struct sms_encode_opts *o, struct sms_encoded *out,
		       char *err, size_t errsize);
void sms_encoded_free(struct sms_encoded *e);

/*
 * For the modem simulator and tests: the network's side. Encodes an
 * SMS-DELIVER of utf8 from sender (international "+…", national digits, or
 * up to 11 GSM 7-bit characters, sent alphanumeric) split like a submit,
 * with scts as the time stamp and smsc as the SMSC address ("" for none).
 * Of o, status_report sets TP-SRI; validity and mr do not apply. Frees
 * like sms_encode_submit().
 *
 * sms_encode_status_report() encodes one SMS-STATUS-REPORT (TP-SRQ 0: the
 * report of a SUBMIT) for message reference mr to recipient, with TP-ST
 * status (TS 23.040 §9.2.3.15); no TP-PI.
 */
bool sms_encode_deliver(const char *smsc, const char *sender,
			const char *utf8, size_t len,
			const struct sms_encode_opts *o,
			const struct sms_time *scts, struct sms_encoded *out,
			char *err, size_t errsize);
bool sms_encode_status_report(const char *smsc, uint8_t mr,
			      const char *recipient,
			      const struct sms_time *scts,
			      const struct sms_time *discharge, uint8_t status,
			      struct sms_encoded_part *out, char *err,
			      size_t errsize);

#endif
