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
#include "store_tmp.h"

#include <libpq-fe.h>
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

/* A store in the test's temporary directory, created, with every state
 * move recorded for the check; NULL (and the error printed) on failure. */
static inline struct store *msg_state_store_open(const char *name)
{
	struct store *st = store_tmp_open(name, NULL, 0);

	if (st)
		msg_state_record(st);
	return st;
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

/*
 * The same on PostgreSQL (url: SMSGW_PG_URL), whose queue functions
 * (the .sql files of gateway/store/pg) write states themselves: a trigger records
 * every change of message.state in a table of the test database. Each
 * call opens its own connection, so it works whatever the test's boxes
 * are doing. Record once the schema is there (after the first box).
 */
static inline void msg_state_record_pg(const char *url)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r = PQexec(c,
		"SET client_min_messages = warning;"
		"CREATE TABLE IF NOT EXISTS test_seen_move (old text, new text);"
		"CREATE OR REPLACE FUNCTION test_seen_move() RETURNS trigger"
		" LANGUAGE plpgsql AS $$ BEGIN"
		"  IF TG_OP = 'INSERT' THEN"
		"   INSERT INTO test_seen_move VALUES (NULL, NEW.state);"
		"  ELSIF OLD.state IS DISTINCT FROM NEW.state THEN"
		"   INSERT INTO test_seen_move VALUES (OLD.state, NEW.state);"
		"  END IF; RETURN NULL; END $$;"
		"CREATE OR REPLACE TRIGGER test_seen_move AFTER INSERT OR"
		" UPDATE OF state ON message FOR EACH ROW"
		" EXECUTE FUNCTION test_seen_move()");

	if (!CHECK_INT(PQresultStatus(r), PGRES_COMMAND_OK))
		printf("# %s", PQerrorMessage(c));
	PQclear(r);
	PQfinish(c);
}

/* Checks and forgets the moves recorded so far; how many distinct ones,
 * or -1 when nothing is recorded (no schema yet). */
static inline int msg_state_check_pg(const char *url)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r = PQexec(c, "SELECT DISTINCT old, new FROM test_seen_move");
	int n = -1;

	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		n = PQntuples(r);
		for (int i = 0; i < n; i++) {
			const char *from = PQgetisnull(r, i, 0)
						   ? NULL : PQgetvalue(r, i, 0);
			const char *to = PQgetvalue(r, i, 1);

			if (!CHECK(msg_state_allowed(from, to)))
				printf("# state %s -> %s is not in the table"
				       " (PostgreSQL)\n",
				       from ? from : "(new)", to);
		}
		PQclear(PQexec(c, "TRUNCATE test_seen_move"));
	}
	PQclear(r);
	PQfinish(c);
	return n;
}

#endif
