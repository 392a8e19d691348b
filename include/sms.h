/*
 * sms — the SMS codec's public face: text → SMS-SUBMIT PDUs, and the PDUs a
 * modem prints → decoded messages (3GPP TS 23.040 §9.2, TS 23.038).
 *
 * Pure: no I/O, no globals that change, no logging, no allocation except
 * where a function says so. Every decoder takes hostile input: lengths are
 * checked before every read and errors come back as a reason string.
 *
 * The daemon, the CLI (`smsgw pdu`) and the modem simulator all go through
 * this header; alphabet tables, septet packing and segmentation live in the
 * modules behind it (utf8.h, gsm7.h, ucs2.h, smart.h, segment.h, pdu.h,
 * udh.h, userdata.h).
 */
#ifndef SMSGW_SMS_H
#define SMSGW_SMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sms_encoding {
	SMS_ENCODING_GSM7,
	SMS_ENCODING_8BIT,
	SMS_ENCODING_UCS2,
};

/* "gsm7", "8bit", "ucs2" */
const char *sms_encoding_name(enum sms_encoding e);

/*
 * National language shift tables (TS 23.038 §6.2.1.2.4, §6.2.1.1); the
 * values are the national language identifiers of the IEs 0x24/0x25.
 */
enum sms_language {
	SMS_LANGUAGE_AUTO = -1,	/* encoding only: whichever fits best */
	SMS_LANGUAGE_NONE = 0,
	SMS_LANGUAGE_TURKISH = 1,
	SMS_LANGUAGE_SPANISH = 2,
	SMS_LANGUAGE_PORTUGUESE = 3,
};

/* "auto", "none", "turkish", "spanish", "portuguese", or "other". */
const char *sms_language_name(enum sms_language l);

enum sms_addr_type {
	SMS_ADDR_INTERNATIONAL,	/* TON 1: text is "+" and digits */
	SMS_ADDR_NATIONAL,	/* TON 2, or TON 0 "unknown": digits */
	SMS_ADDR_ALPHANUMERIC,	/* TON 5: GSM 7-bit text, shown as UTF-8 */
	SMS_ADDR_OTHER,		/* any other TON: digits and * # a b c */
};

/* "international", "national", "alphanumeric", "other" */
const char *sms_addr_type_name(enum sms_addr_type t);

#define SMS_ADDR_MAX 48
struct sms_addr {
	enum sms_addr_type type;
	uint8_t toa;			/* the raw type-of-address octet */
	char text[SMS_ADDR_MAX];	/* NUL-terminated; "" when absent */
};

/* A service-centre time stamp: local time at the SMSC plus its offset. */
struct sms_time {
	int year;	/* four digits: 2000–2099 */
	int month, day, hour, minute, second;
	int tz_minutes;	/* offset from UTC, multiple of 15, may be negative */
};

/* "YYYY-MM-DDTHH:MM:SS±HH:MM"; buf needs 26 bytes. */
void sms_time_format(const struct sms_time *t, char *buf, size_t size);
/* Seconds since the epoch (UTC) of t. */
int64_t sms_time_to_unix(const struct sms_time *t);

/* Concatenation (TS 23.040 §9.2.3.24.1, .8): total == 0 means none. */
struct sms_concat {
	uint16_t ref;
	uint8_t total;
	uint8_t seq;
	bool ref16;	/* IEI 0x08 rather than 0x00 */
};

#define SMS_UD_MAX 140
/* Most septets in one part's user data (TS 23.040 §9.2.3.16). */
#define SMS_UD_SEPTETS_MAX 160
/* Longest decoded text of one part: 160 septets of up to 3 UTF-8 bytes. */
#define SMS_TEXT_MAX 512
/* Longest PDU as hex, SMSC prefix included, plus the NUL. */
#define SMS_PDU_HEX_MAX 400

/* Fields of the user data that every PDU type shares. */
struct sms_user_data {
	uint8_t dcs;
	enum sms_encoding encoding;
	int msg_class;		/* 0–3, or -1 when the DCS gives none */
	bool compressed;	/* TS 23.042 compression: text is hex */
	bool auto_delete;	/* DCS group 01xx */
	int mwi;		/* message waiting group (DCS 0xC0–0xEF):
				   indication type 0–3 (voicemail, fax,
				   e-mail, other), -1 when not */
	bool mwi_active;	/* the indication is set, not cleared */
	bool mwi_discard;	/* DCS group 1100: the text may be dropped */
	uint8_t lang_locking;	/* IE 0x25 language, 0 when absent */
	uint8_t lang_single;	/* IE 0x24 language, 0 when absent */
	struct sms_concat concat;
	uint8_t udh[SMS_UD_MAX];	/* the whole UDH without its UDHL */
	size_t udh_len;		/* 0: no UDH */
	uint8_t data[SMS_UD_SEPTETS_MAX]; /* user data after the UDH, unpacked
					   octets for 8-bit and UCS-2, one
					   septet per byte for GSM 7-bit */
	size_t data_len;
	/* UTF-8 text (GSM 7-bit and UCS-2), or lowercase hex of the data
	 * (8-bit, compressed). */
	char text[SMS_TEXT_MAX * 2 + 1];
};

struct sms_deliver {
	struct sms_addr sender;
	uint8_t pid;
	struct sms_time scts;
	bool more_messages;	/* inverse of TP-MMS */
	bool reply_path;
	bool status_report_indication;
	struct sms_user_data ud;
};

struct sms_submit {
	uint8_t mr;
	struct sms_addr dest;
	uint8_t pid;
	bool status_report_request;
	bool reject_duplicates;
	uint8_t vpf;		/* TP-VPF: 0 none, 1 enhanced, 2 relative,
				   3 absolute */
	int validity_minutes;	/* relative TP-VP in minutes, -1 when absent */
	struct sms_time validity_abs;	/* when vpf is 3 */
	struct sms_user_data ud;
};

struct sms_status_report {
	uint8_t mr;
	struct sms_addr recipient;
	struct sms_time scts;
	struct sms_time discharge;
	uint8_t status;		/* TP-ST, TS 23.040 §9.2.3.15 */
	bool status_report_qualifier; /* TP-SRQ */
	bool more_messages;	/* inverse of TP-MMS */
	/* The optional tail (§9.2.3.27): TP-PI, 0 when absent, and what its
	 * bits announce; ud.dcs is 0 and ud.text "" when they are absent. */
	uint8_t pi;
	uint8_t pid;
	struct sms_user_data ud;
};

enum sms_pdu_type {
	SMS_PDU_DELIVER,
	SMS_PDU_SUBMIT,
	SMS_PDU_STATUS_REPORT,
};

struct sms_pdu {
	enum sms_pdu_type type;
	struct sms_addr smsc;	/* text "" when the SMSC length octet is 0 */
	union {
		struct sms_deliver deliver;
		struct sms_submit submit;
		struct sms_status_report report;
	};
};

/* Classification of a status report's TP-ST. */
enum sms_status_class {
	SMS_STATUS_DELIVERED,	/* 0x00–0x1F: completed */
	SMS_STATUS_PENDING,	/* 0x20–0x3F: SC still trying */
	SMS_STATUS_FAILED,	/* 0x40–0x7F: permanent or gave up; the
				   reserved 0x80–0xFF too */
};
enum sms_status_class sms_status_classify(uint8_t status);

/* ---- encoding outgoing messages ---- */

struct sms_encode_opts {
	bool force_ucs2;	/* UCS-2 even when GSM 7-bit would do */
	bool smart;		/* map look-alikes (’ “ — … NBSP) to GSM */
	enum sms_language language; /* allow this shift table pair (AUTO:
				       any); NONE, the default, never uses
				       national tables */
	bool concat16;		/* 16-bit reference IE 0x08 */
	uint16_t concat_ref;	/* reference shared by every part; the low
				   8 bits unless concat16. Keep it (and
				   the SIM) for every part and resend */
	bool status_report;	/* TP-SRR */
	bool flash;		/* class 0 */
	int validity_minutes;	/* relative TP-VP; -1 for none */
	uint8_t mr;		/* TP-MR; modems replace it with their own */
	bool data8;		/* the input is raw octets sent as 8-bit
				   data (DCS 0x04), not UTF-8 text */
	/* smstools3's PDU headers (submit only). */
	const char *smsc;	/* "+…" SCA instead of "00" (the SIM's);
				   NULL or "": the SIM's */
	int msg_class;		/* TP-DCS message class 0–3 (TS 23.038 §4),
				   -1: none (flash still means 0) */
	bool reject_duplicates;	/* TP-RD (TS 23.040 §9.2.3.25) */
	bool reply_path;	/* TP-RP (§9.2.3.17) */
	bool no_concat;		/* parts without the concatenation IE: the
				   phone shows them as separate messages */
	uint8_t pid;		/* TP-PID (§9.2.3.9), 0: plain */
};

/* Defaults: no options, validity_minutes -1. */
void sms_encode_opts_init(struct sms_encode_opts *o);

/*
 * Parses a validity as users write it: "30m", "12h", "1d", "1w" or plain
 * minutes, 1 minute to 63 weeks (the longest relative TP-VP). The SMSC
 * rounds up to its own steps (5 minutes, 30 minutes, days, weeks).
 */
bool sms_validity_parse(const char *s, int *minutes);

#include "sms_decode.h"
#include "sms_encode.h"

#endif
