/*
 * The outgoing message's states and their one transition table
 * (include/msg_state.h): the names match the schema, every state is
 * reachable and every non-final state can be left; and the store, driven
 * through its operations, only makes moves the table allows.
 */
#include "harness.h"
#include "msg_state.h"
#include "msg_state_check.h"
#include "store.h"
#include "store_inbox.h"
#include "store_outbox.h"

#include <stdio.h>
#include <string.h>

/* 2026-11-27T10:00:00Z */
#define T0 1795773600000LL

TEST(msg_state_names_round_trip)
{
	for (int i = 0; i < MSG_STATE_COUNT; i++) {
		enum msg_state s;

		CHECK(msg_state_name((enum msg_state)i) != NULL);
		CHECK(msg_state_parse(msg_state_name((enum msg_state)i), &s));
		CHECK_INT(s, i);
	}
	CHECK(msg_state_name(MSG_STATE_COUNT) == NULL);
	{
		enum msg_state s;

		CHECK(!msg_state_parse("sendingg", &s));
		CHECK(!msg_state_parse("", &s));
	}
}

TEST(msg_state_every_event_has_a_name_and_a_target)
{
	for (int e = 0; e < MSG_EVENT_COUNT; e++) {
		CHECK(msg_event_name((enum msg_event)e) != NULL);
		CHECK(msg_to_name((enum msg_event)e) != NULL);
	}
}

/* From a new row, every state can be reached; every state some event
 * leaves is not final, and the final ones are exactly the contract's. */
TEST(msg_state_reachable_and_final)
{
	unsigned reached = 0, grew = 1;

	for (int e = 0; e < MSG_EVENT_COUNT; e++)
		if (msg_from((enum msg_event)e) == 0)
			reached |= MSG_BIT(msg_to((enum msg_event)e));
	while (grew) {
		grew = 0;
		for (int e = 0; e < MSG_EVENT_COUNT; e++) {
			unsigned to = MSG_BIT(msg_to((enum msg_event)e));

			if ((msg_from((enum msg_event)e) & reached) &&
			    !(reached & to)) {
				reached |= to;
				grew = 1;
			}
		}
	}
	CHECK_INT(reached, (1u << MSG_STATE_COUNT) - 1);
	CHECK(!msg_state_final(MSG_STATE_QUEUED));
	CHECK(!msg_state_final(MSG_STATE_DEFERRED));
	CHECK(!msg_state_final(MSG_STATE_SENDING));
	CHECK(!msg_state_final(MSG_STATE_SENT));	/* a status report */
	CHECK(!msg_state_final(MSG_STATE_UNKNOWN));	/* a status report */
	CHECK(msg_state_final(MSG_STATE_DELIVERED));
	CHECK(msg_state_final(MSG_STATE_FAILED));
	CHECK(msg_state_final(MSG_STATE_EXPIRED));
	CHECK(msg_state_final(MSG_STATE_SUPPRESSED));
	CHECK(msg_state_final(MSG_STATE_CANCELLED));
	CHECK(msg_may(MSG_STATE_QUEUED, MSG_EVENT_CLAIM));
	CHECK(!msg_may(MSG_STATE_DEFERRED, MSG_EVENT_CLAIM));
	CHECK(!msg_may(MSG_STATE_SENT, MSG_EVENT_SENT));
	CHECK(!msg_may(MSG_STATE_DELIVERED, MSG_EVENT_REPORT_FAIL));
}

/* The schema's CHECK constraint names exactly the table's states. */
TEST(msg_state_names_match_the_schema)
{
	struct store *st = store_tmp_open("schema.db", NULL, 0);
	sqlite3_stmt *s;
	char sql[4096] = "";

	if (!st)
		return;
	if (CHECK_INT(sqlite3_prepare_v2(store_db(st),
			"SELECT sql FROM sqlite_master WHERE name = 'message'",
			-1, &s, NULL), SQLITE_OK)) {
		if (sqlite3_step(s) == SQLITE_ROW)
			snprintf(sql, sizeof(sql), "%s",
				 sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
	}
	for (int i = 0; i < MSG_STATE_COUNT; i++) {
		char quoted[32];

		snprintf(quoted, sizeof(quoted), "'%s'",
			 msg_state_name((enum msg_state)i));
		if (!CHECK(strstr(sql, quoted) != NULL))
			printf("# %s missing from the schema\n", quoted);
	}
	store_close(st);
}

static int64_t add(struct store *st, const char *to, int64_t campaign,
		   int64_t not_before, int64_t expires)
{
	struct outbox_new m = {
		.recipient = to, .body = "hello", .kind = MSG_KIND_BULK,
		.priority = MSG_PRIORITY_NORMAL, .validity_minutes = -1,
		.parts = 1, .campaign_id = campaign, .not_before = not_before,
		.expires_at = expires,
	};
	enum outbox_add_result res;
	int64_t id = 0;

	CHECK_INT(store_outbox_add(st, 0, &m, false, T0, &id, &res), 0);
	return id;
}

/* The operations that are not the send pipeline's (test_outbound covers
 * that): acceptance, promotion, expiry, restart, opt-out, campaigns. */
TEST(msg_state_store_moves_are_in_the_table)
{
	struct store *st = store_tmp_open("moves.db", NULL, 0);
	int64_t camp;
	bool paused, was;
	int n;

	if (!st)
		return;
	msg_state_record(st);
	add(st, "+15550000001", 0, 0, 0);
	add(st, "+15550000002", 0, T0 + 60000, 0);
	add(st, "+15550000003", 0, 0, T0 + 1000);
	CHECK_INT(store_outbox_promote(st, T0 + 60000), 1);
	CHECK_INT(store_outbox_expire(st, T0 + 60000), 1);
	CHECK_INT(store_optout_add(st, "+15550000001", "STOP", 0, "manual",
				   NULL, T0, &was, &n), 0);
	CHECK_INT(n, 1);
	add(st, "+15550000001", 0, 0, 0);	/* suppressed at acceptance */
	CHECK_INT(store_outbox_campaign(st, "c", T0, &camp, &paused), 0);
	add(st, "+15550000004", camp, 0, 0);
	add(st, "+15550000005", camp, T0 + 3600000, 0);
	CHECK_INT(store_outbox_campaign_set(st, camp, OUTBOX_CAMPAIGN_PAUSE,
					    T0), 2);
	CHECK_INT(store_outbox_campaign_set(st, camp, OUTBOX_CAMPAIGN_RESUME,
					    T0), 2);
	CHECK_INT(store_outbox_campaign_set(st, camp, OUTBOX_CAMPAIGN_CANCEL,
					    T0), 2);
	CHECK_INT(store_outbox_defer_pool(st, "", T0 + 1000, "quota", T0), 1);
	CHECK(msg_state_check(st) >= 8);
	store_close(st);
}
