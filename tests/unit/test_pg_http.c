/*
 * test_pg_http — the HTTP API's reads, the token lookup, the webhook queue
 * and the hooks' rows on PostgreSQL (include/store_pg_http.h,
 * gateway/store/pg/pg_http.sql) against a real server, two boxes with
 * their own connections on one database. Needs SMSGW_PG_URL;
 * tests/e2e/test_pg_http_store.py starts PostgreSQL 15 and runs this
 * program with it. Without it the program says so as one skip.
 */
#include "harness.h"
#include "loop.h"
#include "pg_conn.h"
#include "store_pg.h"
#include "store_pg_http.h"
#include "token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct loop *loop;
static const char *url;

__attribute__((constructor)) static void need_server(void)
{
	url = getenv("SMSGW_PG_URL");
	if (!url) {
		printf("ok - pg_http # SKIP needs SMSGW_PG_URL (run by "
		       "tests/e2e/test_pg_http_store.py with PostgreSQL 15)\n");
		exit(0);
	}
}

static bool turn_until(const bool *flag)
{
	int64_t end = loop_clock_ms() + 15000;

	while (!*flag && loop_clock_ms() < end)
		loop_run_once(loop, 50);
	return *flag;
}

static void free_loop(void)
{
	loop_free(loop);
}

static struct pg_store *box(const char *name)
{
	struct pg_store_options o = { .box = name, .lease_ms = 60000 };
	struct pg_store *ps = NULL;
	char err[256];
	int64_t end;

	if (!loop) {
		CHECK_INT(loop_new(&loop), 0);
		atexit(free_loop);
	}
	CHECK_INT(pg_store_new(loop, url, &o, &ps, err, sizeof(err)), 0);
	end = loop_clock_ms() + 15000;
	while (!pg_conn_ready(pg_store_conn(ps)) && loop_clock_ms() < end)
		loop_run_once(loop, 50);
	CHECK(pg_conn_ready(pg_store_conn(ps)));
	return ps;
}

struct sqlres {
	bool done;
	int rc;
	char value[256];
};

static void on_sql(int rc, PGresult *res, const char *err, void *ud)
{
	struct sqlres *r = ud;

	r->rc = rc;
	if (rc == 0 && PQntuples(res) > 0 && PQnfields(res) > 0)
		snprintf(r->value, sizeof(r->value), "%s",
			 PQgetvalue(res, 0, 0));
	else if (rc)
		snprintf(r->value, sizeof(r->value), "%s", err ? err : "");
	r->done = true;
}

static const char *sql(struct pg_store *ps, const char *q)
{
	static struct sqlres r;

	memset(&r, 0, sizeof(r));
	pg_conn_query(pg_store_conn(ps), q, -1, NULL, on_sql, &r);
	if (!turn_until(&r.done) || r.rc)
		harness_fail(__FILE__, __LINE__, "%s: %s", q, r.value);
	return r.value;
}

static long sql_int(struct pg_store *ps, const char *q)
{
	return strtol(sql(ps, q), NULL, 10);
}

static void reset(struct pg_store *ps)
{
	sql(ps, "TRUNCATE message, attempt, part, spool_file, campaign,"
		" optout, inbound, sim_usage, sticky, sim, event, api_token,"
		" webhook_sub, webhook_delivery RESTART IDENTITY CASCADE");
}

/* ---- reads ---- */

struct rows {
	bool done;
	int rc;
	json_t *rows;
};

static void on_rows(int rc, json_t *rows, void *ud)
{
	struct rows *r = ud;

	r->rc = rc;
	r->rows = rows;
	r->done = true;
}

static json_t *query(struct pg_store *ps, enum store_query q,
		     const struct store_bind *b, size_t n)
{
	struct rows r = { 0 };

	pg_store_query_json(ps, q, b, n, on_rows, &r);
	CHECK(!r.done);	/* never before the call returns */
	CHECK(turn_until(&r.done));
	CHECK_INT(r.rc, 0);
	return r.rows;
}

TEST(api_reads_have_sqlite_columns_and_types)
{
	struct pg_store *ps = box("A");
	const struct store_bind in[] = { STORE_INT(0), STORE_INT(10) };
	const struct store_bind one[] = { STORE_INT(1) };
	const struct store_bind any[] = { STORE_TEXT(NULL), STORE_TEXT(NULL),
					  STORE_TEXT(NULL), STORE_INT(5) };
	json_t *a, *o;

	reset(ps);
	sql(ps, "INSERT INTO sim (box, modem, slot, updated_at, daily_limit)"
		" VALUES ('A', 'm1', '1', 1764720000000, 10)");
	sql(ps, "INSERT INTO inbound (received_at, sender, body, sim_id,"
		" updated_at) VALUES (1764720000000, '+4911', 'hi', 1,"
		" 1764720000000)");
	sql(ps, "INSERT INTO message (created_at, recipient, body, kind, class,"
		" state, updated_at) VALUES (1764720000000, '+4922', 'yo',"
		" 'direct', 0, 'queued', 1764720000000)");
	a = query(ps, STORE_Q_API_INBOX, in, 2);
	CHECK_INT((long)json_array_size(a), 1);
	o = json_array_get(a, 0);
	CHECK(json_is_integer(json_object_get(o, "id")));
	CHECK(json_is_integer(json_object_get(o, "partial")));
	CHECK(json_is_null(json_object_get(o, "keyword")));
	CHECK_STR(json_string_value(json_object_get(o, "sim")), "A/m1/1");
	CHECK_STR(json_string_value(json_object_get(o, "received_at")),
		  "2025-12-03T00:00:00.000Z");
	json_decref(a);
	a = query(ps, STORE_Q_API_MESSAGE, one, 1);
	o = json_array_get(a, 0);
	CHECK_STR(json_string_value(json_object_get(o, "state")), "queued");
	CHECK_STR(json_string_value(json_object_get(o, "priority")), "normal");
	CHECK_INT((long)json_object_size(o), 16);
	json_decref(a);
	a = query(ps, STORE_Q_API_MESSAGES, any, 4);
	CHECK_INT((long)json_array_size(a), 1);
	json_decref(a);
	a = query(ps, STORE_Q_API_SIMS, NULL, 0);
	o = json_array_get(a, 0);
	CHECK_INT((long)json_integer_value(json_object_get(o, "quota_left")),
		  10);
	json_decref(a);
	pg_store_free(ps);
}

/* ---- tokens ---- */

struct tok {
	bool done;
	int rc;
	char name[65];
	unsigned rights;
};

static void on_token(int rc, const char *name, unsigned rights, void *ud)
{
	struct tok *t = ud;

	t->rc = rc;
	if (name)
		snprintf(t->name, sizeof(t->name), "%s", name);
	t->rights = rights;
	t->done = true;
}

TEST(a_token_is_found_by_its_hash_on_every_box)
{
	struct pg_store *a = box("A"), *b = box("B");
	const char *token = "smsgw_0123456789abcdef0123456789abcdef"
			    "0123456789abcdef0123456789abcdef";
	char hex[TOKEN_HASH_LEN + 1], q[256];
	struct tok t = { 0 };

	reset(a);
	token_hash(token, strlen(token), hex);
	snprintf(q, sizeof(q), "INSERT INTO api_token (name, hash, rights,"
		 " created_at) VALUES ('crm', '%s', 'send,read', 1)", hex);
	sql(a, q);
	pg_store_token_lookup(b, token, strlen(token), on_token, &t);
	CHECK(turn_until(&t.done));
	CHECK_INT(t.rc, 1);
	CHECK_STR(t.name, "crm");
	CHECK_INT((long)t.rights, TOKEN_RIGHT_SEND | TOKEN_RIGHT_READ);
	memset(&t, 0, sizeof(t));
	pg_store_token_lookup(b, token, strlen(token) - 1, on_token, &t);
	CHECK(turn_until(&t.done));
	CHECK_INT(t.rc, 0);
	pg_store_token_note_use(a, "crm", 42);
	/* In order on a's connection: the update first. */
	CHECK_INT(sql_int(a, "SELECT used_at FROM api_token"), 42);
	pg_store_free(a);
	pg_store_free(b);
}

struct idres {
	bool done;
	int rc;
	int64_t id;
};

static void on_id(int rc, int64_t id, void *ud)
{
	struct idres *x = ud;

	x->rc = rc;
	x->id = id;
	x->done = true;
}

static void on_rc(int rc, void *ud)
{
	struct idres *x = ud;

	x->rc = rc;
	x->done = true;
}

TEST(tokens_added_and_removed_by_name_and_campaigns_by_name)
{
	struct pg_store *ps = box("A");
	const char *token = "smsgw_" "ab" "0123456789abcdef0123456789abcdef"
			    "0123456789abcdef0123456789abcd";
	struct idres x = { 0 };
	struct tok t = { 0 };

	reset(ps);
	pg_store_token_add(ps, "crm", token, TOKEN_RIGHT_READ, 7, on_rc, &x);
	CHECK(turn_until(&x.done));
	CHECK_INT(x.rc, 0);
	memset(&x, 0, sizeof(x));
	pg_store_token_add(ps, "crm", token, TOKEN_RIGHT_READ, 7, on_rc, &x);
	CHECK(turn_until(&x.done));
	CHECK_INT(x.rc, -EEXIST);
	pg_store_token_lookup(ps, token, strlen(token), on_token, &t);
	CHECK(turn_until(&t.done));
	CHECK_INT(t.rc, 1);
	CHECK_INT((long)t.rights, TOKEN_RIGHT_READ);
	memset(&x, 0, sizeof(x));
	pg_store_token_remove(ps, "crm", on_rc, &x);
	CHECK(turn_until(&x.done));
	CHECK_INT(x.rc, 0);
	memset(&x, 0, sizeof(x));
	pg_store_token_remove(ps, "crm", on_rc, &x);
	CHECK(turn_until(&x.done));
	CHECK_INT(x.rc, -ENOENT);
	sql(ps, "INSERT INTO campaign (name, created_at) VALUES ('a', 1),"
		" ('b', 1)");
	memset(&x, 0, sizeof(x));
	pg_store_campaign_id(ps, "b", on_id, &x);
	CHECK(turn_until(&x.done));
	CHECK_INT(x.rc, 1);
	CHECK_INT(x.id, 2);
	memset(&x, 0, sizeof(x));
	pg_store_campaign_id(ps, "c", on_id, &x);
	CHECK(turn_until(&x.done));
	CHECK_INT(x.rc, 0);
	pg_store_free(ps);
}

/* ---- webhooks ---- */

struct claim {
	bool done;
	int rc, n;
	int64_t next;
	int64_t ids[64];
	int attempts[64];
	char body[512];
};

static void on_claim_row(void *ud, const struct store_webhook_delivery *d)
{
	struct claim *c = ud;

	if (c->n < 64) {
		c->attempts[c->n] = d->attempts;
		c->ids[c->n++] = d->id;
	}
	snprintf(c->body, sizeof(c->body), "%s", d->body);
}

static void on_claim(int rc, int64_t next, void *ud)
{
	struct claim *c = ud;

	c->rc = rc;
	c->next = next;
	c->done = true;
}

static const char *const hooks[] = { "crm", "log" };

static void claim(struct pg_store *ps, int slots, int64_t lease_ms,
		  struct claim *c)
{
	const int s[] = { slots, slots };

	memset(c, 0, sizeof(*c));
	pg_store_webhook_claim(ps, &(struct pg_webhook_claim){
		.hooks = hooks, .slots = s, .n = 2, .total = 2 * slots,
		.now = 1000, .lease_ms = lease_ms, .row = on_claim_row,
		.done = on_claim, .ud = c });
}

struct wait {
	bool done;
	int rc;
};

static void on_done(int rc, void *ud)
{
	struct wait *x = ud;

	x->rc = rc;
	x->done = true;
}

static void subscribe(struct pg_store *ps, bool start)
{
	static const char *const events[] = { "received,sent", "optout" };
	struct wait w = { 0 };

	pg_store_webhook_subscribe(ps, hooks, events, 2, start, on_done, &w);
	CHECK(turn_until(&w.done));
	CHECK_INT(w.rc, 0);
}

static int outcome(struct pg_store *ps, int64_t id,
		   enum store_webhook_outcome o, int attempts, int64_t delay)
{
	struct wait w = { 0 };

	pg_store_webhook_outcome(ps, id, o, attempts, delay, "HTTP 500",
				 on_done, &w);
	CHECK(turn_until(&w.done));
	return w.rc;
}

TEST(a_delivery_is_written_with_the_change_per_subscribed_webhook)
{
	struct pg_store *a = box("A"), *b = box("B");

	reset(a);
	sql(a, "INSERT INTO inbound (received_at, sender, body, updated_at)"
	       " VALUES (1, '+4911', 'before', 1)");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM webhook_delivery"), 0);
	subscribe(a, true);
	subscribe(b, true);	/* the same webhooks: still one each */
	sql(a, "INSERT INTO inbound (received_at, sender, body, updated_at)"
	       " VALUES (2, '+4911', 'hi', 2)");
	sql(a, "INSERT INTO optout (number, opted_out_at, updated_at)"
	       " VALUES ('+4933', 3, 3)");
	sql(a, "INSERT INTO message (created_at, recipient, body, kind,"
	       " class, state, updated_at) VALUES (4, '+4922', 'yo',"
	       " 'direct', 0, 'sending', 4)");
	sql(a, "UPDATE message SET state = 'sent', updated_at = 5");
	/* received → crm, optout → log, sent → crm; a later body is told
	 * again, an unchanged one is not. */
	CHECK_STR(sql(a, "SELECT string_agg(webhook || ':' || event, ' '"
			 " ORDER BY id) FROM webhook_delivery"),
		  "crm:received log:optout crm:sent");
	sql(a, "UPDATE inbound SET body = 'hi there' WHERE id = 2");
	sql(a, "UPDATE inbound SET processed = 1 WHERE id = 2");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM webhook_delivery WHERE"
			     " event = 'received'"), 2);
	CHECK_STR(sql(a, "SELECT body->>'event_id' = uid AND"
			 " body->>'at' = '1970-01-01T00:00:00.005Z' FROM"
			 " webhook_delivery WHERE event = 'sent'"), "t");
	pg_store_free(a);
	pg_store_free(b);
}

TEST(two_boxes_claim_each_delivery_once)
{
	struct pg_store *a = box("A"), *b = box("B");
	static int seen[201];
	struct claim ca, cb;
	int total = 0;

	reset(a);
	memset(seen, 0, sizeof(seen));
	subscribe(a, true);
	subscribe(b, true);
	sql(a, "INSERT INTO inbound (received_at, sender, body, updated_at)"
	       " SELECT g, '+49' || g, 'm' || g, g FROM generate_series(1,"
	       " 200) g");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM webhook_delivery"), 200);
	for (int round = 0; round < 200; round++) {
		/* Both in flight at once: the claims overlap. */
		claim(a, 4, 60000, &ca);
		claim(b, 4, 60000, &cb);
		CHECK(turn_until(&ca.done) && turn_until(&cb.done));
		CHECK_INT(ca.rc, 0);
		CHECK_INT(cb.rc, 0);
		for (int i = 0; i < ca.n; i++) {
			seen[ca.ids[i]]++;
			CHECK_INT(outcome(a, ca.ids[i],
					  STORE_WEBHOOK_DELIVERED, 1, 0), 1);
		}
		for (int i = 0; i < cb.n; i++) {
			seen[cb.ids[i]]++;
			/* Not B's claim: nothing changes. */
			if (i == 0)
				CHECK_INT(outcome(a, cb.ids[i],
						  STORE_WEBHOOK_DELIVERED, 1,
						  0), 0);
			CHECK_INT(outcome(b, cb.ids[i],
					  STORE_WEBHOOK_DELIVERED, 1, 0), 1);
		}
		total += ca.n + cb.n;
		if (!ca.n && !cb.n)
			break;
	}
	CHECK_INT(total, 200);
	for (int i = 1; i <= 200; i++)
		if (seen[i] != 1)
			harness_fail(__FILE__, __LINE__, "delivery %d claimed "
				     "%d times", i, seen[i]);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM webhook_delivery WHERE"
			     " state = 'delivered' AND box IS NULL"), 200);
	CHECK(ca.next == 0);
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_retry_waits_its_backoff_and_a_lapsed_lease_goes_to_another_box)
{
	struct pg_store *a = box("A"), *b = box("B");
	struct claim c;
	int64_t end;

	reset(a);
	subscribe(a, true);
	subscribe(b, true);
	sql(a, "INSERT INTO inbound (received_at, sender, body, updated_at)"
	       " VALUES (1, '+4911', 'hi', 1)");
	claim(a, 4, 60000, &c);
	CHECK(turn_until(&c.done));
	CHECK_INT(c.n, 1);
	CHECK(strstr(c.body, "\"event\": \"received\"") != NULL);
	/* Retry in a minute: nobody may claim it now; next says when. */
	CHECK_INT(outcome(a, c.ids[0], STORE_WEBHOOK_RETRY, 1, 60000), 1);
	claim(b, 4, 60000, &c);
	CHECK(turn_until(&c.done));
	CHECK_INT(c.n, 0);
	CHECK(c.next > 1000 + 50000 && c.next <= 1000 + 60000);
	CHECK_STR(sql(a, "SELECT last_error FROM webhook_delivery"),
		  "HTTP 500");
	/* Due again, claimed by A with a lease of 1 ms that lapses: B takes
	 * it, and A's late outcome records nothing. */
	sql(a, "UPDATE webhook_delivery SET next_at = 0");
	claim(a, 4, 1, &c);
	CHECK(turn_until(&c.done));
	CHECK_INT(c.n, 1);
	CHECK_INT(c.attempts[0], 1);
	end = loop_clock_ms() + 5000;
	do {
		claim(b, 4, 60000, &c);
		CHECK(turn_until(&c.done));
	} while (!c.n && loop_clock_ms() < end);
	CHECK_INT(c.n, 1);
	CHECK_INT(outcome(a, c.ids[0], STORE_WEBHOOK_DEAD, 2, 0), 0);
	CHECK_INT(outcome(b, c.ids[0], STORE_WEBHOOK_DEAD, 2, 0), 1);
	CHECK_STR(sql(a, "SELECT state || ' ' || attempts FROM"
			 " webhook_delivery"), "dead 2");
	pg_store_free(a);
	pg_store_free(b);
}

TEST(a_restart_takes_back_the_box_s_leases)
{
	struct pg_store *a = box("A");
	struct claim c;

	reset(a);
	subscribe(a, true);
	sql(a, "INSERT INTO inbound (received_at, sender, body, updated_at)"
	       " VALUES (1, '+4911', 'hi', 1)");
	claim(a, 4, 600000, &c);
	CHECK(turn_until(&c.done));
	CHECK_INT(c.n, 1);
	claim(a, 4, 600000, &c);
	CHECK(turn_until(&c.done));
	CHECK_INT(c.n, 0);
	subscribe(a, true);	/* as after a crash and a restart */
	claim(a, 4, 600000, &c);
	CHECK(turn_until(&c.done));
	CHECK_INT(c.n, 1);
	pg_store_free(a);
}

/* ---- the hooks' rows ---- */

struct hookres {
	bool done;
	int rc;
	char a[64], b[64];
};

static void on_hook_in(int rc, const struct store_hook_inbound *r, void *ud)
{
	struct hookres *h = ud;

	h->rc = rc;
	if (r) {
		snprintf(h->a, sizeof(h->a), "%s", r->iccid ? r->iccid : "-");
		snprintf(h->b, sizeof(h->b), "%s",
			 r->campaign ? r->campaign : "-");
	}
	h->done = true;
}

static void on_hook_out(int rc, const struct store_hook_outbound *r,
			void *ud)
{
	struct hookres *h = ud;

	h->rc = rc;
	if (r) {
		snprintf(h->a, sizeof(h->a), "%s", r->sim ? r->sim : "-");
		snprintf(h->b, sizeof(h->b), "%s %d", r->campaign, r->parts);
	}
	h->done = true;
}

struct infores {
	bool done;
	int rc;
	struct outbox_info o;
	struct inbox_info in;
	char body[64];
};

static void on_oinfo(int rc, const struct outbox_info *o, const char *body,
		     void *ud)
{
	struct infores *x = ud;

	x->rc = rc;
	if (o) {
		x->o = *o;
		snprintf(x->body, sizeof(x->body), "%s", body);
	}
	x->done = true;
}

static void on_iinfo(int rc, const struct inbox_info *in, void *ud)
{
	struct infores *x = ud;

	x->rc = rc;
	x->in = *in;
	x->done = true;
}

TEST(hooks_read_their_rows_later)
{
	struct pg_store *ps = box("A");
	struct hookres h = { 0 };

	reset(ps);
	sql(ps, "INSERT INTO sim (box, modem, slot, iccid, updated_at)"
		" VALUES ('A', 'm1', '1', '8949', 1)");
	sql(ps, "INSERT INTO campaign (name, created_at) VALUES ('spring', 1)");
	sql(ps, "INSERT INTO message (created_at, recipient, body, kind, class,"
		" state, updated_at, sim_id, campaign_id, parts) VALUES (1,"
		" '+4922', 'yo', 'bulk', 1, 'sent', 1, 1, 1, 2)");
	sql(ps, "INSERT INTO inbound (received_at, sender, body, sim_id,"
		" in_reply_to, updated_at) VALUES (1, '+4922', 're', 1, 1, 1)");
	pg_store_hook_inbound(ps, 1, on_hook_in, &h);
	CHECK(!h.done);
	CHECK(turn_until(&h.done));
	CHECK_INT(h.rc, 1);
	CHECK_STR(h.a, "8949");
	CHECK_STR(h.b, "spring");
	memset(&h, 0, sizeof(h));
	pg_store_hook_outbound(ps, 1, on_hook_out, &h);
	CHECK(turn_until(&h.done));
	CHECK_INT(h.rc, 1);
	CHECK_STR(h.a, "A/m1/1");
	CHECK_STR(h.b, "spring 2");
	memset(&h, 0, sizeof(h));
	pg_store_hook_outbound(ps, 99, on_hook_out, &h);
	CHECK(turn_until(&h.done));
	CHECK_INT(h.rc, 0);
	/* The eventhandler's: the message with its last MR and report. */
	{
		struct infores x = { 0 };

		sql(ps, "INSERT INTO part (message_id, seq, sim_id, mr)"
			" VALUES (1, 1, 1, 17), (1, 2, 1, 18)");
		sql(ps, "INSERT INTO status_report (received_at, sim_id, mr,"
			" status, message_id) VALUES (9, 1, 18, 0, 1)");
		pg_store_outbox_info(ps, 1, on_oinfo, &x);
		CHECK(turn_until(&x.done));
		CHECK_INT(x.rc, 0);
		CHECK_STR(x.o.recipient, "+4922");
		CHECK_STR(x.o.modem, "A/m1/1");
		CHECK_STR(x.o.campaign, "spring");
		CHECK_STR(x.body, "yo");
		CHECK_INT(x.o.mr, 18);
		CHECK_INT(x.o.status, 0);
		CHECK_INT(x.o.report_at, 9);
		memset(&x, 0, sizeof(x));
		pg_store_outbox_info(ps, 99, on_oinfo, &x);
		CHECK(turn_until(&x.done));
		CHECK_INT(x.rc, -ENOENT);
		memset(&x, 0, sizeof(x));
		pg_store_inbox_info(ps, 1, on_iinfo, &x);
		CHECK(turn_until(&x.done));
		CHECK_INT(x.rc, 0);
		CHECK_INT(x.in.received_at, 1);
	}
	pg_store_free(ps);
}
