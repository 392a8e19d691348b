/*
 * pg_cli — the CLI's connection to a PostgreSQL database (doc/
 * postgresql.md, "The CLI"): synchronous libpq, since a command may block
 * while a daemon's loop may not. The CLI of any box sees every box's rows.
 *
 * Reads are the named queries of include/store_query.h with PostgreSQL's
 * text for the same names (pg_cli_text.c), through the same cursor
 * (struct store_rows), so the CLI prints them with the same code as on
 * SQLite: the same rows give the same output. A name without a PostgreSQL
 * text (the HTTP API's) answers NULL with a reason.
 * Writes are the few the CLI makes, each one transaction, fenced against
 * the boxes' claims by the row locks and the message's state.
 */
#ifndef SMSGW_PG_CLI_H
#define SMSGW_PG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "msg_state.h"
#include "store_query.h"

struct pg_cli;
struct pg_rows;

/*
 * Connects to uri (10 s at most) and, when the database lacks smsgw's
 * schema (no daemon of this version connected yet), applies it as a
 * daemon does. box names this box in the events it writes. 0 or -errno
 * with libpq's reason in err.
 */
int pg_cli_open(const char *uri, const char *box, struct pg_cli **out,
		char *err, size_t errsize);
void pg_cli_close(struct pg_cli *pc);
/* The last error, one line. */
const char *pg_cli_errmsg(struct pg_cli *pc);
/* true when the role may not change messages (a reader). */
bool pg_cli_readonly(struct pg_cli *pc);
/* "database smsgw on host /tmp/x" and its size in bytes, for status. */
int64_t pg_cli_size(struct pg_cli *pc);

/* The cursor of q (store_query.h), or NULL (pg_cli_errmsg() says why). */
struct store_rows *pg_cli_query(struct pg_cli *pc, enum store_query q,
				const struct store_bind *binds, size_t nbinds);
/* The boxes (one smsgwd each; the daemon table): box, state (running,
 * stopped, silent: no heartbeat for three beats), pid, version,
 * started_at, heartbeat_at. */
struct store_rows *pg_cli_boxes(struct pg_cli *pc);
/* Whether box's smsgwd runs (its row, fresh): 1 with *pid, 0, -EIO. */
int pg_cli_box_running(struct pg_cli *pc, const char *box, long *pid);
/* A statement a person typed (smsgw query), in a READ ONLY transaction
 * and, when this role is a member of smsgw_read, as smsgw_read (the five
 * views and nothing else): its rows, or NULL (pg_cli_errmsg()). */
struct store_rows *pg_cli_query_user(struct pg_cli *pc, const char *sql);
/* The PostgreSQL text of q, or NULL when it has none. */
const char *pg_cli_query_text(enum store_query q);

/* The cursor behind a store_rows (store_query.c forwards to these). */
int pg_rows_next(struct pg_rows *r);
void pg_rows_close(struct pg_rows *r);
int pg_rows_ncols(const struct pg_rows *r);
const char *pg_rows_name(const struct pg_rows *r, int c);
enum store_type pg_rows_type(const struct pg_rows *r, int c);
const char *pg_rows_text(const struct pg_rows *r, int c);
size_t pg_rows_bytes(const struct pg_rows *r, int c);
int64_t pg_rows_int(const struct pg_rows *r, int c);
double pg_rows_real(const struct pg_rows *r, int c);
/* Wraps r (store_query.c); NULL (r closed) when out of memory. */
struct store_rows *store_rows_pg(struct pg_rows *r);

/* The id of the campaign called name: >0, 0 none, -EIO. */
int64_t pg_cli_campaign_id(struct pg_cli *pc, const char *name);
/* As store_outbox_campaign_set() with an event, on every box at once:
 * the messages changed, or -EIO. */
int pg_cli_campaign_set(struct pg_cli *pc, int64_t id, const char *name,
			const char *action, int64_t now);
/* smsgw optout add/remove, with their events (the texts of
 * cli_optout.c): 0 or -EIO. */
int pg_cli_optout_add(struct pg_cli *pc, const char *number,
		      const char *keyword, int64_t now, bool *was_active,
		      int *suppressed);
int pg_cli_optout_remove(struct pg_cli *pc, const char *number, int64_t now,
			 bool *was_active);
/* As store_outbox_by_hand(): 1 moved, 0 not allowed from *was,
 * -ENOENT, -EIO. The row is locked, then moved only through the
 * transition table; a requeued message loses its lease (attempt_id), so
 * a box that still held it can record nothing over it. */
int pg_cli_by_hand(struct pg_cli *pc, int64_t id, enum msg_event ev,
		   int64_t now, enum msg_state *was);
/* The charts of smsgw report, as store_report.h's functions of the same
 * names (same results, same callbacks). */
struct store_report_funnel;
int pg_cli_report_funnel(struct pg_cli *pc, int64_t id,
			 struct store_report_funnel *f);
int pg_cli_report_per_hour(struct pg_cli *pc, int64_t id,
			   int (*cb)(void *ud, const char *hour, int count),
			   void *ud);
int pg_cli_report_delivery(struct pg_cli *pc, int64_t id,
			   void (*cb)(void *ud, int64_t ms), void *ud);

/* smsgw forget on every box's rows (smsgw_forget() of pg_cli.sql,
 * store_forget.c's rules; the hash with pg_ops.sql's key): 0 with *n, or
 * -EIO. */
struct forget_forms;
struct forget_counts;
int pg_cli_forget(struct pg_cli *pc, const char *e164,
		  const struct forget_forms *f, int64_t now,
		  struct forget_counts *n);

/* smsgw metrics: store_metrics_write()'s Prometheus text for the shared
 * database (every box's rows; up: this box's smsgwd); 0 or -EIO. */
int pg_cli_metrics_write(struct pg_cli *pc, bool up, FILE *f);

/* smsgw token add/remove (token.h's token_add()/token_remove() on the
 * shared api_token of pg_http.sql, with the events cli_token.c writes on
 * SQLite, in one transaction): 0, -EEXIST (the name is taken) or
 * -ENOENT (no such name), -EIO. */
int pg_cli_token_add(struct pg_cli *pc, const char *name, const char *token,
		     unsigned rights, int64_t now);
int pg_cli_token_remove(struct pg_cli *pc, const char *name);

/* A row of the events view, from this box: 0 or -EIO. */
int pg_cli_event(struct pg_cli *pc, const char *level, const char *source,
		 const char *message);

#endif
