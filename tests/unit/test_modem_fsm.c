/*
 * The modem's life cycle (gateway/modem/modem_fsm.c) against a scripted modem
 * on a pseudo-terminal, on a clock the test advances: every cell of the
 * (state x event) table is taken at least once, and the test fails naming
 * any cell no scenario reached.
 *
 * The modem under test is the real one (serial, chat, driver, SQLite
 * store, SIM registry); only the other end of the pty is the test's.
 */
#include "harness.h"
#include "config.h"
#include "loop.h"
#include "modem.h"
#include "modem_fsm.h"
#include "sim.h"
#include "store.h"
#include "glue_rig.h"

#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- the injected clock ---- */

static int64_t fake_ms = 1000000;

static int64_t fake_clock(void)
{
	return fake_ms;
}

static int64_t real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the scripted modem on the pty's master ---- */

struct tmodem {
	int fd;			/* master; -1: unplugged */
	char slave[64];
	char in[4096];
	size_t nin;
	bool in_pdu;		/* after the "> " prompt */
	bool hung;		/* answers nothing... */
	const char *only;	/* ...but commands starting with this */
	const char *mute;	/* never answers commands starting with this */
	bool echo;		/* echoes commands until ATE0 */
	bool want_pin;		/* +CPIN: SIM PIN until a PIN comes */
	int cmgs_cms;		/* +CMS ERROR to AT+CMGS, 0: accepted */
	int commands;		/* lines read */
	bool cmgf;		/* AT+CMGF=0 came since the restart */
	bool sms_refused;	/* +CMS ERROR: 500 to SMS commands */
	int cmgs_seen, cmgl_seen;
	int cms_sent;		/* sends refused with cmgs_cms */
	int early_lists;	/* AT+CMGL before it */
};

static struct tmodem tmod;

static void tm_say(const char *s)
{
	if (tmod.fd >= 0 && write(tmod.fd, s, strlen(s)) < 0)
		harness_fail(__FILE__, __LINE__, "write to the pty: %m");
}

static void tm_plug(const char *link)
{
	int slave;

	CHECK_INT(openpty(&tmod.fd, &slave, tmod.slave, NULL, NULL), 0);
	close(slave);
	fcntl(tmod.fd, F_SETFL, O_NONBLOCK);
	tmod.nin = 0;
	tmod.in_pdu = false;
	unlink(link);
	CHECK_INT(symlink(tmod.slave, link), 0);
}

static void tm_unplug(void)
{
	close(tmod.fd);
	tmod.fd = -1;
}

static void tm_command(const char *cmd)
{
	char buf[160];

	tmod.commands++;
	if (tmod.hung && !(tmod.only && !strncmp(cmd, tmod.only,
						  strlen(tmod.only))))
		return;
	if (tmod.mute && !strncmp(cmd, tmod.mute, strlen(tmod.mute)))
		return;
	if (tmod.echo) {
		snprintf(buf, sizeof(buf), "%.150s\r", cmd);
		tm_say(buf);
	}
	if (!strcasecmp(cmd, "ATE0"))
		tmod.echo = false;
	if (!strcmp(cmd, "AT+CMGF=0"))
		tmod.cmgf = true;
	if (!strncmp(cmd, "AT+CMGL", 7) && !tmod.cmgf)
		tmod.early_lists++;
	if (!strncmp(cmd, "AT+CMGL", 7))
		tmod.cmgl_seen++;
	if (tmod.sms_refused && (!strncmp(cmd, "AT+CPMS", 7) ||
				 !strncmp(cmd, "AT+CMG", 6))) {
		tm_say("\r\n+CMS ERROR: 500\r\n");
		return;
	}
	if (!strncmp(cmd, "AT+CMGS=", 8)) {
		tmod.cmgs_seen++;
		tmod.in_pdu = true;
		tm_say("\r\n> ");
		return;
	}
	if (!strcmp(cmd, "AT+CPIN?")) {
		tm_say(tmod.want_pin ? "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"
				     : "\r\n+CPIN: READY\r\n\r\nOK\r\n");
		return;
	}
	if (!strncmp(cmd, "AT+CPIN=", 8))
		tmod.want_pin = false;
	if (!strcmp(cmd, "AT+CSCA?"))
		tm_say("\r\n+CSCA: \"+4917000000\",145\r\n");
	else if (!strcmp(cmd, "AT+CREG?"))
		tm_say("\r\n+CREG: 1,1\r\n");
	else if (!strcmp(cmd, "AT+CSQ"))
		tm_say("\r\n+CSQ: 20,99\r\n");
	else if (!strcmp(cmd, "AT+CGSN"))
		tm_say("\r\n356938035643809\r\n");
	tm_say("\r\nOK\r\n");
}

/* Reads what the modem under test wrote and answers it. */
static void tm_poll(void)
{
	ssize_t n;

	if (tmod.fd < 0)
		return;
	n = read(tmod.fd, tmod.in + tmod.nin, sizeof(tmod.in) - tmod.nin - 1);
	if (n <= 0)
		return;
	tmod.nin += (size_t)n;
	for (;;) {
		char *end;
		size_t len;

		if (tmod.in_pdu) {
			end = memchr(tmod.in, 0x1a, tmod.nin);
			if (!end)
				return;
			tmod.in_pdu = false;
			if (!tmod.hung && tmod.cmgs_cms) {
				char buf[64];

				snprintf(buf, sizeof(buf),
					 "\r\n+CMS ERROR: %d\r\n",
					 tmod.cmgs_cms);
				tm_say(buf);
				tmod.cms_sent++;
			} else if (!tmod.hung) {
				tm_say("\r\n+CMGS: 7\r\n\r\nOK\r\n");
			}
		} else {
			end = memchr(tmod.in, '\r', tmod.nin);
			if (!end)
				return;
			*end = 0;
			{
				char *c = tmod.in;

				while (*c == 0x1b || *c == '\n')
					c++;
				if (*c)
					tm_command(c);
			}
		}
		len = (size_t)(end + 1 - tmod.in);
		memmove(tmod.in, end + 1, tmod.nin - len);
		tmod.nin -= len;
	}
}

/* ---- the modem under test ---- */

static struct {
	struct config *cfg, *cfg2;
	struct loop *loop;
	struct store *st;
	struct sim_registry reg;
	struct modem *m;
	char link[512];
	int sent_calls;
	int events;		/* the listener's event calls */
	int sim_changes;	/* ... and sim_changed calls */
} env;

static void on_sms(struct sim *s, const char *pdu, struct modem_ack *ack,
		   void *ud)
{
	(void)s;
	(void)pdu;
	(void)ud;
	modem_ack(ack);
}

/* What the daemon does with them: rows (daemon.c:on_modem_event). */
static void on_event(enum modem_event_level level, const char *source,
		     const char *text, void *ud)
{
	(void)ud;
	env.events++;
	store_event(env.st, (enum store_event_level)level, source, "%s", text);
}

static void on_sim_changed(struct sim *s, void *ud)
{
	(void)ud;
	env.sim_changes++;
	sim_update(&env.reg, s);
}

#define LISTENER { .sms = on_sms, .status_report = on_sms, \
		   .event = on_event, .sim_changed = on_sim_changed }

static void step_wait(int ms)
{
	loop_run_once(env.loop, ms);
	tm_poll();
}

static void step(void)
{
	step_wait(2);
}

/* Runs the loop until cond holds (real time bounds the wait). */
#define UNTIL(cond)                                                       \
	({                                                                \
		int64_t end_ = real_ms() + 5000;                          \
		while (!(cond) && real_ms() < end_)                       \
			step();                                           \
		(cond) ? true : harness_fail(__FILE__, __LINE__,          \
					     "never: %s", #cond);         \
	})

/* Advances the clock by ms in steps of at most 500 ms, running the loop
 * at each, so timers fire in their order. */
static void advance(int64_t ms)
{
	while (ms > 0) {
		int64_t d = ms > 500 ? 500 : ms;

		fake_ms += d;
		ms -= d;
		for (int i = 0; i < 4; i++)
			step_wait(1);
	}
}

/* Advances until cond holds, at most max_ms of the fake clock. */
#define ADVANCE_UNTIL(cond, max_ms)                                       \
	({                                                                \
		int64_t left_ = (max_ms);                                 \
		for (int i_ = 0; i_ < 20 && !(cond); i_++)                \
			step();                                           \
		while (!(cond) && left_ > 0) {                            \
			advance(100);                                     \
			left_ -= 100;                                     \
		}                                                         \
		(cond) ? true : harness_fail(__FILE__, __LINE__,          \
					     "never: %s", #cond);         \
	})

static enum sim_state link_state(void)
{
	return env.reg.sims[0].link;
}

static unsigned taken(enum modem_state s, enum modem_fsm_event ev)
{
	return modem_fsm_taken(s, ev);
}

#define READY (link_state() == SIM_STATE_READY)

static const char *conf_text(const char *extra)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "modem \"m1\" { device = \"%s\"\n driver = \"generic\"\n"
		 " health_interval = \"10s\"\n%s sim \"1\" { } }\n",
		 env.link, extra);
	return buf;
}

static struct config *load_conf(const char *name, const char *extra)
{
	char file[64], text[2048], err[512];
	struct config *c = NULL;

	snprintf(file, sizeof(file), "%s.conf", name);
	snprintf(text, sizeof(text),
		 "spool = \"%s/spool\"\ndatabase = \"%s/fsm.db\"\n%s",
		 harness_tmpdir(), harness_tmpdir(), conf_text(extra));
	if (config_load(harness_write_file(file, text), &c, err,
			sizeof(err)) < 0)
		harness_fail(__FILE__, __LINE__, "config: %s", err);
	return c;
}

static void send_cb(const struct modem_send_result *r, void *ud)
{
	(void)ud;
	if (getenv("FSM_DEBUG"))
		printf("# send: status %d detail %s\n", r->status,
		       r->detail ? r->detail : "-");
	env.sent_calls++;
}

/* A short SMS-SUBMIT: "00" SMSC, then 15 octets. */
#define PDU "0011000B914151550000F00000AA03C8F40F"

/* From scratch to ready: closed, absent, appeared, init, ready. */
static void scenario_start(void)
{
	struct modem_listener l = LISTENER;

	CHECK_INT(modem_new(env.loop, &env.reg, env.cfg,
			    &env.cfg->modems[0], &l, &env.m), 0);
	UNTIL(link_state() == SIM_STATE_ABSENT &&
	      taken(MODEM_STATE_CLOSED, MODEM_EV_TIMER) == 1);
	tm_plug(env.link);
	UNTIL(taken(MODEM_STATE_ABSENT, MODEM_EV_APPEARED) >= 1);
	ADVANCE_UNTIL(READY, 5000);
	CHECK(taken(MODEM_STATE_ABSENT, MODEM_EV_TIMER) >= 1);
	CHECK(taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE) >= 1);
	/* The modem reported upward; it wrote no row itself. */
	CHECK(env.events > 0 && env.sim_changes > 0);
}

/* Hung, then answering ESC and AT: ready again, the check passes. */
static void scenario_escape(void)
{
	unsigned healthy = taken(MODEM_STATE_READY, MODEM_EV_HEALTHY);

	tmod.mute = "AT+CSQ";
	ADVANCE_UNTIL(taken(MODEM_STATE_READY, MODEM_EV_TIMEOUT) >= 1, 30000);
	tmod.mute = NULL;
	ADVANCE_UNTIL(taken(MODEM_STATE_RECOVERING, MODEM_EV_ANSWERED) >= 1,
		      5000);
	ADVANCE_UNTIL(taken(MODEM_STATE_READY, MODEM_EV_HEALTHY) > healthy,
		      30000);
	CHECK(READY);
}

/* Hung through ESC and re-init; the reset is answered; the boot notice
 * (or, second time, the reset wait) leads to init and ready. */
static void scenario_reset(bool boot_notice)
{
	unsigned sent = taken(MODEM_STATE_RECOVERING, MODEM_EV_RESET_SENT);

	/* Hung, but the reset of step 3 gets through. */
	tmod.hung = true;
	tmod.only = "AT+CFUN";
	ADVANCE_UNTIL(taken(MODEM_STATE_RECOVERING, MODEM_EV_RESET_SENT) >
		      sent, 60000);
	tmod.hung = false;
	tmod.only = NULL;
	if (boot_notice) {
		tm_say("\r\n+CPIN: READY\r\n");
		UNTIL(taken(MODEM_STATE_RESETTING, MODEM_EV_BOOTED) >= 1);
	} else {
		ADVANCE_UNTIL(taken(MODEM_STATE_RESETTING, MODEM_EV_TIMER) >= 1,
			      40000);
	}
	ADVANCE_UNTIL(READY, 20000);
	/* The listing that follows ready, answered before the next hang. */
	advance(1000);
}

/* Hung for good: reopen, then out of service; back after its retry. */
static void scenario_top_of_ladder(void)
{
	tmod.hung = true;
	ADVANCE_UNTIL(taken(MODEM_STATE_OPENING, MODEM_EV_TIMER) >= 1, 120000);
	ADVANCE_UNTIL(link_state() == SIM_STATE_ERROR &&
		      taken(MODEM_STATE_INIT, MODEM_EV_FAILED) >= 3, 60000);
	/* Out of service: a device event tries sooner. */
	ADVANCE_UNTIL(taken(MODEM_STATE_OPENING, MODEM_EV_TIMER) >= 1 &&
		      taken(MODEM_STATE_INIT, MODEM_EV_FAILED) >= 4, 60000);
	tmod.hung = false;
	tm_plug(env.link);
	UNTIL(taken(MODEM_STATE_OUT_OF_SERVICE, MODEM_EV_APPEARED) >= 1);
	ADVANCE_UNTIL(taken(MODEM_STATE_OUT_OF_SERVICE, MODEM_EV_TIMER) >= 1,
		      10000);
	ADVANCE_UNTIL(READY, 20000);
	advance(1000);
}

/* Ready, and the modem restarts: a notice, echo, a lost SIM, SIGHUP. */
static void scenario_reinit(void)
{
	unsigned done = taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE);

	/* Just after init: the SIM finishing its start, nothing to do. */
	tm_say("\r\n+CPIN: READY\r\n");
	UNTIL(taken(MODEM_STATE_READY, MODEM_EV_BOOTED) >= 1);
	advance(2000);
	CHECK_INT(taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE), done);
	/* Later: the modem restarted. */
	advance(31000);
	tm_say("\r\n+CPIN: READY\r\n");
	UNTIL(taken(MODEM_STATE_READY, MODEM_EV_BOOTED) >= 2);
	ADVANCE_UNTIL(READY && taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE) >
		      done, 10000);

	tmod.echo = true;
	ADVANCE_UNTIL(taken(MODEM_STATE_READY, MODEM_EV_RESTARTED) >= 1,
		      30000);
	ADVANCE_UNTIL(READY, 10000);

	tmod.cmgs_cms = 310;
	CHECK_INT(modem_send_pdu(&env.reg.sims[0], PDU, 17, send_cb, NULL), 0);
	UNTIL(env.sent_calls == 1);
	tmod.cmgs_cms = 0;
	CHECK_INT(taken(MODEM_STATE_READY, MODEM_EV_SIM_LOST), 1);
	ADVANCE_UNTIL(READY, 10000);

	env.cfg2 = load_conf("fsm2", " receive = false\n");
	modem_set_config(env.m, env.cfg2, &env.cfg2->modems[0]);
	CHECK_INT(taken(MODEM_STATE_READY, MODEM_EV_RECONFIG), 1);
	ADVANCE_UNTIL(READY, 10000);
	modem_set_config(env.m, env.cfg, &env.cfg->modems[0]);
	ADVANCE_UNTIL(READY, 10000);
}

/* Init times out half-way (a final-less +CPIN? on older Wavecom); ESC
 * and AT is answered: init runs again to its end before the modem counts
 * as ready, and storage is never listed before AT+CMGF=0. */
static void scenario_init_timeout(void)
{
	unsigned failed = taken(MODEM_STATE_INIT, MODEM_EV_FAILED);
	unsigned done = taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE);

	tmod.cmgf = false;
	tmod.mute = "AT+CPIN?";
	advance(31000);
	tm_say("\r\nRDY\r\n\r\n+CPIN: READY\r\n");
	ADVANCE_UNTIL(taken(MODEM_STATE_INIT, MODEM_EV_FAILED) > failed,
		      20000);
	tmod.mute = NULL;
	ADVANCE_UNTIL(READY && taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE) >
		      done, 20000);
	CHECK(taken(MODEM_STATE_RECOVERING, MODEM_EV_ANSWERED) >= 2);
	CHECK_INT(tmod.early_lists, 0);
	CHECK(tmod.cmgf);
}

/* A SIM that wants a PIN nobody gave: blocked, until SIGHUP gives one. */
static void scenario_pin(void)
{
	struct config *with_pin = load_conf("fsm3", " pin = \"1234\"\n");

	tmod.want_pin = true;
	tm_say("\r\n+CPIN: SIM PIN\r\n");
	ADVANCE_UNTIL(link_state() == SIM_STATE_BLOCKED, 10000);
	CHECK_INT(taken(MODEM_STATE_INIT, MODEM_EV_BLOCKED), 1);
	/* Replugged: tried again, still blocked. */
	tm_plug(env.link);
	UNTIL(taken(MODEM_STATE_BLOCKED, MODEM_EV_APPEARED) >= 1);
	ADVANCE_UNTIL(taken(MODEM_STATE_BLOCKED, MODEM_EV_TIMER) >= 1, 5000);
	ADVANCE_UNTIL(link_state() == SIM_STATE_BLOCKED &&
		      taken(MODEM_STATE_INIT, MODEM_EV_BLOCKED) == 2, 10000);
	modem_set_config(env.m, with_pin, &with_pin->modems[0]);
	CHECK_INT(taken(MODEM_STATE_BLOCKED, MODEM_EV_NEW_PIN), 1);
	ADVANCE_UNTIL(READY, 10000);
	CHECK(!tmod.want_pin);
	modem_set_config(env.m, env.cfg, &env.cfg->modems[0]);
	config_free(with_pin);
}

/* The port goes away in each state that holds it. */
static void scenario_unplug(void)
{
	/* ready */
	tm_unplug();
	UNTIL(taken(MODEM_STATE_READY, MODEM_EV_GONE) >= 1);
	CHECK_INT(link_state(), SIM_STATE_ABSENT);
	/* init: plugged, unplugged before init ends */
	tmod.hung = true;
	tm_plug(env.link);
	ADVANCE_UNTIL(taken(MODEM_STATE_ABSENT, MODEM_EV_TIMER) >= 2 &&
		      link_state() == SIM_STATE_INIT, 5000);
	tm_unplug();
	UNTIL(taken(MODEM_STATE_INIT, MODEM_EV_GONE) >= 1);
	/* recovering: the wake fails, ESC and AT runs, then unplugged */
	{
		unsigned failed = taken(MODEM_STATE_INIT, MODEM_EV_FAILED);

		tm_plug(env.link);
		ADVANCE_UNTIL(taken(MODEM_STATE_INIT, MODEM_EV_FAILED) >
			      failed, 30000);
	}
	tm_unplug();
	UNTIL(taken(MODEM_STATE_RECOVERING, MODEM_EV_GONE) >= 1);
	/* resetting: the reset answered, then the USB device re-enumerates */
	tm_plug(env.link);
	tmod.hung = false;
	ADVANCE_UNTIL(READY, 10000);
	{
		unsigned sent = taken(MODEM_STATE_RECOVERING,
				      MODEM_EV_RESET_SENT);

		tmod.hung = true;
		tmod.only = "AT+CFUN";
		ADVANCE_UNTIL(taken(MODEM_STATE_RECOVERING,
				    MODEM_EV_RESET_SENT) > sent, 60000);
		tmod.hung = false;
		tmod.only = NULL;
	}
	tm_unplug();
	UNTIL(taken(MODEM_STATE_RESETTING, MODEM_EV_GONE) >= 1);
	tm_plug(env.link);
	ADVANCE_UNTIL(READY, 10000);
}

TEST(every_transition_of_the_life_cycle)
{
	bool missing = false;

	loop_set_clock(fake_clock);
	tmod.fd = -1;
	snprintf(env.link, sizeof(env.link), "%s/modem-m1", harness_tmpdir());
	if (!rig_open("fsm", conf_text(""), &env.cfg, &env.loop, &env.st,
		      &env.reg))
		return;
	scenario_start();
	scenario_escape();
	scenario_reset(true);
	scenario_reset(false);
	scenario_top_of_ladder();
	scenario_reinit();
	scenario_init_timeout();
	scenario_pin();
	scenario_unplug();

	for (int s = 0; s < MODEM_STATE_COUNT; s++)
		for (int ev = 0; ev < MODEM_EV_COUNT; ev++)
			if (modem_fsm_legal(s, ev) && !modem_fsm_taken(s, ev)) {
				printf("# never taken: %s x %s\n",
				       modem_fsm_state_name(s),
				       modem_fsm_event_name(ev));
				missing = true;
			}
	CHECK(!missing);

	modem_free(env.m);
	if (tmod.fd >= 0)
		tm_unplug();
	config_free(env.cfg2);
	rig_close(env.cfg, env.loop, env.st, &env.reg);
	loop_set_clock(NULL);
}

/* Quectel before +QIND: SMS DONE: SMS commands refused. The send is held
 * (no AT+CMGS, no attempt spent), nothing is listed; the notice selects
 * storage, lists it and releases the send. */
TEST(sms_commands_wait_for_sms_ready)
{
	struct modem_listener l = LISTENER;
	struct config *cfg;

	loop_set_clock(fake_clock);
	memset(&tmod, 0, sizeof(tmod));
	memset(&env, 0, sizeof(env));
	tmod.fd = -1;
	tmod.sms_refused = true;
	snprintf(env.link, sizeof(env.link), "%s/modem-q", harness_tmpdir());
	if (!rig_open("q", conf_text(""), &env.cfg, &env.loop, &env.st,
		      &env.reg))
		return;
	cfg = load_conf("q2", "");
	free(cfg->modems[0].driver);
	cfg->modems[0].driver = strdup("quectel");
	tm_plug(env.link);
	CHECK_INT(modem_new(env.loop, &env.reg, cfg, &cfg->modems[0],
			    &l, &env.m), 0);
	ADVANCE_UNTIL(READY, 20000);
	CHECK_INT(modem_send_pdu(&env.reg.sims[0], PDU, 17, send_cb, NULL), 0);
	advance(12000);
	CHECK_INT(tmod.cmgs_seen, 0);
	CHECK_INT(tmod.cmgl_seen, 0);
	CHECK_INT(env.sent_calls, 0);
	tmod.sms_refused = false;
	tm_say("\r\n+QIND: SMS DONE\r\n");
	UNTIL(env.sent_calls == 1);
	CHECK_INT(tmod.cmgs_seen, 1);
	UNTIL(tmod.cmgl_seen >= 1);
	/* Refused as "SIM busy" once: held again, sent after the probe,
	 * one callback (no attempt spent on the refusal). */
	tmod.cmgs_cms = 314;
	CHECK_INT(modem_send_pdu(&env.reg.sims[0], PDU, 17, send_cb, NULL), 0);
	UNTIL(tmod.cms_sent == 1);
	tmod.cmgs_cms = 0;
	CHECK_INT(env.sent_calls, 1);
	ADVANCE_UNTIL(env.sent_calls == 2, 20000);
	CHECK_INT(tmod.cmgs_seen, 3);
	modem_free(env.m);
	tm_unplug();
	config_free(cfg);
	rig_close(env.cfg, env.loop, env.st, &env.reg);
	loop_set_clock(NULL);
}

TEST(events_outside_the_table_are_ignored)
{
	/* The table has no cell for these: a late timeout during init, a
	 * SIGHUP PIN while ready, a boot notice while closed. */
	CHECK(!modem_fsm_legal(MODEM_STATE_INIT, MODEM_EV_TIMEOUT));
	CHECK(!modem_fsm_legal(MODEM_STATE_READY, MODEM_EV_NEW_PIN));
	CHECK(!modem_fsm_legal(MODEM_STATE_CLOSED, MODEM_EV_BOOTED));
	CHECK(!modem_fsm_legal(MODEM_STATE_READY, MODEM_EV_TIMER));
	CHECK(modem_fsm_legal(MODEM_STATE_READY, MODEM_EV_TIMEOUT));
	CHECK_STR(modem_fsm_state_name(MODEM_STATE_OUT_OF_SERVICE),
		  "out of service");
}
