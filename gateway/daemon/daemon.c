/*
 * daemon — start-up, signals, reload and shutdown of smsgwd.
 *
 * Start-up order: spool directories, the database (created or migrated),
 * the lock that keeps a second daemon off the same spool, then the
 * subsystems. Shutdown runs in reverse and leaves the database consistent:
 * every state change is a committed transaction, so stopping is closing.
 */
#include "daemon.h"
#include "daemon_priv.h"
#include "config.h"
#include "config_pg.h"
#include "control.h"
#include "eventhandler.h"
#include "http.h"
#include "inbound.h"
#include "log.h"
#include "loop.h"
#include "modem.h"
#include "notify.h"
#include "outbound.h"
#include "retention.h"
#include "spool.h"
#include "sqlin.h"
#include "store.h"
#include "store_daemon.h"
#include "clock.h"
#include "store_pgd.h"
#include "webhook.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/*
 * The spool's directories, opened once and checked (spool_dirs.c), and the
 * spool's lock: a lock on active/, which no sender can open.
 */
static int daemon_open_spool(struct daemon *d)
{
	char err[1024];
	int rc;

	rc = spool_dirs_open(d->cfg->spool, true, &d->dirs, err, sizeof(err));
	if (rc < 0) {
		log_error("spool: %s", err);
		return rc;
	}
	rc = spool_dirs_lock(&d->dirs);
	if (rc == -EWOULDBLOCK)
		log_error("daemon: another smsgwd already serves the spool %s",
			  d->cfg->spool);
	else if (rc < 0)
		log_error("daemon: %s/active: lock: %s", d->cfg->spool,
			  strerror(-rc));
	return rc;
}

static void daemon_apply_timezone(const struct config *cfg)
{
	if (cfg->timezone)
		setenv("TZ", cfg->timezone, 1);
	tzset();
}

static void daemon_apply_log_level(const struct daemon *d,
				   const struct config *cfg)
{
	enum log_level level;

	if (!d->verbose && log_level_parse(cfg->log_level, &level))
		log_set_level(level);
	log_set_full(cfg->trace_full);
}

/* WATCHDOG=1 at half the interval systemd gave us: sent from the loop,
 * so a loop that no longer turns stops sending it. */
static int64_t daemon_on_watchdog(struct loop_timer *t, void *ud)
{
	struct daemon *d = ud;

	(void)t;
	notify_send("WATCHDOG=1");
	return d->watchdog_ms / 2 > 0 ? d->watchdog_ms / 2 : 1;
}

static void daemon_on_stop_signal(struct loop *loop, int signo, void *ud)
{
	struct daemon *d = ud;

	notify_send("STOPPING=1");
	log_notice("daemon: %s, stopping", strsignal(signo));
	d->exit_code = 0;
	loop_stop(loop);
}

/* Modems and SIM slots are the daemon's skeleton: changing them takes a
 * restart. Everything else reloads. */
static const char *daemon_reload_blocker(const struct config *a,
				  const struct config *b)
{
	if (strcmp(a->spool, b->spool) || strcmp(a->database, b->database))
		return "spool or database changed";
	if (a->nmodems != b->nmodems)
		return "modems added or removed";
	for (size_t i = 0; i < a->nmodems; i++) {
		const struct config_modem *x = &a->modems[i], *y = &b->modems[i];

		if (strcmp(x->name, y->name) || strcmp(x->device, y->device) ||
		    strcmp(x->driver, y->driver) || x->baudrate != y->baudrate ||
		    x->nsims != y->nsims)
			return "a modem section changed its name, device, "
			       "driver, baud rate or slots";
		for (size_t j = 0; j < x->nsims; j++)
			if (strcmp(x->sims[j].name, y->sims[j].name))
				return "SIM slots renamed";
	}
	return NULL;
}

static void daemon_refuse_reload(struct daemon *d, const char *why)
{
	log_error("daemon: reload refused, keeping the running "
		  "configuration: %s", why);
	store_event(d->store, STORE_EVENT_ERROR, "daemon", "reload refused: %s",
		    why);
}

/* Points every subsystem at the new configuration; the old one is freed. */
static void daemon_switch_config(struct daemon *d, struct config *next)
{
	size_t k = 0;

	for (size_t i = 0; i < next->nmodems; i++) {
		for (size_t j = 0; j < next->modems[i].nsims; j++, k++) {
			d->reg.sims[k].mcfg = &next->modems[i];
			d->reg.sims[k].cfg = &next->modems[i].sims[j];
		}
		if (d->modems && d->modems[i])
			modem_set_config(d->modems[i], next, &next->modems[i]);
	}
	outbound_set_config(d->ob, next);
	spool_set_config(d->spool, next);
	if (d->ret)
		retention_set_config(d->ret, next);
	{
		struct hook_opts o;

		hook_bridge_opts(next, &o);
		hook_runner_set_opts(d->hooks.runner, &o);
		d->hooks.cfg = next;
	}
	http_set_config(d->http, next);
	webhook_set_config(d->webhooks, next);
	if (d->eh)
		eventhandler_set_config(d->eh, next);
	if (d->sqlin)
		sqlin_set_config(d->sqlin, next);
	daemon_apply_log_level(d, next);
	config_free(d->cfg);
	d->cfg = next;
}

/*
 * SIGHUP: read the file again; a broken file keeps the running
 * configuration. Subsystems pick up what can change without a restart.
 */
static void daemon_on_reload_signal(struct loop *loop, int signo, void *ud)
{
	struct daemon *d = ud;
	struct config *next;
	const char *why;
	char err[2048];

	(void)loop;
	(void)signo;
	/* logrotate moved the trace: reopen, whatever the new config says. */
	for (size_t i = 0; d->modems && i < d->nmodems; i++)
		modem_reopen_trace(d->modems[i]);
	if (config_load(d->config_path, &next, err, sizeof(err)) < 0) {
		daemon_refuse_reload(d, err);
		return;
	}
	why = daemon_reload_blocker(d->cfg, next);
	if (!why && inbound_set_config(d->ib, next, err, sizeof(err)) < 0)
		why = err;
	if (why) {
		config_free(next);
		daemon_refuse_reload(d, why);
		return;
	}
	daemon_switch_config(d, next);
	log_notice("daemon: configuration reloaded from %s", d->config_path);
	store_event(d->store, STORE_EVENT_INFO, "daemon",
		    "configuration reloaded");
}

/*
 * "u_<sim id>_<code>_<token>" from `smsgw ussd` (control words are plain:
 * the code's * # + come as s h p): the answer, or why there is none, is
 * an event row "USSD <token> <code>: ..." the command waits for.
 */
static bool daemon_on_control_ussd(struct daemon *d, const char *word)
{
	char mapped[CONFIG_USSD_MAX + 1], code[CONFIG_USSD_MAX + 1], token[12];
	long long id;
	struct sim *sim = NULL;
	size_t i;
	int rc = -EINVAL;

	/* 160: CONFIG_USSD_MAX. */
	if (sscanf(word, "u_%lld_%160[0-9shp]_%8[a-z0-9]", &id, mapped,
		   token) != 3)
		return false;
	for (i = 0; mapped[i]; i++)
		code[i] = mapped[i] == 's' ? '*' : mapped[i] == 'h' ? '#'
			  : mapped[i] == 'p' ? '+' : mapped[i];
	code[i] = 0;
	for (i = 0; i < d->reg.nsims; i++)
		if (d->reg.sims[i].id == id)
			sim = &d->reg.sims[i];
	if (sim)
		rc = modem_ussd(sim, code, token);
	if (rc < 0)
		store_event(d->store, STORE_EVENT_WARNING, "daemon",
			    "USSD %s %s: not sent: %s", token, code,
			    !sim ? "no such SIM"
			    : rc == -EBUSY ? "the modem is busy with another "
					     "SIM or USSD code"
			    : rc == -ENODEV ? "the modem is not ready"
					    : "not a USSD code");
	return true;
}

static bool daemon_on_control(const char *word, void *ud)
{
	struct daemon *d = ud;

	if (strncmp(word, "u_", 2) == 0)
		return daemon_on_control_ussd(d, word);
	if (strcmp(word, "kick") != 0)
		return false;
	outbound_kick(d->ob);
	webhook_poke(d->webhooks);	/* e.g. smsgw optout add */
	return true;
}

static void daemon_on_sim_changed(struct sim *sim, void *ud)
{
	struct daemon *d = ud;

	outbound_sim_changed(d->ob, sim);
	hook_bridge_sim(&d->hooks, sim);
}

static void daemon_on_modem_sms(struct sim *sim, const char *pdu,
			 struct modem_ack *ack, void *ud)
{
	struct daemon *d = ud;

	inbound_sms(d->ib, sim, pdu, ack);
}

static void daemon_on_modem_report(struct sim *sim, const char *pdu,
			    struct modem_ack *ack, void *ud)
{
	struct daemon *d = ud;

	inbound_status_report(d->ib, sim, pdu, ack);
}

/* The modem layer knows nothing of the database: its events and SIM
 * changes become rows here. */
static void daemon_on_modem_event(enum modem_event_level level, const char *source,
			   const char *text, void *ud)
{
	struct daemon *d = ud;

	store_event(d->store, level == MODEM_EVENT_ERROR ? STORE_EVENT_ERROR :
		    level == MODEM_EVENT_WARNING ? STORE_EVENT_WARNING :
		    STORE_EVENT_INFO, source, "%s", text);
}

static void daemon_on_modem_sim_changed(struct sim *sim, void *ud)
{
	sim_update(&((struct daemon *)ud)->reg, sim);
}

static void daemon_on_spool_accepted(void *ud)
{
	struct daemon *d = ud;

	outbound_kick(d->ob);
}

static void daemon_on_clock_step(void *ud)
{
	struct daemon *d = ud;

	outbound_clock_stepped(d->ob);
}

static int daemon_start_modems(struct daemon *d)
{
	const struct modem_listener listener = {
		.sms = daemon_on_modem_sms,
		.status_report = daemon_on_modem_report,
		.event = daemon_on_modem_event,
		.sim_changed = daemon_on_modem_sim_changed,
		.ud = d,
	};

	d->modems = calloc(d->cfg->nmodems + 1, sizeof(*d->modems));
	if (!d->modems)
		return -ENOMEM;
	d->nmodems = d->cfg->nmodems;
	for (size_t i = 0; i < d->nmodems; i++) {
		int rc = modem_new(d->loop, &d->reg, d->cfg,
				   &d->cfg->modems[i], &listener, &d->modems[i]);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Every listener of inbound and outbound events: the hooks section, then
 * smstools3's eventhandler and Gammu's runonreceive; webhooks look at the
 * events those commits queued. */
static void daemon_on_inbound_event(const struct inbound_event *e, void *ud)
{
	struct daemon *d = ud;

	hook_bridge_inbound(e, &d->hooks);
	eventhandler_inbound(e, d->eh);
	webhook_poke(d->webhooks);
}

static void daemon_on_outbound_event(const struct outbound_event *e, void *ud)
{
	struct daemon *d = ud;

	hook_bridge_outbound(e, &d->hooks);
	eventhandler_outbound(e, d->eh);
	webhook_poke(d->webhooks);
}

static void daemon_on_http_kick(void *ud)
{
	struct daemon *d = ud;

	outbound_kick(d->ob);
}

/* After the spool: the API accepts through it. */
static int daemon_start_http(struct daemon *d)
{
	const struct http_deps deps = {
		.loop = d->loop, .store = d->store, .spool = d->spool,
		.reg = &d->reg, .kick = daemon_on_http_kick, .ud = d,
	};
	int rc = webhook_new(d->loop, d->store, d->cfg, &d->webhooks);

	if (rc < 0)
		return rc;
	return http_new(&deps, d->cfg, &d->http);
}

/* Hooks run on what inbound and outbound report. */
static int daemon_start_hooks(struct daemon *d)
{
	struct hook_opts o;
	int rc;

	hook_bridge_opts(d->cfg, &o);
	rc = hook_runner_new(d->loop, &o, &d->hooks.runner);
	if (rc < 0)
		return rc;
	d->hooks.cfg = d->cfg;
	/* On PostgreSQL hooks and the eventhandler read their rows later
	 * (store_pg_http.h). */
	d->hooks.store = d->store;
	rc = eventhandler_new(d->store, d->hooks.runner, d->cfg, &d->eh);
	if (rc < 0)
		return rc;
	inbound_set_listener(d->ib, daemon_on_inbound_event, d);
	outbound_set_listener(d->ob, daemon_on_outbound_event, d);
	return 0;
}

static void daemon_on_sql_accepted(void *ud)
{
	struct daemon *d = ud;

	outbound_kick(d->ob);
}

/* Registry, outbound, inbound, hooks, the control socket, the modems and
 * the spool. */
static int daemon_start_subsystems(struct daemon *d)
{
	const struct outbound_ops ops = { .send = modem_send_pdu };
	char err[1024];
	int rc;

	/* Group commit: outcomes of one loop turn share one transaction. */
	store_batch_attach(d->store, d->loop);
	rc = sim_registry_init(&d->reg, d->cfg, d->store);
	if (rc < 0)
		return rc;
	rc = outbound_new(d->loop, d->store, d->cfg, &d->reg, &ops, &d->ob);
	if (rc < 0)
		return rc;
	d->reg.changed = daemon_on_sim_changed;
	d->reg.changed_ud = d;
	rc = inbound_new(d->loop, d->store, d->cfg, &d->reg, d->ob, modem_ack,
			 &d->ib, err, sizeof(err));
	if (rc < 0) {
		log_error("daemon: %s", err);
		return rc;
	}
	rc = daemon_start_hooks(d);
	if (rc < 0)
		return rc;
	rc = control_open(d->loop, d->cfg->spool, daemon_on_control, d,
			  &d->ctl);
	if (rc < 0)
		return rc;
	rc = daemon_start_modems(d);
	if (rc < 0)
		return rc;
	/* Retention on both (on PostgreSQL one box a round); INSERT INTO
	 * outbox on both (on PostgreSQL leased to one box a row). */
	rc = retention_new(d->loop, d->store, d->cfg, &d->reg, &d->ret);
	if (rc < 0)
		return rc;
	rc = sqlin_new(d->loop, d->store, d->cfg, &d->reg,
		       daemon_on_sql_accepted, d, &d->sqlin, err,
		       sizeof(err));
	if (rc < 0) {
		log_error("daemon: database %s: %s", d->cfg->database, err);
		return rc;
	}
	/* Not fatal: without it a step is noticed at the next timer. */
	rc = clockstep_start(&d->clockstep, d->loop, daemon_on_clock_step, d);
	if (rc < 0)
		log_warn("daemon: cannot watch for wall-clock steps: %s",
			 strerror(-rc));
	/* Last: files accepted from here on find every SIM known. */
	rc = spool_new(d->loop, d->store, d->cfg, &d->reg, &d->dirs,
		       daemon_on_spool_accepted, d, &d->spool);
	if (rc < 0)
		return rc;
	spool_set_rejected_listener(d->spool, hook_bridge_rejected, &d->hooks);
	daemon_db_attach(d);
	return daemon_start_http(d);
}

/* Readers of the sims view tell a killed daemon by a heartbeat gone
 * stale. */
static int64_t daemon_on_beat(struct loop_timer *t, void *ud)
{
	struct daemon *d = ud;

	(void)t;
	store_daemon_beat(d->store, clock_now_ms());
	return STORE_DAEMON_BEAT_MS;
}

static int daemon_start(struct daemon *d)
{
	int rc;

	daemon_apply_timezone(d->cfg);
	daemon_apply_log_level(d, d->cfg);
	/* Our own umask, not the caller's: what we create is never world-
	 * readable nor writable by the group, whoever started us. */
	umask(0027);
	rc = daemon_open_spool(d);
	if (rc < 0)
		return rc;
	/* The loop first: PostgreSQL connects on it. */
	rc = loop_new(&d->loop);
	if (rc < 0)
		return rc;
	loop_timer_init(d->loop, &d->beat, daemon_on_beat, d);
	rc = daemon_open_database(d);
	if (rc < 0)
		return rc;
	/* Readers who cannot see the spool's lock know we run by this (and
	 * the sims view stops saying offline). */
	if (store_daemon_started(d->store, getpid(), clock_now_ms()) < 0)
		log_warn("daemon: cannot record the daemon row: %s",
			 store_errmsg(d->store));
	d->started = true;
	loop_timer_arm(&d->beat, STORE_DAEMON_BEAT_MS);
	if (loop_signal(d->loop, SIGTERM, daemon_on_stop_signal, d) < 0 ||
	    loop_signal(d->loop, SIGINT, daemon_on_stop_signal, d) < 0 ||
	    loop_signal(d->loop, SIGHUP, daemon_on_reload_signal, d) < 0)
		return -errno;
	/* Hooks and modems that go away must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	return daemon_start_subsystems(d);
}

static void daemon_stop_subsystems(struct daemon *d)
{
	/* The open batch commits, and what waited on it (acks, events)
	 * runs while the modems and hooks are still there. */
	if (d->store)
		store_batch_flush(d->store);
	http_free(d->http);
	d->http = NULL;
	webhook_free(d->webhooks);
	d->webhooks = NULL;
	spool_free(d->spool);
	d->spool = NULL;
	retention_free(d->ret);
	d->ret = NULL;
	sqlin_free(d->sqlin);
	d->sqlin = NULL;
	clockstep_stop(&d->clockstep);
	for (size_t i = 0; d->modems && i < d->nmodems; i++)
		modem_free(d->modems[i]);
	free(d->modems);
	d->modems = NULL;
	control_close(d->ctl);
	d->ctl = NULL;
	eventhandler_free(d->eh);
	d->eh = NULL;
	hook_runner_free(d->hooks.runner);
	d->hooks.runner = NULL;
	inbound_free(d->ib);
	d->ib = NULL;
	outbound_free(d->ob);
	d->ob = NULL;
	sim_registry_free(&d->reg);
}

static void daemon_stop(struct daemon *d)
{
	if (d->loop)
		loop_timer_disarm(&d->beat);
	/* PostgreSQL: answered while what the answers reach still exists. */
	daemon_db_stop(d);
	daemon_stop_subsystems(d);
	if (d->store) {
		if (d->started && !store_is_pg(d->store))
			store_daemon_stopped(d->store, clock_now_ms());
		if (!store_is_pg(d->store))
			store_event(d->store, STORE_EVENT_INFO, "daemon",
				    "stopped");
		store_checkpoint(d->store);
		store_close(d->store);
		d->store = NULL;
	}
	loop_free(d->loop);
	d->loop = NULL;
	if (d->lock_fd >= 0)
		close(d->lock_fd);
	d->lock_fd = -1;
	if (d->pid_fd >= 0)
		close(d->pid_fd);
	d->pid_fd = -1;
	spool_dirs_close(&d->dirs);
	config_free(d->cfg);
	d->cfg = NULL;
}

int daemon_run(struct daemon *d)
{
	char db[4200];
	int rc;

	d->lock_fd = d->pid_fd = -1;
	spool_dirs_init(&d->dirs);
	d->clockstep.fd = -1;
	d->exit_code = 1;
	if (daemon_start(d) < 0) {
		daemon_stop(d);
		return 1;
	}
	store_event(d->store, STORE_EVENT_INFO, "daemon",
		    "started (smsgw %s, pid %ld, %zu modem%s)", SMSGW_VERSION,
		    (long)getpid(), d->cfg->nmodems,
		    d->cfg->nmodems == 1 ? "" : "s");
	/* Never the URI itself: it may hold a password. */
	config_database_describe(d->cfg->database, db, sizeof(db));
	log_notice("daemon: started, spool %s, database %s", d->cfg->spool,
		   db);
	if (!d->cfg->nmodems)
		log_warn("daemon: %s has no modem section: nothing will be"
			 " sent or received", d->config_path);
	d->watchdog_ms = notify_watchdog_ms();
	loop_timer_init(d->loop, &d->watchdog, daemon_on_watchdog, d);
	if (d->watchdog_ms)
		loop_timer_arm(&d->watchdog, 0);
	notify_send("READY=1");
	rc = loop_run(d->loop);
	if (rc < 0) {
		log_error("daemon: event loop: %s", strerror(-rc));
		d->exit_code = 1;
	}
	loop_timer_disarm(&d->watchdog);
	daemon_stop(d);
	return d->exit_code;
}
