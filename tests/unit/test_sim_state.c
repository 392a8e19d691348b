/*
 * The rules of a SIM's state (include/sim_state.h), without a database:
 * what the sims view shows, whether a SIM can take a message, one send
 * per modem and the standby slot that waits for its active sibling.
 */
#include "harness.h"
#include "config.h"
#include "sim_state.h"

#include <string.h>

#define NOW 1700000000000LL

static struct config_sim cfg_send = { .name = "1", .send = true };
static struct config_sim cfg_nosend = { .name = "2", .send = false };
static struct config_modem modem_a = { .name = "a" };
static struct config_modem modem_b = { .name = "b" };

static struct sim sim_ready(const struct config_modem *mcfg,
			    const struct config_sim *cfg)
{
	return (struct sim){ .mcfg = mcfg, .cfg = cfg,
			     .link = SIM_STATE_READY };
}

TEST(sim_state_names_are_the_views_words)
{
	CHECK_STR(sim_state_name(SIM_STATE_INIT), "init");
	CHECK_STR(sim_state_name(SIM_STATE_READY), "ready");
	CHECK_STR(sim_state_name(SIM_STATE_BUSY), "busy");
	CHECK_STR(sim_state_name(SIM_STATE_SWITCHING), "switching");
	CHECK_STR(sim_state_name(SIM_STATE_NO_NETWORK), "no-network");
	CHECK_STR(sim_state_name(SIM_STATE_BLOCKED), "blocked");
	CHECK_STR(sim_state_name(SIM_STATE_QUOTA_EXHAUSTED),
		  "quota-exhausted");
	CHECK_STR(sim_state_name(SIM_STATE_ABSENT), "absent");
	CHECK_STR(sim_state_name(SIM_STATE_ERROR), "error");
	CHECK_STR(sim_state_name((enum sim_state)99), "error");
}

/* The link state wins, then a pause, then the quota, then busy. */
TEST(sim_effective_state_order)
{
	struct sim s = sim_ready(&modem_a, &cfg_send);

	CHECK_INT(sim_state_effective(&s, NOW), SIM_STATE_READY);
	s.sending = true;
	CHECK_INT(sim_state_effective(&s, NOW), SIM_STATE_BUSY);
	s.quota_exhausted = true;
	CHECK_INT(sim_state_effective(&s, NOW), SIM_STATE_QUOTA_EXHAUSTED);
	s.paused_until = NOW + 1;
	CHECK_INT(sim_state_effective(&s, NOW), SIM_STATE_BLOCKED);
	/* A pause that ended is no pause. */
	CHECK_INT(sim_state_effective(&s, NOW + 1),
		  SIM_STATE_QUOTA_EXHAUSTED);
	s.link = SIM_STATE_NO_NETWORK;
	CHECK_INT(sim_state_effective(&s, NOW), SIM_STATE_NO_NETWORK);
	s.link = SIM_STATE_ABSENT;
	CHECK_INT(sim_state_effective(&s, NOW), SIM_STATE_ABSENT);
}

TEST(sim_can_send_only_when_ready_and_enabled)
{
	struct sim s = sim_ready(&modem_a, &cfg_send);
	struct sim off = sim_ready(&modem_a, &cfg_nosend);

	CHECK(sim_state_can_send(&s, NOW));
	CHECK(!sim_state_can_send(&off, NOW));	/* send = no */
	s.sending = true;
	CHECK(!sim_state_can_send(&s, NOW));
	s.sending = false;
	s.paused_until = NOW + 60000;
	CHECK(!sim_state_can_send(&s, NOW));
	CHECK(sim_state_can_send(&s, NOW + 60000));
	s.quota_exhausted = true;
	CHECK(!sim_state_can_send(&s, NOW + 60000));
	s.quota_exhausted = false;
	s.link = SIM_STATE_SWITCHING;
	CHECK(!sim_state_can_send(&s, NOW + 60000));
}

/* One send per modem; a standby slot only when its active sibling
 * cannot send; another modem's SIMs do not count. */
TEST(sim_modem_free_one_send_per_modem)
{
	struct sim sims[3];
	struct sim_registry reg = { .sims = sims, .nsims = 3 };

	sims[0] = sim_ready(&modem_a, &cfg_send);	/* a/1, active */
	sims[1] = sim_ready(&modem_a, &cfg_send);	/* a/2, standby */
	sims[1].standby = true;
	sims[2] = sim_ready(&modem_b, &cfg_send);	/* b/1 */

	CHECK(sim_state_modem_free(&reg, &sims[0], NOW));
	/* a/1 could send: the standby a/2 waits. */
	CHECK(!sim_state_modem_free(&reg, &sims[1], NOW));
	CHECK(sim_state_modem_free(&reg, &sims[2], NOW));
	/* a/1 cannot: a/2 may. */
	sims[0].quota_exhausted = true;
	CHECK(sim_state_modem_free(&reg, &sims[1], NOW));
	/* a/2 in flight: a/1 waits, b/1 not. */
	sims[1].sending = true;
	CHECK(!sim_state_modem_free(&reg, &sims[0], NOW));
	CHECK(sim_state_modem_free(&reg, &sims[2], NOW));
	/* Its own send does not count, nor another modem's. */
	sims[2].sending = true;
	CHECK(sim_state_modem_free(&reg, &sims[1], NOW));
}
