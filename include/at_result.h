/*
 * at_result — reads the fields of AT response lines (TS 27.007 §4.1,
 * §5.1: "+NAME: field,field,...", strings in double quotes, lists in
 * parentheses). Pure: no I/O, no allocation, no globals; it never reads
 * past the end of a line, and a field that does not parse leaves the
 * iterator where it was, so a caller may try another type.
 *
 *	struct at_result_iter it;
 *	int rssi, ber;
 *
 *	at_result_iter_init(&it, lines, nlines);
 *	if (at_result_next(&it, "+CSQ:") &&
 *	    at_result_next_number(&it, &rssi) &&
 *	    at_result_next_number(&it, &ber))
 *		...
 *
 * Lines are NUL-terminated (the framer guarantees it) and borrowed: they
 * must outlive the iterator.
 */
#ifndef SMSGW_AT_RESULT_H
#define SMSGW_AT_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct at_result_iter {
	const char *const *lines;
	size_t nlines;
	size_t next;		/* index of the next line to visit */
	const char *line;	/* current line, or NULL before the first */
	size_t pos;		/* read position in line */
	size_t end;		/* strlen(line) */
	int depth;		/* open parenthesised lists */
};

/* Iterates over lines[0..n); call at_result_next() to reach the first. */
void at_result_iter_init(struct at_result_iter *it, const char *const *lines,
			 size_t n);
/* Iterates over one line, already positioned at its start. */
void at_result_iter_line(struct at_result_iter *it, const char *line);

/*
 * Moves to the next line that starts with prefix (NULL or "": any line)
 * and positions after the prefix and any spaces. Returns false when no
 * line is left.
 */
bool at_result_next(struct at_result_iter *it, const char *prefix);

/* If the current position starts with prefix, skips it and the spaces
 * after it. For lines positioned with at_result_iter_line(). */
bool at_result_skip_prefix(struct at_result_iter *it, const char *prefix);
/* Both: iterates over line, past prefix; false if line does not start
 * with it. */
bool at_result_iter_prefix(struct at_result_iter *it, const char *line,
			   const char *prefix);

/* The part of the line not read yet ("" at the end). */
const char *at_result_rest(const struct at_result_iter *it);
bool at_result_at_end(const struct at_result_iter *it);

/* A decimal integer (optional sign) in [INT_MIN, INT_MAX], quoted or not. */
bool at_result_next_number(struct at_result_iter *it, int *out);
/* Same, but an empty field gives dflt. */
bool at_result_next_number_default(struct at_result_iter *it, int dflt,
				   int *out);
/* A hexadecimal number such as a LAC or cell id ("1A2B" or 1A2B), at most
 * 8 digits. */
bool at_result_next_hexnum(struct at_result_iter *it, uint32_t *out);

/*
 * A double-quoted string, copied into buf (size bytes, NUL-terminated).
 * Fails, consuming nothing, if the field is not quoted, the quote is not
 * closed, or the text does not fit.
 */
bool at_result_next_string(struct at_result_iter *it, char *buf,
			   size_t size);
/* The same without copying: *s points into the line, *len bytes. */
bool at_result_next_string_ref(struct at_result_iter *it, const char **s,
			       size_t *len);
/*
 * An unquoted field up to the next comma (or closing parenthesis inside a
 * list), trailing spaces removed; empty fields are allowed. Copied like
 * at_result_next_string().
 */
bool at_result_next_unquoted(struct at_result_iter *it, char *buf,
			     size_t size);
/*
 * A field of hexadecimal digit pairs, quoted or not, decoded into buf (at
 * most size bytes); *len gets the byte count. Odd digit counts fail.
 */
bool at_result_next_hexstring(struct at_result_iter *it, uint8_t *buf,
			      size_t size, size_t *len);

/* Skips one field of any kind, empty fields and (lists) included. */
bool at_result_skip(struct at_result_iter *it);

/* "(" and ")" of the lists in =? answers, e.g. +CPMS: ("SM","ME"),(...). */
bool at_result_open_list(struct at_result_iter *it);
bool at_result_close_list(struct at_result_iter *it);

#endif
