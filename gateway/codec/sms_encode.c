/*
 * sms_encode — SMS-SUBMIT for the gateway (TS 23.040 §9.2.2.2), and the
 * network's SMS-DELIVER and SMS-STATUS-REPORT for the modem simulator and
 * tests (§9.2.2.1, §9.2.2.3). Text is split by segment.h; every part gets
 * the same TPDU head and its own header and user data.
 */
#include "sms_encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdu.h"
#include "segment.h"
#include "smart.h"
#include "udh.h"
#include "userdata.h"
#include "utf8.h"

#define SMS_FO_SUBMIT 0x01
#define SMS_FO_DELIVER 0x00
#define SMS_FO_STATUS_REPORT 0x02
#define SMS_FO_NO_MORE 0x04	/* TP-MMS: no more messages waiting */
#define SMS_FO_VPF_RELATIVE 0x10
#define SMS_FO_SRR 0x20		/* TP-SRR (SUBMIT), TP-SRI (DELIVER) */
#define SMS_FO_UDHI 0x40
#define SMS_FO_RD 0x04		/* TP-RD, SUBMIT (bit 2 like TP-MMS) */
#define SMS_FO_RP 0x80		/* TP-RP */

/* Longest TPDU head: first octet, MR, 12-octet address, PID, DCS, 7-octet
 * SCTS or VP. */
#define SMS_HEAD_MAX 24

/* What the encoders share: the text, split, plus the head of each TPDU. */
struct sms_job {
	struct segment_choice choice;
	uint32_t *cps;
	uint32_t *scratch;
	uint8_t head[SMS_HEAD_MAX];
	size_t head_len;
	size_t dcs_at;		/* offset of TP-DCS in head */
	uint8_t smsc[12];
	size_t smsc_len;
};

static void sms_job_free(struct sms_job *j)
{
	free(j->cps);
	free(j->scratch);
	j->cps = NULL;
	j->scratch = NULL;
}

static bool sms_plan(const char *utf8, size_t len,
		     const struct sms_encode_opts *o, struct sms_job *j,
		     char *err, size_t errsize)
{
	enum segment_result r;
	size_t n, bad;

	memset(j, 0, sizeof(*j));
	if (o->data8) {
		j->cps = malloc((len + 1) * sizeof(*j->cps));
		if (!j->cps) {
			snprintf(err, errsize, "out of memory");
			return false;
		}
		for (size_t i = 0; i < len; i++)
			j->cps[i] = (unsigned char)utf8[i];
		j->choice.items = j->cps;
		j->choice.n = len;
		j->choice.plan = (struct segment_plan){
			.encoding = SMS_ENCODING_8BIT,
			.concat16 = o->concat16 };
		r = segment_split(j->cps, len, &j->choice.plan);
	} else {
		j->cps = utf8_decode_all(utf8, len, &n, &bad);
		if (!j->cps) {
			snprintf(err, errsize, bad < len ?
				 "text is not valid UTF-8 at byte %zu" :
				 "out of memory", bad);
			return false;
		}
		for (size_t i = 0; i < n; i++) {
			if (j->cps[i] == 0) {
				/* Decoders hand text on as C strings. */
				snprintf(err, errsize,
					 "text contains a NUL character");
				sms_job_free(j);
				return false;
			}
		}
		j->scratch = malloc((n * SMART_MAX_EXPANSION + 1) *
				    sizeof(*j->scratch));
		if (!j->scratch) {
			sms_job_free(j);
			snprintf(err, errsize, "out of memory");
			return false;
		}
		r = segment_choose(j->cps, n, j->scratch, o->force_ucs2,
				   o->smart, o->language, o->concat16,
				   &j->choice);
	}
	if (r == SEGMENT_OK)
		return true;
	snprintf(err, errsize, "text needs more than %d parts",
		 SEGMENT_MAX_PARTS);
	sms_job_free(j);
	return false;
}

static void sms_fill_preview(const struct sms_job *j, struct sms_preview *p)
{
	const struct segment_plan *pl = &j->choice.plan;

	memset(p, 0, sizeof(*p));
	p->encoding = pl->encoding;
	p->parts = pl->nparts;
	p->units = pl->units;
	p->chars_left = pl->capacity - pl->last_units;
	p->smart_applied = j->choice.smart_applied;
	p->language = pl->locking ? (enum sms_language)pl->locking :
				    (enum sms_language)pl->single;
	p->locking_shift = pl->locking != 0;
	p->single_shift = pl->single != 0;
}

bool sms_preview(const char *utf8, size_t len, const struct sms_encode_opts *o,
		 struct sms_preview *out, char *err, size_t errsize)
{
	struct sms_job j;

	if (!sms_plan(utf8, len, o, &j, err, errsize))
		return false;
	sms_fill_preview(&j, out);
	sms_job_free(&j);
	return true;
}

/* A part as the modem takes it: the SMSC address, then the TPDU, in hex. */
static void sms_part_hex(const struct sms_job *j, const uint8_t *tpdu,
			 size_t n, struct sms_encoded_part *part)
{
	pdu_hex_encode(j->smsc, j->smsc_len, part->pdu);
	pdu_hex_encode(tpdu, n, part->pdu + 2 * j->smsc_len);
	part->tpdu_length = n;
}

/* Builds every part from the job's head; the first octet is head[0]. */
static bool sms_build_parts(struct sms_job *j, const struct sms_encode_opts *o,
			    struct sms_encoded *out, char *err, size_t errsize)
{
	const struct segment_plan *pl = &j->choice.plan;
	struct sms_concat concat = { .ref = o->concat_ref,
				     .total = pl->nparts,
				     .ref16 = o->concat16 };

	sms_fill_preview(j, &out->info);
	out->parts = calloc(pl->nparts, sizeof(*out->parts));
	if (!out->parts) {
		snprintf(err, errsize, "out of memory");
		return false;
	}
	out->nparts = pl->nparts;
	j->head[j->dcs_at] = pdu_dcs_make(pl->encoding, o->flash);
	if (o->msg_class >= 0 && o->msg_class <= 3 && !o->flash)
		j->head[j->dcs_at] |= 0x10 | (uint8_t)o->msg_class;
	for (int i = 0; i < pl->nparts; i++) {
		uint8_t tpdu[SMS_HEAD_MAX + 1 + SMS_UD_MAX], udh[SMS_UD_MAX];
		size_t hl, n = j->head_len, from = pl->bounds[i];

		concat.seq = i + 1;
		hl = udh_build(udh, pl->nparts > 1 && !o->no_concat ? &concat
								     : NULL,
			       pl->locking, pl->single);
		memcpy(tpdu, j->head, j->head_len);
		if (hl)
			tpdu[0] |= SMS_FO_UDHI;
		n += userdata_write(j->choice.items + from,
				    pl->bounds[i + 1] - from, pl->encoding,
				    pl->locking, pl->single, udh, hl,
				    tpdu + n);
		sms_part_hex(j, tpdu, n, &out->parts[i]);
	}
	return true;
}

static bool sms_smsc(struct sms_job *j, const char *smsc, char *err,
		     size_t errsize)
{
	struct sms_addr a;

	if (!smsc || !smsc[0]) {
		j->smsc[0] = 0;
		j->smsc_len = 1;
		return true;
	}
	if (!pdu_addr_parse(smsc, false, &a, err, errsize))
		return false;
	j->smsc_len = pdu_addr_write(&a, true, j->smsc);
	return true;
}

bool sms_encode_submit(const char *dest, const char *utf8, size_t len,
		       const struct sms_encode_opts *o, struct sms_encoded *out,
		       char *err, size_t errsize)
{
	struct sms_addr da;
	struct sms_job j;
	uint8_t vp = 0;
	size_t n = 0;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!pdu_addr_parse(dest, false, &da, err, errsize))
		return false;
	if (o->validity_minutes >= 0 &&
	    !pdu_vp_from_minutes(o->validity_minutes, &vp)) {
		snprintf(err, errsize, "validity %d minutes is outside 1 "
			 "minute to 63 weeks", o->validity_minutes);
		return false;
	}
	if (!sms_plan(utf8, len, o, &j, err, errsize))
		return false;
	j.smsc_len = 1;		/* "00": the modem's stored SMSC */
	if (o->smsc && o->smsc[0] && !sms_smsc(&j, o->smsc, err, errsize)) {
		sms_job_free(&j);
		return false;
	}
	j.head[n++] = SMS_FO_SUBMIT |
		      (o->validity_minutes >= 0 ? SMS_FO_VPF_RELATIVE : 0) |
		      (o->status_report ? SMS_FO_SRR : 0) |
		      (o->reject_duplicates ? SMS_FO_RD : 0) |
		      (o->reply_path ? SMS_FO_RP : 0);
	j.head[n++] = o->mr;
	n += pdu_addr_write(&da, false, j.head + n);
	j.head[n++] = o->pid;	/* TP-PID: 0, a plain short message */
	j.dcs_at = n++;
	if (o->validity_minutes >= 0)
		j.head[n++] = vp;
	j.head_len = n;
	ok = sms_build_parts(&j, o, out, err, errsize);
	sms_job_free(&j);
	return ok;
}

bool sms_encode_deliver(const char *smsc, const char *sender,
			const char *utf8, size_t len,
			const struct sms_encode_opts *o,
			const struct sms_time *scts, struct sms_encoded *out,
			char *err, size_t errsize)
{
	struct sms_addr oa;
	struct sms_job j;
	size_t n = 0;
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!pdu_addr_parse(sender, true, &oa, err, errsize))
		return false;
	if (!sms_plan(utf8, len, o, &j, err, errsize))
		return false;
	if (!sms_smsc(&j, smsc, err, errsize)) {
		sms_job_free(&j);
		return false;
	}
	j.head[n++] = SMS_FO_DELIVER | SMS_FO_NO_MORE |
		      (o->status_report ? SMS_FO_SRR : 0);
	n += pdu_addr_write(&oa, false, j.head + n);
	j.head[n++] = 0;	/* TP-PID */
	j.dcs_at = n++;
	pdu_time_write(scts, j.head + n);
	n += 7;
	j.head_len = n;
	ok = sms_build_parts(&j, o, out, err, errsize);
	sms_job_free(&j);
	return ok;
}

bool sms_encode_status_report(const char *smsc, uint8_t mr,
			      const char *recipient,
			      const struct sms_time *scts,
			      const struct sms_time *discharge, uint8_t status,
			      struct sms_encoded_part *out, char *err,
			      size_t errsize)
{
	uint8_t tpdu[SMS_HEAD_MAX + 8];
	struct sms_addr ra;
	struct sms_job j;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	if (!pdu_addr_parse(recipient, false, &ra, err, errsize) ||
	    !sms_smsc(&j, smsc, err, errsize))
		return false;
	tpdu[n++] = SMS_FO_STATUS_REPORT | SMS_FO_NO_MORE;
	tpdu[n++] = mr;
	n += pdu_addr_write(&ra, false, tpdu + n);
	pdu_time_write(scts, tpdu + n);
	n += 7;
	pdu_time_write(discharge, tpdu + n);
	n += 7;
	tpdu[n++] = status;
	sms_part_hex(&j, tpdu, n, out);
	return true;
}

void sms_encoded_free(struct sms_encoded *e)
{
	if (!e)
		return;
	free(e->parts);
	e->parts = NULL;
	e->nparts = 0;
}
