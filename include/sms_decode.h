/*
 * sms_decode — the PDUs a modem prints, decoded (gateway/codec/sms_decode.c;
 * TS 23.040 §9.2.2). Pure; every input is hostile. Included by sms.h,
 * whose struct sms_pdu it fills.
 */
#ifndef SMSGW_SMS_DECODE_H
#define SMSGW_SMS_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sms.h"

/*
 * Decodes a PDU as a modem prints it in +CMGR/+CMGL/+CMT/+CDS: hex with the
 * SMSC address first. TP-MTI 0 is SMS-DELIVER, 1 SMS-SUBMIT (a stored sent
 * message), 2 SMS-STATUS-REPORT. Returns true, or false with a readable
 * reason in err (which names the field and offset).
 */
bool sms_pdu_decode(const char *hex, size_t hexlen, struct sms_pdu *out,
		    char *err, size_t errsize);
/* The same from binary octets (SMSC address first). */
bool sms_pdu_decode_bin(const uint8_t *pdu, size_t len, struct sms_pdu *out,
			char *err, size_t errsize);

#endif
