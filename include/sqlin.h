/*
 * sqlin — messages queued with SQL, as Gammu SMSD users do:
 *
 *	INSERT INTO outbox(recipient, body[, campaign, kind, priority,
 *	                   send_at, pool, id]) VALUES (…);
 *	INSERT INTO gammu_outbox(DestinationNumber, TextDecoded, …) …;
 *
 * The views' INSTEAD OF triggers (store_schema.c v2) only copy the row into
 * outbox_in. The daemon takes each row, writes it as the spool file it
 * stands for (To:, Campaign:, Kind:, Priority:, Send-At:, Pool:, Id:, the
 * body) and checks it with the spool parser, so SQL and files obey one set
 * of rules; a row that a file would be refused for becomes an outbox row in
 * state failed with the reason in error. Nothing inserted is dropped.
 *
 * Waking without polling: inotify on the database's directory reports
 * writes to the -wal file (every commit of every connection writes it);
 * PRAGMA data_version then tells another connection's commit from ours,
 * and only then is outbox_in read. A commit is seen within one loop turn.
 *
 * At start sqlin_new() checks that the views and triggers are ours (the
 * SQL the migrations wrote) and reports any it does not know: a database
 * writer is an administrator (README "Trust model").
 *
 * On PostgreSQL (gateway/store/pg/pg_intake.sql) the outbox view's
 * trigger keeps the row in outbox_in and sends NOTIFY smsgw_intake; each
 * notification, and each connect, makes sqlin lease the waiting rows to
 * this box (store_intake_take()) and take them the same way, one at a
 * time; the acceptance or refusal removes a row only while this box
 * still holds it, so each row is taken once whichever boxes run. No
 * inotify, no schema walk (every box applies the schema at connect);
 * gammu_outbox is SQLite's only.
 */
#ifndef SMSGW_SQLIN_H
#define SMSGW_SQLIN_H

#include <stddef.h>

struct config;
struct loop;
struct sim_registry;
struct store;
struct sqlin;

typedef void (*sqlin_accepted_fn)(void *ud);

/* Starts watching cfg->database and takes what is already waiting.
 * Returns 0, or -errno with the reason in err. */
int sqlin_new(struct loop *loop, struct store *store, const struct config *cfg,
	      struct sim_registry *reg, sqlin_accepted_fn accepted, void *ud,
	      struct sqlin **out, char *err, size_t errsize);
void sqlin_free(struct sqlin *si);
/* SIGHUP: the new configuration's numbers, pools and limits. */
void sqlin_set_config(struct sqlin *si, const struct config *cfg);
/* Reads outbox_in now; returns the rows taken, or -EIO. For tests. On
 * PostgreSQL the rows come later: 0. */
int sqlin_take(struct sqlin *si);

/*
 * Checks the schema's views and triggers against the ones the migrations
 * made: a missing or changed one of ours is an error (-EPERM, reason in
 * err); one we do not know is reported in *foreign (its names, "" when
 * none) for the caller to log.
 */
int sqlin_check_schema(struct store *store, char *foreign, size_t fsize,
		       char *err, size_t errsize);

#endif
