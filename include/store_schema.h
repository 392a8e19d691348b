/* store_schema — the ordered list of schema migrations (store_schema.c). */
#ifndef SMSGW_STORE_SCHEMA_H
#define SMSGW_STORE_SCHEMA_H

/* The newest version: the number of migrations. */
int store_schema_latest(void);
/* The SQL that takes user_version from version-1 to version, or NULL. */
const char *store_schema_migration(int version);

#endif
