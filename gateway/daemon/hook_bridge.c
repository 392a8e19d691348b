/*
 * hook_bridge — events of inbound, outbound, the spool and the SIMs to
 * hooks; see hook_bridge.h. What an event does not carry (campaign,
 * parts, the SIM's ICCID and number, the spool file and its Id:) is read
 * from the database, only when a command is configured for it.
 */
#include "hook_bridge.h"
#include "clock.h"
#include "config.h"
#include "sim.h"
#include "sim_state.h"
#include "store.h"
#include "store_hook.h"
#include "store_pg_http.h"

#include <stdlib.h>
#include <string.h>

void hook_bridge_opts(const struct config *cfg, struct hook_opts *o)
{
	hook_opts_init(o);
	o->timeout_ms = cfg->hooks.timeout_ms;
	o->config_path = cfg->path;
}

/* Keeps what the event said, fills what it left out. */
static const char *hook_bridge_or(const char *have, const char *row)
{
	return have && have[0] ? have : row;
}

/* A hook's command and what it is told, while the row is read. */
struct hook_bridge_run {
	struct hook_bridge *b;
	const char *cmd;
	struct hook_msg *m;
};

static void hook_bridge_inbound_row(void *ud,
				    const struct store_hook_inbound *r)
{
	struct hook_bridge_run *run = ud;
	struct hook_msg *m = run->m;

	m->iccid = r->iccid;
	m->sim_number = hook_bridge_or(m->sim_number, r->sim_number);
	m->campaign = r->campaign;
	hook_run(run->b->runner, run->cmd, m, NULL, NULL);
}

static void hook_bridge_outbound_row(void *ud,
				     const struct store_hook_outbound *r)
{
	struct hook_bridge_run *run = ud;
	struct hook_msg *m = run->m;

	m->number = hook_bridge_or(m->number, r->recipient);
	m->text = hook_bridge_or(m->text, r->body);
	m->campaign = r->campaign;
	m->parts = r->parts;
	m->sim = hook_bridge_or(m->sim, r->sim);
	m->iccid = r->iccid;
	m->sim_number = r->sim_number;
	m->file = r->file;
	m->file_id = r->file_id;
	m->state = hook_bridge_or(m->state, r->state);
	m->error = hook_bridge_or(m->error, r->error);
	hook_run(run->b->runner, run->cmd, m, NULL, NULL);
}

/*
 * PostgreSQL: the row comes later, from the loop, when the event and its
 * strings are gone; the message and the command are copied until then.
 */
struct hook_bridge_later {
	struct hook_bridge *b;
	struct hook_msg m;
	char *s[8];			/* the copies m points into */
	int n;
};

static const char *hook_bridge_dup(struct hook_bridge_later *l,
				   const char *v)
{
	char *c = v ? strdup(v) : NULL;

	if (c)
		l->s[l->n++] = c;
	return c;
}

static struct hook_bridge_later *hook_bridge_later_new(struct hook_bridge *b,
						       const char *cmd,
						       const struct hook_msg *m)
{
	struct hook_bridge_later *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->b = b;
	l->m = *m;
	hook_bridge_dup(l, cmd);	/* s[0] */
	l->m.number = hook_bridge_dup(l, m->number);
	l->m.text = hook_bridge_dup(l, m->text);
	l->m.sim = hook_bridge_dup(l, m->sim);
	l->m.sim_number = hook_bridge_dup(l, m->sim_number);
	l->m.keyword = hook_bridge_dup(l, m->keyword);
	l->m.state = hook_bridge_dup(l, m->state);
	l->m.error = hook_bridge_dup(l, m->error);
	if (!l->s[0]) {
		free(l);
		return NULL;
	}
	l->m.rule = m->rule ? l->m.keyword : NULL;
	return l;
}

static void hook_bridge_later_free(struct hook_bridge_later *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l);
}

static void hook_bridge_pg_in(int rc, const struct store_hook_inbound *r,
			      void *ud)
{
	struct hook_bridge_later *l = ud;
	struct hook_bridge_run run = { .b = l->b, .cmd = l->s[0],
				       .m = &l->m };

	/* The daemon is stopping: its runner is gone. */
	if (l->b->runner) {
		if (rc == 1)
			hook_bridge_inbound_row(&run, r);
		else
			hook_run(l->b->runner, run.cmd, &l->m, NULL, NULL);
	}
	hook_bridge_later_free(l);
}

static void hook_bridge_pg_out(int rc, const struct store_hook_outbound *r,
			       void *ud)
{
	struct hook_bridge_later *l = ud;
	struct hook_bridge_run run = { .b = l->b, .cmd = l->s[0],
				       .m = &l->m };

	if (l->b->runner) {
		if (rc == 1)
			hook_bridge_outbound_row(&run, r);
		else
			hook_run(l->b->runner, run.cmd, &l->m, NULL, NULL);
	}
	hook_bridge_later_free(l);
}

/* Reads the row on PostgreSQL; false when the store is SQLite. Without
 * the store's backend (the daemon is stopping) or memory, the hook runs
 * at once with what the event said. */
static bool hook_bridge_pg(struct hook_bridge *b, const char *cmd,
			   const struct hook_msg *m, bool inbound)
{
	struct pg_store *ps;
	struct hook_bridge_later *l;

	if (!b->store || !store_is_pg(b->store))
		return false;
	ps = store_pg(b->store);
	l = ps ? hook_bridge_later_new(b, cmd, m) : NULL;
	if (!l) {
		hook_run(b->runner, cmd, m, NULL, NULL);
		return true;
	}
	if (inbound)
		pg_store_hook_inbound(ps, m->id, hook_bridge_pg_in, l);
	else
		pg_store_hook_outbound(ps, m->id, hook_bridge_pg_out, l);
	return true;
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
	struct hook_bridge_run run = { .b = b, .m = &m };
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
	if (!cmd || !cmd[0])
		return;
	/* The SIM and the campaign the message answers; without its row,
	 * what the event said. */
	run.cmd = cmd;
	if (hook_bridge_pg(b, cmd, &m, true))
		return;
	if (!b->store ||
	    store_hook_inbound(b->store, e->id, hook_bridge_inbound_row,
			       &run) != 1)
		hook_run(b->runner, cmd, &m, NULL, NULL);
}

void hook_bridge_outbound(const struct outbound_event *e, void *ud)
{
	struct hook_bridge *b = ud;
	struct hook_msg m = {
		.id = e->id, .number = e->recipient, .text = e->body,
		.sim = e->sim, .state = e->state, .error = e->error,
	};
	struct hook_bridge_run run = { .b = b, .m = &m };
	const char *cmd = NULL;

	if (!hook_event_parse(e->event, &m.event))
		return;	/* "unknown": no hook for it */
	if (m.event == HOOK_EVENT_SENT)
		cmd = b->cfg->hooks.on_sent;
	else if (m.event == HOOK_EVENT_FAILED)
		cmd = b->cfg->hooks.on_failed;
	else if (m.event == HOOK_EVENT_DELIVERED)
		cmd = b->cfg->hooks.on_delivered;
	if (!cmd || !cmd[0])
		return;
	/* Text, campaign, parts, SIM, spool file; without its row, what
	 * the event said. */
	run.cmd = cmd;
	if (hook_bridge_pg(b, cmd, &m, false))
		return;
	if (!b->store ||
	    store_hook_outbound(b->store, e->id, hook_bridge_outbound_row,
				&run) != 1)
		hook_run(b->runner, cmd, &m, NULL, NULL);
}

void hook_bridge_rejected(const char *name, const char *reason, void *ud)
{
	struct hook_bridge *b = ud;
	const char *cmd = b->cfg->hooks.on_rejected;
	struct hook_msg m = {
		.event = HOOK_EVENT_REJECTED, .file = name, .error = reason,
	};

	if (cmd && cmd[0])
		hook_run(b->runner, cmd, &m, NULL, NULL);
}

/* In service: the SIM can carry messages (sending may wait for a quota
 * or a pause, which are not the modem's doing). */
static int hook_bridge_service(enum sim_state link)
{
	switch (link) {
	case SIM_STATE_READY:
	case SIM_STATE_BUSY:
	case SIM_STATE_SWITCHING:
	case SIM_STATE_QUOTA_EXHAUSTED:
		return HOOK_BRIDGE_IN;
	case SIM_STATE_NO_NETWORK:
	case SIM_STATE_BLOCKED:
	case SIM_STATE_ABSENT:
	case SIM_STATE_ERROR:
		return HOOK_BRIDGE_OUT;
	default:
		return HOOK_BRIDGE_UNKNOWN;
	}
}

static const char *hook_bridge_why(enum sim_state state, const struct sim *sim)
{
	switch (state) {
	case SIM_STATE_NO_NETWORK:
		return "not registered on a network";
	case SIM_STATE_BLOCKED:
		return sim->link == SIM_STATE_READY
			       ? "paused after barring or spam errors"
			       : "the SIM wants a PIN or PUK it was not given";
	case SIM_STATE_ABSENT:
		return "the modem is gone (unplugged, or its port closed)";
	case SIM_STATE_ERROR:
		return "the modem stopped answering";
	default:
		return "";
	}
}

void hook_bridge_sim(struct hook_bridge *b, const struct sim *sim)
{
	/* The modem's view, and the outbound layer's barring pause. */
	enum sim_state state = sim_state_effective(sim, clock_now_ms());
	int now = hook_bridge_service(state), was;
	const char *cmd = b->cfg->hooks.on_modem;
	struct hook_msg m = { .event = HOOK_EVENT_MODEM };

	if (sim->index >= HOOK_BRIDGE_MAX_SIMS || now == HOOK_BRIDGE_UNKNOWN)
		return;
	was = b->service[sim->index];
	b->service[sim->index] = (unsigned char)now;
	/* A SIM coming up at start is no news; one that never does is.
	 * No network right after start is the usual wait for registration. */
	if (now == was || (was == HOOK_BRIDGE_UNKNOWN &&
			   (now == HOOK_BRIDGE_IN ||
			    state == SIM_STATE_NO_NETWORK)))
		return;
	if (!cmd || !cmd[0])
		return;
	m.sim = sim->name;
	m.iccid = sim->iccid;
	m.sim_number = sim->number;
	m.state = sim_state_name(state);
	m.error = hook_bridge_why(state, sim);
	hook_run(b->runner, cmd, &m, NULL, NULL);
}
