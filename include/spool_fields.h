/*
 * spool_fields — the personalisation fields of a spool file: the
 * "; name=value" tail of a To: line and the rows of a CSV recipients
 * section (RFC 4180 within one line). Pure; works in place on the
 * caller's buffer, which it may rewrite (quotes are removed).
 */
#ifndef SMSGW_SPOOL_FIELDS_H
#define SMSGW_SPOOL_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

/* A field name: what a {{placeholder}} may name (template.h). */
#define SPOOL_FIELD_NAME_MAX 64

struct spool_field {
	const char *name;	/* not NUL-terminated */
	size_t name_len;
	const char *value;	/* not NUL-terminated; may be empty */
	size_t value_len;
};

/* Whether name (len bytes) is a valid field name. */
bool spool_fields_name_ok(const char *name, size_t len);

/*
 * Parses "name=value; other="a; b"" (what follows the number and its ';'
 * on a To: line). Values are trimmed; a value in double quotes may hold
 * ';' and '""' for a quote. Returns the number of fields (at most max), or
 * -1 with a reason in err: a field without '=', a bad or repeated name,
 * an unterminated quote, or more than max fields.
 */
int spool_fields_parse(char *s, size_t len, struct spool_field *out,
		       size_t max, char *err, size_t errsize);

/* The separator of a CSV header row: the first ',', ';' or tab outside
 * quotes, else ','. */
char spool_fields_csv_separator(const char *line, size_t len);

/*
 * Splits one CSV row into cells (value and value_len of out; names are
 * left alone). Cells are trimmed of spaces outside quotes. Returns the
 * number of cells, or -1 with a reason in err (unterminated quote, text
 * after a closing quote, more than max cells).
 */
int spool_fields_csv(char *line, size_t len, char sep, struct spool_field *out,
		     size_t max, char *err, size_t errsize);

#endif
