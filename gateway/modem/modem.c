/*
 * modem — one configured modem (include/modem.h): creation and teardown,
 * opening and closing the port, the state and the links of its SIMs,
 * events, URC dispatch and what runs when the port is idle. The rest of
 * the lifecycle is in the files listed in modem_priv.h.
 */
#include "modem_priv.h"
#include "modem_call.h"
#include "modem_health.h"
#include "modem_hub.h"
#include "modem_link.h"
#include "modem_recv.h"
#include "modem_send.h"
#include "modem_smsready.h"
#include "modem_ussd.h"
#include "modem_watch.h"
#include "config.h"
#include "log.h"
#include "ports.h"
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* One trace line must reach the file in one write (O_APPEND), or the
 * lines of several modems would interleave. */
#define MODEM_TRACE_BUFFER (64 * 1024)

void modem_event(struct modem *m, enum modem_event_level level,
		 const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == MODEM_EVENT_ERROR)
		log_error("%s: %s", m->source, msg);
	else if (level == MODEM_EVENT_WARNING)
		log_warn("%s: %s", m->source, msg);
	else
		log_info("%s: %s", m->source, msg);
	if (m->listener.event)
		m->listener.event(level, m->source, msg, m->listener.ud);
}

void modem_sim_changed(struct modem *m, struct sim *s)
{
	if (m->listener.sim_changed)
		m->listener.sim_changed(s, m->listener.ud);
}

struct sim *modem_active_sim(struct modem *m)
{
	return m->slot.sims[m->slot.active < m->slot.n ? m->slot.active : 0];
}

const struct driver *modem_driver(const struct modem *m)
{
	return &m->drv;
}

/* The link a standby or active slot shows while the modem is ready. */
static enum sim_state modem_ready_link(struct modem *m, size_t i)
{
	if (m->slot.fault[i] != SIM_STATE_READY)
		return m->slot.fault[i];
	if (i == m->slot.active && m->slot.switching)
		return SIM_STATE_SWITCHING;
	if (i == m->slot.active)
		return m->net.registered ? SIM_STATE_READY : SIM_STATE_NO_NETWORK;
	return SIM_STATE_READY;
}

static enum sim_state modem_link(struct modem *m, size_t i)
{
	switch (m->fsm.state) {
	case MODEM_STATE_CLOSED:
	case MODEM_STATE_ABSENT:
		return SIM_STATE_ABSENT;
	case MODEM_STATE_OPENING:
	case MODEM_STATE_INIT:
		return m->fsm.ladder == MODEM_LADDER_NONE ? SIM_STATE_INIT
						      : SIM_STATE_ERROR;
	case MODEM_STATE_READY:
		return modem_ready_link(m, i);
	case MODEM_STATE_BLOCKED:
		return m->fsm.blocked_link;
	default:
		return SIM_STATE_ERROR;
	}
}

void modem_links(struct modem *m)
{
	for (size_t i = 0; i < m->slot.n; i++) {
		struct sim *s = m->slot.sims[i];

		s->link = modem_link(m, i);
		s->standby = m->slot.n > 1 && i != m->slot.active;
		modem_sim_changed(m, s);
	}
}

/* ---- the chat's hooks ---- */

static void modem_urc_cb(const char *line, const char *pdu, void *ud)
{
	struct modem_urc_reg *u = ud;
	struct modem *m = u->m;
	int64_t now;

	switch (u->kind) {
	case DRIVER_URC_IGNORE:
		break;
	case DRIVER_URC_SIGNAL:
	case DRIVER_URC_REGISTRATION:
		modem_health_urc(m, u->kind, line);
		break;
	case DRIVER_URC_BOOT:
	case DRIVER_URC_SMS_READY:
	case DRIVER_URC_SIM:
		/* A program pausing on "SIM busy" may go on at once. */
		if (u->kind != DRIVER_URC_BOOT)
			modem_seq_nudge(m);
		if (u->kind == DRIVER_URC_SMS_READY) {
			modem_sms_notice(m, line);
		} else {
			struct modem_fsm_arg a = { .what = line };
			enum at_cpin code;

			a.sim_ready = u->kind == DRIVER_URC_SIM &&
				      at_parse_cpin(line, &code) &&
				      code == AT_CPIN_READY;
			modem_fsm_event(m, MODEM_EV_BOOTED, &a);
		}
		break;
	case DRIVER_URC_CALL:
		modem_call_urc(m, line);
		break;
	case DRIVER_URC_USSD:
		modem_ussd_urc(m, line);
		break;
	case DRIVER_URC_WARNING:
		now = loop_now(m->loop);
		if (m->port.last_warning_ms &&
		    now - m->port.last_warning_ms < 600000)
			break;
		m->port.last_warning_ms = now;
		modem_event(m, MODEM_EVENT_WARNING, "the modem says: %s", line);
		break;
	default:
		modem_recv_urc(m, u->kind, line, pdu);
		break;
	}
}

static void modem_noise_cb(const char *line, void *ud)
{
	struct modem *m = ud;

	log_debug("%s: unexpected line: %s", m->source, line);
}

static void modem_gone_cb(int err, void *ud)
{
	struct modem_fsm_arg a = { .err = err };

	modem_fsm_event(ud, MODEM_EV_GONE, &a);
}

static int modem_register(struct modem *m, const char *prefix, bool pdu,
			  enum driver_urc_kind kind)
{
	struct modem_urc_reg *r = &m->port.urcs[m->port.nurcs];
	int id;

	if (m->port.nurcs == MODEM_URCS_MAX)
		return -ENOSPC;
	r->m = m;
	r->kind = kind;
	id = at_chat_register(m->port.chat, prefix, pdu, modem_urc_cb, r);
	if (id < 0)
		return id;
	r->id = id;
	m->port.nurcs++;
	return 0;
}

int modem_install_driver(struct modem *m)
{
	const struct driver *chain[8];
	size_t n = driver_chain(m->choice.table, chain, 8);
	int rc;

	/* Again after driver = auto chose: each URC is heard once. */
	modem_sms_announces(m, false);
	while (m->port.nurcs)
		at_chat_unregister(m->port.chat,
				   m->port.urcs[--m->port.nurcs].id);

	for (size_t i = 0; m->drv.not_finals && m->drv.not_finals[i]; i++)
		at_chat_remove_final(m->port.chat, m->drv.not_finals[i]);
	for (size_t i = 0; i < n; i++) {
		const struct driver_final *f = chain[i]->finals;
		const struct driver_urc *u = chain[i]->urcs;
		const struct driver_signal *sig = chain[i]->signals;

		for (; f && f->text; f++) {
			rc = at_chat_add_final(m->port.chat, f->text, f->prefix,
					       f->success);
			if (rc < 0)
				return rc;
		}
		for (; u && u->prefix; u++) {
			if (u->kind == DRIVER_URC_SMS_READY)
				modem_sms_announces(m, true);
			rc = modem_register(m, u->prefix, u->pdu, u->kind);
			if (rc < 0)
				return rc;
		}
		/* The family's signal reports, read by modem_health_urc(). */
		for (; sig && sig->prefix; sig++) {
			rc = modem_register(m, sig->prefix, false,
					    DRIVER_URC_SIGNAL);
			if (rc < 0)
				return rc;
		}
	}
	for (size_t i = 0; m->drv.not_finals && m->drv.not_finals[i]; i++) {
		rc = modem_register(m, m->drv.not_finals[i], false,
				    DRIVER_URC_IGNORE);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* ---- opening and closing ---- */

static void modem_usb_ids(struct modem *m)
{
	struct ports_list l;

	m->choice.usb_vid = m->choice.usb_pid = 0;
	if (!m->choice.automatic ||
	    serial_kind(m->port.serial) != SERIAL_KIND_LIBSERIALPORT
	    || ports_scan(&l) < 0)
		return;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].usb &&
		    strcmp(l.v[i].path, serial_device(m->port.serial)) == 0) {
			m->choice.usb_vid = l.v[i].vid;
			m->choice.usb_pid = l.v[i].pid;
		}
	ports_free(&l);
	if (m->choice.usb_vid) {
		m->choice.table = driver_match(m->choice.usb_vid,
					       m->choice.usb_pid, NULL, NULL);
		driver_resolve(m->choice.table, &m->drv);
	}
}

static int modem_open_chat(struct modem *m)
{
	int rc = at_chat_new(m->loop, serial_fd(m->port.serial), &m->port.chat);

	if (rc < 0)
		return rc;
	at_chat_set_gone(m->port.chat, modem_gone_cb, m);
	at_chat_set_noise(m->port.chat, modem_noise_cb, m);
	if (m->trace.f)
		at_chat_set_trace(m->port.chat, at_trace_chat_cb, &m->trace.at);
	m->port.nurcs = 0;
	return modem_install_driver(m);
}

int modem_port_open(struct modem *m)
{
	int rc;

	if (m->port.chat)
		return 0;
	rc = serial_open(m->mcfg->device, m->mcfg->baudrate, &m->port.serial);
	if (rc == 0) {
		modem_usb_ids(m);
		rc = modem_open_chat(m);
	}
	if (rc < 0) {
		modem_close(m);
		return rc;
	}
	m->port.session++;
	for (size_t i = 0; i < m->slot.n; i++)
		snprintf(m->slot.sims[i]->device,
			 sizeof(m->slot.sims[i]->device), "%s",
			 serial_device(m->port.serial));
	modem_event(m, MODEM_EVENT_INFO, "opened %s (%s, driver %s)",
		    m->mcfg->device, serial_device(m->port.serial),
		    m->choice.automatic ? "auto" : m->drv.name);
	return 0;
}

void modem_close(struct modem *m)
{
	struct at_chat *chat = m->port.chat;

	modem_health_stop(m);
	modem_recv_want_import(m, false);
	modem_switch_cancel(m);
	/* Callbacks of the commands still pending run inside at_chat_free
	 * and must find the port closed. */
	m->port.chat = NULL;
	m->port.session++;
	at_chat_free(chat);
	if (m->send.active)
		modem_send_fail(m, "the modem's port closed");
	modem_recv_drop_reads(m);
	serial_close(m->port.serial);
	m->port.serial = NULL;
	m->port.nurcs = 0;
}

void modem_kick(struct modem *m)
{
	int64_t now = loop_now(m->loop);

	if (m->fsm.state != MODEM_STATE_READY || !m->port.chat ||
	    modem_seq_running(m))
		return;
	modem_ussd_kick(m);
	if (m->send.active && m->send.switching) {
		modem_switch_start(m);
	} else if (modem_sms_probe_due(m)) {
		modem_seq_start(m, &modem_prog_sms_probe);
	} else if (modem_sms_cnmi_due(m)) {
		modem_seq_start(m, &modem_prog_cnmi);
	} else if (modem_recv_import_due(m)) {
		modem_seq_start(m, &modem_prog_import);
	} else if (modem_health_due(m, now)) {
		modem_seq_start(m, &modem_prog_health);
	}
}

void modem_ready_event(struct modem *m, bool recovered)
{
	struct sim *s = modem_active_sim(m);

	modem_event(m, MODEM_EVENT_INFO,
		    "%sready: %s %s %s, IMEI %s, SIM %s ICCID %s, %s%s, "
		    "signal %d dBm%s", recovered ? "recovered, " : "",
		    m->ident.manufacturer, m->ident.model, m->ident.revision,
		    m->ident.imei, s->name,
		    s->iccid[0] ? s->iccid : "?",
		    m->net.registered ? "registered on " : "not registered",
		    m->net.registered ? s->operator_name : "", s->signal_dbm,
		    m->sms.direct ? ", SMS delivered directly (+CMT)" : "");
}

/* ---- life cycle ---- */

/* Opens the trace again on every call: SIGHUP after logrotate moved it. */
static void modem_trace_open(struct modem *m)
{
	const char *path = m->cfg->at_trace;
	struct stat sb;
	int fd;

	if (m->port.chat)
		at_chat_set_trace(m->port.chat, NULL, NULL);
	if (m->trace.f)
		fclose(m->trace.f);
	m->trace.f = NULL;
	free(m->trace.path);
	m->trace.path = path ? strdup(path) : NULL;
	if (!path)
		return;
	/* 0640: even redacted, a trace is not for everyone. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		  0640);
	if (fd < 0 || fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    !(m->trace.f = fdopen(fd, "a"))) {
		log_error("%s: AT trace %s: %s", m->source, path,
			  fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return;
	}
	setvbuf(m->trace.f, NULL, _IOFBF, MODEM_TRACE_BUFFER);
	at_trace_init(&m->trace.at, m->trace.f, m->mcfg->name);
	m->trace.at.full = m->cfg->trace_full;
	if (m->port.chat)
		at_chat_set_trace(m->port.chat, at_trace_chat_cb, &m->trace.at);
}

static int modem_choose_driver(struct modem *m)
{
	m->choice.automatic = strcmp(m->mcfg->driver, "auto") == 0;
	m->choice.table = m->choice.automatic ? &driver_generic
				: driver_find(m->mcfg->driver);
	if (!m->choice.table) {
		log_error("%s: unknown driver %s", m->source, m->mcfg->driver);
		return -EINVAL;
	}
	return driver_resolve(m->choice.table, &m->drv);
}

int modem_new(struct loop *loop, struct sim_registry *reg,
	      const struct config *cfg,
	      const struct config_modem *mcfg,
	      const struct modem_listener *listener, struct modem **out)
{
	struct modem *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return -ENOMEM;
	m->loop = loop;
	m->cfg = cfg;
	m->mcfg = mcfg;
	m->listener = *listener;
	modem_sms_set_receive(m, mcfg->receive);
	modem_watch_init(m);
	snprintf(m->source, sizeof(m->source), "modem %s", mcfg->name);
	rc = modem_slots_find(m, reg);
	if (rc == 0)
		rc = modem_choose_driver(m);
	if (rc < 0) {
		free(m);
		return rc;
	}
	modem_slots_bind(m, m);
	modem_seq_init(m);
	modem_health_init(m);
	modem_recv_init(m);
	modem_sms_init(m);
	modem_ussd_init(m);
	modem_trace_open(m);
	if (modem_watch_start(m) < 0)
		log_warn("%s: cannot watch %s for its device; a replugged "
			 "modem is found at the next retry", m->source,
			 mcfg->device);
	modem_fsm_init(m);
	*out = m;
	return 0;
}

void modem_free(struct modem *m)
{
	if (!m)
		return;
	modem_slots_bind(m, NULL);
	modem_seq_cancel(m);
	modem_fsm_stop(m);
	modem_recv_stop(m);
	modem_sms_stop(m);
	modem_ussd_stop(m);
	modem_link_stop(m);
	modem_hub_stop(m);
	modem_watch_stop(m);
	modem_close(m);
	modem_recv_free_acks(m);
	if (m->trace.f)
		fclose(m->trace.f);
	free(m->trace.path);
	free(m);
}

void modem_reopen_trace(struct modem *m)
{
	modem_trace_open(m);
}

void modem_set_config(struct modem *m, const struct config *cfg,
		      const struct config_modem *mcfg)
{
	bool new_pin = (mcfg->pin || m->mcfg->pin) &&
		       (!mcfg->pin || !m->mcfg->pin ||
			strcmp(mcfg->pin, m->mcfg->pin) != 0);
	bool new_delivery = mcfg->delivery != m->mcfg->delivery;

	m->cfg = cfg;
	m->mcfg = mcfg;
	modem_trace_open(m);
	if (m->fsm.state == MODEM_STATE_READY)
		modem_health_arm(m);
	if (mcfg->receive != m->sms.receive) {
		modem_sms_set_receive(m, mcfg->receive);
		modem_fsm_event(m, MODEM_EV_RECONFIG, NULL);
	} else if (new_delivery) {
		/* Only +CNMI changes: set it again, no whole init. */
		modem_sms_delivery_changed(m);
	}
	/* A new PIN may be tried once, like the first. */
	if (new_pin)
		modem_fsm_event(m, MODEM_EV_NEW_PIN, NULL);
}
