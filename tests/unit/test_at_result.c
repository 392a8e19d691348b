/* AT result iterator: fields of real response lines, bounds, failures. */
#include "harness.h"
#include "at_result.h"

#include <stdio.h>

TEST(at_result_csq_and_spacing)
{
	static const char *const lines[] = { "+CSQ: 17,99", "+CSQ:99,99",
					     "+CSQ: 31, 99", "OK" };
	struct at_result_iter it;
	int a, b;

	at_result_iter_init(&it, lines, 4);
	CHECK(at_result_next(&it, "+CSQ:"));
	CHECK(at_result_next_number(&it, &a) && at_result_next_number(&it, &b));
	CHECK_INT(a, 17);
	CHECK_INT(b, 99);
	CHECK(at_result_at_end(&it));
	CHECK(!at_result_next_number(&it, &a));
	/* Marvell OEM: no space after the colon (obsy/packages#3). */
	CHECK(at_result_next(&it, "+CSQ:"));
	CHECK(at_result_next_number(&it, &a) && at_result_next_number(&it, &b));
	CHECK_INT(a, 99);
	/* Motorola G20 manual example: a space after the comma. */
	CHECK(at_result_next(&it, "+CSQ:"));
	CHECK(at_result_next_number(&it, &a) && at_result_next_number(&it, &b));
	CHECK_INT(a, 31);
	CHECK_INT(b, 99);
	CHECK(!at_result_next(&it, "+CSQ:"));
	CHECK(!at_result_next(&it, NULL));
}

TEST(at_result_strings_and_empty_fields)
{
	struct at_result_iter it;
	char s[16];
	int n;

	at_result_iter_line(&it, "+CMGL: 2,0,\"Ann\",23");
	CHECK(at_result_skip_prefix(&it, "+CMGL:"));
	CHECK(at_result_next_number(&it, &n) && n == 2);
	CHECK(at_result_next_number(&it, &n) && n == 0);
	CHECK(at_result_next_string(&it, s, sizeof(s)));
	CHECK_STR(s, "Ann");
	CHECK(at_result_next_number(&it, &n) && n == 23);

	at_result_iter_line(&it, "+CMGL: 1,1,,21");
	CHECK(at_result_skip_prefix(&it, "+CMGL:"));
	CHECK(at_result_skip(&it) && at_result_skip(&it));
	CHECK(!at_result_next_string(&it, s, sizeof(s)));
	CHECK(!at_result_next_number(&it, &n));
	CHECK(at_result_next_number_default(&it, -1, &n) && n == -1);
	CHECK(at_result_next_number(&it, &n) && n == 21);
	CHECK(at_result_at_end(&it));
	CHECK(at_result_next_number_default(&it, 7, &n) && n == 7);
}

TEST(at_result_string_bounds)
{
	struct at_result_iter it;
	char small[4];
	const char *ref;
	size_t len;

	at_result_iter_line(&it, "\"Example Net\",7");
	CHECK(!at_result_next_string(&it, small, sizeof(small)));
	/* Nothing was consumed: the same field reads by reference. */
	CHECK(at_result_next_string_ref(&it, &ref, &len));
	CHECK_INT(len, 11);
	CHECK(memcmp(ref, "Example Net", 11) == 0);
	at_result_iter_line(&it, "\"unterminated");
	CHECK(!at_result_next_string_ref(&it, &ref, &len));
	CHECK(!at_result_skip(&it));
	at_result_iter_line(&it, "\"a,b\",\"\"");
	CHECK(at_result_next_string(&it, small, sizeof(small)));
	CHECK_STR(small, "a,b");
	CHECK(at_result_next_string(&it, small, sizeof(small)));
	CHECK_STR(small, "");
	CHECK(!at_result_next_string(&it, small, 0));
}

TEST(at_result_numbers_reject_garbage)
{
	static const struct {
		const char *in;
		bool ok;
		int want;
	} cases[] = {
		{ "0", true, 0 },	    { "-12", true, -12 },
		{ "+5", true, 5 },	    { "\"42\"", true, 42 },
		{ "2147483647", true, 2147483647 },
		{ "-2147483648", true, -2147483647 - 1 },
		{ "2147483648", false, 0 },
		{ "99999999999999999999", false, 0 },
		{ "12a", false, 0 },	    { "", false, 0 },
		{ "-", false, 0 },	    { "1 2", false, 0 },
		{ "1 ,", true, 1 },	    { "0x10", false, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct at_result_iter it;
		int v = -999;
		bool ok;

		at_result_iter_line(&it, cases[i].in);
		ok = at_result_next_number(&it, &v);
		if (!CHECK_INT(ok, cases[i].ok) ||
		    (ok && !CHECK_INT(v, cases[i].want)))
			printf("# case \"%s\"\n", cases[i].in);
		if (!ok)
			CHECK_INT(it.pos, 0);
	}
}

TEST(at_result_hex)
{
	struct at_result_iter it;
	uint32_t lac, ci;
	uint8_t buf[4];
	size_t len;
	int n;

	/* Generic, and the Marvell stick's unquoted form (obsy/packages#3). */
	at_result_iter_line(&it, "2,1,\"00C3\",\"A1B2\"");
	CHECK(at_result_next_number(&it, &n) && at_result_next_number(&it, &n));
	CHECK(at_result_next_hexnum(&it, &lac) && lac == 0xc3);
	CHECK(at_result_next_hexnum(&it, &ci) && ci == 0xa1b2);
	at_result_iter_line(&it, "3584,ef4a08,7");
	CHECK(at_result_next_hexnum(&it, &lac) && lac == 0x3584);
	CHECK(at_result_next_hexnum(&it, &ci) && ci == 0xef4a08);
	at_result_iter_line(&it, "\"123456789\"");
	CHECK(!at_result_next_hexnum(&it, &ci));
	at_result_iter_line(&it, "\"G1\"");
	CHECK(!at_result_next_hexnum(&it, &ci));

	at_result_iter_line(&it, "07915155,\"0A\",ABC,00112233AA");
	CHECK(at_result_next_hexstring(&it, buf, sizeof(buf), &len));
	CHECK_INT(len, 4);
	CHECK_INT(buf[0], 0x07);
	CHECK_INT(buf[3], 0x55);
	CHECK(at_result_next_hexstring(&it, buf, sizeof(buf), &len));
	CHECK_INT(len, 1);
	CHECK(!at_result_next_hexstring(&it, buf, sizeof(buf), &len));
	CHECK(at_result_skip(&it));
	CHECK(!at_result_next_hexstring(&it, buf, sizeof(buf), &len));
}

TEST(at_result_lists)
{
	struct at_result_iter it;
	char s[8];
	int a, b;

	/* AT+CPMS=? answer (TS 27.005 §3.2.2). */
	at_result_iter_line(&it,
			    "+CPMS: (\"SM\",\"ME\"),(\"SM\",\"ME\"),(\"SM\")");
	CHECK(at_result_skip_prefix(&it, "+CPMS:"));
	CHECK(at_result_open_list(&it));
	CHECK(at_result_next_string(&it, s, sizeof(s)) && !strcmp(s, "SM"));
	CHECK(at_result_next_string(&it, s, sizeof(s)) && !strcmp(s, "ME"));
	CHECK(!at_result_next_string(&it, s, sizeof(s)));
	CHECK(at_result_close_list(&it));
	CHECK(at_result_skip(&it));
	CHECK(at_result_open_list(&it));
	CHECK(at_result_next_unquoted(&it, s, sizeof(s)) == false);
	CHECK(at_result_skip(&it));
	CHECK(at_result_close_list(&it));
	CHECK(at_result_at_end(&it));
	CHECK(!at_result_close_list(&it));

	/* +CNMI=? ranges are unquoted inside lists. */
	at_result_iter_line(&it, "(0-2),(0,1)");
	CHECK(at_result_open_list(&it));
	CHECK(at_result_next_unquoted(&it, s, sizeof(s)));
	CHECK_STR(s, "0-2");
	CHECK(at_result_close_list(&it));
	CHECK(at_result_open_list(&it));
	CHECK(at_result_next_number(&it, &a) && at_result_next_number(&it, &b));
	CHECK(at_result_close_list(&it));
	at_result_iter_line(&it, "(1,\"(\"),2");
	CHECK(at_result_skip(&it));
	CHECK(at_result_next_number(&it, &a) && a == 2);
	at_result_iter_line(&it, "((1),2");
	CHECK(!at_result_skip(&it));
}

TEST(at_result_unquoted)
{
	struct at_result_iter it;
	char s[8];

	at_result_iter_line(&it, "+CPIN: SIM PIN ,x");
	CHECK(at_result_skip_prefix(&it, "+CPIN:"));
	CHECK(at_result_next_unquoted(&it, s, sizeof(s)));
	CHECK_STR(s, "SIM PIN");
	CHECK(!at_result_next_unquoted(&it, s, 1));
	CHECK(at_result_next_unquoted(&it, s, 2));
	CHECK_STR(s, "x");
	CHECK(!at_result_skip_prefix(&it, "x"));
}

TEST(at_result_uninitialised_iterators_fail_safely)
{
	struct at_result_iter it;
	int n;
	char s[4];

	at_result_iter_init(&it, NULL, 0);
	CHECK(!at_result_next(&it, NULL));
	CHECK(!at_result_next_number(&it, &n));
	CHECK(!at_result_next_string(&it, s, sizeof(s)));
	CHECK(!at_result_skip(&it));
	CHECK(!at_result_open_list(&it));
	CHECK(at_result_at_end(&it));
	CHECK_STR(at_result_rest(&it), "");
}
