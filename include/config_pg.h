/*
 * config_pg — `database = "postgresql://…"`: which backend a config
 * names, how to show it without its password, and what the PostgreSQL
 * backend cannot do yet (doc/postgresql.md). The config check refuses a
 * config that asks for something the backend lacks, by name, instead of
 * letting it start and break.
 */
#ifndef SMSGW_CONFIG_PG_H
#define SMSGW_CONFIG_PG_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/* "postgresql://…" or "postgres://…" (libpq's two URI schemes). */
bool config_database_is_pg(const char *database);

/* "SQLite /var/lib/smsgw/smsgw.db" or "PostgreSQL database smsgw on host
 * /tmp/x as user smsgw" (never the password), for -t and the log. */
void config_database_describe(const char *database, char *buf, size_t size);

/* The box's name: cfg->box, else the host name. */
void config_box_name(const struct config *cfg, char *buf, size_t size);

/*
 * NULL when every feature cfg uses works on its backend; else the first
 * one that does not, as a sentence starting "database = postgresql://…:".
 */
const char *config_pg_unsupported(const struct config *cfg);

#endif
