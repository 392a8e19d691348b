/* Recipient numbers as users write them (doc/contract.md §4). */
#include "harness.h"
#include "number.h"

#include <stdio.h>
#include <stdlib.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define E164 NUMBER_KIND_E164
#define SHORT NUMBER_KIND_SHORT

static const struct number_rules germany = { "49", "0" };
static const struct number_rules no_country = { "", "0" };
static const struct number_rules nanp = { "1", "1" };
static const struct number_rules no_trunk = { "49", "" };
#define de germany
#define nocc no_country
#define notrunk no_trunk

TEST(number_accepts_and_normalises)
{
	static const struct {
		const struct number_rules *r;
		const char *in, *want;
		enum number_kind kind;
	} v[] = {
		/* E.164 as written, with the formatting people use */
		{ &de, "+491721234567", "+491721234567", E164 },
		{ &de, "+44 20 7946-0958", "+442079460958", E164 },
		{ &de, "+1 (555) 123.4567", "+15551234567", E164 },
		{ &de, "  +15551234567  ", "+15551234567", E164 },
		{ &de, "+49 (0)172 1234567", "+491721234567", E164 },
		{ &de, "+49 (0) 172 1234567", "+491721234567", E164 },
		/* smstools3: bare digits are international, grouped allowed */
		{ &de, "491721234567", "+491721234567", E164 },
		{ &de, "358 12 345 6789", "+358123456789", E164 },
		{ &nocc, "491721234567", "+491721234567", E164 },
		/* trunk prefix: national, takes the default country */
		{ &de, "01721234567", "+491721234567", E164 },
		{ &de, "0172/1234567", "+491721234567", E164 },
		{ &de, "0172-123 45 67", "+491721234567", E164 },
		{ &nanp, "15551234567", "+15551234567", E164 },
		{ &nanp, "1 (555) 123-4567", "+15551234567", E164 },
		/* "00" international call prefix */
		{ &de, "00491721234567", "+491721234567", E164 },
		{ &nocc, "0044 20 7946 0958", "+442079460958", E164 },
		/* no trunk prefix: everything bare is international */
		{ &notrunk, "4917212345", "+4917212345", E164 },
		{ NULL, "4917212345", "+4917212345", E164 },
		/* short codes */
		{ &de, "s12345", "12345", SHORT },
		{ &de, "S 8 88", "888", SHORT },
		{ &de, "s0800", "0800", SHORT },
		{ &nocc, "s22", "22", SHORT },
		/* the limits themselves */
		{ &de, "+123456789012345", "+123456789012345", E164 },
		{ &de, "+2901234", "+2901234", E164 },
		{ &de, "s123456789012345", "123456789012345", SHORT },
	};

	for (size_t i = 0; i < N(v); i++) {
		char out[NUMBER_MAX], err[128] = "";
		enum number_kind kind = NUMBER_KIND_E164;
		bool ok = number_normalise(v[i].in, strlen(v[i].in), v[i].r,
					   out, &kind, err, sizeof(err));

		if (!CHECK(ok)) {
			printf("# input '%s': %s\n", v[i].in, err);
			continue;
		}
		CHECK_STR(out, v[i].want);
		CHECK_INT(kind, v[i].kind);
	}
}

TEST(number_refuses_with_reason)
{
	static const struct {
		const struct number_rules *r;
		const char *in;
		size_t len;	/* 0: strlen */
		const char *reason;
	} v[] = {
		{ &germany, "", 0, "empty number" },
		{ &germany, "   ", 0, "empty number" },
		{ &germany, "abc", 0, "letter 'a' is not allowed in a number" },
		{ &de, "+49172x234567", 0,
		  "letter 'x' is not allowed in a number" },
		{ &de, "+491721234567;ATD", 0,
		  "character ';' is not allowed in a number" },
		{ &de, "\"+491721234567\"", 0,
		  "character '\"' is not allowed in a number" },
		{ &de, "+4917212\r34567", 0,
		  "control byte 0x0d is not allowed in a number" },
		{ &de, "+4917212\n34567", 0,
		  "control byte 0x0a is not allowed in a number" },
		{ &de, "+4917212\t34567", 0,
		  "control byte 0x09 is not allowed in a number" },
		{ &de, "+4917212\0" "34567", 14,
		  "control byte 0x00 is not allowed in a number" },
		{ &de, "+49 172\xc2\xa0" "1234567", 0,
		  "non-ASCII byte 0xc2 is not allowed in a number" },
		{ &de, "+49+1721234567", 0,
		  "'+' is only allowed at the start" },
		{ &de, "++491721234567", 0,
		  "'+' is only allowed at the start" },
		{ &germany, "+", 0, "no digits" },
		{ &germany, "( - )", 0, "no digits" },
		{ &de, "+1234567890123456", 0,
		  "too long: 16 digits, E.164 allows at most 15" },
		{ &germany, "12345678901234567890123456789012345678901", 0,
		  "too long: 41 digits, E.164 allows at most 15" },
		{ &germany, "+123456", 0,
		  "too short: 6 digits, an international number has at least 7 "
		  "(write short codes as s12345)" },
		{ &germany, "12345", 0,
		  "too short: 5 digits, an international number has at least 7 "
		  "(write short codes as s12345)" },
		{ &de, "+0491721234567", 0,
		  "a country code never starts with 0" },
		{ &no_country, "01721234567", 0,
		  "a national number (it starts with the trunk prefix '0') "
		  "needs default_country in the configuration" },
		{ &germany, "0", 0, "no digits after the trunk prefix" },
		{ &germany, "0123456789012345", 0,
		  "too long: 17 digits with the country code, E.164 allows at "
		  "most 15" },
		{ &germany, "s", 0, "no digits" },
		{ &germany, "s1", 0, "a short code has 2 to 15 digits, not 1" },
		{ &de, "s1234567890123456", 0,
		  "a short code has 2 to 15 digits, not 16" },
		{ &germany, "s+123", 0, "'+' is only allowed at the start" },
		{ &de, "tel:+491721234567", 0,
		  "letter 't' is not allowed in a number" },
		/* accepted: (0172) is not "(0)" */
		{ &germany, "+49 (0172) 1234567", 0, NULL },
		{ &de, "0049", 0,
		  "too short: 2 digits, an international number has at least 7 "
		  "(write short codes as s12345)" },
	};

	for (size_t i = 0; i < N(v); i++) {
		char out[NUMBER_MAX], err[160] = "";
		enum number_kind kind;
		size_t len = v[i].len ? v[i].len : strlen(v[i].in);
		bool ok = number_normalise(v[i].in, len, v[i].r, out, &kind,
					   err, sizeof(err));

		if (!v[i].reason) {
			CHECK(ok);
			continue;
		}
		if (!CHECK(!ok)) {
			printf("# input %zu accepted as %s\n", i, out);
			continue;
		}
		CHECK_STR(err, v[i].reason);
	}
}

TEST(number_reason_fits_small_buffers)
{
	char out[NUMBER_MAX], err[8];
	enum number_kind kind;

	CHECK(!number_normalise("x", 1, &germany, out, &kind, err,
				sizeof(err)));
	CHECK_INT(strlen(err), 7);
}

TEST(number_spool_form_round_trips)
{
	static const char *const in[] = { "+491721234567", "s0800", "s12345" };

	for (size_t i = 0; i < N(in); i++) {
		char out[NUMBER_MAX], again[NUMBER_MAX], form[NUMBER_MAX + 1];
		char err[128];
		enum number_kind k1, k2;

		CHECK(number_normalise(in[i], strlen(in[i]), &germany, out, &k1,
				       err, sizeof(err)));
		number_spool_form(out, k1, form, sizeof(form));
		CHECK_STR(form, in[i]);
		/* Read back under other rules, the same number comes out. */
		CHECK(number_normalise(form, strlen(form), &nanp, again, &k2,
				       err, sizeof(err)));
		CHECK_STR(again, out);
		CHECK_INT(k2, k1);
	}
}

TEST(number_set_removes_duplicates_only)
{
	struct number_set set = { 0 };

	CHECK_INT(number_set_add(&set, "+491721234567", NUMBER_KIND_E164), 1);
	CHECK_INT(number_set_add(&set, "+491721234567", NUMBER_KIND_E164), 0);
	/* Same digits, other kind or other leading zeros: not the same. */
	CHECK_INT(number_set_add(&set, "491721234567", NUMBER_KIND_SHORT), 1);
	CHECK_INT(number_set_add(&set, "0800", NUMBER_KIND_SHORT), 1);
	CHECK_INT(number_set_add(&set, "800", NUMBER_KIND_SHORT), 1);
	CHECK_INT(number_set_add(&set, "00800", NUMBER_KIND_SHORT), 1);
	CHECK_INT(number_set_add(&set, "0800", NUMBER_KIND_SHORT), 0);
	CHECK_INT(set.count, 5);
	number_set_clear(&set);
	CHECK_INT(set.count, 0);
	CHECK_INT(number_set_add(&set, "+491721234567", NUMBER_KIND_E164), 1);
	number_set_free(&set);
}

TEST(number_set_holds_a_hundred_thousand)
{
	struct number_set set = { 0 };
	char num[NUMBER_MAX];
	size_t added = 0, again = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < 100000; i++) {
			int rc;

			snprintf(num, sizeof(num), "+1555%07d", i * 7);
			rc = number_set_add(&set, num, NUMBER_KIND_E164);
			if (rc == 1)
				added++;
			else if (rc == 0)
				again++;
		}
	}
	CHECK_INT(added, 100000);
	CHECK_INT(again, 100000);
	CHECK(set.cap <= 262144);	/* 2 MB of slots */
	number_set_free(&set);
}
