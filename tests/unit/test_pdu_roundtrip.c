/*
 * Round-trip property: random mixed-alphabet UTF-8 → encode (SUBMIT and
 * DELIVER, random options) → decode every part → reassemble by the
 * concatenation IE, in shuffled order → the same text (the smart-mapped
 * text when smart encoding applied). One text for every length 0–2000
 * plus thousands of short ones, from a fixed seed.
 */
#include "harness.h"
#include "gsm7.h"
#include "sms.h"
#include "smart.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>

/* Character pools; a text draws from a profile's pools. */
static const uint32_t pool_gsm[] = {
	'a', 'Z', '0', ' ', '.', '@', '\n', '\r', '_', '$', 0xa3, 0xa5,
	0xe8, 0xe9, 0xf9, 0xec, 0xf2, 0xc7, 0xd8, 0xc5, 0x394, 0x3a9, 0x3a3,
	0xc6, 0xdf, 0xa4, 0xa1, 0xc4, 0xd6, 0xd1, 0xdc, 0xa7, 0xbf, 0xe4,
	0xf6, 0xf1, 0xfc, 0xe0,
};
static const uint32_t pool_ext[] = {
	'{', '}', '[', ']', '~', '\\', '|', '^', 0x20ac, 0x0c,
};
static const uint32_t pool_turkish[] = {
	0x11f, 0x11e, 0x131, 0x130, 0x15f, 0x15e, 0xe7,
};
static const uint32_t pool_spanish[] = {
	0xe1, 0xed, 0xf3, 0xfa, 0xc1, 0xcd, 0xd3, 0xda, 0xe7,
};
static const uint32_t pool_portuguese[] = {
	0xe3, 0xf5, 0xea, 0xf4, 0xe2, 0xaa, 0xba, 0x221e, '`', 0xc3, 0xca,
};
static const uint32_t pool_ascii[] = {
	'a', 'e', 'o', 's', 'T', ' ', ',', '.', '1', '!', '?', '\n',
};
static const uint32_t pool_wide[] = {
	0x416, 0x44f, 0x4e2d, 0x6587, 0x5d0, 0x627, 0x3b1, 0x10d, 0x142,
	0xfffd, 0x9, 0x1f600, 0x1f44d, 0x1f1e9, 0x10348, 0x1d11e,
};
static const uint32_t pool_smart[] = {
	0x2018, 0x2019, 0x201c, 0x201d, 0x2013, 0x2014, 0x2026, 0xa0,
	0x200b, 0xff21, 0x2022,
};

struct pool {
	const uint32_t *cps;
	size_t n;
};

#define POOL(a) { a, sizeof(a) / sizeof(a[0]) }

static const struct pool pools[] = {
	POOL(pool_gsm), POOL(pool_ext), POOL(pool_turkish),
	POOL(pool_spanish), POOL(pool_portuguese), POOL(pool_wide),
	POOL(pool_smart), POOL(pool_ascii),
};

#define NPOOLS (sizeof(pools) / sizeof(pools[0]))

/* Bit i of a profile: draw from pools[i]. */
static const unsigned profiles[] = { 0x01, 0x03, 0x05, 0x09, 0x11, 0x13,
				     0x41, 0x45, 0x21, 0xff, 0x84, 0x90 };

#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

static size_t random_text(unsigned *seed, size_t len, unsigned profile,
			  uint32_t *cps)
{
	for (size_t i = 0; i < len; i++) {
		const struct pool *p;
		unsigned k;

		do
			k = rand_r(seed) % NPOOLS;
		while (!(profile & 1u << k));
		/* Mostly the GSM or ASCII pool: rare characters stay rare. */
		if (rand_r(seed) % 4 && (profile & 1))
			k = 0;
		else if (rand_r(seed) % 2 && (profile & 0x80))
			k = 7;
		p = &pools[k];
		cps[i] = p->cps[rand_r(seed) % p->n];
	}
	return len;
}

static void to_utf8(const uint32_t *cps, size_t n, char *out, size_t size)
{
	size_t pos = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		utf8_put(out, size, &pos, cps[i]);
}

static void random_opts(unsigned *seed, struct sms_encode_opts *o)
{
	static const enum sms_language langs[] = {
		SMS_LANGUAGE_NONE, SMS_LANGUAGE_AUTO, SMS_LANGUAGE_TURKISH,
		SMS_LANGUAGE_SPANISH, SMS_LANGUAGE_PORTUGUESE,
	};

	sms_encode_opts_init(o);
	o->force_ucs2 = rand_r(seed) % 8 == 0;
	o->smart = rand_r(seed) % 2;
	o->language = langs[rand_r(seed) % 5];
	o->concat16 = rand_r(seed) % 2;
	o->concat_ref = rand_r(seed) & 0xffff;
	o->status_report = rand_r(seed) % 2;
	o->flash = rand_r(seed) % 4 == 0;
	o->validity_minutes = rand_r(seed) % 2 ? -1 : 1 + rand_r(seed) % 9999;
	o->mr = rand_r(seed);
}

/* Decodes the parts in a shuffled order and joins them by sequence. */
static bool reassemble(unsigned *seed, const struct sms_encoded *e,
		       bool deliver, const struct sms_encode_opts *o,
		       char *out, size_t size)
{
	int order[255], n = e->nparts;
	const char *texts[255] = { 0 };
	static struct sms_pdu parts[255];
	size_t pos = 0;

	for (int i = 0; i < n; i++)
		order[i] = i;
	for (int i = n - 1; i > 0; i--) {
		int j = rand_r(seed) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (int k = 0; k < n; k++) {
		struct sms_pdu *p = &parts[order[k]];
		const struct sms_user_data *ud;
		char err[160];
		int seq;

		if (!sms_pdu_decode(e->parts[order[k]].pdu,
				    strlen(e->parts[order[k]].pdu), p, err,
				    sizeof(err)))
			return harness_fail(__FILE__, __LINE__, "%s", err);
		ud = deliver ? &p->deliver.ud : &p->submit.ud;
		if (!CHECK_INT(ud->encoding, e->info.encoding) ||
		    !CHECK_INT(ud->msg_class, o->flash ? 0 : -1))
			return false;
		seq = n > 1 ? ud->concat.seq : 1;
		if (n > 1 && (!CHECK_INT(ud->concat.total, n) ||
			      !CHECK_INT(ud->concat.ref16, o->concat16) ||
			      !CHECK_INT(ud->concat.ref,
					 o->concat16 ? o->concat_ref :
						       (o->concat_ref & 0xff))))
			return false;
		if (!CHECK(seq >= 1 && seq <= n && !texts[seq - 1]))
			return false;
		texts[seq - 1] = ud->text;
	}
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		size_t l = strlen(texts[i]);

		if (pos + l >= size)
			return false;
		memcpy(out + pos, texts[i], l + 1);
		pos += l;
	}
	return true;
}

/* What the random texts exercised, printed so a reader of the log can see
 * that every path was taken. */
static struct {
	int gsm7, ucs2, national, locking, smart, multipart, maxparts;
} seen;

static void count(const struct sms_preview *p)
{
	seen.gsm7 += p->encoding == SMS_ENCODING_GSM7;
	seen.ucs2 += p->encoding == SMS_ENCODING_UCS2;
	seen.national += p->language != SMS_LANGUAGE_NONE;
	seen.locking += p->locking_shift;
	seen.smart += p->smart_applied;
	seen.multipart += p->parts > 1;
	if (p->parts > seen.maxparts)
		seen.maxparts = p->parts;
}

static bool roundtrip_one(unsigned *seed, size_t len, unsigned profile,
			  bool deliver)
{
	static uint32_t cps[2048], mapped[2048 * SMART_MAX_EXPANSION];
	static char text[2048 * 4 + 1], want[2048 * 12 + 1], got[32768];
	struct sms_time scts = { 2026, 11, 27, 6, 0, 0, -45 };
	struct sms_encode_opts o;
	struct sms_encoded e;
	char err[160];
	size_t n = random_text(seed, len, profile, cps), m;
	bool ok;

	to_utf8(cps, n, text, sizeof(text));
	random_opts(seed, &o);
	if (deliver)
		ok = sms_encode_deliver("+15550000000", "Shop", text,
					strlen(text), &o, &scts, &e, err,
					sizeof(err));
	else
		ok = sms_encode_submit("+15551234567", text, strlen(text), &o,
				       &e, err, sizeof(err));
	if (!ok)
		return harness_fail(__FILE__, __LINE__, "len %zu: %s", len,
				    err);
	count(&e.info);
	if (e.info.smart_applied) {
		smart_map(cps, n, mapped, &m);
		to_utf8(mapped, m, want, sizeof(want));
	} else {
		snprintf(want, sizeof(want), "%s", text);
	}
	ok = reassemble(seed, &e, deliver, &o, got, sizeof(got)) &&
	     CHECK_STR(got, want);
	/* Text from the GSM pool alone never leaves the default alphabet. */
	if (profile == 0x01 && !o.force_ucs2)
		ok = CHECK_INT(e.info.encoding, SMS_ENCODING_GSM7) &&
		     CHECK_INT(e.info.language, SMS_LANGUAGE_NONE) && ok;
	if (!ok)
		harness_fail(__FILE__, __LINE__, "len %zu profile %x", len,
			     profile);
	sms_encoded_free(&e);
	return ok;
}

TEST(sms_roundtrip_every_length_0_to_2000)
{
	unsigned seed = 20261127;
	int failures = 0;

	for (size_t len = 0; len <= 2000 && failures < 5; len++) {
		unsigned profile = profiles[len % NPROFILES];

		failures += !roundtrip_one(&seed, len, profile, false);
		failures += !roundtrip_one(&seed, len, profile, true);
	}
	CHECK_INT(failures, 0);
}

/* Every character of every table encodes to the septet it decodes from. */
TEST(gsm7_every_septet_encodes_back)
{
	for (int l = GSM7_LANG_DEFAULT; l <= GSM7_LANG_PORTUGUESE; l++) {
		int lock = gsm7_has_locking(l) ? l : 0;
		int single = gsm7_has_single(l) ? l : 0;

		for (int c = 0; c < 128; c++) {
			uint32_t cp = gsm7_decode_char(c, false, lock, single);
			uint32_t esc = gsm7_decode_char(c, true, lock, single);
			uint8_t out[2] = { 0, 0 };
			int n;

			/* ' ' also stands for an empty slot. */
			if (c != GSM7_ESC && (cp != ' ' || c == 0x20)) {
				n = gsm7_encode_char(cp, lock, single, out);
				if (!CHECK_INT(n, 1) || !CHECK_INT(out[0], c))
					printf("# table %d septet %02x\n", l, c);
			}
			if (esc == cp || esc == ' ')
				continue;
			/* In the locking table too: one septet wins. */
			n = gsm7_encode_char(esc, lock, single, out);
			if (!CHECK(n == 1 || (n == 2 && out[0] == GSM7_ESC &&
					      out[1] == c)))
				printf("# table %d escaped %02x\n", l, c);
		}
	}
}

TEST(sms_roundtrip_short_texts)
{
	unsigned seed = 42;
	int failures = 0;

	for (int i = 0; i < 5000 && failures < 5; i++) {
		size_t len = rand_r(&seed) % 400;
		unsigned profile = profiles[rand_r(&seed) % NPROFILES];

		failures += !roundtrip_one(&seed, len, profile, i % 2);
	}
	CHECK_INT(failures, 0);
	printf("# texts: %d gsm7, %d ucs2, %d national shift (%d locking), "
	       "%d smart, %d multipart, up to %d parts\n", seen.gsm7,
	       seen.ucs2, seen.national, seen.locking, seen.smart,
	       seen.multipart, seen.maxparts);
}

/* 8-bit data: every octet value survives, hex out. */
TEST(sms_roundtrip_8bit_data)
{
	unsigned seed = 7;

	for (int round = 0; round < 300; round++) {
		size_t len = rand_r(&seed) % 1000, pos = 0;
		static char data[1000], want[2001], got[4096];
		struct sms_encode_opts o;
		struct sms_encoded e;
		char err[160];

		for (size_t i = 0; i < len; i++) {
			data[i] = rand_r(&seed);
			pos += snprintf(want + pos, sizeof(want) - pos,
					"%02x", (unsigned char)data[i]);
		}
		want[pos] = '\0';
		random_opts(&seed, &o);
		o.data8 = true;
		if (!CHECK(sms_encode_submit("+15551234567", data, len, &o, &e,
					     err, sizeof(err))))
			continue;
		CHECK_INT(e.info.encoding, SMS_ENCODING_8BIT);
		if (reassemble(&seed, &e, false, &o, got, sizeof(got)))
			CHECK_STR(got, want);
		sms_encoded_free(&e);
	}
}
