/*
 * config_text — comments blanked, newlines kept; see include/config_text.h.
 *
 * The scan follows libconfuse's lexer: "..." with backslash escapes and
 * '...' with \' are strings and may span lines; '#' starts a comment
 * anywhere outside a string (it cannot be part of an unquoted word); '//'
 * and '/' '*' start one only where a token starts, since an unquoted word
 * such as /dev//ttyUSB0 may contain slashes.
 */
#include "config_text.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting than any smsgw.conf has (modem > sim > list). */
#define CONFIG_TEXT_DEPTH 64

static bool token_start(const char *s, size_t i)
{
	return i == 0 || strchr(" \t\r\n{}(),=+", s[i - 1]) != NULL;
}

static void blank(char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (s[i] != '\n')
			s[i] = ' ';
}

int config_text_prepare(const char *path, const char *in, size_t n,
			struct config_text *out, char *err, size_t errsize)
{
	int open_line[CONFIG_TEXT_DEPTH];
	int depth = 0, line = 1, start_line;
	char *s = malloc(n + 1);
	size_t i = 0, start;

	memset(out, 0, sizeof(*out));
	if (!s) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	memcpy(s, in, n);
	s[n] = '\0';
	if (memchr(s, '\0', n)) {
		snprintf(err, errsize, "%s: contains a NUL byte: not a text file",
			 path);
		free(s);
		return -1;
	}
	while (i < n) {
		char c = s[i];

		start = i;
		start_line = line;
		if (c == '\n') {
			line++;
			i++;
		} else if (c == '"' || c == '\'') {
			for (i++; i < n && s[i] != c; i++) {
				if (s[i] == '\\' && i + 1 < n) {
					if (s[i + 1] == '\n')
						line++;
					i++;
				} else if (s[i] == '\n') {
					line++;
				}
			}
			if (i >= n) {
				/* An earlier string that ran over a line break
				 * took this quote as its end: the missing one
				 * is there. */
				if (out->multiline_quote_line)
					start_line = out->multiline_quote_line;
				snprintf(err, errsize,
					 "%s:%d: premature end of file: the quote"
					 " opened on this line is never closed",
					 path, start_line);
				free(s);
				return -1;
			}
			if (line != start_line && !out->multiline_quote_line)
				out->multiline_quote_line = start_line;
			i++;
		} else if (c == '#' ||
			   (c == '/' && s[i + 1] == '/' && token_start(s, i))) {
			while (i < n && s[i] != '\n')
				i++;
			blank(s, start, i);
		} else if (c == '/' && s[i + 1] == '*' && token_start(s, i)) {
			for (i += 2; i < n && !(s[i] == '*' && s[i + 1] == '/');
			     i++)
				if (s[i] == '\n')
					line++;
			if (i >= n) {
				snprintf(err, errsize,
					 "%s:%d: premature end of file: the comment"
					 " opened on this line is never closed",
					 path, start_line);
				free(s);
				return -1;
			}
			i += 2;
			blank(s, start, i);
		} else {
			if (c == '{') {
				if (depth < CONFIG_TEXT_DEPTH)
					open_line[depth] = line;
				depth++;
			} else if (c == '}' && depth > 0) {
				depth--;	/* a stray '}' is libconfuse's to report */
			}
			i++;
		}
	}
	if (depth > 0) {
		int at = open_line[depth <= CONFIG_TEXT_DEPTH ? depth - 1
							      : CONFIG_TEXT_DEPTH - 1];

		snprintf(err, errsize,
			 "%s:%d: premature end of file: the '{' on this line"
			 " has no matching '}'", path, at);
		free(s);
		return -1;
	}
	out->text = s;
	return 0;
}

int config_text_read(const char *path, struct config_text *out, char *err,
		     size_t errsize)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!f) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;

		if (n + 4096 > cap) {
			char *more;

			/* A configuration is kilobytes; refuse a runaway. */
			if (cap >= (16u << 20)) {
				snprintf(err, errsize, "%s: larger than 16 MiB",
					 path);
				free(buf);
				fclose(f);
				return -1;
			}
			more = realloc(buf, cap ? cap * 2 : 16384);
			if (!more) {
				snprintf(err, errsize, "%s: out of memory", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = more;
			cap = cap ? cap * 2 : 16384;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	rc = config_text_prepare(path, buf ? buf : "", n, out, err, errsize);
	free(buf);
	return rc;
}

void config_text_free(struct config_text *t)
{
	free(t->text);
	t->text = NULL;
}
