/*
 * test_store_backends_ops — the conformance suite's second half: the
 * operations beside the queue, the same scenarios on both backends with
 * the same SQL: a PDU with its keyword (STOP, its confirmation, stored
 * once), fragments with the reassembly timeout and a late part, a big
 * file in steps, an intake refusal, the quota deferral, quiet hours at
 * the claim, a forgotten number. SQLite calls store_op_*(), PostgreSQL
 * its twin pg_store_op_*() (include/store_pg.h: the same argument lists);
 * PostgreSQL runs when SMSGW_PG_URL is set (tests/e2e/test_pg_store.py).
 */
#include "backend_env.h"
#include "config.h"
#include "forget.h"
#include "sim.h"
#include "sms.h"

/* The same call on either backend. */
#define OP(e, name, ...)                                                 \
	((e)->ps ? pg_store_op_##name((e)->ps, __VA_ARGS__)              \
		 : store_op_##name((e)->st, __VA_ARGS__))

static struct config_sim sim_cfg = { .name = "1", .send = true };
static struct reasm_opts ro = { .timeout_ms = 600000,
				.amend_ms = 86400000 };

static struct sim sim_of(int64_t id)
{
	struct sim s = { .id = id, .cfg = &sim_cfg };

	snprintf(s.name, sizeof(s.name), "m1/1");
	snprintf(s.iccid, sizeof(s.iccid), "8900%lld", (long long)id);
	snprintf(s.number, sizeof(s.number), "+447000000001");
	return s;
}

static int classify(const struct store_inbound_msg *m,
		    struct store_inbound_actions *a, void *ud)
{
	(void)ud;
	if (strcmp(m->body, "STOP") == 0) {
		a->act = STORE_INBOUND_OPT_OUT;
		a->keyword = strdup("optout");
		a->matched = strdup("STOP");
		a->how = "exact";
		a->reply = strdup("You are out");
		a->reply_origin = "optout-reply";
	} else if (strcmp(m->body, "START") == 0) {
		a->act = STORE_INBOUND_OPT_IN;
		a->reply = strdup("Welcome back");
		a->reply_origin = "optin-reply";
	}
	return 0;
}

static struct sms_pdu deliver(const char *sender, const char *text, int seq,
			      int total)
{
	struct sms_pdu p = { .type = SMS_PDU_DELIVER };

	p.deliver.sender.type = SMS_ADDR_INTERNATIONAL;
	snprintf(p.deliver.sender.text, SMS_ADDR_MAX, "%s", sender);
	snprintf(p.deliver.ud.text, sizeof(p.deliver.ud.text), "%s", text);
	p.deliver.ud.concat = (struct sms_concat){ .ref = 9,
						   .seq = (uint8_t)seq,
						   .total = (uint8_t)total };
	return p;
}

static int pdu(struct env *e, const struct sim *s, const struct sms_pdu *p,
	       const char *hex, int64_t now)
{
	struct store_inbound req = {
		.sim = s, .pdu_hex = hex, .pdu = p,
		.sender = p->deliver.sender.text, .now = now, .ro = &ro,
		.reply_expire_ms = 3600000, .classify = classify,
	};
	struct store_inbound_out out;
	struct wait w = { 0 };
	int rc;

	if (e->ps)
		pg_store_op_inbound_pdu(e->ps, &req, &out, on_done, &w);
	else
		store_op_inbound(e->st, &req, &out, on_done, &w);
	rc = env_wait(e, &w);
	store_inbound_out_free(&out);
	return rc;
}

static void inbound_stop(bool pg)
{
	struct env e;
	struct sms_pdu stop = deliver("+15550000001", "STOP", 0, 0);
	struct sim s;

	if (!env_open(&e, pg, "ib_stop"))
		return;
	s = sim_of(add_sim(&e, "m1"));
	CHECK_INT(accept_file(&e, "a", NULL, &(struct rcpts){ .n = 2 }), 0);
	CHECK_INT(pdu(&e, &s, &stop, "0001", T0), 0);
	CHECK_INT(pdu(&e, &s, &stop, "0001", T0 + 1), 0);	/* read twice */
	CHECK_STR(scalar(&e, "SELECT count(*) || ' ' || sender || ' ' || body"
			     " || ' ' || keyword || ' ' || recipient FROM inbox"
			     " GROUP BY sender, body, keyword, recipient"),
		  "1 +15550000001 STOP optout +447000000001");
	CHECK_STR(scalar(&e, "SELECT count(*) FROM raw_pdu"), "1");
	CHECK_STR(scalar(&e, "SELECT number || ' ' || keyword || ' ' || how ||"
			     " ' ' || active FROM optouts"),
		  "+15550000001 STOP exact 1");
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE origin = 'spool'"
			     " AND recipient = '+15550000001'"), "suppressed");
	CHECK_STR(scalar(&e, "SELECT state || ' ' || body || ' ' || CASE WHEN"
			     " in_reply_to IS NULL THEN 'alone' ELSE 'a reply'"
			     " END FROM outbox WHERE origin = 'optout-reply'"),
		  "queued You are out a reply");
	env_close(&e);
}

static int timeout(struct env *e, struct sim *s, int64_t now)
{
	struct sim_registry reg = { .sims = s, .nsims = 1 };
	struct store_inbound_timeout req = {
		.reg = &reg, .now = now, .ro = &ro,
		.reply_expire_ms = 3600000, .classify = classify,
	};
	struct store_inbound_out out;
	struct wait w = { 0 };
	int rc;

	OP(e, inbound_timeout, &req, &out, on_done, &w);
	rc = env_wait(e, &w);
	store_inbound_out_free(&out);
	return rc;
}

static void fragments_timeout_amend(bool pg)
{
	struct env e;
	struct sms_pdu p1 = deliver("+15550000003", "one ", 1, 3);
	struct sms_pdu p2 = deliver("+15550000003", "two ", 2, 3);
	struct sms_pdu p3 = deliver("+15550000003", "three", 3, 3);
	struct sim s;

	if (!env_open(&e, pg, "ib_frag"))
		return;
	s = sim_of(add_sim(&e, "m1"));
	CHECK_INT(pdu(&e, &s, &p1, "F1", T0), 0);
	CHECK_INT(pdu(&e, &s, &p2, "F2", T0 + 1000), 0);
	CHECK_STR(scalar(&e, "SELECT count(*) FROM inbox"), "0");
	CHECK_INT(timeout(&e, &s, T0 + ro.timeout_ms + 1), 0);
	CHECK_STR(scalar(&e, "SELECT body || '|' || parts || '|' || partial"
			     " FROM inbox"), "one two [missing part 3/3]|2|1");
	CHECK_INT(pdu(&e, &s, &p3, "F3", T0 + ro.timeout_ms + 2), 0);
	CHECK_STR(scalar(&e, "SELECT count(*) || '|' || body || '|' || parts"
			     " || '|' || partial FROM inbox GROUP BY body, parts,"
			     " partial"), "1|one two three|3|0");
	CHECK_STR(scalar(&e, "SELECT count(*) FROM inbound_part WHERE state ="
			     " 'assembled'"), "3");
	env_close(&e);
}

static bool stop_never(void *ud)
{
	(void)ud;
	return false;
}

static void big_file_in_steps(bool pg)
{
	struct env e;
	struct rcpts r = { .n = 3 };
	struct store_accept req = {
		.name = "big", .claim = "active/big", .hash = "h", .now = T0,
		.produce = produce, .produce_ud = &r, .recipients = 3,
	};
	struct store_staged f = { 0 };
	struct wait w = { 0 };
	struct outbox_msg m;
	int64_t sim, id = 0, next = -1;
	int state = 99;

	if (!env_open(&e, pg, "stage"))
		return;
	sim = add_sim(&e, "m1");
	OP(&e, stage_begin, &req, &f, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	w = (struct wait){ 0 };
	OP(&e, stage_add, &f, &req, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	/* PostgreSQL keeps a file's rows hidden until the accept; SQLite's
	 * go in final, sendable at once (store_ops.h, a big file). */
	if (pg)
		CHECK_INT(claim(&e, sim, T0, &m), 0);
	w = (struct wait){ 0 };
	OP(&e, staging, "active/big", &state, &id, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK_INT(state, STORE_STAGING_ADDING);
	CHECK_INT(id, f.file_id);
	w = (struct wait){ 0 };
	OP(&e, stage_accept, f.file_id, 3, 0, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	w = (struct wait){ 0 };
	OP(&e, staging, NULL, &state, &id, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK_INT(state, pg ? STORE_STAGING_RELEASING : STORE_STAGING_NONE);
	w = (struct wait){ 0 };
	OP(&e, stage_release, f.file_id, T0, 2, stop_never, &next, on_done,
	   &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK_INT(next, 0);
	CHECK_STR(scalar(&e, "SELECT count(*) FROM outbox WHERE state ="
			     " 'queued'"), "3");
	/* Another file, not accepted: purged whole. */
	req.name = req.claim = "active/gone";
	w = (struct wait){ 0 };
	OP(&e, stage_begin, &req, &f, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	w = (struct wait){ 0 };
	OP(&e, stage_add, &f, &req, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	w = (struct wait){ 0 };
	OP(&e, stage_purge, f.file_id, 2, stop_never, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK_STR(scalar(&e, "SELECT count(*) FROM outbox"), "3");
	CHECK_STR(scalar(&e, "SELECT count(*) FROM spool_file"), "1");
	env_close(&e);
}

static void refuse_and_defer_pool(bool pg)
{
	struct env e;
	struct store_refusal r = { .recipient = "+1555", .body = "hi",
				   .via = "sql", .why = "no such pool",
				   .now = T0 };
	struct wait w = { 0 };

	if (!env_open(&e, pg, "refuse"))
		return;
	add_sim(&e, "m1");
	OP(&e, refuse, &r, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 0);
	CHECK_STR(scalar(&e, "SELECT state || '|' || error || '|' || origin"
			     " FROM outbox"), "failed|no such pool|sql");
	CHECK_STR(scalar(&e, "SELECT level || '|' || message FROM events"),
		  "warning|INSERT INTO outbox (row 0, +1555) not queued: no"
		  " such pool");
	/* Every SIM of the pool at its quota: its queued bulk waits. */
	CHECK_INT(accept_file(&e, "a", NULL, &(struct rcpts){ .n = 3 }), 0);
	scalar(&e, "UPDATE message SET pool = 'default' WHERE origin ="
		   " 'spool'");
	w = (struct wait){ 0 };
	OP(&e, defer_pool, "default", T0 + 3600000, "quota", T0, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 3);
	CHECK_STR(scalar(&e, "SELECT count(*) || '|' || error FROM outbox"
			     " WHERE state = 'deferred' GROUP BY error"),
		  "3|quota");
	env_close(&e);
}

static bool quiet_for_one(const char *recipient, int64_t now, int64_t *until,
			  void *ud)
{
	(void)ud;
	*until = now + 3600000;
	return strcmp(recipient, "+15550000001") == 0;
}

static void quiet_hours_at_the_claim(bool pg)
{
	struct env e;
	struct outbox_claim c;
	struct outbox_msg m;
	struct wait w = { 0 };
	int64_t sim;

	if (!env_open(&e, pg, "quiet"))
		return;
	sim = add_sim(&e, "m1");
	CHECK_INT(accept_file(&e, "a", NULL, &(struct rcpts){ .n = 2 }), 0);
	c = (struct outbox_claim){
		.sim_id = sim, .pool = "default", .takes_unpooled = true,
		.allow_bulk = true, .quota_left = 100, .now = T0,
		.sticky_cutoff = T0 - 3600000, .alone = true,
		.hold = quiet_for_one,
	};
	e.ops->claim(e.be, &c, &m, on_done, &w);
	CHECK_INT(env_wait(&e, &w), 1);
	CHECK_STR(m.recipient, "+15550000002");
	outbox_msg_clear(&m);
	CHECK_STR(scalar(&e, "SELECT state || '|' || error || '|' || attempts"
			     " || '|' || not_before FROM outbox WHERE id = 1"),
		  "deferred|quiet hours at the recipient|0|"
		  "2026-11-27T11:00:00.000Z");
	env_close(&e);
}

static void forgotten_number(bool pg)
{
	struct env e;
	struct sms_pdu start = deliver("+15550000001", "START", 0, 0);
	struct outbox_msg m;
	struct sim s;
	int64_t sim;

	if (!env_open(&e, pg, "forget"))
		return;
	sim = add_sim(&e, "m1");
	CHECK_INT(accept_file(&e, "a", NULL, &(struct rcpts){ .n = 2 }), 0);
	if (pg) {
		scalar(&e, "INSERT INTO forgotten (hash, forgotten_at) VALUES"
			   " (smsgw_forget_hash('+15550000001'), 0)"
			   " RETURNING 1");
	} else {
		unsigned char key[FORGET_KEY_BYTES];
		char path[512], err[256], hex[FORGET_HASH_HEX], sql[200];

		snprintf(path, sizeof(path), "%s/forget.db", harness_tmpdir());
		CHECK_INT(forget_key_load(path, true, key, err, sizeof(err)),
			  0);
		CHECK_INT(forget_hash(key, "+15550000001", hex), 0);
		snprintf(sql, sizeof(sql), "INSERT INTO forgotten (hash,"
			 " forgotten_at) VALUES ('%s', 0) RETURNING 1", hex);
		scalar(&e, sql);
	}
	/* Suppressed at the claim, and at acceptance. */
	CHECK_INT(claim(&e, sim, T0, &m), 1);
	CHECK_STR(m.recipient, "+15550000002");
	outbox_msg_clear(&m);
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE id = 1"),
		  "suppressed");
	CHECK_INT(accept_file(&e, "b", NULL, &(struct rcpts){ .n = 1 }), 0);
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE id = 3"),
		  "suppressed");
	/* START from the number: its hash goes, it is welcome again. */
	s = sim_of(sim);
	CHECK_INT(pdu(&e, &s, &start, "5354", T0), 0);
	CHECK_STR(scalar(&e, "SELECT count(*) FROM forgotten"), "0");
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE origin ="
			     " 'optin-reply'"), "queued");
	CHECK_INT(accept_file(&e, "c", NULL, &(struct rcpts){ .n = 1 }), 0);
	CHECK_STR(scalar(&e, "SELECT state FROM outbox WHERE id = 5"),
		  "queued");
	env_close(&e);
}

BOTH(inbound_stop)
BOTH(fragments_timeout_amend)
BOTH(big_file_in_steps)
BOTH(refuse_and_defer_pool)
BOTH(quiet_hours_at_the_claim)
BOTH(forgotten_number)

__attribute__((constructor)) static void register_both(void)
{
	REG(inbound_stop);
	REG(fragments_timeout_amend);
	REG(big_file_in_steps);
	REG(refuse_and_defer_pool);
	REG(quiet_hours_at_the_claim);
	REG(forgotten_number);
}
