/* hook_bridge — inbound and outbound events to hooks; see hook_bridge.h. */
#include "hook_bridge.h"
#include "config.h"

void hook_bridge_opts(const struct config *cfg, struct hook_opts *o)
{
	hook_opts_init(o);
	o->timeout_ms = cfg->hooks.timeout_ms;
	o->config_path = cfg->path;
}

void hook_bridge_inbound(const struct inbound_event *e, void *ud)
{
	struct hook_bridge *b = ud;
	struct hook_msg m = {
		.id = e->id, .number = e->sender, .text = e->body,
		.sim = e->sim, .sim_number = e->recipient,
		.keyword = e->keyword, .parts = e->parts,
		.partial = e->partial,
	};
	const char *cmd;

	if (!hook_event_parse(e->event, &m.event))
		return;
	if (m.event == HOOK_EVENT_RULE) {
		/* A rule's name is the keyword it tags the message with. */
		m.rule = e->keyword;
		cmd = e->hook;
	} else if (m.event == HOOK_EVENT_RECEIVED) {
		cmd = b->cfg->hooks.on_received;
	} else {
		return;
	}
	if (cmd && cmd[0])
		hook_run(b->runner, cmd, &m, NULL, NULL);
}

void hook_bridge_outbound(const struct outbound_event *e, void *ud)
{
	struct hook_bridge *b = ud;
	struct hook_msg m = {
		.id = e->id, .number = e->recipient, .text = e->body,
		.sim = e->sim, .state = e->state, .error = e->error,
	};
	const char *cmd = NULL;

	if (!hook_event_parse(e->event, &m.event))
		return;	/* "unknown": no hook for it */
	if (m.event == HOOK_EVENT_SENT)
		cmd = b->cfg->hooks.on_sent;
	else if (m.event == HOOK_EVENT_FAILED)
		cmd = b->cfg->hooks.on_failed;
	else if (m.event == HOOK_EVENT_DELIVERED)
		cmd = b->cfg->hooks.on_delivered;
	if (cmd && cmd[0])
		hook_run(b->runner, cmd, &m, NULL, NULL);
}
