/*
 * Fuzz target for the PDU decoder: the input as binary octets (SMSC first)
 * and as hex text, through sms_pdu_decode_bin() and sms_pdu_decode().
 * Besides the sanitizers it checks properties that must hold for any
 * input:
 *   - binary and hex-of-binary decode alike;
 *   - a decoded text is a terminated, valid UTF-8 string;
 *   - a decoded text re-encodes as SMS-SUBMIT and decodes back to itself
 *     (the encoder, segmentation and reassembly under hostile text).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sms.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sms_user_data *fuzz_ud(const struct sms_pdu *p)
{
	switch (p->type) {
	case SMS_PDU_DELIVER:
		return &p->deliver.ud;
	case SMS_PDU_SUBMIT:
		return &p->submit.ud;
	default:
		return &p->report.ud;
	}
}

static void fuzz_check_utf8(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap), bad;

	if (len == cap || !utf8_valid(s, len, &bad))
		abort();
}

/* Re-encodes text and joins the decoded parts: must give text back. */
static void fuzz_reencode(const char *text)
{
	static char joined[8192];
	struct sms_encode_opts o;
	struct sms_encoded e;
	char err[200];
	size_t pos = 0;

	sms_encode_opts_init(&o);
	o.language = SMS_LANGUAGE_AUTO;
	if (!sms_encode_submit("+15551234567", text, strlen(text), &o, &e,
			       err, sizeof(err)))
		abort();
	for (int i = 0; i < e.nparts; i++) {
		struct sms_pdu p;
		size_t n;

		if (!sms_pdu_decode(e.parts[i].pdu, strlen(e.parts[i].pdu),
				    &p, err, sizeof(err)))
			abort();
		n = strlen(p.submit.ud.text);
		if (pos + n >= sizeof(joined))
			abort();
		memcpy(joined + pos, p.submit.ud.text, n + 1);
		pos += n;
	}
	if (strcmp(joined, text) != 0)
		abort();
	sms_encoded_free(&e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sms_pdu a, b;
	static char hex[2 * 512 + 1];
	char err[200];
	bool ok;

	/* The same bytes read as hex text: mostly rejected early. */
	sms_pdu_decode((const char *)data, size, &b, err, sizeof(err));
	ok = sms_pdu_decode_bin(data, size, &a, err, sizeof(err));
	if (!ok && !err[0])
		abort();
	if (size <= 512) {
		for (size_t i = 0; i < size; i++)
			snprintf(hex + 2 * i, 3, "%02x", data[i]);
		if (sms_pdu_decode(hex, 2 * size, &b, err, sizeof(err)) != ok)
			abort();
	}
	if (!ok)
		return 0;
	fuzz_check_utf8(a.smsc.text, sizeof(a.smsc.text));
	fuzz_check_utf8(fuzz_ud(&a)->text, sizeof(fuzz_ud(&a)->text));
	if (fuzz_ud(&a)->encoding != SMS_ENCODING_8BIT)
		fuzz_reencode(fuzz_ud(&a)->text);
	return 0;
}
