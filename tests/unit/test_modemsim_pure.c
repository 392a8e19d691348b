/*
 * The simulator's pure parts: the JSON reader of the control socket and the
 * message storage. The simulator is a program, not part of libsmsgw, so its
 * pure sources are compiled in here.
 */
#include "harness.h"

#include "../modemsim/ms_json.c"
#include "../modemsim/ms_store.c"

#include <string.h>

TEST(modemsim_json_object)
{
	static const char doc[] =
		"{\"cmd\":\"deliver\",\"modem\":2,\"text\":\"a\\u00e9\\ud83d\\ude00\\n\","
		"\"drop\":[1, 3],\"ucs2\":true,\"x\":null}";
	struct ms_json j;
	char err[128];
	const struct ms_json *v;

	CHECK(ms_json_parse(doc, strlen(doc), &j, err, sizeof(err)));
	CHECK_STR(ms_json_get(&j, "cmd")->str, "deliver");
	CHECK_INT(ms_json_get(&j, "modem")->num, 2);
	CHECK_STR(ms_json_get(&j, "text")->str, "a\xc3\xa9\xf0\x9f\x98\x80\n");
	v = ms_json_get(&j, "drop");
	CHECK_INT(v->type, MS_JSON_ARRAY);
	CHECK_INT(v->n, 2);
	CHECK_INT(v->items[1].num, 3);
	CHECK(ms_json_get(&j, "ucs2")->b);
	CHECK_INT(ms_json_get(&j, "x")->type, MS_JSON_NULL);
	CHECK(ms_json_get(&j, "nope") == NULL);
	ms_json_free(&j);
}

TEST(modemsim_json_rejects_garbage)
{
	static const char *const bad[] = {
		"", "{", "{\"a\"}", "{\"a\":}", "[1,]", "{\"a\":1}x",
		"\"\\ud800\"", "\"\\u0000\"", "\"tab\there\"", "\"open",
		"tru", "{\"a\":-}", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]"
		"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "\"\\q\"",
	};
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ms_json j;

		if (!CHECK(!ms_json_parse(bad[i], strlen(bad[i]), &j, err,
					  sizeof(err))))
			harness_fail(__FILE__, __LINE__, "accepted: %s", bad[i]);
	}
}

TEST(modemsim_json_every_truncation)
{
	static const char doc[] = "{\"cmd\":\"set\",\"knobs\":{\"cms_codes\":"
				  "[21,38],\"latency_ms\":250,\"echo\":false}}";
	char err[128];

	/* Every proper prefix is an error, never a crash or a read past len. */
	for (size_t n = 0; n < strlen(doc); n++) {
		struct ms_json j;
		char *copy = malloc(n ? n : 1);

		memcpy(copy, doc, n);
		CHECK(!ms_json_parse(copy, n, &j, err, sizeof(err)));
		free(copy);
	}
}

TEST(modemsim_store_add_full_delete)
{
	struct ms_store s;

	CHECK(ms_store_init(&s, 2));
	CHECK_INT(ms_store_add(&s, "0011", 1, false), 0);
	CHECK_INT(ms_store_add(&s, "0022", 1, true), 1);
	CHECK_INT(ms_store_add(&s, "0033", 1, false), -1);
	CHECK_INT(ms_store_used(&s), 2);
	CHECK(ms_store_get(&s, 1)->report);
	CHECK(ms_store_get(&s, 2) == NULL);
	CHECK(ms_store_get(&s, -1) == NULL);
	CHECK(ms_store_delete(&s, 0));
	CHECK(!ms_store_delete(&s, 5));
	CHECK_INT(ms_store_add(&s, "0044", 1, false), 0);
	CHECK_STR(ms_store_get(&s, 0)->pdu, "0044");
	ms_store_free(&s);
}

TEST(modemsim_store_delflag)
{
	/* TS 27.005 §3.5.4: 1 read, 2 +sent, 3 +unsent, 4 all. */
	static const struct {
		int flag, left;
	} rows[] = { { 1, 3 }, { 2, 2 }, { 3, 1 }, { 4, 0 } };

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct ms_store s;

		CHECK(ms_store_init(&s, 4));
		for (int i = 0; i < 4; i++) {
			ms_store_add(&s, "00", 0, false);
			s.msgs[i].stat = (enum ms_store_stat)i;
		}
		ms_store_delete_flag(&s, rows[r].flag);
		CHECK_INT(ms_store_used(&s), rows[r].left);
		ms_store_free(&s);
	}
	CHECK(ms_store_match(MS_STORE_STAT_REC_READ, MS_STORE_STAT_ALL));
	CHECK(!ms_store_match(MS_STORE_STAT_REC_READ,
			      MS_STORE_STAT_REC_UNREAD));
}
