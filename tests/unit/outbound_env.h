/*
 * outbound_env — what the outbound unit tests share: a real SQLite store
 * and event loop, SIMs from a generated config (glue_rig.h), a fake modem
 * that records each PDU and answers when the test says so, and a clock the
 * test moves.
 * Included by test_outbound*.c only.
 */
#ifndef SMSGW_TEST_OUTBOUND_ENV_H
#define SMSGW_TEST_OUTBOUND_ENV_H

#include "clock.h"
#include "glue_rig.h"
#include "msg_state_check.h"
#include "outbound.h"
#include "sms.h"
#include "store_outbox.h"

#include <stdio.h>
#include <stdlib.h>

#pragma GCC diagnostic ignored "-Wunused-function"

struct fake_send {
	struct sim *sim;
	char pdu[SMS_PDU_HEX_MAX];
	modem_send_cb cb;
	void *ud;
	bool answered;
};

static struct {
	struct loop *loop;
	struct store *st;
	struct config *cfg;
	struct sim_registry reg;
	struct outbound *ob;
	struct fake_send sends[512];
	int nsends;
	int64_t now;
	int events_sent, events_failed;
	int64_t last_sent_id;	/* the id of the last "sent" event */
	int send_rc;		/* what the fake modem_send_pdu() returns */
} env;

/* 2026-11-27T10:00:00Z */
#define T0 1795773600000LL

static int fake_send_fn(struct sim *sim, const char *pdu, int len,
			modem_send_cb cb, void *ud)
{
	struct fake_send *s;

	if (env.send_rc)
		return env.send_rc;
	s = &env.sends[env.nsends++];
	(void)len;
	s->sim = sim;
	snprintf(s->pdu, sizeof(s->pdu), "%s", pdu);
	s->cb = cb;
	s->ud = ud;
	s->answered = false;
	return 0;
}

static int64_t fake_now(void)
{
	return env.now;
}

static void on_sim_changed(struct sim *sim, void *ud)
{
	outbound_sim_changed(ud, sim);
}

static void on_event(const struct outbound_event *e, void *ud)
{
	(void)ud;
	if (strcmp(e->event, "sent") == 0) {
		env.events_sent++;
		env.last_sent_id = e->id;
	}
	else if (strcmp(e->event, "failed") == 0)
		env.events_failed++;
}

static void pump(void)
{
	for (int i = 0; i < 4; i++)
		loop_run_once(env.loop, 0);
}

static bool setup(const char *modems)
{
	const struct outbound_ops ops = { .send = fake_send_fn };
	char text[4096];

	memset(&env, 0, sizeof(env));
	env.now = T0;
	clock_set_source(fake_now);
	snprintf(text, sizeof(text),
		 "retry_min = 30s\nretry_max = 10m\nmax_attempts = 3\n%s",
		 modems);
	if (!rig_open("ob", text, &env.cfg, &env.loop, &env.st, &env.reg))
		return false;
	msg_state_record(env.st);
	CHECK_INT(outbound_new(env.loop, env.st, env.cfg, &env.reg, &ops, &env.ob), 0);
	outbound_set_listener(env.ob, on_event, NULL);
	env.reg.changed = on_sim_changed;
	env.reg.changed_ud = env.ob;
	for (size_t i = 0; i < env.reg.nsims; i++) {
		struct sim *s = &env.reg.sims[i];

		snprintf(s->iccid, sizeof(s->iccid), "894400000000000%04d",
			 (int)i % 10000);
		s->link = SIM_STATE_READY;
		s->registered = true;
		sim_update(&env.reg, s);
	}
	pump();
	return true;
}

static void teardown(void)
{
	/* Whatever the test did, every state change was one of the table's. */
	msg_state_check(env.st);
	outbound_free(env.ob);
	rig_close(env.cfg, env.loop, env.st, &env.reg);
	clock_set_source(NULL);
}

static const char *state_of(int64_t id)
{
	static char buf[32];
	sqlite3_stmt *s;

	buf[0] = '\0';
	sqlite3_prepare_v2(store_db(env.st), "SELECT state FROM message WHERE id = ?",
			   -1, &s, NULL);
	sqlite3_bind_int64(s, 1, id);
	if (sqlite3_step(s) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

static long long scalar(const char *sql)
{
	return db_int(env.st, sql);
}

/* The first column of the first row as text ("" when none). */
static const char *scalar_text(const char *sql)
{
	static char buf[64];
	sqlite3_stmt *s;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(store_db(env.st), sql, -1, &s, NULL) != SQLITE_OK)
		return buf;
	if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
		snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return buf;
}

/* Answers send i; the pipeline may start the next send at once. */
static void answer(int i, enum modem_send_status st, int mr_or_code)
{
	struct modem_send_result r = { .status = st };
	struct fake_send *s = &env.sends[i];

	if (st == MODEM_SEND_OK)
		r.mr = mr_or_code;
	else
		r.code = mr_or_code;
	s->answered = true;
	s->cb(&r, s->ud);
	pump();
}

/* The destination number inside a SUBMIT PDU, to see where it went. */
static const char *dest_of(int i)
{
	static struct sms_pdu p;
	static char err[128];

	if (!sms_pdu_decode(env.sends[i].pdu, strlen(env.sends[i].pdu), &p, err,
			    sizeof(err)))
		return err;
	return p.submit.dest.text;
}

#define TWO_MODEMS                                                      \
	"modem \"a\" { device = \"/dev/null-a\" }\n"                    \
	"modem \"b\" { device = \"/dev/null-b\" }\n"

/* Queues a message as acceptance would (parts counted by the codec). */
static int64_t add_full(const char *to, enum msg_kind kind,
			enum msg_priority prio, const char *pool, int64_t pin,
			const char *body)
{
	struct outbox_new m = {
		.recipient = to, .body = body ? body : "hello", .kind = kind,
		.priority = prio, .validity_minutes = -1,
		.parts = 1, .pool = pool, .pin_sim_id = pin,
	};
	enum outbox_add_result res;
	int64_t id = 0;

	if (body) {
		struct sms_encode_opts o;
		struct sms_preview p;
		char err[64];

		sms_encode_opts_init(&o);
		sms_preview(body, strlen(body), &o, &p, err, sizeof(err));
		m.parts = p.parts;
	}
	CHECK_INT(store_outbox_add(env.st, 0, &m, false, env.now, &id, &res), 0);
	outbound_kick(env.ob);
	return id;
}

/* Time passes, an hour at a time; every pending send succeeds. */
static void hours_pass(int n)
{
	for (int h = 0; h < n; h++) {
		env.now += 3600 * 1000LL;
		outbound_kick(env.ob);
		pump();
		for (int i = 0; i < env.nsends; i++)
			if (!env.sends[i].answered)
				answer(i, MODEM_SEND_OK, i);
	}
}

static int64_t add(const char *to, enum msg_kind kind, enum msg_priority prio,
		   const char *body)
{
	return add_full(to, kind, prio, NULL, 0, body);
}

static int64_t add_to(const char *to, enum msg_kind kind, const char *pool,
		      int64_t pin, const char *body)
{
	return add_full(to, kind, MSG_PRIORITY_NORMAL, pool, pin, body);
}

/* Queues n bulk messages to prefix0000, prefix0001, … */
static void add_bulk(const char *prefix, int n)
{
	for (int i = 0; i < n; i++) {
		char to[32];

		snprintf(to, sizeof(to), "%s%04d", prefix, i);
		add(to, MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	}
}

#endif
