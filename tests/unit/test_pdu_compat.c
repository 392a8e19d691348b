/*
 * The smstools3 headers that reach the PDU (README "Coming from
 * smstools3"): SMSC: is the SCA, Class: the TP-DCS class (TS 23.038 §4),
 * Reject_duplicates: TP-RD, Reply_path: TP-RP, Replace: TP-PID 0x41–0x47
 * (TS 23.040 §9.2.3), Autosplit: 1 parts without the concatenation IE.
 * Each is encoded and decoded back.
 */
#include "harness.h"
#include "sms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char long_text[] =
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789012345678901234567890123456789012345678901234567890123456789"
	"0123456789012345678901234567890123456789";

static bool decode(const struct sms_encoded_part *p, struct sms_pdu *out)
{
	char err[200];

	if (sms_pdu_decode(p->pdu, strlen(p->pdu), out, err, sizeof(err)))
		return true;
	printf("# decode %s: %s\n", p->pdu, err);
	return false;
}

TEST(pdu_compat_smsc_class_rd_rp_pid)
{
	struct sms_encode_opts o;
	struct sms_encoded e;
	struct sms_pdu pdu;
	unsigned fo;
	char err[200];

	sms_encode_opts_init(&o);
	o.smsc = "+491722270333";
	o.msg_class = 2;
	o.reject_duplicates = true;
	o.reply_path = true;
	o.pid = 0x43;
	if (!CHECK(sms_encode_submit("+491721234567", "Hi", 2, &o, &e, err,
				     sizeof(err))))
		return;
	CHECK_INT(e.nparts, 1);
	/* SCA: 7 octets, TOA 0x91, 4917 2227 0333 in swapped semi-octets. */
	CHECK(strncmp(e.parts[0].pdu, "0791947122723033", 16) == 0);
	if (decode(&e.parts[0], &pdu)) {
		CHECK_STR(pdu.smsc.text, "+491722270333");
		CHECK_INT(pdu.type, SMS_PDU_SUBMIT);
		CHECK(pdu.submit.reject_duplicates);
		CHECK_INT(pdu.submit.pid, 0x43);
		CHECK_INT(pdu.submit.ud.msg_class, 2);
		CHECK_STR(pdu.submit.ud.text, "Hi");
	}
	/* TP-RP is bit 7 of the first octet, after the 8-octet SCA. */
	sscanf(e.parts[0].pdu + 16, "%2x", &fo);
	CHECK_INT(fo & 0x80, 0x80);
	CHECK_INT(fo & 0x04, 0x04);
	sms_encoded_free(&e);
}

TEST(pdu_compat_defaults_unchanged)
{
	struct sms_encode_opts o;
	struct sms_encoded e;
	struct sms_pdu pdu;
	char err[200];

	sms_encode_opts_init(&o);
	if (!CHECK(sms_encode_submit("+491721234567", "Hi", 2, &o, &e, err,
				     sizeof(err))))
		return;
	CHECK(strncmp(e.parts[0].pdu, "0001", 4) == 0);
	if (decode(&e.parts[0], &pdu)) {
		CHECK(!pdu.submit.reject_duplicates);
		CHECK_INT(pdu.submit.pid, 0);
		CHECK_INT(pdu.submit.ud.msg_class, -1);
	}
	sms_encoded_free(&e);
}

TEST(pdu_compat_autosplit_without_concatenation)
{
	struct sms_encode_opts o;
	struct sms_encoded e;
	struct sms_pdu pdu;
	char err[200];

	sms_encode_opts_init(&o);
	o.no_concat = true;
	if (!CHECK(sms_encode_submit("+491721234567", long_text,
				     strlen(long_text), &o, &e, err,
				     sizeof(err))))
		return;
	CHECK_INT(e.nparts, 2);
	for (int i = 0; i < e.nparts; i++) {
		if (!decode(&e.parts[i], &pdu))
			continue;
		CHECK_INT(pdu.submit.ud.concat.total, 0);
		CHECK_INT((int)pdu.submit.ud.udh_len, 0);
	}
	sms_encoded_free(&e);
	o.no_concat = false;
	if (!CHECK(sms_encode_submit("+491721234567", long_text,
				     strlen(long_text), &o, &e, err,
				     sizeof(err))))
		return;
	if (decode(&e.parts[1], &pdu)) {
		CHECK_INT(pdu.submit.ud.concat.total, 2);
		CHECK_INT(pdu.submit.ud.concat.seq, 2);
	}
	sms_encoded_free(&e);
}
