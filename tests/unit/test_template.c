/* Placeholders in bodies and replies. */
#include "harness.h"
#include "template.h"

#include <errno.h>
#include <stdlib.h>

static const char *lookup(const char *name, size_t len, void *ud)
{
	static const char *const kv[][2] = {
		{ "name", "Ann" }, { "code", "X1" }, { "first.name", "Zoë" },
		{ "empty", "" },
	};

	(void)ud;
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		if (strlen(kv[i][0]) == len && memcmp(kv[i][0], name, len) == 0)
			return kv[i][1];
	return NULL;
}

TEST(template_renders_and_keeps_literals)
{
	static const struct {
		const char *tpl, *want;
	} v[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "Hi {{name}}, code {{ code }}.", "Hi Ann, code X1." },
		{ "{{name}}{{code}}", "AnnX1" },
		{ "{{first.name}}!", "Zoë!" },
		{ "[{{empty}}]", "[]" },
		{ "{{ }} {{ name", "{{ }} {{ name" },	/* not placeholders */
		{ "{{{name}}}", "{Ann}" },
		{ "{ {name} }", "{ {name} }" },
		{ "{{na me}}", "{{na me}}" },
	};
	char err[64];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *out = template_render(v[i].tpl, lookup, NULL, err, sizeof(err));

		CHECK_STR(out, v[i].want);
		free(out);
	}
}

TEST(template_missing_value_names_placeholder)
{
	char err[64];

	CHECK(template_render("Hi {{nobody}}", lookup, NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "no value for {{nobody}}");
}

/* The failure's kind is a code, not the text of err (spool_parse_rcpt.c
 * tells out of memory from a missing value by it). */
TEST(template_expand_says_which_failure)
{
	char err[64], *out = (char *)"x";

	CHECK_INT(template_expand("Hi {{nobody}}", lookup, NULL, &out, err,
				  sizeof(err)), -ENOENT);
	CHECK(out == NULL);
	CHECK_INT(template_expand("Hi {{name}}", lookup, NULL, &out, err,
				  sizeof(err)), 0);
	CHECK_STR(out, "Hi Ann");
	free(out);
}

static void count_names(const char *name, size_t len, void *ud)
{
	(void)name;
	*(size_t *)ud += len;
}

TEST(template_lists_names)
{
	size_t total = 0;

	CHECK_INT(template_names("{{a}} {{bb}} {{ x", count_names, &total), 2);
	CHECK_INT(total, 3);
}
