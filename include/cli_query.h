/*
 * cli_query — runs a read query and prints its rows, as an aligned table
 * for people, a JSON array of objects or CSV for scripts. Most read
 * subcommands are one named query of the store (store_query.h) and this;
 * the query's text is the store's, its rows come through a cursor.
 */
#ifndef SMSGW_CLI_QUERY_H
#define SMSGW_CLI_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "store_query.h"

struct cli;

enum cli_format {
	CLI_FORMAT_TABLE,	/* for people: times in the local zone */
	CLI_FORMAT_JSON,	/* the view's values: times ISO-8601 UTC */
	CLI_FORMAT_CSV,		/* RFC 4180, a header line; values as JSON's */
};

/*
 * Tables show ISO-8601 UTC times ("2026-11-27T06:36:47.123Z") as local
 * time in TZ ("2026-11-27 07:36:47"), or, after cli_query_utc(true), as
 * "2026-11-27 06:36:47Z".
 */
void cli_query_utc(bool utc);
/* One CSV field (quoted when it must be; NULL: empty). */
void cli_csv_field(const char *v, FILE *out);

/* A table cell's text for an ISO-8601 UTC time; buf of 32 bytes. */
const char *cli_query_time(const char *iso, char *buf, size_t size);

/*
 * After a table cut at limit rows: "100 of 2,431 rows; --limit N or
 * --all" when count (same binds) counts more. Nothing otherwise.
 */
void cli_query_note_limit(struct cli *cli, enum store_query count,
			  const struct store_bind *binds, size_t nbinds,
			  long shown, long limit, FILE *out);

/*
 * Prints the rows of q (parameters ?1… bound from binds) from the
 * configuration's database, SQLite or PostgreSQL (cli_db()). Table cells
 * longer than max_cell characters are cut with "…" (0: no limit). Returns
 * the number of rows, or -1 after printing the error.
 */
long cli_print(struct cli *cli, enum store_query q,
	       const struct store_bind *binds, size_t nbinds,
	       enum cli_format fmt, size_t max_cell, FILE *out);

/* The same for the rows of a cursor (closed here). */
long cli_print_rows(struct cli *cli, struct store_rows *r,
		    enum cli_format fmt, size_t max_cell, FILE *out);

/* One JSON object of the first row (no brackets, no newline); -1 on error,
 * 0 when there is no row. */
long cli_print_row(struct cli *cli, enum store_query q,
		   const struct store_bind *binds, size_t nbinds, FILE *out);

#endif
