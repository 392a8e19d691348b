/*
 * A voice call while smsgw sends (gateway/modem/modem_call.c): RING and
 * +CLIP are rejected with AT+CHUP (TS 27.007 §6.5), with ATH (V.250
 * §6.3.6) on a modem that does not know +CHUP, the caller is an event,
 * and sending goes on. Against the scripted modem of modem_rig.h.
 */
#include "modem_rig.h"

/* A short SMS-SUBMIT: "00" SMSC, then 17 octets. */
#define PDU17 "0011000B914151550000F00000AA03C8F40F"

TEST(a_call_is_rejected_with_ath_where_chup_is_unknown)
{
	struct modem_listener l = LISTENER;

	loop_set_clock(fake_clock);
	memset(&tmod, 0, sizeof(tmod));
	memset(&env, 0, sizeof(env));
	tmod.fd = -1;
	tmod.chup_refused = true;
	snprintf(env.link, sizeof(env.link), "%s/modem-call",
		 harness_tmpdir());
	if (!rig_open("call", conf_text(""), &env.cfg, &env.loop, &env.st,
		      &env.reg))
		return;
	tm_plug(env.link);
	CHECK_INT(modem_new(env.loop, &env.reg, env.cfg, &env.cfg->modems[0],
			    &l, &env.m), 0);
	ADVANCE_UNTIL(READY, 20000);
	advance(2000);
	env.watch = "+15550001111";
	tm_say("\r\nRING\r\n\r\n+CLIP: \"+15550001111\",145,,,,0\r\n");
	ADVANCE_UNTIL(tmod.ath_seen == 1, 5000);
	CHECK_INT(tmod.chup_seen, 1);
	ADVANCE_UNTIL(env.watched >= 1, 5000);
	CHECK(strstr(env.event, "incoming call") != NULL);
	/* Sending goes on. */
	CHECK_INT(modem_send_pdu(&env.reg.sims[0], PDU17, 17, send_cb, NULL),
		  0);
	ADVANCE_UNTIL(env.sent_calls == 1, 10000);
	CHECK_INT(tmod.cmgs_seen, 1);
	modem_free(env.m);
	tm_unplug();
	rig_close(env.cfg, env.loop, env.st, &env.reg);
	loop_set_clock(NULL);
}
