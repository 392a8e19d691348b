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

static bool config_text_token_start(const char *s, size_t i)
{
	return i == 0 || strchr(" \t\r\n{}(),=+", s[i - 1]) != NULL;
}

static void config_text_blank(char *s, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (s[i] != '\n')
			s[i] = ' ';
}

/* Where one scan is: position, line, open braces. */
struct config_text_scan {
	const char *path;
	char *s;
	size_t n, i;
	int line;
	int depth;
	int open_line[CONFIG_TEXT_DEPTH];
	struct config_text *out;
	char *err;
	size_t errsize;
};

static int config_text_scan_fail(struct config_text_scan *sc, int line,
				 const char *what)
{
	snprintf(sc->err, sc->errsize, "%s:%d: premature end of file: %s",
		 sc->path, line, what);
	return -1;
}

/* A "..." or '...' string from its opening quote at sc->i. */
static int config_text_scan_string(struct config_text_scan *sc)
{
	const char *s = sc->s;
	char q = s[sc->i];
	int start_line = sc->line;

	for (sc->i++; sc->i < sc->n && s[sc->i] != q; sc->i++) {
		if (s[sc->i] == '\\' && sc->i + 1 < sc->n) {
			sc->i++;
			sc->line += s[sc->i] == '\n';
		} else if (s[sc->i] == '\n') {
			sc->line++;
		}
	}
	if (sc->i >= sc->n) {
		/* An earlier string that ran over a line break took this
		 * quote as its end: the missing one is there. */
		if (sc->out->multiline_quote_line)
			start_line = sc->out->multiline_quote_line;
		return config_text_scan_fail(sc, start_line,
				"the quote opened on this line is never closed");
	}
	if (sc->line != start_line && !sc->out->multiline_quote_line)
		sc->out->multiline_quote_line = start_line;
	sc->i++;
	return 0;
}

/* A comment from its first character at sc->i, blanked. */
static int config_text_scan_comment(struct config_text_scan *sc)
{
	char *s = sc->s;
	size_t start = sc->i;
	int start_line = sc->line;

	if (s[sc->i] == '/' && s[sc->i + 1] == '*') {
		for (sc->i += 2; sc->i < sc->n &&
				 !(s[sc->i] == '*' && s[sc->i + 1] == '/'); sc->i++)
			sc->line += s[sc->i] == '\n';
		if (sc->i >= sc->n)
			return config_text_scan_fail(sc, start_line,
				"the comment opened on this line is never closed");
		sc->i += 2;
	} else {
		while (sc->i < sc->n && s[sc->i] != '\n')
			sc->i++;
	}
	config_text_blank(s, start, sc->i);
	return 0;
}

static void config_text_scan_brace(struct config_text_scan *sc, char c)
{
	if (c == '{') {
		if (sc->depth < CONFIG_TEXT_DEPTH)
			sc->open_line[sc->depth] = sc->line;
		sc->depth++;
	} else if (c == '}' && sc->depth > 0) {
		sc->depth--;	/* a stray '}' is libconfuse's to report */
	}
}

static int config_text_scan(struct config_text_scan *sc)
{
	const char *s = sc->s;

	while (sc->i < sc->n) {
		char c = s[sc->i];
		int rc = 0;

		if (c == '"' || c == '\'') {
			rc = config_text_scan_string(sc);
		} else if (c == '#' || (c == '/' && (s[sc->i + 1] == '/' ||
						      s[sc->i + 1] == '*') &&
					config_text_token_start(s, sc->i))) {
			rc = config_text_scan_comment(sc);
		} else {
			sc->line += c == '\n';
			config_text_scan_brace(sc, c);
			sc->i++;
		}
		if (rc < 0)
			return rc;
	}
	if (sc->depth > 0) {
		int d = sc->depth <= CONFIG_TEXT_DEPTH ? sc->depth
						       : CONFIG_TEXT_DEPTH;

		return config_text_scan_fail(sc, sc->open_line[d - 1],
					     "the '{' on this line"
					     " has no matching '}'");
	}
	return 0;
}

int config_text_prepare(const char *path, const char *in, size_t n,
			struct config_text *out, char *err, size_t errsize)
{
	struct config_text_scan sc = {
		.path = path, .n = n, .line = 1, .out = out, .err = err,
		.errsize = errsize,
	};

	memset(out, 0, sizeof(*out));
	sc.s = malloc(n + 1);
	if (!sc.s) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	memcpy(sc.s, in, n);
	sc.s[n] = '\0';
	if (memchr(sc.s, '\0', n)) {
		snprintf(err, errsize, "%s: contains a NUL byte: not a text file",
			 path);
		free(sc.s);
		return -1;
	}
	if (config_text_scan(&sc) < 0) {
		free(sc.s);
		return -1;
	}
	out->text = sc.s;
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
