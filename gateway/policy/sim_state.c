/* sim_state — the rules of a SIM's state; see include/sim_state.h. */
#include "sim_state.h"
#include "config.h"

const char *sim_state_name(enum sim_state s)
{
	static const char *const names[] = {
		[SIM_STATE_INIT] = "init",
		[SIM_STATE_READY] = "ready",
		[SIM_STATE_BUSY] = "busy",
		[SIM_STATE_SWITCHING] = "switching",
		[SIM_STATE_NO_NETWORK] = "no-network",
		[SIM_STATE_BLOCKED] = "blocked",
		[SIM_STATE_QUOTA_EXHAUSTED] = "quota-exhausted",
		[SIM_STATE_ABSENT] = "absent",
		[SIM_STATE_ERROR] = "error",
	};

	return s <= SIM_STATE_ERROR ? names[s] : "error";
}

enum sim_state sim_state_effective(const struct sim *sim, int64_t now_ms)
{
	/* A missing or broken modem says more than our own bookkeeping. */
	if (sim->link != SIM_STATE_READY)
		return sim->link;
	if (sim->paused_until > now_ms)
		return SIM_STATE_BLOCKED;
	if (sim->quota_exhausted)
		return SIM_STATE_QUOTA_EXHAUSTED;
	if (sim->sending)
		return SIM_STATE_BUSY;
	return SIM_STATE_READY;
}

bool sim_state_can_send(const struct sim *sim, int64_t now_ms)
{
	return sim->cfg->send &&
	       sim_state_effective(sim, now_ms) == SIM_STATE_READY;
}

bool sim_state_modem_free(const struct sim_registry *reg,
			  const struct sim *sim, int64_t now_ms)
{
	for (size_t i = 0; i < reg->nsims; i++) {
		const struct sim *o = &reg->sims[i];

		if (o == sim || o->mcfg != sim->mcfg)
			continue;
		if (o->sending)
			return false;
		if (sim->standby && !o->standby &&
		    sim_state_can_send(o, now_ms))
			return false;
	}
	return true;
}
