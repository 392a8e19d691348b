/*
 * Inbound: PDUs from a (fake) modem to committed inbox rows, reassembly,
 * duplicates, keywords and their replies, with a real store and loop.
 */
#include "glue_rig.h"
#include "inbound.h"
#include "outbound.h"
#include "sms.h"
#include "store_outbox.h"

#include <stdio.h>
#include <stdlib.h>

static struct {
	struct loop *loop;
	struct store *st;
	struct config *cfg;
	struct sim_registry reg;
	struct outbound *ob;
	struct inbound *ib;
	int acks;
	int received;
} env;

/* The fake modem's ack tokens are just counters. */
static void fake_ack(struct modem_ack *ack)
{
	(void)ack;
	env.acks++;
}

/* Nothing is sent: sends stay pending, so replies stay queued. */
static int never_send(struct sim *sim, const char *pdu, int len,
		      modem_send_cb cb, void *ud)
{
	(void)sim, (void)pdu, (void)len, (void)cb, (void)ud;
	return -19; /* -ENODEV */
}

static void on_event(const struct inbound_event *e, void *ud)
{
	(void)ud;
	if (strcmp(e->event, "received") == 0)
		env.received++;
}

static bool setup(const char *extra)
{
	const struct outbound_ops ops = { .send = never_send };
	char err[1024], text[4096];

	memset(&env, 0, sizeof(env));
	snprintf(text, sizeof(text),
		 "default_country = \"49\"\n"
		 "modem \"m1\" { device = \"/dev/null-1\"\n"
		 "  sim \"1\" { send = false } }\n%s", extra);
	if (!rig_open("in", text, &env.cfg, &env.loop, &env.st, &env.reg))
		return false;
	snprintf(env.reg.sims[0].iccid, sizeof(env.reg.sims[0].iccid),
		 "8949000000000000001");
	snprintf(env.reg.sims[0].number, sizeof(env.reg.sims[0].number),
		 "+4917000000001");
	CHECK_INT(outbound_new(env.loop, env.st, env.cfg, &env.reg, &ops, &env.ob), 0);
	if (!CHECK_INT(inbound_new(env.loop, env.st, env.cfg, &env.reg, env.ob,
				   fake_ack, &env.ib, err, sizeof(err)), 0)) {
		printf("# %s\n", err);
		return false;
	}
	inbound_set_listener(env.ib, on_event, NULL);
	return true;
}

static void teardown(void)
{
	inbound_free(env.ib);
	outbound_free(env.ob);
	rig_close(env.cfg, env.loop, env.st, &env.reg);
}

static long long scalar(const char *sql)
{
	return db_int(env.st, sql);
}

static const char *text(const char *sql)
{
	return rig_text(env.st, sql);
}

/* The DELIVER parts of text from sender, with concatenation ref. */
static struct sms_encoded deliver(const char *sender, const char *body,
				  int ref)
{
	struct sms_time t = { 2026, 11, 27, 9, 30, 0, 60 };
	struct sms_encode_opts o;
	struct sms_encoded e = { 0 };
	char err[128];

	sms_encode_opts_init(&o);
	o.concat_ref = (uint16_t)ref;
	if (!sms_encode_deliver("+491770610000", sender, body, strlen(body), &o,
				&t, &e, err, sizeof(err)))
		printf("# encode: %s\n", err);
	return e;
}

static void receive(const char *pdu)
{
	inbound_sms(env.ib, &env.reg.sims[0], pdu, (struct modem_ack *)1);
}

TEST(inbound_single_message_and_duplicate)
{
	struct sms_encoded e;

	if (!setup(""))
		return;
	e = deliver("+4915112345678", "Hello there", 1);
	receive(e.parts[0].pdu);
	CHECK_INT(env.acks, 1);
	CHECK_INT(env.received, 1);
	CHECK_INT(scalar("SELECT count(*) FROM inbox"), 1);
	CHECK_STR(text("SELECT body FROM inbox"), "Hello there");
	CHECK_STR(text("SELECT sender FROM inbox"), "+4915112345678");
	CHECK_STR(text("SELECT recipient FROM inbox"), "+4917000000001");
	/* Read again after a restart: stored once, still acknowledged. */
	receive(e.parts[0].pdu);
	CHECK_INT(env.acks, 2);
	CHECK_INT(scalar("SELECT count(*) FROM inbox"), 1);
	sms_encoded_free(&e);
	teardown();
}

TEST(inbound_national_sender_becomes_e164)
{
	struct sms_encoded e;

	if (!setup(""))
		return;
	e = deliver("015112345678", "Hi", 2);
	receive(e.parts[0].pdu);
	CHECK_STR(text("SELECT sender FROM inbox"), "+4915112345678");
	sms_encoded_free(&e);
	teardown();
}

TEST(inbound_multipart_shuffled_with_duplicate)
{
	char body[600];
	struct sms_encoded e;

	if (!setup(""))
		return;
	for (int i = 0; i < 500; i++)
		body[i] = (char)('a' + i % 26);
	body[500] = '\0';
	e = deliver("+4915112345678", body, 77);
	if (!CHECK_INT(e.nparts, 4))
		return;
	receive(e.parts[2].pdu);
	receive(e.parts[0].pdu);
	receive(e.parts[0].pdu);
	receive(e.parts[3].pdu);
	CHECK_INT(scalar("SELECT count(*) FROM inbox"), 0);
	receive(e.parts[1].pdu);
	CHECK_INT(env.acks, 5);
	CHECK_INT(scalar("SELECT count(*) FROM inbox"), 1);
	CHECK_STR(text("SELECT body FROM inbox"), body);
	CHECK_INT(scalar("SELECT parts FROM inbox"), 4);
	CHECK_INT(scalar("SELECT count(*) FROM inbound_part WHERE state = 'assembled'"), 4);
	sms_encoded_free(&e);
	teardown();
}

TEST(inbound_missing_part_times_out_then_amends)
{
	char body[400];
	struct sms_encoded e;
	int64_t deadline;

	if (!setup("reassembly_timeout = 100ms\n"))
		return;
	memset(body, 'z', 300);
	body[300] = '\0';
	e = deliver("+4915112345678", body, 9);
	if (!CHECK_INT(e.nparts, 2))
		return;
	receive(e.parts[0].pdu);
	deadline = loop_clock_ms() + 5000;
	while (scalar("SELECT count(*) FROM inbox") == 0 &&
	       loop_clock_ms() < deadline)
		loop_run_once(env.loop, 50);
	CHECK_INT(scalar("SELECT count(*) FROM inbox"), 1);
	CHECK_INT(scalar("SELECT partial FROM inbox"), 1);
	CHECK(strstr(text("SELECT body FROM inbox"), "[missing part 2/2]") != NULL);
	/* The late part fills the same row. */
	receive(e.parts[1].pdu);
	CHECK_INT(scalar("SELECT count(*) FROM inbox"), 1);
	CHECK_INT(scalar("SELECT partial FROM inbox"), 0);
	CHECK_STR(text("SELECT body FROM inbox"), body);
	sms_encoded_free(&e);
	teardown();
}

static void queue_to(const char *to)
{
	struct outbox_new m = {
		.recipient = to, .body = "offer", .kind = MSG_KIND_BULK,
		.priority = MSG_PRIORITY_NORMAL, .validity_minutes = -1,
		.parts = 1,
	};
	enum outbox_add_result res;

	store_outbox_add(env.st, 0, &m, false, store_now_ms(), NULL, &res);
}

TEST(inbound_stop_suppresses_and_confirms_once)
{
	struct sms_encoded a, b, c;

	if (!setup(""))
		return;
	queue_to("+4915112345678");
	queue_to("+4915112345678");
	queue_to("+4915199999999");
	a = deliver("+4915112345678", "Stop.", 1);
	receive(a.parts[0].pdu);
	CHECK_STR(text("SELECT keyword FROM inbox"), "optout");
	CHECK_INT(scalar("SELECT active FROM optouts WHERE number = '+4915112345678'"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM outbox WHERE state = 'suppressed'"), 2);
	CHECK_INT(scalar("SELECT count(*) FROM outbox WHERE recipient ="
			 " '+4915199999999' AND state = 'queued'"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE origin = 'optout-reply'"), 1);
	/* A second STOP: no second confirmation. */
	b = deliver("+4915112345678", "STOP", 2);
	receive(b.parts[0].pdu);
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE origin = 'optout-reply'"), 1);
	/* New messages to the number are suppressed at acceptance. */
	queue_to("+4915112345678");
	CHECK_INT(scalar("SELECT count(*) FROM outbox WHERE state = 'suppressed'"), 3);
	/* START brings it back, with its own reply. */
	c = deliver("+4915112345678", "start", 3);
	receive(c.parts[0].pdu);
	CHECK_INT(scalar("SELECT active FROM optouts WHERE number = '+4915112345678'"), 0);
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE origin = 'optin-reply'"), 1);
	sms_encoded_free(&a);
	sms_encoded_free(&b);
	sms_encoded_free(&c);
	teardown();
}

TEST(inbound_help_and_rule_replies)
{
	struct sms_encoded a, b, c;

	if (!setup("help_reply = \"Acme alerts. Reply STOP to end.\"\n"
		   "rule \"hours\" {\n match = \"^hours\\\\??$\"\n"
		   " action = \"reply\"\n reply = \"Open 9-17, {{sender}}\"\n}\n"))
		return;
	a = deliver("+4915112345678", "HELP", 1);
	receive(a.parts[0].pdu);
	CHECK_STR(text("SELECT body FROM message WHERE origin = 'help-reply'"),
		  "Acme alerts. Reply STOP to end.");
	b = deliver("+4915112345678", "Hours?", 2);
	receive(b.parts[0].pdu);
	CHECK_STR(text("SELECT keyword FROM inbox ORDER BY id DESC"), "hours");
	CHECK_STR(text("SELECT body FROM message WHERE origin = 'rule-reply'"),
		  "Open 9-17, +4915112345678");
	/* Replies answer the message they came from. */
	CHECK_INT(scalar("SELECT count(*) FROM message m JOIN inbound i"
			 " ON i.id = m.in_reply_to"), 2);
	c = deliver("+4915112345678", "thanks, see you", 3);
	receive(c.parts[0].pdu);
	CHECK(text("SELECT keyword FROM inbox ORDER BY id DESC")[0] == '\0');
	sms_encoded_free(&a);
	sms_encoded_free(&b);
	sms_encoded_free(&c);
	teardown();
}

TEST(inbound_garbage_pdu_kept_raw_and_acknowledged)
{
	if (!setup(""))
		return;
	receive("07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07");
	receive("00FFFF");
	CHECK_INT(env.acks, 2);
	CHECK_INT(scalar("SELECT count(*) FROM raw_pdu"), 2);
	CHECK_INT(scalar("SELECT count(*) FROM raw_pdu WHERE error IS NOT NULL"), 1);
	CHECK_INT(scalar("SELECT count(*) FROM events WHERE message LIKE"
			 " '%could not be decoded%'"), 1);
	teardown();
}

TEST(inbound_emoji_split_across_parts_is_joined)
{
	/* A phone split 😀 (D83D DE00) between two UCS-2 parts: "A" + high
	 * surrogate, then low surrogate + "B" (hand-built, as our encoder
	 * never splits a pair). */
	if (!setup(""))
		return;
	receive("00440D91945111325476F80008621172900300000A0500032A02010041D83D");
	receive("00440D91945111325476F80008621172900300000A0500032A0202DE000042");
	CHECK_INT(scalar("SELECT count(*) FROM inbox"), 1);
	CHECK_STR(text("SELECT body FROM inbox"), "A\xf0\x9f\x98\x80" "B");
	teardown();
}

TEST(inbound_lone_surrogate_becomes_replacement_character)
{
	if (!setup("reassembly_timeout = 50ms\n"))
		return;
	receive("00440D91945111325476F80008621172900300000A0500032B02010041D83D");
	for (int64_t end = loop_clock_ms() + 5000;
	     scalar("SELECT count(*) FROM inbox") == 0 && loop_clock_ms() < end;)
		loop_run_once(env.loop, 20);
	CHECK_STR(text("SELECT body FROM inbox"),
		  "A\xef\xbf\xbd[missing part 2/2]");
	teardown();
}

/* A fragment that can no longer be released is settled, never spun on. */
static void settles(const char *sql, const char *want_state, int partials)
{
	char err[256];

	if (!setup(""))
		return;
	CHECK_INT(sqlite3_exec(store_db(env.st), sql, NULL, NULL, NULL), SQLITE_OK);
	/* As after a restart: the timer is armed from what is stored. */
	inbound_free(env.ib);
	CHECK_INT(inbound_new(env.loop, env.st, env.cfg, &env.reg, env.ob,
			      fake_ack, &env.ib, err, sizeof(err)), 0);
	for (int64_t end = loop_clock_ms() + 3000;
	     scalar("SELECT count(*) FROM inbound_part WHERE state = 'waiting'") &&
	     loop_clock_ms() < end;)
		loop_run_once(env.loop, 50);
	CHECK_INT(scalar("SELECT count(*) FROM inbound_part WHERE state = 'waiting'"), 0);
	CHECK_STR(text("SELECT state FROM inbound_part"), want_state);
	CHECK_INT(scalar("SELECT count(*) FROM inbox WHERE partial = 1"), partials);
	teardown();
}

TEST(inbound_fragment_older_than_a_day_is_released_partial)
{
	settles("INSERT INTO inbound_part (received_at, sim_id, sender, ref,"
		" total, seq, body, state) VALUES"
		" (CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 2 * 86400000,"
		" 1, '+4917111', 5, 2, 1, 'x', 'waiting')", "assembled", 1);
}

TEST(inbound_fragment_of_a_removed_sim_becomes_an_orphan)
{
	settles("INSERT INTO sim (modem, slot, pool, state, updated_at)"
		" VALUES ('gone', '1', 'default', 'absent', 0);"
		"INSERT INTO inbound_part (received_at, sim_id, sender, ref,"
		" total, seq, body, state) VALUES"
		" (CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 3600000,"
		" (SELECT max(id) FROM sim), '+4917111', 5, 2, 1, 'x', 'waiting')",
		"orphan", 0);
}
