/*
 * at_parse_sms — pure parsers for the TS 27.005 answers and URCs of PDU
 * mode (+CMGF=0): storage, listings, reads, new-message and status-report
 * indications, the message reference of a send, +CMS ERROR and the SMSC
 * address. Lines are as the chat gives them, prefix included; a PDU is
 * only checked for shape (hex, length agreeing with the header), not
 * decoded: that is the codec's job (sms.h). No I/O, no allocation, no
 * globals.
 */
#ifndef SMSGW_AT_PARSE_SMS_H
#define SMSGW_AT_PARSE_SMS_H

#include <stdbool.h>
#include <stddef.h>

/* Longest TPDU in octets (TS 23.040 §9.2.2: an SMS-SUBMIT with a 12-octet
 * address and 140 octets of user data is 164) plus room for the longest
 * RP address the SMSC prefix can hold (TS 24.011 §8.2.5.1: 12 octets). */
#define AT_PARSE_SMS_TPDU_MAX 164
#define AT_PARSE_SMS_SMSC_MAX 12

/* +CPMS (TS 27.005 §3.2.2): the read answer names the memories,
 *   +CPMS: <mem1>,<used1>,<total1>,<mem2>,<used2>,<total2>[,<mem3>,...]
 * the set answer does not:
 *   +CPMS: <used1>,<total1>,<used2>,<total2>[,<used3>,<total3>] */
struct at_cpms {
	int n;			/* memories reported: 2 or 3 */
	char mem[3][8];		/* "" in the set answer */
	int used[3];
	int total[3];
};

bool at_parse_sms_cpms(const char *line, struct at_cpms *out);

/* <stat> in PDU mode (TS 27.005 §3.1). */
enum at_sms_stat {
	AT_SMS_STAT_REC_UNREAD = 0,
	AT_SMS_STAT_REC_READ = 1,
	AT_SMS_STAT_STO_UNSENT = 2,
	AT_SMS_STAT_STO_SENT = 3,
};

#define AT_PARSE_SMS_HEX_MAX (2 * (1 + AT_PARSE_SMS_SMSC_MAX + \
				    AT_PARSE_SMS_TPDU_MAX))

/* A PDU from +CMGL, +CMGR, +CMT or +CDS. pdu points to hex, this
 * struct's own copy: upper case, cut to the header's <length> (modems
 * print lower case, FF padding or a trailing ",0"); do not copy the
 * struct. */
struct at_sms_pdu {
	int index;		/* +CMGL only, else -1 */
	int stat;		/* +CMGL/+CMGR, else -1 (+CMGR: none given) */
	int length;		/* TPDU octets from the header */
	const char *pdu;	/* hex: SMSC address, then the TPDU */
	size_t pdu_len;		/* hex digits */
	char hex[AT_PARSE_SMS_HEX_MAX + 1];
};

/*
 * Whether hex is a PDU line that agrees with a header's <length>: hex
 * digits only, even, its first octet the SMSC length (at most
 * AT_PARSE_SMS_SMSC_MAX), and exactly 1 + smsc + length octets in all
 * (TS 27.005 §3.1 <length>, §3.4.1 <pdu>).
 */
bool at_parse_sms_pdu_ok(const char *hex, int length);

enum at_parse_sms_result {
	AT_PARSE_SMS_END,	/* no entry left */
	AT_PARSE_SMS_ENTRY,	/* *out holds an entry */
	AT_PARSE_SMS_BAD,	/* a malformed entry was skipped; *out->index
				 * holds its index if the header had one */
};

/*
 * Walks an AT+CMGL=4 answer (TS 27.005 §3.4.2): lines[*pos..n), header
 * "+CMGL: <index>,<stat>,[<alpha>],<length>" followed by its PDU line.
 * Advances *pos past what it read. Call until AT_PARSE_SMS_END.
 */
enum at_parse_sms_result at_parse_sms_cmgl(const char *const *lines,
					   size_t n, size_t *pos,
					   struct at_sms_pdu *out);

/* An AT+CMGR answer (§3.4.3): "+CMGR: <stat>,[<alpha>],<length>" and the
 * PDU line. What real modems print is taken too: an empty <stat>
 * ("+CMGR: ,,<length>", Qualcomm firmware), no <stat> at all
 * ("+CMGR: <length>"), the PDU on the header line after the length, and
 * the PDU line as at_sms_pdu says; <length> decides how much of it is the
 * PDU. False for an empty slot (a bare OK: the Quectel EC25 quirk in
 * captures/quectel-ec25/cdsi-sr.at) or a malformed answer. */
bool at_parse_sms_cmgr(const char *const *lines, size_t n,
		       struct at_sms_pdu *out);

/* URCs with their PDU line (§3.4.1): "+CMT: [<alpha>],<length>" and
 * "+CDS: <length>". */
bool at_parse_sms_cmt(const char *line, const char *pdu,
		      struct at_sms_pdu *out);
bool at_parse_sms_cds(const char *line, const char *pdu,
		      struct at_sms_pdu *out);

/* "+CMTI: <mem>,<index>" and "+CDSI: <mem>,<index>" (§3.4.1). */
struct at_sms_index {
	char mem[8];
	int index;
};

bool at_parse_sms_cmti(const char *line, struct at_sms_index *out);
bool at_parse_sms_cdsi(const char *line, struct at_sms_index *out);

/* "+CMGS: <mr>[,<ackpdu>]" (§3.5.1): the TP-MR, 0..255. */
bool at_parse_sms_cmgs(const char *line, int *mr);

/* "+CMS ERROR: <err>" (§3.2.5), numeric only (+CMEE=1). */
bool at_parse_sms_cms_error(const char *line, int *code);

/* "+CSCA: <sca>,<tosca>" (§3.3.1); a UCS-2 hex number is decoded. */
struct at_csca {
	char number[96];	/* UCS-2 hex is 4 digits a character */
	int type;	/* -1 if absent */
};

bool at_parse_sms_csca(const char *line, struct at_csca *out);

/* "+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)" (§3.4.1 test command): for each
 * parameter the values allowed, as a mask (bit v: v allowed, v < 16). A
 * group may be a bare number; missing groups allow 0 only. */
struct at_cnmi_ranges {
	unsigned mask[5];
	int n;			/* groups the modem printed */
};

bool at_parse_sms_cnmi_ranges(const char *line, struct at_cnmi_ranges *out);

/* "+CPMS: ("SM","ME"),("SM","ME"),("SM")" (§3.2.2 test command): the
 * memories each of <mem1>, <mem2>, <mem3> may be. */
#define AT_CPMS_MEMS 8
struct at_cpms_ranges {
	char mem[3][AT_CPMS_MEMS][4];
	int nmem[3];
	int n;			/* groups the modem printed (1..3) */
};

bool at_parse_sms_cpms_ranges(const char *line, struct at_cpms_ranges *out);

#endif
