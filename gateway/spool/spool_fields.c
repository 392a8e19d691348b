/* spool_fields — To: line fields and CSV rows; see include/spool_fields.h. */
#include "spool_fields.h"

#include "spool_text.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static bool spool_fields_space(char c)
{
	return c == ' ' || c == '\t';
}

bool spool_fields_name_ok(const char *name, size_t len)
{
	if (!len || len > SPOOL_FIELD_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    !strchr("_-.", name[i]))
			return false;
	return true;
}

/*
 * Reads one value from s[*i] up to a stop character (or end), unquoting
 * in place into s from offset *o. Leaves *i at the stop character.
 */
static bool spool_fields_value_at(char *s, size_t len, size_t *i, char stop,
		     struct spool_field *f, char *err, size_t errsize)
{
	size_t start, o, end;

	while (*i < len && spool_fields_space(s[*i]) && s[*i] != stop)
		(*i)++;
	start = o = *i;
	if (*i < len && s[*i] == '"') {
		(*i)++;
		for (;;) {
			if (*i == len) {
				snprintf(err, errsize,
					 "unterminated quote (a value cannot "
					 "span lines)");
				return false;
			}
			if (s[*i] == '"') {
				if (*i + 1 < len && s[*i + 1] == '"') {
					s[o++] = '"';
					*i += 2;
					continue;
				}
				(*i)++;
				break;
			}
			s[o++] = s[(*i)++];
		}
		while (*i < len && spool_fields_space(s[*i]) && s[*i] != stop)
			(*i)++;
		if (*i < len && s[*i] != stop) {
			snprintf(err, errsize, "text after a closing quote");
			return false;
		}
		f->value = s + start;
		f->value_len = o - start;
		return true;
	}
	while (*i < len && s[*i] != stop)
		(*i)++;
	for (end = *i; end > start && spool_fields_space(s[end - 1]); end--)
		;
	f->value = s + start;
	f->value_len = end - start;
	return true;
}

int spool_fields_parse(char *s, size_t len, struct spool_field *out,
		       size_t max, char *err, size_t errsize)
{
	size_t i = 0, n = 0;

	while (i < len) {
		size_t start, end;
		struct spool_field *f;
		char q[64];

		while (i < len && spool_fields_space(s[i]))
			i++;
		if (i < len && s[i] == ';') {	/* an empty field: "a; ;b" */
			i++;
			continue;
		}
		if (i == len)
			break;
		start = i;
		while (i < len && s[i] != '=' && s[i] != ';')
			i++;
		for (end = i; end > start &&
		     spool_fields_space(s[end - 1]); end--)
			;
		if (i == len || s[i] != '=') {
			spool_text_quote(s + start, end - start, q, sizeof(q));
			snprintf(err, errsize,
				 "'%s' is not a field (name=value)", q);
			return -1;
		}
		if (!spool_fields_name_ok(s + start, end - start)) {
			spool_text_quote(s + start, end - start, q, sizeof(q));
			snprintf(err, errsize,
				 "'%s' is not a field name (letters, digits, "
				 "_ - .)", q);
			return -1;
		}
		for (size_t k = 0; k < n; k++) {
			if (out[k].name_len == end - start &&
			    memcmp(out[k].name, s + start, end - start) == 0) {
				snprintf(err, errsize,
					 "field '%.*s' given twice",
					 (int)(end - start), s + start);
				return -1;
			}
		}
		if (n == max) {
			snprintf(err, errsize, "more than %zu fields", max);
			return -1;
		}
		f = &out[n++];
		f->name = s + start;
		f->name_len = end - start;
		i++;	/* '=' */
		if (!spool_fields_value_at(s, len, &i, ';', f, err, errsize))
			return -1;
		if (i < len)
			i++;	/* ';' */
	}
	return (int)n;
}

char spool_fields_csv_separator(const char *line, size_t len)
{
	bool quoted = false;

	for (size_t i = 0; i < len; i++) {
		if (line[i] == '"')
			quoted = !quoted;
		else if (!quoted && strchr(",;\t", line[i]) && line[i])
			return line[i];
	}
	return ',';
}

int spool_fields_csv(char *line, size_t len, char sep, struct spool_field *out,
		     size_t max, char *err, size_t errsize)
{
	size_t i = 0, n = 0;

	for (;;) {
		if (n == max) {
			snprintf(err, errsize, "more than %zu columns", max);
			return -1;
		}
		if (!spool_fields_value_at(line, len, &i, sep, &out[n], err,
					   errsize))
			return -1;
		n++;
		if (i >= len)
			break;
		i++;	/* the separator */
	}
	return (int)n;
}
