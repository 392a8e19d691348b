/*
 * glue_rig — what the tests of the glue modules (outbound, inbound) share:
 * a configuration written to the test's temporary directory, and a real
 * event loop, SQLite store and SIM registry opened on it; and one-value
 * queries on that store.
 */
#ifndef SMSGW_TEST_GLUE_RIG_H
#define SMSGW_TEST_GLUE_RIG_H

#include "msg_state_check.h"
#include "config.h"
#include "harness.h"
#include "loop.h"
#include "sim.h"
#include "store.h"

#include <stdio.h>

/*
 * Loads conf, with spool and database in the temporary directory (the
 * database <name>.db), from <name>.conf there; then opens the loop, the
 * store and the registry. False, with the reason printed, when the
 * configuration does not load.
 */
static inline bool rig_open(const char *name, const char *conf,
			    struct config **cfg, struct loop **loop,
			    struct store **st, struct sim_registry *reg)
{
	char file[64], db[512], err[1024], text[8192];

	snprintf(file, sizeof(file), "%s.conf", name);
	snprintf(db, sizeof(db), "%s/%s.db", harness_tmpdir(), name);
	snprintf(text, sizeof(text),
		 "spool = \"%s/spool\"\ndatabase = \"%s\"\n%s",
		 harness_tmpdir(), db, conf);
	if (!CHECK_INT(config_load(harness_write_file(file, text), cfg, err,
				   sizeof(err)), 0)) {
		printf("# %s\n", err);
		return false;
	}
	CHECK_INT(loop_new(loop), 0);
	CHECK_INT(store_open(db, STORE_OPEN_CREATE, st, err, sizeof(err)), 0);
	if (*st)
		msg_state_record(*st);
	CHECK_INT(sim_registry_init(reg, *cfg, *st), 0);
	return true;
}

static inline void rig_close(struct config *cfg, struct loop *loop,
			     struct store *st, struct sim_registry *reg)
{
	sim_registry_free(reg);
	/* Every state change the test caused is one of the table's. */
	if (st)
		msg_state_check(st);
	store_close(st);
	loop_free(loop);
	config_free(cfg);
}

/* The same as text (a static buffer); "" when there is none or NULL. */
static inline const char *rig_text(struct store *st, const char *sql)
{
	static char buf[2048];
	sqlite3_stmt *s;

	buf[0] = '\0';
	sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL);
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

#endif
