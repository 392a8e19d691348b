/*
 * config_pg — see include/config_pg.h.
 */
#include "config_pg.h"
#include "config.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool config_database_is_pg(const char *database)
{
	return database && (strncmp(database, "postgresql://", 13) == 0 ||
			    strncmp(database, "postgres://", 11) == 0);
}

static const char *config_pg_option(PQconninfoOption *o, const char *key)
{
	for (; o && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0 && o->val && o->val[0])
			return o->val;
	return NULL;
}

void config_database_describe(const char *database, char *buf, size_t size)
{
	PQconninfoOption *o;
	const char *host, *port, *user;

	if (!config_database_is_pg(database)) {
		snprintf(buf, size, "SQLite %s", database);
		return;
	}
	o = PQconninfoParse(database, NULL);
	if (!o) {
		snprintf(buf, size, "PostgreSQL (an invalid URI)");
		return;
	}
	host = config_pg_option(o, "host");
	port = config_pg_option(o, "port");
	user = config_pg_option(o, "user");
	snprintf(buf, size, "PostgreSQL database %s on %s%s%s%s%s",
		 config_pg_option(o, "dbname") ?: "(the user's)",
		 host ? host : "the default socket", port ? " port " : "",
		 port ? port : "", user ? " as user " : "", user ? user : "");
	PQconninfoFree(o);
}

void config_box_name(const struct config *cfg, char *buf, size_t size)
{
	if (cfg->box && cfg->box[0]) {
		snprintf(buf, size, "%s", cfg->box);
		return;
	}
	if (gethostname(buf, size) < 0 || !buf[0])
		snprintf(buf, size, "smsgw");
	buf[size - 1] = '\0';
}

/*
 * What the PostgreSQL backend lacks today, most specific first. smsgwd
 * runs on it (doc/postgresql.md "The daemon on PostgreSQL"): the spool,
 * the send path with leases, status reports, quotas, big files in steps,
 * quiet hours, inbound messages (fragments too) with their keywords.
 * Remove an entry when its feature works,
 * with the test that shows it.
 */
const char *config_pg_unsupported(const struct config *cfg)
{
	if (!config_database_is_pg(cfg->database))
		return NULL;
	/* The HTTP API, webhooks (delivered once across boxes), hooks and
	 * the eventhandler work on PostgreSQL (doc/postgresql.md, "HTTP API,
	 * webhooks and hooks"). */
	return NULL;
}
