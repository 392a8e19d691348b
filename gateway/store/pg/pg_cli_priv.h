/*
 * pg_cli_priv — what pg_cli.c, pg_cli_ops.c and pg_cli_text.c share:
 * the connection and running one statement on it.
 */
#ifndef SMSGW_PG_CLI_PRIV_H
#define SMSGW_PG_CLI_PRIV_H

#include <libpq-fe.h>

#include "pg_cli.h"

struct pg_cli {
	PGconn *conn;
	char box[64];		/* this box, for the events it writes */
	char err[512];
};

/* sql with binds as $1…, in text; the result (tuples or command ok), or
 * NULL with the error in pc->err. */
PGresult *pg_cli_exec(struct pg_cli *pc, const char *sql,
		      const struct store_bind *binds, size_t nbinds);
/* A statement without parameters or rows: 0 or -EIO. */
int pg_cli_run(struct pg_cli *pc, const char *sql);

#endif
