/*
 * sim — the unit of sending: one configured SIM slot, wherever its card sits
 * (doc/contract.md §8). The daemon creates one struct sim per `sim` section of
 * every modem at start; the modem layer fills in what it learns (identity,
 * signal, registration, whether the slot is usable) and says so through
 * its listener (include/modem.h: sim_changed), the outbound layer keeps
 * its counters, and the daemon and outbound write every change to the
 * sims view (sim_update()). The modem layer reads these types only; the
 * functions below are the store layer's: the registry and the row.
 *
 * A SIM's shown state (the sims view) is derived: quota and pauses from the
 * outbound side win over the link state the modem reports, and "busy" means
 * a send is in flight. Those rules, and whether a SIM can take a message,
 * are the policy layer's: include/sim_state.h.
 */
#ifndef SMSGW_SIM_H
#define SMSGW_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_modem;
struct config_sim;
struct modem;
struct store;

enum sim_state {
	SIM_STATE_INIT,
	SIM_STATE_READY,
	SIM_STATE_BUSY,
	SIM_STATE_SWITCHING,
	SIM_STATE_NO_NETWORK,
	SIM_STATE_BLOCKED,
	SIM_STATE_QUOTA_EXHAUSTED,
	SIM_STATE_ABSENT,
	SIM_STATE_ERROR,
};

struct sim {
	int64_t id;			/* sims.id */
	char name[80];			/* "modem/slot", e.g. "m1/1" */
	size_t index;			/* in the registry */
	size_t slot;			/* index of the slot in its modem */
	const struct config_modem *mcfg; /* borrowed from the daemon's config */
	const struct config_sim *cfg;
	struct modem *modem;		/* set by the modem layer */

	/* Reported by the modem layer (its listener's sim_changed after
	 * changing them; the daemon calls sim_update). */
	enum sim_state link;		/* init, ready, switching, no-network,
					   blocked (PIN), absent, error */
	char iccid[24];
	char imsi[24];
	char imei[24];
	char number[24];
	char operator_name[64];
	char model[64];
	char device[256];
	int signal_dbm;			/* 0: unknown */
	bool registered;
	/* A slot of a multi-SIM modem that is not the active one: usable,
	 * but sending from it means switching slots first. */
	bool standby;

	/* Kept by the outbound layer. */
	bool sending;			/* a message is in flight */
	bool quota_exhausted;
	int64_t paused_until;		/* ms since the epoch; barring pause */
	int64_t last_send_ms;
	void *outbound;			/* the outbound layer's per-SIM state */

	uint64_t written;		/* hash of the row last written */
};

typedef void (*sim_changed_fn)(struct sim *sim, void *ud);

struct sim_registry {
	struct sim *sims;
	size_t nsims;
	struct store *store;
	sim_changed_fn changed;		/* told after every sim_update() */
	void *changed_ud;
};

/*
 * Creates one SIM per configured slot and its sims row (existing rows keep
 * their ids and counters; rows of slots no longer configured are marked
 * absent). Returns 0 or -errno.
 */
int sim_registry_init(struct sim_registry *reg, const struct config *cfg,
		      struct store *store);
void sim_registry_free(struct sim_registry *reg);
/*
 * PostgreSQL: registers each SIM's row as box/modem/slot
 * (pg_store_op_sim()) and, from the answer, sets sim->id and writes the
 * row (sim_update(), which tells the listener: the outbound claims from
 * then on); once all have their ids, this box's other SIM rows are
 * marked absent. The daemon calls it at each connect. Nothing on SQLite.
 */
void sim_registry_register(struct sim_registry *reg);

/*
 * Writes the SIM's row (identity, signal, registration, derived state) and
 * tells the registry's listener. Call after changing any field above. A row
 * whose content did not change is not rewritten.
 */
void sim_update(struct sim_registry *reg, struct sim *sim);
/* The same with the caller's now (clock_now_ms() it read for its decision),
 * so a pause that ends between two reads cannot split one decision. */
void sim_update_at(struct sim_registry *reg, struct sim *sim, int64_t now);

/* Finds a SIM by name "m1/1", ICCID or own number; NULL if none. */
struct sim *sim_find(struct sim_registry *reg, const char *key);

#endif
