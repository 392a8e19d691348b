/*
 * Fuzz target for the encoder: the first two octets choose options, the
 * rest is the text. Invalid UTF-8 must be refused with a reason; valid text
 * must encode (or be refused as over 255 parts), every part must decode,
 * and the parts joined by sequence must give the text back (the
 * smart-mapped text when smart encoding applied).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sms.h"
#include "smart.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_opts(const uint8_t *data, struct sms_encode_opts *o)
{
	static const enum sms_language langs[] = {
		SMS_LANGUAGE_NONE, SMS_LANGUAGE_AUTO, SMS_LANGUAGE_TURKISH,
		SMS_LANGUAGE_SPANISH, SMS_LANGUAGE_PORTUGUESE,
	};

	sms_encode_opts_init(o);
	o->force_ucs2 = data[0] & 0x01;
	o->smart = data[0] & 0x02;
	o->concat16 = data[0] & 0x04;
	o->flash = data[0] & 0x08;
	o->status_report = data[0] & 0x10;
	o->data8 = (data[0] & 0x60) == 0x60;
	o->language = langs[data[1] % 5];
	o->concat_ref = data[1] << 8 | data[0];
	if (data[1] & 0x80)
		o->validity_minutes = 1 + data[1] * 97;
}

/* The text the decoder must give back: the input, smart-mapped or hex. */
static char *fuzz_expected(const char *text, size_t len,
			   const struct sms_encode_opts *o,
			   const struct sms_encoded *e)
{
	size_t n, m, bad, pos = 0, cap = len * 12 + 1;
	char *want = malloc(cap);
	uint32_t *cps, *mapped;

	if (o->data8) {
		for (size_t i = 0; i < len; i++)
			pos += snprintf(want + pos, cap - pos, "%02x",
					(unsigned char)text[i]);
		want[pos] = '\0';
		return want;
	}
	cps = utf8_decode_all(text, len, &n, &bad);
	mapped = malloc((n * SMART_MAX_EXPANSION + 1) * sizeof(*mapped));
	if (!cps || !mapped)
		abort();
	if (!e->info.smart_applied || !smart_map(cps, n, mapped, &m)) {
		memcpy(mapped, cps, n * sizeof(*cps));
		m = n;
	}
	want[0] = '\0';
	for (size_t i = 0; i < m; i++)
		if (!utf8_put(want, cap, &pos, mapped[i]))
			abort();
	free(cps);
	free(mapped);
	return want;
}

static void fuzz_check(const struct sms_encoded *e, const char *want)
{
	size_t cap = strlen(want) + 1, pos = 0;
	char *got = malloc(cap + SMS_TEXT_MAX * 2);
	char err[200];

	got[0] = '\0';
	for (int i = 0; i < e->nparts; i++) {
		struct sms_pdu p;
		size_t n;

		if (!sms_pdu_decode(e->parts[i].pdu, strlen(e->parts[i].pdu),
				    &p, err, sizeof(err)) ||
		    (int)strlen(e->parts[i].pdu) !=
			    2 + 2 * e->parts[i].tpdu_length)
			abort();
		if (e->nparts > 1 && p.submit.ud.concat.seq != i + 1)
			abort();
		n = strlen(p.submit.ud.text);
		if (pos + n >= cap)
			abort();
		memcpy(got + pos, p.submit.ud.text, n + 1);
		pos += n;
	}
	if (strcmp(got, want) != 0)
		abort();
	free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sms_encode_opts o;
	struct sms_preview pv;
	struct sms_encoded e;
	const char *text;
	char err[200];
	size_t len;
	char *want;
	bool ok;

	if (size < 2 || size > 4096)
		return 0;
	fuzz_opts(data, &o);
	text = (const char *)data + 2;
	len = size - 2;
	ok = sms_encode_submit("+15551234567", text, len, &o, &e, err,
			       sizeof(err));
	if (sms_preview(text, len, &o, &pv, err, sizeof(err)) != ok)
		abort();
	if (!ok) {
		if (!err[0])
			abort();
		return 0;
	}
	if (pv.parts != e.nparts || pv.units != e.info.units)
		abort();
	want = fuzz_expected(text, len, &o, &e);
	fuzz_check(&e, want);
	free(want);
	sms_encoded_free(&e);
	return 0;
}
