/*
 * msg_state_check — records every change of a message's state in a store
 * (a TEMP trigger, so the database file is untouched) and checks each one
 * against the transition table of include/msg_state.h. A statement that
 * writes a state the table does not allow fails the test that ran it.
 * Included by unit tests that drive the store.
 */
#ifndef SMSGW_TEST_MSG_STATE_CHECK_H
#define SMSGW_TEST_MSG_STATE_CHECK_H

#include "harness.h"
#include "msg_state.h"
#include "store.h"

#include <stdio.h>

static inline void msg_state_record(struct store *st)
{
	CHECK_INT(sqlite3_exec(store_db(st),
		"CREATE TEMP TABLE IF NOT EXISTS seen_move (old TEXT, new TEXT);"
		"CREATE TEMP TRIGGER IF NOT EXISTS seen_update AFTER UPDATE"
		" OF state ON main.message WHEN old.state != new.state"
		" BEGIN INSERT INTO seen_move VALUES (old.state, new.state); END;"
		"CREATE TEMP TRIGGER IF NOT EXISTS seen_insert AFTER INSERT"
		" ON main.message"
		" BEGIN INSERT INTO seen_move VALUES (NULL, new.state); END;",
		NULL, NULL, NULL), SQLITE_OK);
}

/* True when some event of the table moves from (NULL: a new row) to. */
static inline bool msg_state_allowed(const char *from, const char *to)
{
	enum msg_state f, t;

	if (!msg_state_parse(to, &t) || (from && !msg_state_parse(from, &f)))
		return false;
	for (int e = 0; e < MSG_EVENT_COUNT; e++) {
		unsigned src = msg_from((enum msg_event)e);

		if (msg_to((enum msg_event)e) != t)
			continue;
		if (from ? (src & MSG_BIT(f)) != 0 : src == 0)
			return true;
	}
	return false;
}

/* Checks the moves seen so far; returns how many distinct ones. */
static inline int msg_state_check(struct store *st)
{
	sqlite3_stmt *s;
	int n = 0;

	if (sqlite3_prepare_v2(store_db(st),
			       "SELECT DISTINCT old, new FROM temp.seen_move",
			       -1, &s, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *from = (const char *)sqlite3_column_text(s, 0);
		const char *to = (const char *)sqlite3_column_text(s, 1);

		n++;
		if (!CHECK(msg_state_allowed(from, to)))
			printf("# state %s -> %s is not in the table\n",
			       from ? from : "(new)", to);
	}
	sqlite3_finalize(s);
	return n;
}

#endif
