/*
 * sqlin_schema — sqlin's check at start that the SQLite file's views and
 * triggers are the ones smsgw's migrations made (README "Trust model");
 * see include/sqlin.h, sqlin_check_schema().
 */
#include "sqlin.h"

#include "store.h"
#include "store_intake.h"
#include "store_schema.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The views and triggers the migrations made, as SQLite keeps them: the
 * text from "CREATE VIEW|TRIGGER name" to the end of the statement (a
 * trigger's "END"), the last definition winning (a later migration may
 * drop and create a view again). NULL when no migration makes name.
 */
static char *sqlin_expected(const char *type, const char *name)
{
	char key[96];
	const char *found = NULL, *end;
	size_t klen;

	snprintf(key, sizeof(key), "CREATE %s %s ", type, name);
	klen = strlen(key);
	for (int v = 1; v <= store_schema_latest(); v++) {
		const char *m = store_schema_migration(v);

		for (const char *a = strstr(m, key); a; a = strstr(a + klen, key))
			found = a;
	}
	if (!found)
		return NULL;
	if (strcmp(type, "TRIGGER") == 0) {
		end = strstr(found, "END;");
		return end ? strndup(found, (size_t)(end - found) + 3) : NULL;
	}
	end = strchr(found, ';');
	return end ? strndup(found, (size_t)(end - found)) : strdup(found);
}

/* Appends name to a comma-separated list, cut when full. */
static void sqlin_list(char *buf, size_t size, const char *name)
{
	size_t used = strlen(buf);

	if (used + 1 < size)
		snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
			 name);
}

/* How many CREATE statements of type the migrations hold, by name. */
static size_t sqlin_count_expected(const char *type)
{
	char key[32], name[80];
	size_t n = 0, klen;
	/* Names seen, so a view made twice counts once. */
	char seen[2048] = ",";

	snprintf(key, sizeof(key), "CREATE %s ", type);
	klen = strlen(key);
	for (int v = 1; v <= store_schema_latest(); v++) {
		const char *m = store_schema_migration(v);

		for (const char *a = strstr(m, key); a; a = strstr(a + klen, key)) {
			size_t len = strcspn(a + klen, " (");
			char tag[84];

			if (len >= sizeof(name))
				continue;
			snprintf(tag, sizeof(tag), ",%.*s,", (int)len, a + klen);
			if (strstr(seen, tag))
				continue;
			if (strlen(seen) + strlen(tag) < sizeof(seen))
				strcat(seen, tag + 1);
			n++;
		}
	}
	return n;
}

/* What sqlin_check_schema() learns walking the file's triggers and views. */
struct sqlin_schema {
	char *foreign;
	size_t fsize;
	char *err;
	size_t errsize;
	size_t views, triggers;		/* ours, as smsgw made them */
};

static int sqlin_schema_one(const char *type, const char *name,
			    const char *sql, void *ud)
{
	struct sqlin_schema *x = ud;
	bool trigger = strcmp(type, "trigger") == 0;
	char *want = sqlin_expected(trigger ? "TRIGGER" : "VIEW", name);
	int rc = 0;

	if (!want) {
		sqlin_list(x->foreign, x->fsize, name);
	} else if (!sql || strcmp(want, sql) != 0) {
		snprintf(x->err, x->errsize, "%s %s is not the one smsgw made; "
			 "someone changed the schema (restore it from a "
			 "backup)", type, name);
		rc = -EPERM;
	} else if (trigger) {
		x->triggers++;
	} else {
		x->views++;
	}
	free(want);
	return rc;
}

int sqlin_check_schema(struct store *store, char *foreign, size_t fsize,
		       char *err, size_t errsize)
{
	struct sqlin_schema x = { foreign, fsize, err, errsize, 0, 0 };
	size_t want_views, want_triggers;
	int rc;

	foreign[0] = '\0';
	rc = store_intake_schema(store, sqlin_schema_one, &x);
	if (rc == -EIO) {
		snprintf(err, errsize, "cannot read the schema: %s",
			 store_errmsg(store));
		return -EIO;
	}
	want_views = sqlin_count_expected("VIEW");
	want_triggers = sqlin_count_expected("TRIGGER");
	if (!rc && (x.views != want_views || x.triggers != want_triggers)) {
		snprintf(err, errsize, "the database lacks some of smsgw's views "
			 "or triggers (%zu of %zu views, %zu of %zu triggers); "
			 "someone dropped them (restore it from a backup)",
			 x.views, want_views, x.triggers, want_triggers);
		rc = -EPERM;
	}
	return rc;
}
