/* at_result — fields of AT response lines; see include/at_result.h. */
#include "at_result.h"
#include "hex.h"

#include <limits.h>
#include <string.h>

void at_result_iter_init(struct at_result_iter *it, const char *const *lines,
			 size_t n)
{
	*it = (struct at_result_iter){ .lines = lines, .nlines = n };
}

void at_result_iter_line(struct at_result_iter *it, const char *line)
{
	*it = (struct at_result_iter){ .line = line, .end = strlen(line) };
}

static void at_result_skip_spaces(struct at_result_iter *it)
{
	while (it->pos < it->end &&
	       (it->line[it->pos] == ' ' || it->line[it->pos] == '\t'))
		it->pos++;
}

bool at_result_next(struct at_result_iter *it, const char *prefix)
{
	size_t plen = prefix ? strlen(prefix) : 0;

	while (it->next < it->nlines) {
		const char *line = it->lines[it->next++];

		if (!line || strncmp(line, prefix ? prefix : "", plen) != 0)
			continue;
		it->line = line;
		it->end = strlen(line);
		it->pos = plen;
		it->depth = 0;
		at_result_skip_spaces(it);
		return true;
	}
	return false;
}

bool at_result_skip_prefix(struct at_result_iter *it, const char *prefix)
{
	size_t plen = strlen(prefix);

	if (!it->line || it->end - it->pos < plen ||
	    strncmp(it->line + it->pos, prefix, plen) != 0)
		return false;
	it->pos += plen;
	at_result_skip_spaces(it);
	return true;
}

bool at_result_iter_prefix(struct at_result_iter *it, const char *line,
			   const char *prefix)
{
	at_result_iter_line(it, line);
	return at_result_skip_prefix(it, prefix);
}

const char *at_result_rest(const struct at_result_iter *it)
{
	return it->line ? it->line + it->pos : "";
}

bool at_result_at_end(const struct at_result_iter *it)
{
	return !it->line || it->pos >= it->end;
}

/*
 * After a field ending at pos: spaces, then a comma (consumed), a closing
 * parenthesis of an open list (left for at_result_close_list) or the end.
 * Anything else means the field was not what the caller asked for.
 */
static bool at_result_field_end(struct at_result_iter *it, size_t pos)
{
	while (pos < it->end && (it->line[pos] == ' ' || it->line[pos] == '\t'))
		pos++;
	if (pos < it->end) {
		char c = it->line[pos];

		if (c == ')' && it->depth > 0) {
			it->pos = pos;
			return true;
		}
		if (c != ',')
			return false;
		pos++;
	}
	it->pos = pos;
	at_result_skip_spaces(it);
	return true;
}

/* The bounds of a quoted field starting at pos, without the quotes. */
static bool at_result_quoted(const struct at_result_iter *it, size_t pos,
			     size_t *start, size_t *stop)
{
	const char *q;

	if (pos >= it->end || it->line[pos] != '"')
		return false;
	q = memchr(it->line + pos + 1, '"', it->end - pos - 1);
	if (!q)
		return false;
	*start = pos + 1;
	*stop = (size_t)(q - it->line);
	return true;
}

/* The bounds of a field's value with optional quotes; *after is the index
 * after the field's last byte. */
static bool at_result_value(const struct at_result_iter *it, size_t *start,
			    size_t *stop, size_t *after)
{
	size_t pos = it->pos;

	if (!it->line)
		return false;
	if (at_result_quoted(it, pos, start, stop)) {
		*after = *stop + 1;
		return true;
	}
	if (pos < it->end && it->line[pos] == '"')
		return false;	/* a quote never closed */
	*start = pos;
	while (pos < it->end && it->line[pos] != ',' &&
	       !(it->line[pos] == ')' && it->depth > 0))
		pos++;
	*after = pos;
	while (pos > *start &&
	       (it->line[pos - 1] == ' ' || it->line[pos - 1] == '\t'))
		pos--;
	*stop = pos;
	return true;
}

static bool at_result_parse_int(const char *s, size_t len, int *out)
{
	long long v = 0;
	bool neg = false;
	size_t i = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
		if (v > (long long)INT_MAX + 1)
			return false;
	}
	if (neg)
		v = -v;
	if (v > INT_MAX || v < INT_MIN)
		return false;
	*out = (int)v;
	return true;
}

bool at_result_next_number(struct at_result_iter *it, int *out)
{
	size_t start, stop, after;
	int v;

	if (!at_result_value(it, &start, &stop, &after) ||
	    !at_result_parse_int(it->line + start, stop - start, &v) ||
	    !at_result_field_end(it, after))
		return false;
	*out = v;
	return true;
}

bool at_result_next_number_default(struct at_result_iter *it, int dflt,
				   int *out)
{
	size_t start, stop, after;

	if (!it->line)
		return false;
	if (it->pos >= it->end) {
		*out = dflt;
		return true;
	}
	if (!at_result_value(it, &start, &stop, &after))
		return false;
	if (start == stop) {
		if (!at_result_field_end(it, after))
			return false;
		*out = dflt;
		return true;
	}
	return at_result_next_number(it, out);
}

bool at_result_next_hexnum(struct at_result_iter *it, uint32_t *out)
{
	size_t start, stop, after;
	uint32_t v = 0;

	if (!at_result_value(it, &start, &stop, &after) || start == stop ||
	    stop - start > 8)
		return false;
	for (size_t i = start; i < stop; i++) {
		int d = hex_digit(it->line[i]);

		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	if (!at_result_field_end(it, after))
		return false;
	*out = v;
	return true;
}

bool at_result_next_string_ref(struct at_result_iter *it, const char **s,
			       size_t *len)
{
	size_t start, stop;

	if (!it->line || !at_result_quoted(it, it->pos, &start, &stop) ||
	    !at_result_field_end(it, stop + 1))
		return false;
	*s = it->line + start;
	*len = stop - start;
	return true;
}

static bool at_result_copy(char *buf, size_t size, const char *s, size_t len)
{
	if (!size || len > size - 1)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return true;
}

bool at_result_next_string(struct at_result_iter *it, char *buf, size_t size)
{
	struct at_result_iter save = *it;
	const char *s;
	size_t len;

	if (!at_result_next_string_ref(it, &s, &len))
		return false;
	if (!at_result_copy(buf, size, s, len)) {
		*it = save;
		return false;
	}
	return true;
}

bool at_result_next_unquoted(struct at_result_iter *it, char *buf,
			     size_t size)
{
	size_t start, stop, after;

	if (!it->line || (it->pos < it->end && (it->line[it->pos] == '"' ||
						it->line[it->pos] == '(')))
		return false;
	if (!at_result_value(it, &start, &stop, &after) ||
	    !at_result_copy(buf, size, it->line + start, stop - start))
		return false;
	if (!at_result_field_end(it, after))
		return false;
	return true;
}

bool at_result_next_hexstring(struct at_result_iter *it, uint8_t *buf,
			      size_t size, size_t *len)
{
	size_t start, stop, after, n;

	if (!at_result_value(it, &start, &stop, &after))
		return false;
	n = stop - start;
	if (n % 2 || n / 2 > size)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hex_digit(it->line[start + i]);
		int lo = hex_digit(it->line[start + i + 1]);

		if (hi < 0 || lo < 0)
			return false;
	}
	if (!at_result_field_end(it, after))
		return false;
	for (size_t i = 0; i < n; i += 2) {
		const char *d = it->line + start + i;

		buf[i / 2] = (uint8_t)(hex_digit(d[0]) << 4 |
				       hex_digit(d[1]));
	}
	*len = n / 2;
	return true;
}

/* Index after the balanced list starting at pos (an opening parenthesis). */
static bool at_result_list_end(const struct at_result_iter *it, size_t pos,
			       size_t *after)
{
	int depth = 0;

	for (; pos < it->end; pos++) {
		char c = it->line[pos];

		if (c == '"') {
			const char *q = memchr(it->line + pos + 1, '"',
					       it->end - pos - 1);

			if (!q)
				return false;
			pos = (size_t)(q - it->line);
		} else if (c == '(') {
			depth++;
		} else if (c == ')' && --depth == 0) {
			*after = pos + 1;
			return true;
		}
	}
	return false;
}

bool at_result_skip(struct at_result_iter *it)
{
	size_t start, stop, after;

	if (!it->line)
		return false;
	if (it->pos < it->end && it->line[it->pos] == '(') {
		if (!at_result_list_end(it, it->pos, &after))
			return false;
		return at_result_field_end(it, after);
	}
	if (!at_result_value(it, &start, &stop, &after))
		return false;
	return at_result_field_end(it, after);
}

bool at_result_open_list(struct at_result_iter *it)
{
	if (!it->line || it->pos >= it->end || it->line[it->pos] != '(')
		return false;
	it->pos++;
	it->depth++;
	at_result_skip_spaces(it);
	return true;
}

bool at_result_close_list(struct at_result_iter *it)
{
	if (!it->line || it->depth == 0 || it->pos >= it->end ||
	    it->line[it->pos] != ')')
		return false;
	it->depth--;
	return at_result_field_end(it, it->pos + 1);
}
