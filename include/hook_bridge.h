/*
 * hook_bridge — turns the events of inbound, outbound, the spool and the
 * SIMs into hooks: the commands of smsgw.conf's hooks section (on_received,
 * on_sent, on_failed, on_delivered, on_rejected, on_modem) and the hook of
 * a rule with action = hook. The daemon keeps one and passes it to the
 * listeners:
 *
 *	hook_bridge_opts(cfg, &o);
 *	hook_runner_new(loop, &o, &d->hooks.runner);
 *	d->hooks.cfg = cfg;
 *	d->hooks.store = d->store;
 *	inbound_set_listener(d->ib, hook_bridge_inbound, &d->hooks);
 *	outbound_set_listener(d->ob, hook_bridge_outbound, &d->hooks);
 *	spool_set_rejected_listener(d->spool, hook_bridge_rejected, &d->hooks);
 *	and hook_bridge_sim() from the registry's changed callback.
 *
 * On reload it points .cfg at the new configuration and calls
 * hook_runner_set_opts() with hook_bridge_opts() of it. Events without a
 * configured command, and outbound "unknown", run nothing.
 */
#ifndef SMSGW_HOOK_BRIDGE_H
#define SMSGW_HOOK_BRIDGE_H

#include "hook.h"
#include "inbound.h"
#include "outbound.h"

struct config;
struct sim;
struct store;

#define HOOK_BRIDGE_MAX_SIMS 1024

enum { HOOK_BRIDGE_UNKNOWN, HOOK_BRIDGE_IN, HOOK_BRIDGE_OUT };

struct hook_bridge {
	struct hook_runner *runner;	/* owned by the caller */
	const struct config *cfg;	/* borrowed; commands read per event */
	struct store *store;		/* borrowed; fills what events lack */
	unsigned char service[HOOK_BRIDGE_MAX_SIMS]; /* per SIM index */
};

/* The runner's options from cfg: the hooks timeout, SMSGW_CONFIG. */
void hook_bridge_opts(const struct config *cfg, struct hook_opts *o);

/* An inbound_event_fn; ud is the struct hook_bridge. */
void hook_bridge_inbound(const struct inbound_event *e, void *ud);
/* An outbound_event_fn; ud is the struct hook_bridge. */
void hook_bridge_outbound(const struct outbound_event *e, void *ud);
/* A spool_rejected_fn: name as dropped, reason as in its .reason file. */
void hook_bridge_rejected(const char *name, const char *reason, void *ud);
/* After every change of a SIM: the modem hook when it went out of service
 * (no network after being registered, blocked, absent, error) or came
 * back. A SIM that comes up at start runs nothing. */
void hook_bridge_sim(struct hook_bridge *b, const struct sim *sim);

#endif
