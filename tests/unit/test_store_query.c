/* store_query, store_webhook, store_hook: the store's named queries and
 * the webhook queue, on a real SQLite file. */
#include "harness.h"
#include "store.h"
#include "store_tmp.h"
#include "store_hook.h"
#include "store_query.h"
#include "store_webhook.h"
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(every_named_query_prepares)
{
	struct store *st = store_tmp_open("names.db", NULL, 0);

	for (int q = 0; q < STORE_Q_COUNT; q++) {
		struct store_rows *r = store_query_open(st, q, NULL, 0);

		if (!CHECK(r))
			printf("# query %d: %s\n", q, store_errmsg(st));
		store_rows_close(r);
	}
	CHECK(!store_query_open(st, STORE_Q_COUNT, NULL, 0));
	store_close(st);
}

TEST(cursor_gives_names_types_and_text)
{
	struct store *st = store_tmp_open("tokens.db", NULL, 0);
	char token[TOKEN_LEN + 1];
	struct store_rows *r;
	json_t *a, *o;

	CHECK_INT(token_generate(token, sizeof(token)), 0);
	CHECK_INT(token_add(st, "ops", token, TOKEN_RIGHT_READ,
			    1764720000000), 0);
	r = store_query_open(st, STORE_Q_TOKENS, NULL, 0);
	CHECK(r);
	CHECK_INT(store_rows_next(r), 1);
	CHECK_INT(store_rows_ncols(r), 4);
	CHECK_STR(store_rows_name(r, 0), "name");
	CHECK_STR(store_rows_text(r, 0), "ops");
	CHECK_INT(store_rows_type(r, 0), STORE_TYPE_TEXT);
	CHECK_STR(store_rows_name(r, 2), "created_at");
	CHECK_STR(store_rows_text(r, 2), "2025-12-03T00:00:00.000Z");
	CHECK_INT(store_rows_type(r, 3), STORE_TYPE_NULL);
	CHECK(!store_rows_text(r, 3));
	CHECK_INT(store_rows_next(r), 0);
	store_rows_close(r);

	CHECK_INT(token_note_use(st, "ops", 1764720060000), 0);
	a = store_query_json(st, STORE_Q_TOKENS, NULL, 0);
	CHECK_INT(json_array_size(a), 1);
	o = json_array_get(a, 0);
	CHECK_STR(json_string_value(json_object_get(o, "used_at")),
		  "2025-12-03T00:01:00.000Z");
	json_decref(a);
	store_close(st);
}

TEST(binds_null_text_and_int)
{
	struct store *st = store_tmp_open("binds.db", NULL, 0);
	const struct store_bind none[] = { STORE_TEXT("m9/0") };
	const struct store_bind all[] = { STORE_TEXT(NULL), STORE_TEXT(NULL),
					  STORE_TEXT(NULL) };
	int64_t v = -1;
	bool found = true, failed = true;
	json_t *o;

	CHECK_INT(store_query_int(st, STORE_Q_USSD_SIM, none, 1, &v, &found),
		  0);
	CHECK(!found);
	CHECK_INT(v, 0);
	/* Every outbox row (there are none): a count of 0 is a row. */
	CHECK_INT(store_query_int(st, STORE_Q_OUTBOX_COUNT, all, 3, &v,
				  &found), 0);
	CHECK(found);
	CHECK_INT(v, 0);
	o = store_query_json_row(st, STORE_Q_CAMPAIGN, none, 1, &failed);
	CHECK(!o);
	CHECK(!failed);
	store_close(st);
}

struct due {
	int n;
	int64_t id, next_at;
	int attempts;
	char body[64];
};

static int on_due(void *ud, const struct store_webhook_delivery *d)
{
	struct due *x = ud;

	x->n++;
	x->id = d->id;
	x->next_at = d->next_at;
	x->attempts = d->attempts;
	snprintf(x->body, sizeof(x->body), "%s", d->body);
	return 0;
}

static int count_rows(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

TEST(webhook_queue_due_retry_and_delivered)
{
	struct store *st = store_tmp_open("webhook.db", NULL, 0);
	const char *const events[] = { "received", "sent" };
	struct due d = { 0 };

	CHECK_INT(store_webhook_subscribe(st, events, 2), 0);
	CHECK_INT(count_rows(st, "SELECT count(*) FROM webhook_sub"), 2);
	CHECK_INT(store_webhook_pending(st), 0);
	CHECK_INT(store_webhook_queue(st, "u1", "crm", "sent", "{\"a\":1}",
				      1000), 0);
	CHECK_INT(store_webhook_due(st, 8, on_due, &d), 0);
	CHECK_INT(d.n, 1);
	CHECK_INT(d.attempts, 0);
	CHECK_INT(d.next_at, 1000);
	CHECK_STR(d.body, "{\"a\":1}");

	CHECK_INT(store_webhook_outcome(st, d.id, STORE_WEBHOOK_RETRY, 1, 5000,
					"HTTP 500"), 0);
	memset(&d, 0, sizeof(d));
	CHECK_INT(store_webhook_due(st, 8, on_due, &d), 0);
	CHECK_INT(d.attempts, 1);
	CHECK_INT(d.next_at, 5000);
	CHECK_INT(store_webhook_rearm(st, 2000), 0);
	memset(&d, 0, sizeof(d));
	CHECK_INT(store_webhook_due(st, 8, on_due, &d), 0);
	CHECK_INT(d.next_at, 2000);

	CHECK_INT(store_webhook_outcome(st, d.id, STORE_WEBHOOK_DELIVERED, 2,
					3000, NULL), 0);
	memset(&d, 0, sizeof(d));
	CHECK_INT(store_webhook_due(st, 8, on_due, &d), 0);
	CHECK_INT(d.n, 0);
	CHECK_INT(count_rows(st, "SELECT count(*) FROM webhook_delivery"
				 " WHERE state = 'delivered' AND attempts = 2"
				 " AND last_error IS NULL"), 1);

	/* No webhook wants anything: what waited to fan out goes. */
	CHECK_INT(store_exec(st, "INSERT INTO webhook_event (at, event, ref)"
				 " VALUES (1, 'sent', 1)"), 0);
	CHECK_INT(store_webhook_pending(st), 1);
	CHECK_INT(store_webhook_subscribe(st, NULL, 0), 0);
	CHECK_INT(store_webhook_pending(st), 0);
	CHECK_INT(count_rows(st, "SELECT count(*) FROM webhook_sub"), 0);
	store_close(st);
}

static void never(void *ud, const struct store_hook_outbound *r)
{
	(void)r;
	++*(int *)ud;
}

TEST(hook_row_of_a_missing_message_is_none)
{
	struct store *st = store_tmp_open("hook.db", NULL, 0);
	int calls = 0;

	CHECK_INT(store_hook_outbound(st, 42, never, &calls), 0);
	CHECK_INT(calls, 0);
	store_close(st);
}
