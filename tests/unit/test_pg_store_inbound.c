/*
 * test_pg_store_inbound — the PostgreSQL twins of store_op_inbound() and
 * store_op_inbound_timeout() (pg_store_inbound.c, pg_store_reasm.c)
 * against a real server: a PDU stored once per card, keyword actions on
 * every box, bounded replies, fragments reassembled across a restart and
 * when two of them race, a UCS-2 surrogate pair split between parts, the
 * timeout's partial message amended by a late part. Needs SMSGW_PG_URL
 * (tests/e2e/test_pg_store.py).
 */
#include "pg_test.h"
#include "config.h"
#include "sim.h"
#include "sms.h"

__attribute__((constructor)) static void need_server(void)
{
	url = getenv("SMSGW_PG_URL");
	if (!url) {
		printf("ok - pg_store_inbound # SKIP needs SMSGW_PG_URL (run by"
		       " tests/e2e/test_pg_store.py with PostgreSQL 15)\n");
		exit(0);
	}
}

static struct config_sim sim_cfg = { .name = "1", .send = true };

static struct sim sim_of(int64_t id, const char *name)
{
	struct sim s = { .id = id, .cfg = &sim_cfg };

	snprintf(s.name, sizeof(s.name), "%s", name);
	snprintf(s.iccid, sizeof(s.iccid), "8900%" PRId64, id);
	snprintf(s.number, sizeof(s.number), "+4470000000%" PRId64, id);
	return s;
}

/* The daemon's classify in small: STOP, START, HELP, FWD. */
static int classify(const struct store_inbound_msg *m,
		    struct store_inbound_actions *a, void *ud)
{
	int *calls = ud;

	(*calls)++;
	if (strncmp(m->body, "STOP", 4) == 0) {
		a->act = STORE_INBOUND_OPT_OUT;
		a->keyword = strdup("optout");
		a->matched = strdup("STOP");
		a->how = "exact";
		a->reply = strdup("You are out");
		a->reply_origin = "optout-reply";
	} else if (strncmp(m->body, "START", 5) == 0) {
		a->act = STORE_INBOUND_OPT_IN;
		a->reply = strdup("Welcome back");
		a->reply_origin = "optin-reply";
	} else if (strncmp(m->body, "HELP", 4) == 0) {
		a->act = STORE_INBOUND_REPLY;
		a->reply = strdup("Call us");
		a->reply_origin = "help-reply";
	} else if (strncmp(m->body, "FWD", 3) == 0) {
		a->act = STORE_INBOUND_FORWARD;
		a->forward_to = strdup("+15559999999");
		a->forward_text = strdup(m->body);
	}
	a->kick = a->act != STORE_INBOUND_KEEP;
	return 0;
}

static int calls;

static bool event_has(struct pg_store *ps, const char *what)
{
	char q[256];

	snprintf(q, sizeof(q), "SELECT count(*) FROM event WHERE message LIKE"
		 " '%%%s%%'", what);
	return sql_int(ps, q) > 0;
}
static struct reasm_opts ro = { .timeout_ms = 600000,
				.amend_ms = 86400000 };

/* A DELIVER from sender with text; part seq of total (0: single). */
static struct sms_pdu deliver(const char *sender, const char *text, int ref,
			      int seq, int total)
{
	struct sms_pdu p = { .type = SMS_PDU_DELIVER };

	p.deliver.sender.type = SMS_ADDR_INTERNATIONAL;
	snprintf(p.deliver.sender.text, SMS_ADDR_MAX, "%s", sender);
	snprintf(p.deliver.ud.text, sizeof(p.deliver.ud.text), "%s", text);
	p.deliver.ud.encoding = SMS_ENCODING_GSM7;
	p.deliver.ud.concat = (struct sms_concat){ .ref = (uint16_t)ref,
						   .seq = (uint8_t)seq,
						   .total = (uint8_t)total };
	return p;
}

struct got {
	struct wait w;
	struct store_inbound_out out;
};

/* Starts one PDU; the caller turns the loop. */
static void start_pdu(struct pg_store *ps, const struct sim *s,
		      const struct sms_pdu *p, const char *hex, int64_t now,
		      struct got *g)
{
	struct store_inbound req = {
		.sim = s, .pdu_hex = hex, .pdu = p,
		.sender = p ? p->deliver.sender.text : "", .scts = "x",
		.now = now, .ro = &ro, .reply_expire_ms = 3600000,
		.classify = classify, .classify_ud = &calls,
		.error = p ? NULL : "bad PDU",
	};

	memset(g, 0, sizeof(*g));
	pg_store_op_inbound_pdu(ps, &req, &g->out, on_done, &g->w);
	CHECK(!g->w.done);	/* answered from the loop */
}

/* The oldest fragment waiting, as the last PDU's answer said. */
static int64_t last_oldest;

/* One PDU, answered: rc; *n messages it delivered. */
static int pdu(struct pg_store *ps, const struct sim *s,
	       const struct sms_pdu *p, const char *hex, int64_t now,
	       size_t *n)
{
	struct got g;
	int rc;

	start_pdu(ps, s, p, hex, now, &g);
	rc = wait_rc(&g.w);
	if (n)
		*n = g.out.n;
	last_oldest = g.out.oldest_waiting;
	store_inbound_out_free(&g.out);
	return rc;
}

TEST(a_pdu_is_stored_once_per_card_and_delivered)
{
	struct pg_store *a = box("a", 60000, false);
	struct sms_pdu p = deliver("+15551230001", "hello there", 0, 0, 0);
	struct sim s;
	size_t n = 9;

	reset(a);
	s = sim_of(sim(a, "m1"), "m1/1");
	CHECK_INT(pdu(a, &s, &p, "07AA01", T0, &n), 0);
	CHECK_INT(n, 1);
	CHECK_STR(sql(a, "SELECT body || '|' || sender || '|' || sim_name ||"
			 " '|' || coalesce(recipient, '') FROM inbox"),
		  "hello there|+15551230001|a/m1/1|+44700000001");
	/* Read again (a restart before the modem deleted it): nothing. */
	CHECK_INT(pdu(a, &s, &p, "07AA01", T0 + 5, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM inbound"), 1);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM raw_pdu"), 1);
	/* The sticky sender: this SIM answers that number next. */
	CHECK_INT(sql_int(a, "SELECT sim_id FROM sticky"), s.id);
	/* A PDU that did not decode is kept raw, with an event. */
	CHECK_INT(pdu(a, &s, NULL, "DEAD", T0, &n), 0);
	CHECK_STR(sql(a, "SELECT error FROM raw_pdu WHERE pdu = 'DEAD'"),
		  "bad PDU");
	CHECK(event_has(a, "could not be decoded"));
	pg_store_free(a);
}

TEST(stop_on_one_box_suppresses_every_box_and_is_confirmed_once)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct sms_pdu stop = deliver("+15550000001", "STOP", 0, 0, 0);
	struct sms_pdu start = deliver("+15550000001", "START", 0, 0, 0);
	struct sim sb;

	reset(a);
	sim(a, "m1");
	sb = sim_of(sim(b, "m1"), "m1/1");
	CHECK_INT(accept_file(a, "f", NULL, &(struct file){ .n = 3,
				  .to = "+15550000001" }), 0);
	CHECK_INT(pdu(b, &sb, &stop, "01", T0, NULL), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM outbox WHERE state ="
			     " 'suppressed' AND origin = 'spool'"), 3);
	CHECK_STR(sql(a, "SELECT keyword || '|' || how || '|' || active FROM"
			 " optouts"), "STOP|exact|1");
	CHECK_STR(sql(a, "SELECT state || '|' || body || '|' || pool FROM"
			 " message WHERE origin = 'optout-reply'"),
		  "queued|You are out|@2");
	/* A second STOP is not confirmed again. */
	CHECK_INT(pdu(b, &sb, &stop, "02", T0 + 1000, NULL), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE origin ="
			     " 'optout-reply'"), 1);
	/* START opts back in, with its reply. */
	CHECK_INT(pdu(b, &sb, &start, "03", T0 + 2000, NULL), 0);
	CHECK_INT(sql_int(a, "SELECT active FROM optout"), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE origin ="
			     " 'optin-reply'"), 1);
	CHECK(event_has(a, "opted in again on m1/1"));
	pg_store_free(a);
	pg_store_free(b);
}

TEST(automatic_replies_are_bounded_and_forwards_queued)
{
	struct pg_store *a = box("a", 60000, false);
	struct sms_pdu help = deliver("+15550000002", "HELP", 0, 0, 0);
	struct sms_pdu fwd = deliver("+15550000002", "FWD this", 0, 0, 0);
	struct sms_pdu shortcode = deliver("12345", "HELP", 0, 0, 0);
	struct sim s;
	char hex[8];

	reset(a);
	s = sim_of(sim(a, "m1"), "m1/1");
	for (int i = 0; i < 5; i++) {
		snprintf(hex, sizeof(hex), "%02X", i);
		CHECK_INT(pdu(a, &s, &help, hex, T0 + i * 1000, NULL), 0);
	}
	/* Three in ten minutes: two auto-responders stop each other. */
	CHECK_INT(sql_int(a, "SELECT count(*) FROM message WHERE origin ="
			     " 'help-reply'"), 3);
	CHECK(event_has(a, "repeat"));
	CHECK_INT(pdu(a, &s, &shortcode, "AA", T0, NULL), 0);
	CHECK(event_has(a, "short code"));
	CHECK_INT(pdu(a, &s, &fwd, "BB", T0, NULL), 0);
	CHECK_STR(sql(a, "SELECT recipient || '|' || body || '|' || pool ||"
			 " '|' || (in_reply_to IS NOT NULL) FROM message"
			 " WHERE origin = 'forward'"),
		  "+15559999999|FWD this||true");
	pg_store_free(a);
}

TEST(fragments_reassemble_across_a_restart_and_a_race)
{
	struct pg_store *a = box("a", 60000, false);
	struct sms_pdu p1 = deliver("+15550000003", "Hello ", 7, 1, 3);
	struct sms_pdu p2 = deliver("+15550000003", "big ", 7, 2, 3);
	struct sms_pdu p3 = deliver("+15550000003", "world", 7, 3, 3);
	struct sms_pdu q1 = deliver("+15550000004", "race ", 9, 1, 2);
	struct sms_pdu q2 = deliver("+15550000004", "won", 9, 2, 2);
	struct got g1, g2;
	struct sim s;
	size_t n = 9;

	reset(a);
	s = sim_of(sim(a, "m1"), "m1/1");
	CHECK_INT(pdu(a, &s, &p1, "P1", T0, &n), 0);
	CHECK_INT(n, 0);
	/* The box restarts: a new connection finds the first part. */
	pg_store_free(a);
	a = box("a", 60000, false);
	CHECK_INT(pdu(a, &s, &p3, "P3", T0 + 10, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(pdu(a, &s, &p2, "P2", T0 + 20, &n), 0);
	CHECK_INT(n, 1);
	CHECK_STR(sql(a, "SELECT body || '|' || parts || '|' || partial FROM"
			 " inbox"), "Hello big world|3|0");
	CHECK_INT(sql_int(a, "SELECT count(*) FROM inbound_part WHERE state"
			     " = 'assembled'"), 3);
	/* A part read twice (the network retransmits) is a duplicate. */
	CHECK_INT(pdu(a, &s, &p2, "P2bis", T0 + 30, &n), 0);
	CHECK_INT(n, 0);
	/* Two parts in flight at once: both read an empty key, the second
	 * write finds it changed and decides again. */
	start_pdu(a, &s, &q1, "Q1", T0 + 40, &g1);
	start_pdu(a, &s, &q2, "Q2", T0 + 40, &g2);
	CHECK_INT(wait_rc(&g1.w), 0);
	CHECK_INT(wait_rc(&g2.w), 0);
	CHECK_INT(g1.out.n + g2.out.n, 1);
	store_inbound_out_free(&g1.out);
	store_inbound_out_free(&g2.out);
	CHECK_STR(sql(a, "SELECT body FROM inbox WHERE sender ="
			 " '+15550000004'"), "race won");
	/* Twelve parts at once (a modem's stored list at start): each
	 * round one wins, none gives up. */
	{
		struct got g[12];
		struct sms_pdu p[12];
		char hex[12][16];
		size_t n12 = 0;

		for (int i = 0; i < 12; i++) {
			p[i] = deliver("+15550000010", "x", 11, i + 1, 12);
			snprintf(hex[i], sizeof(hex[i]), "M%02d", i);
			start_pdu(a, &s, &p[i], hex[i], T0 + 50, &g[i]);
		}
		for (int i = 0; i < 12; i++) {
			CHECK_INT(wait_rc(&g[i].w), 0);
			n12 += g[i].out.n;
			store_inbound_out_free(&g[i].out);
		}
		CHECK_INT(n12, 1);
		CHECK_STR(sql(a, "SELECT body || '|' || parts FROM inbox WHERE"
				 " sender = '+15550000010'"), "xxxxxxxxxxxx|12");
	}
	pg_store_free(a);
}

/* A UCS-2 part with data (big-endian code units). */
static struct sms_pdu ucs2(const char *sender, const uint16_t *u, size_t n,
			   int seq)
{
	struct sms_pdu p = deliver(sender, "", 3, seq, 2);

	p.deliver.ud.encoding = SMS_ENCODING_UCS2;
	for (size_t i = 0; i < n; i++) {
		p.deliver.ud.data[2 * i] = (uint8_t)(u[i] >> 8);
		p.deliver.ud.data[2 * i + 1] = (uint8_t)u[i];
	}
	p.deliver.ud.data_len = 2 * n;
	return p;
}

TEST(a_surrogate_pair_split_between_parts_is_joined)
{
	struct pg_store *a = box("a", 60000, false);
	static const uint16_t u1[] = { 'h', 'i', 0xd83d };	/* 😀 split */
	static const uint16_t u2[] = { 0xde00, '!' };
	struct sms_pdu p1 = ucs2("+15550000005", u1, 3, 1);
	struct sms_pdu p2 = ucs2("+15550000005", u2, 2, 2);
	struct sim s;

	reset(a);
	s = sim_of(sim(a, "m1"), "m1/1");
	CHECK_INT(pdu(a, &s, &p1, "U1", T0, NULL), 0);
	CHECK_INT(sql_int(a, "SELECT count(*) FROM inbound_part WHERE wtf8"
			     " IS NOT NULL"), 1);
	CHECK_INT(pdu(a, &s, &p2, "U2", T0 + 10, NULL), 0);
	CHECK_STR(sql(a, "SELECT body FROM inbox"), "hi\xf0\x9f\x98\x80!");
	pg_store_free(a);
}

static int timeout(struct pg_store *ps, struct sim_registry *reg,
		   int64_t now, size_t *n)
{
	struct store_inbound_timeout req = {
		.reg = reg, .now = now, .ro = &ro,
		.reply_expire_ms = 3600000, .classify = classify,
		.classify_ud = &calls,
	};
	struct got g = { 0 };
	int rc;

	pg_store_op_inbound_timeout(ps, &req, &g.out, on_done, &g.w);
	rc = wait_rc(&g.w);
	*n = g.out.n;
	store_inbound_out_free(&g.out);
	return rc;
}

TEST(the_timeout_delivers_a_partial_message_a_late_part_amends)
{
	struct pg_store *a = box("a", 60000, false);
	struct pg_store *b = box("b", 60000, false);
	struct sms_pdu p1 = deliver("+15550000006", "one ", 4, 1, 3);
	struct sms_pdu p2 = deliver("+15550000006", "two ", 4, 2, 3);
	struct sms_pdu p3 = deliver("+15550000006", "three", 4, 3, 3);
	struct sms_pdu o1 = deliver("+15550000007", "other box", 5, 1, 2);
	struct sim s[2], sbx;
	struct sim_registry reg = { .sims = s, .nsims = 1 };
	struct sim_registry none = { .sims = s, .nsims = 0 };
	size_t n;

	reset(a);
	s[0] = sim_of(sim(a, "m1"), "m1/1");
	sbx = sim_of(sim(b, "m1"), "m1/1");
	CHECK_INT(pdu(a, &s[0], &p1, "T1", T0, NULL), 0);
	CHECK_INT(pdu(a, &s[0], &p2, "T2", T0 + 1000, NULL), 0);
	CHECK_INT(last_oldest, T0);	/* the timer is armed for the first */
	CHECK_INT(pdu(b, &sbx, &o1, "O1", T0, NULL), 0);
	/* Read again: stores nothing, still says when the timeout is due. */
	CHECK_INT(pdu(a, &s[0], &p2, "T2", T0 + 1500, NULL), 0);
	CHECK_INT(last_oldest, T0);
	/* Not yet due. */
	CHECK_INT(timeout(a, &reg, T0 + 1000, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(timeout(a, &reg, T0 + ro.timeout_ms + 1, &n), 0);
	CHECK_INT(n, 1);
	CHECK_STR(sql(a, "SELECT body || '|' || parts || '|' || partial FROM"
			 " inbox"), "one two [missing part 3/3]|2|1");
	/* Box b's fragment is b's to time out, never orphaned by a. */
	CHECK_STR(sql(a, "SELECT state FROM inbound_part WHERE sender ="
			 " '+15550000007'"), "waiting");
	/* The late part amends the same row. */
	CHECK_INT(pdu(a, &s[0], &p3, "T3", T0 + ro.timeout_ms + 5000, &n), 0);
	CHECK_INT(n, 0);
	CHECK_STR(sql(a, "SELECT body || '|' || parts || '|' || partial FROM"
			 " inbox"), "one two three|3|0");
	/* A SIM that left b's configuration: its parts become orphans. */
	CHECK_INT(timeout(b, &none, T0 + ro.timeout_ms + 1, &n), 0);
	CHECK_STR(sql(a, "SELECT state || '|' || reason FROM inbound_part"
			 " WHERE sender = '+15550000007'"),
		  "orphan|its SIM is no longer configured");
	pg_store_free(a);
	pg_store_free(b);
}
