/* template — {{name}} placeholders; see include/template.h. */
#include "template.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool template_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/*
 * If s starts a placeholder, sets its name span and returns its total
 * length; otherwise 0.
 */
static size_t template_placeholder(const char *s, const char **name,
				   size_t *len)
{
	const char *p = s + 2, *start;

	if (s[0] != '{' || s[1] != '{')
		return 0;
	while (*p == ' ')
		p++;
	start = p;
	while (template_name_char(*p))
		p++;
	if (p == start)
		return 0;
	*name = start;
	*len = (size_t)(p - start);
	while (*p == ' ')
		p++;
	if (p[0] != '}' || p[1] != '}')
		return 0;
	return (size_t)(p + 2 - s);
}

size_t template_names(const char *tpl,
		      void (*fn)(const char *name, size_t len, void *ud),
		      void *ud)
{
	size_t count = 0;

	for (const char *p = tpl; *p;) {
		const char *name;
		size_t len, n = template_placeholder(p, &name, &len);

		if (!n) {
			p++;
			continue;
		}
		if (fn)
			fn(name, len, ud);
		count++;
		p += n;
	}
	return count;
}

struct buf {
	char *data;
	size_t len, cap;
};

static bool template_buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d)
			return false;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return true;
}

int template_expand(const char *tpl, template_lookup_fn lookup, void *ud,
		    char **out, char *err, size_t errsize)
{
	struct buf b = { 0 };
	const char *p = tpl, *lit = tpl;

	*out = NULL;

	if (!template_buf_add(&b, "", 0))
		goto nomem;
	while (*p) {
		const char *name, *value;
		size_t len, n = template_placeholder(p, &name, &len);

		if (!n) {
			p++;
			continue;
		}
		if (!template_buf_add(&b, lit, (size_t)(p - lit)))
			goto nomem;
		value = lookup ? lookup(name, len, ud) : NULL;
		if (!value) {
			snprintf(err, errsize, "no value for {{%.*s}}", (int)len,
				 name);
			free(b.data);
			return -ENOENT;
		}
		if (!template_buf_add(&b, value, strlen(value)))
			goto nomem;
		p += n;
		lit = p;
	}
	if (!template_buf_add(&b, lit, (size_t)(p - lit)))
		goto nomem;
	*out = b.data;
	return 0;
nomem:
	snprintf(err, errsize, "out of memory");
	free(b.data);
	return -ENOMEM;
}

char *template_render(const char *tpl, template_lookup_fn lookup, void *ud,
		      char *err, size_t errsize)
{
	char *out;

	template_expand(tpl, lookup, ud, &out, err, errsize);
	return out;
}
