/*
 * hook_bridge — turns the events of inbound and outbound into hooks: the
 * commands of smsgw.conf's hooks section (on_received, on_sent, on_failed,
 * on_delivered) and the hook of a rule with action = hook. The daemon keeps
 * one and passes it to both listeners:
 *
 *	hook_bridge_opts(cfg, &o);
 *	hook_runner_new(loop, &o, &d->hooks.runner);
 *	d->hooks.cfg = cfg;
 *	inbound_set_listener(d->ib, hook_bridge_inbound, &d->hooks);
 *	outbound_set_listener(d->ob, hook_bridge_outbound, &d->hooks);
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

struct hook_bridge {
	struct hook_runner *runner;	/* owned by the caller */
	const struct config *cfg;	/* borrowed; commands read per event */
};

/* The runner's options from cfg: the hooks timeout, SMSGW_CONFIG. */
void hook_bridge_opts(const struct config *cfg, struct hook_opts *o);

/* An inbound_event_fn; ud is the struct hook_bridge. */
void hook_bridge_inbound(const struct inbound_event *e, void *ud);
/* An outbound_event_fn; ud is the struct hook_bridge. */
void hook_bridge_outbound(const struct outbound_event *e, void *ud);

#endif
