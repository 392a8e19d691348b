/*
 * spool_parse_priv — what the files of the spool parser share: the
 * parser's state and the entry points of each part. Not for other modules;
 * they use spool_parse.h.
 *
 *	spool_parse.c		bytes to lines, sections, the public calls
 *	spool_parse_header.c	one header line and its value
 *	spool_parse_rcpt.c	To: lines, the CSV section, pass 2's output
 *	spool_parse_body.c	the end of pass 1: body text, placeholders
 */
#ifndef SMSGW_SPOOL_PARSE_PRIV_H
#define SMSGW_SPOOL_PARSE_PRIV_H

#include "number.h"
#include "spool_fields.h"
#include "spool_header.h"
#include "spool_parse.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spool_state {
	SPOOL_STATE_HEADERS,
	SPOOL_STATE_BODY,	/* a text body, line by line */
	SPOOL_STATE_BODY_RAW,	/* a UCS-2 body: bytes up to the end */
	SPOOL_STATE_CSV_HEAD,	/* after the marker, before the header row */
	SPOOL_STATE_CSV_ROWS,
	SPOOL_STATE_DONE,
	SPOOL_STATE_FAILED,
};

/* A field some recipient has: whether every recipient has it. */
struct spool_field_track {
	char name[SPOOL_FIELD_NAME_MAX + 1];
	unsigned first_missing;	/* first recipient line without it, or 0 */
	size_t max_len;		/* longest value: bounds rendered bodies */
};

struct spool_parser {
	struct spool_rules rules;
	int pass;			/* 1: check and learn; 2: recipients */
	enum spool_state state;
	unsigned line;			/* the line being read, 1-based */
	char *lbuf;			/* the line being read */
	size_t llen, lcap;
	uint64_t nbytes;		/* fed in this pass */
	uint64_t pass1_bytes;
	uint64_t hash;			/* FNV-1a 64 of this pass's bytes */
	uint64_t pass1_hash;
	struct spool_error err;
	struct spool_message msg;

	/* headers */
	unsigned seen[SPOOL_HEADER_SLOTS];	/* line of each, or 0 */
	size_t nheaders;		/* lines other than To: */
	unsigned sim_line;
	bool last_unknown;		/* the last header was ignored */
	char **macros;			/* smstools3 Macro: "name\0value" */
	size_t nmacros;

	/* body */
	char *body;			/* raw, as in the file (pass 1) */
	size_t body_len, body_cap;
	unsigned body_line;		/* its first line */
	char *text;			/* msg.body: UTF-8, macros applied */

	/* recipients */
	struct number_set set;
	/* Pass 1's verdict per raw recipient (bit nraw - 1: a duplicate),
	 * so that pass 2 — twice for a big file — needs no set: a lookup in
	 * a 16 MB table is a cache miss per recipient at 1,000,000. NULL
	 * (out of memory): pass 2 uses the set again. */
	unsigned char *dups;
	size_t dups_size;
	bool dups_ok;
	size_t nraw;			/* with duplicates */
	unsigned first_rcpt_line;
	struct spool_field_track fields[SPOOL_MAX_FIELDS];
	size_t nfields;

	/* the CSV section */
	char csv_sep;
	size_t csv_cols;
	size_t csv_number_col;
	char csv_names[SPOOL_MAX_FIELDS + 1][SPOOL_FIELD_NAME_MAX + 1];

	/* pass 2 */
	spool_recipient_fn fn;
	void *ud;
	size_t emitted;
};

/* Records the first reason the file is refused, at the current line;
 * returns false. */
bool spool_parse_fail(struct spool_parser *p, enum spool_error_code code,
		      const char *header, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The same at another line, with a ready text. */
bool spool_parse_fail_at(struct spool_parser *p, unsigned line,
			 enum spool_error_code code, const char *header,
			 const char *what);

/* Refuses a line with NUL, control bytes (tab aside) or bad UTF-8. */
bool spool_parse_check_line(struct spool_parser *p, const char *s, size_t n);

/* A header line that is not blank (s NUL-terminated, n bytes). */
bool spool_parse_header_line(struct spool_parser *p, char *s, size_t n);

/* The value of a To: line. */
bool spool_parse_rcpt_to(struct spool_parser *p, char *v, size_t n);
/* A line of the CSV section. */
bool spool_parse_rcpt_csv(struct spool_parser *p, char *s, size_t n);

/* The end of pass 1: the body's text, macros, placeholders, defaults. */
bool spool_parse_body_finish(struct spool_parser *p);

#endif
