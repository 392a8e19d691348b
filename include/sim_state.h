/*
 * sim_state — the rules of a SIM's state (doc/contract.md §8): the state
 * the sims view shows, derived from what the modem layer reports (its
 * link state) and what the outbound layer keeps (sending, quota, pauses);
 * whether the SIM can take a message now; and one send per modem. Pure
 * functions of struct sim (include/sim.h, whose row the store writes with
 * sim_update()): the policy layer, below the store that writes the
 * derived state into the row and the outbound that asks before a claim.
 */
#ifndef SMSGW_SIM_STATE_H
#define SMSGW_SIM_STATE_H

#include "sim.h"

#include <stdbool.h>
#include <stdint.h>

/* The sims view's words: "init", "ready", "busy", "switching", … */
const char *sim_state_name(enum sim_state s);

/*
 * The derived state the sims view shows: a link state other than ready
 * (the modem is missing, broken, not registered) wins, then a pause
 * (blocked), then an exhausted quota, then a send in flight (busy).
 */
enum sim_state sim_state_effective(const struct sim *sim, int64_t now_ms);
/* True when the SIM can take a message now (ready, not sending, not paused,
 * quota left, sending enabled). Does not look at its siblings; see
 * sim_state_modem_free(). */
bool sim_state_can_send(const struct sim *sim, int64_t now_ms);

/*
 * True when the modem holding sim has no send in flight on any of its
 * slots (one send per modem at a time), and, for a standby slot, when no
 * active sibling could send instead: a multi-SIM modem switches slots only
 * when its active SIM is exhausted, paused or gone.
 */
bool sim_state_modem_free(const struct sim_registry *reg,
			  const struct sim *sim, int64_t now_ms);

#endif
