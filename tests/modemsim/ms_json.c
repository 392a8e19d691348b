/* ms_json — a small JSON reader; see ms_json.h. */
#include "ms_json.h"
#include "hex.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ms_json_in {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errsize;
};

static bool ms_json_fail(struct ms_json_in *in, const char *what)
{
	snprintf(in->err, in->errsize, "%s at offset %zu", what, in->pos);
	return false;
}

static void ms_json_ws(struct ms_json_in *in)
{
	while (in->pos < in->len && strchr(" \t\r\n", in->s[in->pos]) &&
	       in->s[in->pos])
		in->pos++;
}

static bool ms_json_lit(struct ms_json_in *in, const char *lit)
{
	size_t n = strlen(lit);

	if (in->len - in->pos < n || memcmp(in->s + in->pos, lit, n))
		return ms_json_fail(in, "bad literal");
	in->pos += n;
	return true;
}

static int ms_json_hex4(struct ms_json_in *in)
{
	int v = 0;

	if (in->len - in->pos < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(in->s[in->pos++]);

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static bool ms_json_escape(struct ms_json_in *in, char *out, size_t *o)
{
	char c = in->s[in->pos++];
	int u, lo;
	const char *map = strchr("\"\"\\\\//b\bf\fn\nr\rt\t", c);

	if (c != 'u') {
		if (!map || (map - "\"\"\\\\//b\bf\fn\nr\rt\t") % 2)
			return ms_json_fail(in, "bad escape");
		out[(*o)++] = map[1];
		return true;
	}
	u = ms_json_hex4(in);
	if (u < 0)
		return ms_json_fail(in, "bad \\u escape");
	if (u >= 0xd800 && u <= 0xdbff) {
		if (in->len - in->pos < 6 || in->s[in->pos] != '\\' ||
		    in->s[in->pos + 1] != 'u')
			return ms_json_fail(in, "lone surrogate");
		in->pos += 2;
		lo = ms_json_hex4(in);
		if (lo < 0xdc00 || lo > 0xdfff)
			return ms_json_fail(in, "bad surrogate pair");
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	} else if ((u >= 0xdc00 && u <= 0xdfff) || u == 0) {
		return ms_json_fail(in, "bad \\u escape");
	}
	*o += utf8_encode((uint32_t)u, out + *o);
	return true;
}

static bool ms_json_string(struct ms_json_in *in, char **res)
{
	size_t o = 0;
	char *out;

	in->pos++;	/* the quote */
	/* Decoded text is never longer than the source. */
	out = malloc(in->len - in->pos + 1);
	if (!out)
		return ms_json_fail(in, "out of memory");
	while (in->pos < in->len) {
		unsigned char c = (unsigned char)in->s[in->pos];

		if (c == '"') {
			in->pos++;
			out[o] = 0;
			*res = out;
			return true;
		}
		if (c < 0x20)
			break;
		if (c == '\\') {
			in->pos++;
			if (in->pos >= in->len ||
			    !ms_json_escape(in, out, &o)) {
				free(out);
				return false;
			}
			continue;
		}
		out[o++] = (char)c;
		in->pos++;
	}
	free(out);
	return ms_json_fail(in, "unterminated string");
}

static bool ms_json_value(struct ms_json_in *in, struct ms_json *v, int depth);

static bool ms_json_push(struct ms_json *v, char *key, struct ms_json *item)
{
	struct ms_json *items = realloc(v->items, (v->n + 1) * sizeof(*items));
	char **keys;

	if (!items)
		return false;
	v->items = items;
	if (v->type == MS_JSON_OBJECT) {
		keys = realloc(v->keys, (v->n + 1) * sizeof(*keys));
		if (!keys)
			return false;
		v->keys = keys;
		keys[v->n] = key;
	}
	items[v->n++] = *item;
	return true;
}

static bool ms_json_container(struct ms_json_in *in, struct ms_json *v,
			      int depth)
{
	char close = in->s[in->pos] == '{' ? '}' : ']';

	v->type = close == '}' ? MS_JSON_OBJECT : MS_JSON_ARRAY;
	if (depth >= MS_JSON_DEPTH)
		return ms_json_fail(in, "too deep");
	in->pos++;
	ms_json_ws(in);
	if (in->pos < in->len && in->s[in->pos] == close) {
		in->pos++;
		return true;
	}
	for (;;) {
		struct ms_json item = { 0 };
		char *key = NULL;

		ms_json_ws(in);
		if (v->type == MS_JSON_OBJECT) {
			if (in->pos >= in->len || in->s[in->pos] != '"')
				return ms_json_fail(in, "want a key");
			if (!ms_json_string(in, &key))
				return false;
			ms_json_ws(in);
			if (in->pos >= in->len || in->s[in->pos] != ':') {
				free(key);
				return ms_json_fail(in, "want ':'");
			}
			in->pos++;
		}
		if (!ms_json_value(in, &item, depth + 1) ||
		    !ms_json_push(v, key, &item)) {
			free(key);
			ms_json_free(&item);
			return false;
		}
		ms_json_ws(in);
		if (in->pos < in->len && in->s[in->pos] == ',') {
			in->pos++;
			continue;
		}
		if (in->pos < in->len && in->s[in->pos] == close) {
			in->pos++;
			return true;
		}
		return ms_json_fail(in, "want ',' or the end");
	}
}

static bool ms_json_value(struct ms_json_in *in, struct ms_json *v, int depth)
{
	char *end;
	char num[64];
	size_t n = 0;

	memset(v, 0, sizeof(*v));
	ms_json_ws(in);
	if (in->pos >= in->len)
		return ms_json_fail(in, "want a value");
	switch (in->s[in->pos]) {
	case '{':
	case '[':
		return ms_json_container(in, v, depth);
	case '"':
		v->type = MS_JSON_STRING;
		return ms_json_string(in, &v->str);
	case 't':
		v->type = MS_JSON_BOOL;
		v->b = true;
		return ms_json_lit(in, "true");
	case 'f':
		v->type = MS_JSON_BOOL;
		return ms_json_lit(in, "false");
	case 'n':
		return ms_json_lit(in, "null");
	default:
		break;
	}
	while (in->pos + n < in->len && n + 1 < sizeof(num) &&
	       strchr("+-0123456789.eE", in->s[in->pos + n]) &&
	       in->s[in->pos + n])
		num[n] = in->s[in->pos + n], n++;
	num[n] = 0;
	v->type = MS_JSON_NUMBER;
	v->num = strtod(num, &end);
	if (!n || *end)
		return ms_json_fail(in, "bad number");
	in->pos += n;
	return true;
}

bool ms_json_parse(const char *s, size_t len, struct ms_json *out, char *err,
		   size_t errsize)
{
	struct ms_json_in in = { s, len, 0, err, errsize };

	if (!ms_json_value(&in, out, 0)) {
		ms_json_free(out);
		return false;
	}
	ms_json_ws(&in);
	if (in.pos != len) {
		ms_json_free(out);
		return ms_json_fail(&in, "trailing bytes");
	}
	return true;
}

void ms_json_free(struct ms_json *j)
{
	for (size_t i = 0; i < j->n; i++) {
		ms_json_free(&j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	memset(j, 0, sizeof(*j));
}

const struct ms_json *ms_json_get(const struct ms_json *obj, const char *key)
{
	if (obj->type != MS_JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}
