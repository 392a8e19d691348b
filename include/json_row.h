/*
 * json_row — a result row of SQLite as a jansson object: column names as
 * keys, integers, reals, text and NULL as such. For the HTTP API and the
 * webhook bodies, which both show rows of the contract views.
 */
#ifndef SMSGW_JSON_ROW_H
#define SMSGW_JSON_ROW_H

#include <jansson.h>
#include <sqlite3.h>

/* A new object (the caller owns the reference) of s's current row. */
json_t *json_row(sqlite3_stmt *s);

#endif
