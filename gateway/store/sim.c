/* sim — the SIM registry and the sims view rows; see include/sim.h. The
 * state written into a row is derived by the rules of sim_state.h. */
#include "sim.h"
#include "sim_state.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "store_pg.h"
#include "store_pgd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sim_upsert_row(struct store *st, struct sim *sim)
{
	const struct config_sim *c = sim->cfg;
	sqlite3_stmt *s;
	int64_t now = store_now_ms();

	s = store_prepare(st,
		"INSERT INTO sim (modem, slot, pool, daily_limit, monthly_limit,"
		"  number, iccid, state, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'init', ?8)"
		" ON CONFLICT (modem, slot) DO UPDATE SET pool = ?3,"
		"  daily_limit = ?4, monthly_limit = ?5,"
		"  number = coalesce(?6, number), iccid = coalesce(?7, iccid),"
		"  state = 'init', updated_at = ?8"
		" RETURNING id, coalesce(iccid, ''), coalesce(number, '')");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, sim->mcfg->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->pool, -1, SQLITE_STATIC);
	if (c->daily_limit)
		sqlite3_bind_int(s, 4, c->daily_limit);
	if (c->monthly_limit)
		sqlite3_bind_int(s, 5, c->monthly_limit);
	if (c->number)
		sqlite3_bind_text(s, 6, c->number, -1, SQLITE_STATIC);
	if (c->iccid)
		sqlite3_bind_text(s, 7, c->iccid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 8, now);
	if (sqlite3_step(s) != SQLITE_ROW) {
		log_error("store: sims row for %s: %s", sim->name,
			  store_errmsg(st));
		sqlite3_reset(s);
		return -EIO;
	}
	sim->id = sqlite3_column_int64(s, 0);
	/* What we knew last time, until the modem tells us again. */
	snprintf(sim->iccid, sizeof(sim->iccid), "%s", sqlite3_column_text(s, 1));
	snprintf(sim->number, sizeof(sim->number), "%s",
		 sqlite3_column_text(s, 2));
	sqlite3_reset(s);
	return 0;
}

static int sim_mark_unconfigured(struct store *st,
				 const struct sim_registry *reg)
{
	sqlite3_stmt *s = store_prepare(st,
		"UPDATE sim SET state = 'absent', updated_at = ?1"
		" WHERE state != 'absent' AND id NOT IN"
		" (SELECT value FROM json_each(?2))");
	char ids[16384];
	size_t n = 0;

	if (!s)
		return -EIO;
	n += (size_t)snprintf(ids, sizeof(ids), "[");
	for (size_t i = 0; i < reg->nsims && n < sizeof(ids) - 32; i++)
		n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%lld",
				      i ? "," : "", (long long)reg->sims[i].id);
	snprintf(ids + n, sizeof(ids) - n, "]");
	sqlite3_bind_int64(s, 1, store_now_ms());
	sqlite3_bind_text(s, 2, ids, -1, SQLITE_TRANSIENT);
	return store_step_done(st, s);
}

int sim_registry_init(struct sim_registry *reg, const struct config *cfg,
		      struct store *store)
{
	size_t n = 0, k = 0;
	int rc = 0;
	bool pg;

	memset(reg, 0, sizeof(*reg));
	reg->store = store;
	for (size_t i = 0; i < cfg->nmodems; i++)
		n += cfg->modems[i].nsims;
	reg->sims = calloc(n ? n : 1, sizeof(*reg->sims));
	if (!reg->sims)
		return -ENOMEM;
	/* PostgreSQL: the rows (and ids) come from sim_registry_register()
	 * once connected; until then no SIM claims (outbound: id 0). */
	pg = store_is_pg(store);
	if (!pg && store_begin(store) < 0)
		return -EIO;
	for (size_t i = 0; i < cfg->nmodems && rc == 0; i++) {
		const struct config_modem *m = &cfg->modems[i];

		for (size_t j = 0; j < m->nsims && rc == 0; j++, k++) {
			struct sim *sim = &reg->sims[k];

			sim->index = k;
			sim->slot = j;
			sim->mcfg = m;
			sim->cfg = &m->sims[j];
			sim->link = SIM_STATE_INIT;
			snprintf(sim->name, sizeof(sim->name), "%s/%s", m->name,
				 m->sims[j].name);
			if (!pg)
				rc = sim_upsert_row(store, sim);
		}
	}
	reg->nsims = k;
	if (pg)
		return 0;
	if (rc == 0)
		rc = sim_mark_unconfigured(store, reg);
	if (rc < 0) {
		store_rollback(store);
		return rc;
	}
	return store_commit(store);
}

/* Answers that come after the registry was freed are dropped. */
static unsigned sim_pg_generation;

struct sim_pg_reg {
	struct sim_registry *reg;
	unsigned generation;
	size_t i;
	int64_t id;
};

static void sim_pg_registered(int rc, void *ud)
{
	struct sim_pg_reg *r = ud;
	struct sim_registry *reg = r->reg;
	struct sim *sim;
	int64_t *ids;
	size_t n = 0;

	if (r->generation != sim_pg_generation) {
		free(r);
		return;
	}
	if (rc < 0 || r->id <= 0) {
		/* Registered again at the next connect. */
		log_warn("store: the row of SIM %s is not registered",
			 reg->sims[r->i].name);
		free(r);
		return;
	}
	sim = &reg->sims[r->i];
	sim->id = r->id;
	sim->written = 0;
	free(r);
	ids = calloc(reg->nsims + 1, sizeof(*ids));
	for (size_t i = 0; ids && i < reg->nsims && reg->sims[i].id; i++)
		ids[n++] = reg->sims[i].id;
	/* Once every SIM has its id: this box's other rows are absent. */
	if (ids && n == reg->nsims)
		store_pgd_sims_absent(reg->store, ids, n, store_now_ms());
	free(ids);
	sim_update(reg, sim);
}

void sim_registry_register(struct sim_registry *reg)
{
	struct pg_store *ps = store_pg(reg->store);
	int64_t now = store_now_ms();

	for (size_t i = 0; ps && i < reg->nsims; i++) {
		struct sim *sim = &reg->sims[i];
		struct sim_pg_reg *r = calloc(1, sizeof(*r));

		if (!r)
			return;
		*r = (struct sim_pg_reg){ .reg = reg, .i = i,
					  .generation = sim_pg_generation };
		pg_store_op_sim(ps, sim->mcfg->name, sim->cfg->name,
				sim->cfg->pool,
				sim_state_name(sim_state_effective(sim, now)),
				now, &r->id, sim_pg_registered, r);
	}
}

void sim_registry_free(struct sim_registry *reg)
{
	sim_pg_generation++;
	free(reg->sims);
	reg->sims = NULL;
	reg->nsims = 0;
}

static uint64_t sim_fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t sim_row_hash(const struct sim *sim, enum sim_state state)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = sim_fnv(h, sim->iccid, strlen(sim->iccid));
	h = sim_fnv(h, sim->imsi, strlen(sim->imsi));
	h = sim_fnv(h, sim->imei, strlen(sim->imei));
	h = sim_fnv(h, sim->number, strlen(sim->number));
	h = sim_fnv(h, sim->operator_name, strlen(sim->operator_name));
	h = sim_fnv(h, sim->model, strlen(sim->model));
	h = sim_fnv(h, sim->device, strlen(sim->device));
	h = sim_fnv(h, &sim->signal_dbm, sizeof(sim->signal_dbm));
	h = sim_fnv(h, &sim->registered, sizeof(sim->registered));
	h = sim_fnv(h, &sim->paused_until, sizeof(sim->paused_until));
	return sim_fnv(h, &state, sizeof(state));
}

static void sim_bind_opt_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v[0])
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

void sim_update(struct sim_registry *reg, struct sim *sim)
{
	sim_update_at(reg, sim, store_now_ms());
}

void sim_update_at(struct sim_registry *reg, struct sim *sim, int64_t now)
{
	enum sim_state state = sim_state_effective(sim, now);
	uint64_t h = sim_row_hash(sim, state);
	sqlite3_stmt *s;

	if (h != sim->written && store_is_pg(reg->store)) {
		if (sim->id && store_ready(reg->store)) {
			store_pgd_sim_row(reg->store, sim,
					  sim_state_name(state), now);
			sim->written = h;
		}
	} else if (h != sim->written) {
		s = store_prepare(reg->store,
			"UPDATE sim SET iccid = coalesce(?2, iccid),"
			" imsi = coalesce(?3, imsi), imei = coalesce(?4, imei),"
			" number = coalesce(?5, number), operator = ?6,"
			" signal = ?7, registered = ?8, state = ?9,"
			" device = coalesce(?10, device), model = coalesce(?11, model),"
			" paused_until = ?12, updated_at = ?13 WHERE id = ?1");
		if (s) {
			sqlite3_bind_int64(s, 1, sim->id);
			sim_bind_opt_text(s, 2, sim->iccid);
			sim_bind_opt_text(s, 3, sim->imsi);
			sim_bind_opt_text(s, 4, sim->imei);
			sim_bind_opt_text(s, 5, sim->number);
			sim_bind_opt_text(s, 6, sim->operator_name);
			if (sim->signal_dbm)
				sqlite3_bind_int(s, 7, sim->signal_dbm);
			sqlite3_bind_int(s, 8, sim->registered);
			sqlite3_bind_text(s, 9, sim_state_name(state), -1,
					  SQLITE_STATIC);
			sim_bind_opt_text(s, 10, sim->device);
			sim_bind_opt_text(s, 11, sim->model);
			if (sim->paused_until > now)
				sqlite3_bind_int64(s, 12, sim->paused_until);
			sqlite3_bind_int64(s, 13, now);
			if (store_step_done(reg->store, s) == 0)
				sim->written = h;
		}
	}
	if (reg->changed)
		reg->changed(sim, reg->changed_ud);
}

struct sim *sim_find(struct sim_registry *reg, const char *key)
{
	for (size_t i = 0; i < reg->nsims; i++) {
		struct sim *s = &reg->sims[i];

		if (strcmp(s->name, key) == 0 ||
		    (s->iccid[0] && strcasecmp(s->iccid, key) == 0) ||
		    (s->number[0] && strcmp(s->number, key) == 0))
			return s;
	}
	return NULL;
}
