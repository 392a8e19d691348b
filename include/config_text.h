/*
 * config_text — the configuration text as libconfuse is given it.
 *
 * libconfuse 3.3 (Debian 12) counts a comment line as three lines, so its
 * errors in an annotated file name a line far below the mistake. We hand it
 * the text with every comment ('#', '//' and '/' '*' ... '*' '/') blanked to
 * spaces and every newline kept: the same tokens on the same lines, nothing
 * for its comment rules to miscount. The scan also finds what libconfuse
 * reports badly or not at all: a quote or comment that never closes (it
 * says "premature end of file" at the last line) and a '{' without its '}'
 * (accepted silently at the end of the file).
 */
#ifndef SMSGW_CONFIG_TEXT_H
#define SMSGW_CONFIG_TEXT_H

#include <stddef.h>

struct config_text {
	char *text;		/* NUL-terminated, comments blanked */
	/* The first quoted string that runs over a line break, or 0: where
	 * a missing closing quote most likely is. */
	int multiline_quote_line;
};

/*
 * Reads path and prepares its text. Returns 0, or -1 with err holding
 * "PATH: why" or "PATH:LINE: why" (LINE where the quote, comment or '{'
 * opens).
 */
int config_text_read(const char *path, struct config_text *out, char *err,
		     size_t errsize);
/* The same for text in memory (n bytes); path only names it in errors. */
int config_text_prepare(const char *path, const char *in, size_t n,
			struct config_text *out, char *err, size_t errsize);
void config_text_free(struct config_text *t);

#endif
