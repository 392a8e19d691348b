/* Retention (pruning and the daily_stats rollup), forgetting a number,
 * redaction, and migrating databases of every shipped schema (issue 19). */
#include "harness.h"
#include "msg_state_check.h"
#include "cli.h"
#include "config.h"
#include "forget.h"
#include "redact.h"
#include "store.h"
#include "store_inbox.h"
#include "store_prune.h"
#include "store_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#define DAY_MS (86400 * 1000LL)
#define NOW_MS (1790000000000LL)	/* 2026-09-21 */

static void exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(store_db(st), sql, NULL, NULL, &msg) != SQLITE_OK)
		harness_fail(__FILE__, __LINE__, "%s: %s", sql, msg);
	sqlite3_free(msg);
}

/* The funnel of smsgw stats as one "name=value ..." line. */
static void funnel(struct store *st, const char *campaign, char *out,
		   size_t size)
{
	const struct store_bind b[] = { STORE_TEXT(campaign) };
	struct store_rows *s;
	size_t n = 0;

	out[0] = '\0';
	s = store_query_open(st, STORE_Q_FUNNEL, b, 1);
	if (!s) {
		snprintf(out, size, "prepare: %s", store_errmsg(st));
		return;
	}
	if (store_rows_next(s) == 1)
		for (int i = 0; i < store_rows_ncols(s) && n < size; i++)
			n += (size_t)snprintf(out + n, size - n, "%s=%lld ",
					      store_rows_name(s, i),
					      (long long)store_rows_int(s, i));
	store_rows_close(s);
}

/*
 * 40 old messages in two campaigns and none, in every final state, some
 * answered, recipients that opted out after them (twice to the same one),
 * plus young ones and old ones still queued.
 */
static void fill(struct store *st)
{
	static const char *const states[] = { "delivered", "sent", "failed",
					      "expired", "suppressed",
					      "cancelled", "unknown",
					      "delivered" };
	char sql[1024];

	exec(st, "INSERT INTO campaign (id, name, created_at) VALUES"
		 " (1, 'spring', 0), (2, 'autumn', 0)");
	for (int i = 1; i <= 60; i++) {
		long long at = NOW_MS - (i <= 40 ? 100 : 1) * DAY_MS + i * 1000;
		const char *state = i > 55 ? "queued" : states[i % 8];

		if (i > 36 && i <= 40)
			state = "queued";	/* old but in flight */
		snprintf(sql, sizeof(sql),
			 "INSERT INTO message (id, created_at, recipient, body,"
			 " kind, class, campaign_id, state, parts, updated_at)"
			 " VALUES (%d, %lld, '+4917100000%02d', 'code 123456',"
			 " 'bulk', 1, %s, '%s', %d, %lld)",
			 i, at, i % 7, i % 3 ? (i % 3 == 1 ? "1" : "2") : "NULL",
			 state, 1 + i % 2, at);
		exec(st, sql);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO part (message_id, seq, mr, sent_at)"
			 " VALUES (%d, 0, %d, %lld)", i, i, at);
		exec(st, sql);
		if (i % 5 == 0) {
			snprintf(sql, sizeof(sql),
				 "INSERT INTO inbound (received_at, sender, body,"
				 " in_reply_to, updated_at) VALUES (%lld,"
				 " '+4917100000%02d', 'ok', %d, %lld)",
				 at + 5000, i % 7, i, at);
			exec(st, sql);
		}
		snprintf(sql, sizeof(sql),
			 "INSERT INTO event (at, level, source, message) VALUES"
			 " (%lld, 'info', 'test', 'event %d')", at, i);
		exec(st, sql);
	}
	/* Opted out after their first messages: +491710000003 and …05. */
	exec(st, "INSERT INTO optout (number, opted_out_at, active, updated_at)"
		 " VALUES ('+491710000003', 1790000000000 - 50 * 86400000, 1, 0),"
		 " ('+491710000005', 1790000000000 - 50 * 86400000, 1, 0)");
	exec(st, "INSERT INTO inbound (received_at, sender, body, updated_at)"
		 " VALUES (1790000000000 - 200 * 86400000, '+491719999999',"
		 " 'old', 0)");
	exec(st, "INSERT INTO sim (id, modem, slot, updated_at) VALUES"
		 " (1, 'm1', '1', 0)");
	for (int i = 0; i < 30; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO sticky (number, sim_id,"
			 " last_at) VALUES ('+49170%07d', 1, %lld)", i,
			 i == 29 ? NOW_MS : NOW_MS - 90 * DAY_MS);
		exec(st, sql);
	}
}

static int prune_all(struct store *st, int64_t age, int batch)
{
	struct store_prune_cut cut = {
		.messages = NOW_MS - age, .sent_settled = NOW_MS - age,
		.events = NOW_MS - age, .inbound = NOW_MS - age,
		.sticky = NOW_MS - age,
	};
	struct store_prune_pos pos = { 0 };
	int rc, batches = 0;

	while ((rc = store_prune_batch(st, &cut, &pos, batch)) > 0)
		batches++;
	CHECK_INT(rc, 0);
	return batches;
}

TEST(retention_prunes_and_the_funnel_keeps_its_counts)
{
	char path[512], all0[1024], all1[1024], c0[1024], c1[1024];
	char n0[1024], n1[1024];
	struct store *st = store_tmp_open("prune.db", path, sizeof(path));
	int batches;

	if (!st)
		return;
	/* A new database has incremental auto-vacuum from the start. */
	CHECK_INT(db_int(st, "PRAGMA auto_vacuum"), 2);
	fill(st);
	funnel(st, NULL, all0, sizeof(all0));
	funnel(st, "spring", c0, sizeof(c0));
	funnel(st, "autumn", n0, sizeof(n0));
	batches = prune_all(st, 30 * DAY_MS, 7);
	CHECK(batches > 3);	/* small batches, not one sweep */
	funnel(st, NULL, all1, sizeof(all1));
	funnel(st, "spring", c1, sizeof(c1));
	funnel(st, "autumn", n1, sizeof(n1));
	CHECK_STR(all1, all0);
	CHECK_STR(c1, c0);
	CHECK_STR(n1, n0);
	/* Old finished messages went; in-flight and young ones stayed. */
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE id <= 36"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE id > 36"), 24);
	CHECK_INT(db_int(st, "SELECT count(*) FROM part WHERE message_id <= 36"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM event"), 20);
	/* Stale sticky rows went, the fresh one stayed. */
	CHECK_INT(db_int(st, "SELECT count(*) FROM sticky"), 1);
	/* Opt-outs are never pruned. */
	CHECK_INT(db_int(st, "SELECT count(*) FROM optout"), 2);
	/* The unanswered old inbound row went, counted as received. */
	CHECK_INT(db_int(st, "SELECT count(*) FROM inbound WHERE body = 'old'"), 0);
	CHECK_INT(db_int(st, "SELECT sum(received) FROM daily_stats"), 8);
	/* A second round finds nothing and changes nothing. */
	prune_all(st, 30 * DAY_MS, 100);
	funnel(st, NULL, all1, sizeof(all1));
	CHECK_STR(all1, all0);
	/* The space comes back. */
	CHECK(store_prune_freelist(st) > 0 || db_int(st, "PRAGMA page_count") > 0);
	CHECK_INT(store_prune_vacuum(st, 0), 0);
	CHECK_INT(store_prune_freelist(st), 0);
	store_close(st);
}

TEST(retention_off_prunes_nothing)
{
	char path[512];
	struct store *st = store_tmp_open("off.db", path, sizeof(path));
	struct store_prune_cut cut = { 0 };
	struct store_prune_pos pos = { 0 };

	if (!st)
		return;
	fill(st);
	CHECK_INT(store_prune_batch(st, &cut, &pos, 100), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM message"), 60);
	store_close(st);
}

TEST(forget_forms_cover_e164_national_and_semi_octets)
{
	struct forget_forms f;
	bool national = false, semi = false, semi_nat = false;

	forget_forms("+491721234567", "49", "0", &f);
	CHECK_STR(f.text[0], "00491721234567");	/* longest first */
	for (size_t i = 0; i < f.ntext; i++)
		national |= strcmp(f.text[i], "01721234567") == 0;
	for (size_t i = 0; i < f.nsemi; i++) {
		semi |= strcmp(f.semi[i], "947112325476") == 0;
		semi_nat |= strcmp(f.semi[i], "7112325476") == 0;
	}
	CHECK(national);
	CHECK(semi);
	CHECK(semi_nat);
}

TEST(forget_erases_a_number_and_keeps_it_suppressed)
{
	char path[512], err[256], before[1024], after[1024];
	struct store *st = store_tmp_open("forget.db", path, sizeof(path));
	struct forget_forms f;
	struct forget_counts n;
	struct stat sb;
	char key[600], sql[256];
	long long queued;

	if (!st)
		return;
	fill(st);
	exec(st, "INSERT INTO event (at, level, source, message) VALUES"
		 " (1, 'info', 'inbound', 'opt-out from +491710000003')");
	/* A table another part of smsgw adds (a webhook queue): forget
	 * reaches it without knowing it. */
	exec(st, "CREATE TABLE hook_queue (id INTEGER PRIMARY KEY, payload)");
	exec(st, "INSERT INTO hook_queue (payload) VALUES"
		 " ('{\"from\":\"+491710000003\",\"text\":\"hi\"}')");
	exec(st, "INSERT INTO raw_pdu (received_at, iccid, pdu) VALUES (1, 'x',"
		 " '07911326040000F0040C919471010000300000')");
	exec(st, "INSERT INTO message (created_at, recipient, body, kind,"
		 " class, state, updated_at) VALUES (1, '+491719999998',"
		 " 'call 01710000003 back', 'direct', 0, 'delivered', 1)");
	queued = db_int(st, "SELECT count(*) FROM message WHERE recipient ="
		      " '+491710000003' AND state = 'queued'");
	CHECK(queued > 0);
	/* What was still to go is counted as cancelled. */
	snprintf(sql, sizeof(sql), "UPDATE message SET state = 'cancelled'"
		 " WHERE state = 'queued' AND recipient = '+491710000003'");
	exec(st, "SAVEPOINT s");
	exec(st, sql);
	funnel(st, NULL, before, sizeof(before));
	exec(st, "ROLLBACK TO s");
	exec(st, "RELEASE s");
	CHECK_INT(store_optout_active(st, "+491710000003"), 1);
	forget_forms("+491710000003", "49", "0", &f);
	msg_state_record(st);
	if (!CHECK_INT(forget_store(st, "+491710000003", &f, NOW_MS, &n, err,
				    sizeof(err)), 0))
		printf("# %s\n", err);
	CHECK(n.messages > 0);
	CHECK(n.inbound > 0);
	CHECK_INT(n.raw_pdus, 1);
	CHECK_INT(n.optouts, 1);
	/* Nothing anywhere still spells it. */
	CHECK_INT(db_int(st, "SELECT count(*) FROM message WHERE recipient ="
			" '+491710000003' OR body LIKE '%01710000003%'"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM inbound WHERE sender ="
			" '+491710000003'"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM optout WHERE number ="
			" '+491710000003'"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM event WHERE message LIKE"
			" '%491710000003%'"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM event WHERE message ="
			" 'opt-out from [forgotten]'"), 1);
	CHECK_INT(db_int(st, "SELECT count(*) FROM hook_queue WHERE payload ="
			" '{\"from\":\"[forgotten]\",\"text\":\"hi\"}'"), 1);
	CHECK_INT(db_int(st, "PRAGMA secure_delete"), 1);
	/* Still suppressed, by its hash; other numbers are not. */
	CHECK_INT(store_optout_active(st, "+491710000003"), 1);
	CHECK_INT(store_optout_active(st, "+491710000004"), 0);
	CHECK_INT(db_int(st, "SELECT count(*) FROM forgotten"), 1);
	/* The key: next to the database, 0600. */
	forget_key_path(path, key, sizeof(key));
	CHECK_INT(stat(key, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	/* The funnel counts what it counted. */
	funnel(st, NULL, after, sizeof(after));
	CHECK_STR(after, before);
	/* START after a forget: subscribed again. */
	{
		bool was;

		CHECK_INT(store_optout_remove(st, "+491710000003", NOW_MS, &was),
			  0);
		CHECK(was);
		CHECK_INT(store_optout_active(st, "+491710000003"), 0);
	}
	/* The cancel of what was still to go is the table's (CANCEL). */
	CHECK(msg_state_check(st) >= 1);
	store_close(st);
}

TEST(redact_shortens_numbers_masks_codes_and_pdus)
{
	char out[256];

	redact("inbound: message 12 from +491721234567 on m1/1", REDACT_LOG,
	       out, sizeof(out));
	CHECK_STR(out, "inbound: message 12 from +4917...67 on m1/1");
	redact("pid 12345 after 1500 ms", REDACT_LOG, out, sizeof(out));
	CHECK_STR(out, "pid 12345 after 1500 ms");
	redact("Your code is 483920, call 491721234567", REDACT_TRACE, out,
	       sizeof(out));
	CHECK_STR(out, "Your code is ******, call 4917...67");
	redact("\r\n+CMT: ,24\r\n07911326040000F0040B919471122143F70000\r\n",
	       REDACT_TRACE, out, sizeof(out));
	CHECK_STR(out, "\r\n+CMT: ,24\r\n[pdu 19 octets]\r\n");
	redact("AT+CMGS=23\r", REDACT_TRACE, out, sizeof(out));
	CHECK_STR(out, "AT+CMGS=23\r");
	redact("+CSQ: 17,99", REDACT_TRACE, out, sizeof(out));
	CHECK_STR(out, "+CSQ: 17,99");
}

/* tests/fixtures/schema_v<N>.sql: a database of each schema version that
 * shipped, with data; each must come up to the current one intact. */
TEST(migrations_bring_every_shipped_schema_forward)
{
	const char *dir = getenv("SMSGW_FIXTURES");
	int found = 0;

	if (!dir)
		dir = "tests/fixtures";
	for (int v = 1; v < store_schema_version() + 1; v++) {
		char fx[512], path[512], err[256];
		struct store *st;
		sqlite3 *db;
		char *sql, *msg = NULL;
		FILE *f;
		long len;

		snprintf(fx, sizeof(fx), "%s/schema_v%d.sql", dir, v);
		f = fopen(fx, "r");
		if (!f)
			continue;
		found++;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		sql = calloc(1, (size_t)len + 1);
		if (fread(sql, 1, (size_t)len, f) != (size_t)len)
			harness_fail(__FILE__, __LINE__, "read %s", fx);
		fclose(f);
		snprintf(path, sizeof(path), "%s/fixture_v%d.db",
			 harness_tmpdir(), v);
		sqlite3_open(path, &db);
		if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
			harness_fail(__FILE__, __LINE__, "%s: %s", fx, msg);
		sqlite3_free(msg);
		free(sql);
		sqlite3_close(db);
		if (!CHECK_INT(store_open(path, 0, &st, err, sizeof(err)), 0)) {
			printf("# %s: %s\n", fx, err);
			continue;
		}
		CHECK_INT(store_user_version(st), store_schema_version());
		/* Data intact, through the contract views. */
		CHECK_INT(db_int(st, "SELECT count(*) FROM outbox"), 3);
		CHECK_INT(db_int(st, "SELECT count(*) FROM inbox"), 2);
		CHECK_INT(db_int(st, "SELECT count(*) FROM optouts WHERE active = 1"),
			  1);
		CHECK_INT(db_int(st, "SELECT count(*) FROM sims"), 1);
		CHECK_INT(db_int(st, "SELECT count(*) FROM events"), 2);
		CHECK_INT(db_int(st, "SELECT count(*) FROM outbox WHERE state ="
				" 'delivered' AND recipient = '+491721234567'"
				" AND campaign = 'spring'"), 1);
		CHECK_INT(db_int(st, "PRAGMA foreign_key_check"), -1);	/* none */
		CHECK_STR(sqlite3_errmsg(store_db(st)), "not an error");
		store_close(st);
	}
	/* Every version before the current one has its fixture: a new
	 * migration comes with tests/fixtures/schema_v<previous>.sql. */
	CHECK_INT(found, store_schema_version() - 1);
}

TEST(retention_section_reads_one_option_per_line)
{
	struct config *cfg = NULL;
	char err[512];
	const char *path = harness_write_file("ret.conf",
		"retention {\n"
		"    messages = 180d\n"
		"    events = 30d\n"
		"    inbound = off\n"
		"}\n");

	if (!CHECK_INT(config_load(path, &cfg, err, sizeof(err)), 0)) {
		printf("# %s\n", err);
		return;
	}
	CHECK(cfg->retention.messages_ms == 180 * DAY_MS);
	CHECK(cfg->retention.events_ms == 30 * DAY_MS);
	CHECK(cfg->retention.inbound_ms == 0);
	CHECK(cfg->retention.interval_ms == 3600 * 1000LL);
	CHECK(!cfg->trace_full);
	config_free(cfg);
	/* Off by default. */
	path = harness_write_file("ret0.conf", "log_level = \"info\"\n");
	if (CHECK_INT(config_load(path, &cfg, err, sizeof(err)), 0)) {
		CHECK(cfg->retention.messages_ms == 0);
		config_free(cfg);
	}
	/* A bare number is no retention: out of range, with the line. */
	path = harness_write_file("ret1.conf", "retention {\n  events = 30\n}\n");
	CHECK_INT(config_load(path, &cfg, err, sizeof(err)), -1);
	CHECK(strstr(err, "ret1.conf:2: events") != NULL);
}
