/*
 * sms_decode — SMS-DELIVER, SMS-SUBMIT and SMS-STATUS-REPORT from the PDU
 * a modem prints (3GPP TS 27.005 §3.1: SMSC address, then the TPDU of
 * TS 23.040 §9.2.2). Every field is read through struct pdu_reader, which
 * checks the length first; nothing here indexes the input directly.
 */
#include "sms_decode.h"

#include <string.h>

#include "pdu.h"
#include "userdata.h"

/* First-octet bits (TS 23.040 §9.2.3). */
#define SMS_FO_MTI 0x03
#define SMS_FO_MMS 0x04		/* DELIVER, STATUS-REPORT: TP-MMS */
#define SMS_FO_RD 0x04		/* SUBMIT: TP-RD */
#define SMS_FO_VPF 0x18		/* SUBMIT: TP-VPF */
#define SMS_FO_SRI 0x20		/* DELIVER: TP-SRI; SUBMIT: TP-SRR;
				   STATUS-REPORT: TP-SRQ */
#define SMS_FO_UDHI 0x40
#define SMS_FO_RP 0x80

/* TP-PI bits (§9.2.3.27). */
#define SMS_PI_PID 0x01
#define SMS_PI_DCS 0x02
#define SMS_PI_UDL 0x04
#define SMS_PI_EXT 0x80

static bool sms_decode_deliver(struct pdu_reader *r, uint8_t fo,
			       struct sms_deliver *d)
{
	uint8_t dcs;

	d->more_messages = !(fo & SMS_FO_MMS);
	d->reply_path = fo & SMS_FO_RP;
	d->status_report_indication = fo & SMS_FO_SRI;
	if (!pdu_addr_read(r, "TP-OA", false, &d->sender) ||
	    !pdu_read_u8(r, "TP-PID", &d->pid) ||
	    !pdu_read_u8(r, "TP-DCS", &dcs) ||
	    !pdu_time_read(r, "TP-SCTS", &d->scts))
		return false;
	pdu_dcs_parse(dcs, &d->ud);
	return userdata_read(r, fo & SMS_FO_UDHI, &d->ud);
}

static bool sms_decode_vp(struct pdu_reader *r, struct sms_submit *s)
{
	const uint8_t *p = NULL;
	uint8_t vp;

	s->validity_minutes = -1;
	switch (s->vpf) {
	case 2:		/* relative, §9.2.3.12.1 */
		if (!pdu_read_u8(r, "TP-VP", &vp))
			return false;
		s->validity_minutes = pdu_vp_to_minutes(vp);
		return true;
	case 3:		/* absolute, §9.2.3.12.2 */
		return pdu_time_read(r, "TP-VP", &s->validity_abs);
	case 1:		/* enhanced, §9.2.3.12.3: 7 octets, not interpreted */
		return pdu_read(r, "TP-VP", 7, &p);
	default:
		return true;
	}
}

static bool sms_decode_submit(struct pdu_reader *r, uint8_t fo,
			      struct sms_submit *s)
{
	uint8_t dcs;

	s->reject_duplicates = fo & SMS_FO_RD;
	s->status_report_request = fo & SMS_FO_SRI;
	s->vpf = (fo & SMS_FO_VPF) >> 3;
	if (!pdu_read_u8(r, "TP-MR", &s->mr) ||
	    !pdu_addr_read(r, "TP-DA", false, &s->dest) ||
	    !pdu_read_u8(r, "TP-PID", &s->pid) ||
	    !pdu_read_u8(r, "TP-DCS", &dcs) || !sms_decode_vp(r, s))
		return false;
	pdu_dcs_parse(dcs, &s->ud);
	return userdata_read(r, fo & SMS_FO_UDHI, &s->ud);
}

/*
 * The optional tail of a status report (§9.2.3.27): TP-PI, then TP-PID,
 * TP-DCS and TP-UDL/TP-UD as its bits say. Further TP-PI octets announced
 * by bit 7 carry nothing defined yet and are skipped.
 */
static bool sms_decode_report_tail(struct pdu_reader *r, uint8_t fo,
				   struct sms_status_report *s)
{
	uint8_t pi, more, dcs = 0;

	pdu_dcs_parse(0, &s->ud);
	if (pdu_remaining(r) == 0)
		return true;
	if (!pdu_read_u8(r, "TP-PI", &pi))
		return false;
	s->pi = pi;
	for (more = pi; more & SMS_PI_EXT;)
		if (!pdu_read_u8(r, "TP-PI", &more))
			return false;
	if ((pi & SMS_PI_PID) && !pdu_read_u8(r, "TP-PID", &s->pid))
		return false;
	if ((pi & SMS_PI_DCS) && !pdu_read_u8(r, "TP-DCS", &dcs))
		return false;
	pdu_dcs_parse(dcs, &s->ud);
	if (pi & SMS_PI_UDL)
		return userdata_read(r, fo & SMS_FO_UDHI, &s->ud);
	return true;
}

static bool sms_decode_report(struct pdu_reader *r, uint8_t fo,
			      struct sms_status_report *s)
{
	s->more_messages = !(fo & SMS_FO_MMS);
	s->status_report_qualifier = fo & SMS_FO_SRI;
	if (!pdu_read_u8(r, "TP-MR", &s->mr) ||
	    !pdu_addr_read(r, "TP-RA", false, &s->recipient) ||
	    !pdu_time_read(r, "TP-SCTS", &s->scts) ||
	    !pdu_time_read(r, "TP-DT", &s->discharge) ||
	    !pdu_read_u8(r, "TP-ST", &s->status))
		return false;
	return sms_decode_report_tail(r, fo, s);
}

bool sms_pdu_decode_bin(const uint8_t *pdu, size_t len, struct sms_pdu *out,
			char *err, size_t errsize)
{
	struct pdu_reader r;
	uint8_t fo;

	memset(out, 0, sizeof(*out));
	if (errsize)
		err[0] = '\0';
	pdu_reader_init(&r, pdu, len, err, errsize);
	if (len > PDU_BIN_MAX)
		return pdu_fail(&r, "PDU", "%zu octets, longer than any PDU",
				len);
	if (!pdu_addr_read(&r, "SMSC address", true, &out->smsc) ||
	    !pdu_read_u8(&r, "TP-MTI", &fo))
		return false;
	switch (fo & SMS_FO_MTI) {
	case 0:
		out->type = SMS_PDU_DELIVER;
		return sms_decode_deliver(&r, fo, &out->deliver);
	case 1:
		out->type = SMS_PDU_SUBMIT;
		return sms_decode_submit(&r, fo, &out->submit);
	case 2:
		out->type = SMS_PDU_STATUS_REPORT;
		return sms_decode_report(&r, fo, &out->report);
	default:
		r.pos--;
		return pdu_fail(&r, "TP-MTI", "reserved message type 3");
	}
}

bool sms_pdu_decode(const char *hex, size_t hexlen, struct sms_pdu *out,
		    char *err, size_t errsize)
{
	uint8_t bin[PDU_BIN_MAX];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!pdu_hex_decode(hex, hexlen, bin, sizeof(bin), &n, err, errsize))
		return false;
	return sms_pdu_decode_bin(bin, n, out, err, errsize);
}
