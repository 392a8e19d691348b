/*
 * daemon_priv — what daemon.c and daemon_db.c (opening the database:
 * a SQLite file with its locks, or PostgreSQL) share. Not for other
 * modules.
 */
#ifndef SMSGW_DAEMON_PRIV_H
#define SMSGW_DAEMON_PRIV_H

#include <stdbool.h>

struct daemon;

/* True when the config names PostgreSQL (config_database_is_pg()). */
bool daemon_is_pg(const struct daemon *d);
/*
 * SQLite: the locks beside the file, the file (created or migrated,
 * checked) and the forget key. PostgreSQL: the connection, started in
 * the background on d->loop (which must exist). 0 or -errno, logged.
 */
int daemon_open_database(struct daemon *d);
/* PostgreSQL, once the subsystems exist: each connect registers the SIMs
 * and wakes the outbound, as does every NOTIFY smsgw_queue. */
void daemon_db_attach(struct daemon *d);
/* PostgreSQL, before the subsystems are freed: the daemon row's stop and
 * the last events are written (waiting up to DAEMON_DB_DRAIN_MS), then
 * the connection closes and answers what is still out. */
#define DAEMON_DB_DRAIN_MS 3000
void daemon_db_stop(struct daemon *d);

#endif
