/*
 * json — a few helpers to print JSON by hand with stdio. Enough for the
 * CLI's output; there is no JSON parser in the daemon.
 */
#ifndef SMSGW_JSON_H
#define SMSGW_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Writes s as a JSON string with quotes; NULL writes null. Invalid UTF-8
 * bytes are written as \ufffd so the output always parses. */
void json_str(FILE *f, const char *s);
/* Same for a buffer of len bytes that may hold NULs. */
void json_strn(FILE *f, const char *s, size_t len);
/* "key": — with a leading comma unless first is true (then it is cleared). */
void json_key(FILE *f, bool *first, const char *key);

#endif
