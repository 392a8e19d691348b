/*
 * The modem's life cycle (gateway/modem/modem_fsm.c) against a scripted modem
 * on a pseudo-terminal, on a clock the test advances: every cell of the
 * (state x event) table is taken at least once, and the test fails naming
 * any cell no scenario reached.
 *
 * The modem under test is the real one (serial, chat, driver, SQLite
 * store, SIM registry); only the other end of the pty is the test's.
 */
#include "modem_rig.h"

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

/* A modem restarting while ready says RDY, then +CPIN: READY (and, on a
 * Quectel, +QIND: SMS DONE): one init, not one per notice. */
TEST(a_restart_notice_and_the_sim_after_it_are_one_init)
{
	struct modem_listener l = LISTENER;
	struct config *cfg;
	unsigned done, booted;

	loop_set_clock(fake_clock);
	memset(&tmod, 0, sizeof(tmod));
	memset(&env, 0, sizeof(env));
	tmod.fd = -1;
	snprintf(env.link, sizeof(env.link), "%s/modem-r", harness_tmpdir());
	if (!rig_open("r", conf_text(""), &env.cfg, &env.loop, &env.st,
		      &env.reg))
		return;
	cfg = load_conf("r2", "");
	free(cfg->modems[0].driver);
	cfg->modems[0].driver = strdup("quectel");
	tm_plug(env.link);
	CHECK_INT(modem_new(env.loop, &env.reg, cfg, &cfg->modems[0], &l,
			    &env.m), 0);
	ADVANCE_UNTIL(READY, 20000);
	/* Long after init: not the SIM finishing the first start. */
	advance(60000);
	done = taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE);
	booted = taken(MODEM_STATE_READY, MODEM_EV_BOOTED);
	tm_say("\r\nRDY\r\n");
	step();
	tm_say("\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n");
	step();
	tm_say("\r\n+QIND: SMS DONE\r\n");
	ADVANCE_UNTIL(READY && taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE) >
		      done, 20000);
	advance(30000);
	CHECK(READY);
	CHECK_INT(taken(MODEM_STATE_READY, MODEM_EV_BOOTED), booted + 1);
	CHECK_INT(taken(MODEM_STATE_INIT, MODEM_EV_INIT_DONE), done + 1);
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
