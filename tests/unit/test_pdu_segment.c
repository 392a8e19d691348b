/*
 * Segmentation at every boundary (TS 23.040 §9.2.3.16, §9.2.3.24): single
 * part limits, multipart capacities with 8- and 16-bit references and with
 * national language IEs, escape sequences and surrogate pairs that would
 * straddle a part, the 255-part limit, smart encoding and the preview.
 */
#include "harness.h"
#include "sms.h"

#include <stdio.h>
#include <stdlib.h>

/* n copies of the UTF-8 character c, then tail; malloc'd. */
static char *rep(const char *c, int n, const char *tail)
{
	size_t cl = strlen(c), tl = strlen(tail);
	char *s = malloc(cl * n + tl + 1), *p = s;

	for (int i = 0; i < n; i++, p += cl)
		memcpy(p, c, cl);
	memcpy(p, tail, tl + 1);
	return s;
}

/* Encodes text, decodes every part; checks the part texts. */
static void check_parts(const char *text, const struct sms_encode_opts *o,
			int nparts, const char *const *want)
{
	struct sms_encoded e;
	char err[160];

	if (!CHECK(sms_encode_submit("+15551234567", text, strlen(text), o,
				     &e, err, sizeof(err)))) {
		harness_fail(__FILE__, __LINE__, "%s", err);
		return;
	}
	CHECK_INT(e.nparts, nparts);
	for (int i = 0; i < e.nparts && i < nparts; i++) {
		struct sms_pdu p;

		if (!CHECK(sms_pdu_decode(e.parts[i].pdu,
					  strlen(e.parts[i].pdu), &p, err,
					  sizeof(err))))
			continue;
		if (want)
			CHECK_STR(p.submit.ud.text, want[i]);
		if (nparts > 1) {
			CHECK_INT(p.submit.ud.concat.total, nparts);
			CHECK_INT(p.submit.ud.concat.seq, i + 1);
		}
	}
	sms_encoded_free(&e);
}

struct bound_vec {
	const char *ch;		/* repeated character */
	int n;
	bool concat16;
	bool data8;
	int parts, units, left;
};

static const struct bound_vec bounds[] = {
	/* GSM 7-bit: 160 in one part, 153 a part after the 6-octet
	 * header and its fill bit, 152 after the 7-octet one. */
	{ "a", 152, false, false, 1, 152, 8 },
	{ "a", 153, false, false, 1, 153, 7 },
	{ "a", 159, false, false, 1, 159, 1 },
	{ "a", 160, false, false, 1, 160, 0 },
	{ "a", 161, false, false, 2, 161, 145 },
	{ "a", 162, false, false, 2, 162, 144 },
	{ "a", 306, false, false, 2, 306, 0 },
	{ "a", 307, false, false, 3, 307, 152 },
	{ "a", 304, true, false, 2, 304, 0 },
	{ "a", 305, true, false, 3, 305, 151 },
	/* UCS-2: 70 units, 67 a part, 66 with the 16-bit reference. */
	{ "ж", 66, false, false, 1, 66, 4 },
	{ "ж", 67, false, false, 1, 67, 3 },
	{ "ж", 70, false, false, 1, 70, 0 },
	{ "ж", 71, false, false, 2, 71, 63 },
	{ "ж", 134, false, false, 2, 134, 0 },
	{ "ж", 135, false, false, 3, 135, 66 },
	{ "ж", 132, true, false, 2, 132, 0 },
	{ "ж", 133, true, false, 3, 133, 65 },
	/* 8-bit data: 140 octets, 134 a part, 133 with 16-bit refs. */
	{ "x", 133, false, true, 1, 133, 7 },
	{ "x", 135, false, true, 1, 135, 5 },
	{ "x", 140, false, true, 1, 140, 0 },
	{ "x", 141, false, true, 2, 141, 127 },
	{ "x", 268, false, true, 2, 268, 0 },
	{ "x", 269, false, true, 3, 269, 133 },
	{ "x", 266, true, true, 2, 266, 0 },
	{ "x", 267, true, true, 3, 267, 132 },
};

TEST(sms_segment_boundaries)
{
	for (size_t i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		const struct bound_vec *v = &bounds[i];
		char *text = rep(v->ch, v->n, "");
		struct sms_encode_opts o;
		struct sms_preview pv;
		char err[160];

		sms_encode_opts_init(&o);
		o.concat16 = v->concat16;
		o.data8 = v->data8;
		if (CHECK(sms_preview(text, strlen(text), &o, &pv, err,
				      sizeof(err)))) {
			if (!CHECK_INT(pv.parts, v->parts) ||
			    !CHECK_INT(pv.units, v->units) ||
			    !CHECK_INT(pv.chars_left, v->left))
				harness_fail(__FILE__, __LINE__, "%s x %d",
					     v->ch, v->n);
		}
		check_parts(text, &o, v->parts, NULL);
		free(text);
	}
}

/* An escape sequence that would straddle a part moves whole. */
TEST(sms_segment_escape_never_split)
{
	struct sms_encode_opts o;
	char *text, *a152 = rep("a", 152, ""), *a151 = rep("a", 151, "");
	char *a153 = rep("a", 153, "");
	const char *want1[] = { a152, "€bbbbbbbbbb" };
	const char *want2[] = { a153, "aaaaaa€" };
	const char *want3[] = { a151, "bbbbbbbbbb" };

	sms_encode_opts_init(&o);
	/* 152 + 2 = 154 septets would overflow 153: € opens part 2. */
	text = rep("a", 152, "€bbbbbbbbbb");
	check_parts(text, &o, 2, want1);
	free(text);
	/* 158 + 2 = 160: one part. */
	text = rep("a", 158, "€");
	check_parts(text, &o, 1, NULL);
	free(text);
	/* 159 + 2 = 161: two parts, 153 and 8. */
	text = rep("a", 159, "€");
	check_parts(text, &o, 2, want2);
	free(text);
	/* 151 + 2 = 153 exactly, then the rest. */
	text = rep("a", 151, "€bbbbbbbbbb");
	want3[0] = rep("a", 151, "€");
	check_parts(text, &o, 2, want3);
	free((char *)want3[0]);
	free(text);
	free(a151);
	free(a152);
	free(a153);
}

/* A surrogate pair that would straddle a part moves whole. */
TEST(sms_segment_surrogate_never_split)
{
	struct sms_encode_opts o;
	char *text, *z66 = rep("ж", 66, ""), *z67 = rep("ж", 67, "");
	const char *want1[] = { z66, "😀жжжжж" };
	const char *want2[] = { z67, "жж😀" };

	sms_encode_opts_init(&o);
	text = rep("ж", 66, "😀жжжжж");	/* 66 + 2 > 67 */
	check_parts(text, &o, 2, want1);
	free(text);
	text = rep("ж", 68, "😀");		/* 70 units: one part */
	check_parts(text, &o, 1, NULL);
	free(text);
	text = rep("ж", 69, "😀");		/* 71 units: 67 + 4 */
	check_parts(text, &o, 2, want2);
	free(text);
	text = rep("😀", 35, "");		/* 70 units */
	check_parts(text, &o, 1, NULL);
	free(text);
	free(z66);
	free(z67);
}

struct lang_vec {
	const char *text;
	int n;			/* repeats of text */
	enum sms_language allow;
	enum sms_encoding enc;
	enum sms_language used;
	bool locking, single;
	int parts, left;
};

static const struct lang_vec langs[] = {
	/* Turkish letters: the locking table has them at one septet; one
	 * IE (4-octet header) leaves 155 septets in a single part. */
	{ "ş", 155, SMS_LANGUAGE_TURKISH, SMS_ENCODING_GSM7,
	  SMS_LANGUAGE_TURKISH, true, false, 1, 0 },
	/* Then 149 a part: 1 + 5 + 3 octets of header. */
	{ "ş", 156, SMS_LANGUAGE_TURKISH, SMS_ENCODING_GSM7,
	  SMS_LANGUAGE_TURKISH, true, false, 2, 142 },
	/* Without permission: UCS-2. */
	{ "ş", 10, SMS_LANGUAGE_NONE, SMS_ENCODING_UCS2,
	  SMS_LANGUAGE_NONE, false, false, 1, 60 },
	/* Auto finds Turkish, and prefers the single shift table when
	 * the part count is the same. */
	{ "ğ", 10, SMS_LANGUAGE_AUTO, SMS_ENCODING_GSM7,
	  SMS_LANGUAGE_TURKISH, false, true, 1, 135 },
	/* Spanish has only a single shift table: ú costs 2 septets. */
	{ "ú", 10, SMS_LANGUAGE_AUTO, SMS_ENCODING_GSM7,
	  SMS_LANGUAGE_SPANISH, false, true, 1, 135 },
	/* ª needs the Portuguese locking table, Ω then its single shift
	 * table: both IEs, a 7-octet header, 152 septets. */
	{ "ªΩ", 1, SMS_LANGUAGE_PORTUGUESE, SMS_ENCODING_GSM7,
	  SMS_LANGUAGE_PORTUGUESE, true, true, 1, 149 },
	/* Both IEs and concatenation: 146 a part, of which the first
	 * uses 145 since the next Ω (ESC + code) does not fit. */
	{ "ªΩ", 60, SMS_LANGUAGE_PORTUGUESE, SMS_ENCODING_GSM7,
	  SMS_LANGUAGE_PORTUGUESE, true, true, 2, 111 },
	/* Plain text never takes a national table. */
	{ "abc", 3, SMS_LANGUAGE_AUTO, SMS_ENCODING_GSM7, SMS_LANGUAGE_NONE,
	  false, false, 1, 151 },
	/* Characters no table has: UCS-2 even with auto. */
	{ "ş中", 1, SMS_LANGUAGE_AUTO, SMS_ENCODING_UCS2, SMS_LANGUAGE_NONE,
	  false, false, 1, 68 },
};

TEST(sms_segment_language_tables)
{
	for (size_t i = 0; i < sizeof(langs) / sizeof(langs[0]); i++) {
		const struct lang_vec *v = &langs[i];
		char *text = rep(v->text, v->n, "");
		struct sms_encode_opts o;
		struct sms_preview pv;
		char err[160];

		sms_encode_opts_init(&o);
		o.language = v->allow;
		if (!CHECK(sms_preview(text, strlen(text), &o, &pv, err,
				       sizeof(err)))) {
			free(text);
			continue;
		}
		if (!CHECK_INT(pv.encoding, v->enc) ||
		    !CHECK_INT(pv.language, v->used) ||
		    !CHECK_INT(pv.locking_shift, v->locking) ||
		    !CHECK_INT(pv.single_shift, v->single) ||
		    !CHECK_INT(pv.parts, v->parts) ||
		    !CHECK_INT(pv.chars_left, v->left))
			harness_fail(__FILE__, __LINE__, "vector %zu", i);
		check_parts(text, &o, v->parts, NULL);
		free(text);
	}
}

TEST(sms_segment_smart_encoding)
{
	static const char quoted[] = "“Hello” — it’s… a\u00a0test";
	const char *want[] = { "\"Hello\" - it's... a test" };
	struct sms_encode_opts o;
	struct sms_preview pv;
	char err[160];

	sms_encode_opts_init(&o);
	CHECK(sms_preview(quoted, strlen(quoted), &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.encoding, SMS_ENCODING_UCS2);
	CHECK(!pv.smart_applied);
	o.smart = true;
	CHECK(sms_preview(quoted, strlen(quoted), &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.encoding, SMS_ENCODING_GSM7);
	CHECK(pv.smart_applied);
	CHECK_INT(pv.units, 24);
	check_parts(quoted, &o, 1, want);
	/* Mapping that would not make it GSM leaves the text alone. */
	CHECK(sms_preview("“Привет”", strlen("“Привет”"), &o, &pv, err,
			  sizeof(err)));
	CHECK_INT(pv.encoding, SMS_ENCODING_UCS2);
	CHECK(!pv.smart_applied);
	/* Text that already fits is never rewritten. */
	CHECK(sms_preview("it's", 4, &o, &pv, err, sizeof(err)));
	CHECK(!pv.smart_applied);
}

TEST(sms_segment_255_parts)
{
	struct sms_encode_opts o;
	struct sms_preview pv;
	char err[160], *text;

	sms_encode_opts_init(&o);
	text = rep("a", 153 * 255, "");
	CHECK(sms_preview(text, strlen(text), &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.parts, 255);
	free(text);
	text = rep("a", 153 * 255 + 1, "");
	CHECK(!sms_preview(text, strlen(text), &o, &pv, err, sizeof(err)));
	CHECK(strstr(err, "255 parts") != NULL);
	free(text);
	text = rep("ж", 67 * 255, "");
	CHECK(sms_preview(text, strlen(text), &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.parts, 255);
	free(text);
	text = rep("ж", 67 * 255, "😀");
	CHECK(!sms_preview(text, strlen(text), &o, &pv, err, sizeof(err)));
	free(text);
	/* Escapes near the limit: 76 € a part (152 septets, 1 wasted). */
	text = rep("€", 76 * 255, "");
	CHECK(sms_preview(text, strlen(text), &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.parts, 255);
	free(text);
	text = rep("€", 76 * 255 + 1, "");
	CHECK(!sms_preview(text, strlen(text), &o, &pv, err, sizeof(err)));
	free(text);
}

TEST(sms_segment_preview_edges)
{
	struct sms_encode_opts o;
	struct sms_preview pv;
	char err[160];

	sms_encode_opts_init(&o);
	CHECK(sms_preview("", 0, &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.encoding, SMS_ENCODING_GSM7);
	CHECK_INT(pv.parts, 1);
	CHECK_INT(pv.chars_left, 160);
	CHECK(sms_preview("{}", 2, &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.units, 4);
	o.force_ucs2 = true;
	CHECK(sms_preview("hello", 5, &o, &pv, err, sizeof(err)));
	CHECK_INT(pv.encoding, SMS_ENCODING_UCS2);
	CHECK_INT(pv.chars_left, 65);
	CHECK(!sms_preview("a\0b", 3, &o, &pv, err, sizeof(err)));
	CHECK(strstr(err, "NUL") != NULL);
	CHECK(!sms_preview("\xff", 1, &o, &pv, err, sizeof(err)));
	CHECK(strstr(err, "UTF-8") != NULL);
}

/* Every part carries the same reference: 8 bits by default, 16 on request. */
TEST(sms_segment_concat_reference)
{
	struct sms_encode_opts o;
	struct sms_encoded e;
	char err[160], *text = rep("a", 400, "");

	sms_encode_opts_init(&o);
	o.concat_ref = 0x1234;
	for (int wide = 0; wide < 2; wide++) {
		o.concat16 = wide;
		CHECK(sms_encode_submit("+15551234567", text, strlen(text),
					&o, &e, err, sizeof(err)));
		CHECK_INT(e.nparts, 3);
		for (int i = 0; i < e.nparts; i++) {
			struct sms_pdu p;

			CHECK(sms_pdu_decode(e.parts[i].pdu,
					     strlen(e.parts[i].pdu), &p, err,
					     sizeof(err)));
			CHECK_INT(p.submit.ud.concat.ref,
				  wide ? 0x1234 : 0x34);
			CHECK_INT(p.submit.ud.concat.ref16, wide);
			CHECK_INT(p.submit.ud.udh_len, wide ? 6 : 5);
		}
		sms_encoded_free(&e);
	}
	free(text);
}
