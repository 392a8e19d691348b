/*
 * modem_init — the init program: wake, setup, the modem's identity, the
 * PIN, the driver's vendor and SMS setup, +CNMI and +CPMS candidates, the
 * SMSC, the configuration's init commands, the SIM slot and identity,
 * URC reporting and a first health check (driver.h lists the order and
 * why). The import of stored SMS follows once the modem is ready.
 */
#include "modem_priv.h"
#include "modem_recv.h"
#include "modem_health.h"
#include "modem_init.h"
#include "modem_setup.h"
#include "modem_smsready.h"
#include "at_parse_sms.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * Gives up on this device until a person acts (retry false: a PIN we
 * must not try again) or for a while (no SIM, another modem's IMEI): an
 * event row, then MODEM_EV_BLOCKED.
 */
static enum modem_step_rc modem_init_block(struct modem *m,
					   enum sim_state link, bool retry,
					   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static enum modem_step_rc modem_init_block(struct modem *m,
					   enum sim_state link, bool retry,
					   const char *fmt, ...)
{
	struct modem_fsm_arg a = { .link = link, .retry = retry };
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	modem_event(m, MODEM_EVENT_ERROR, "%s%s", why,
		    retry ? "; trying again in 5 minutes" : "");
	modem_fsm_event(m, MODEM_EV_BLOCKED, &a);
	return MODEM_STEP_WAIT;
}

/* The first line that is not empty, without a prefix some modems put
 * before identity answers ("+CGMI: ", "Manufacturer: "). */
static void modem_init_text(const struct at_response *r, char *out,
			    size_t size)
{
	static const char *const strip[] = {
		"+CGMI:", "+GMI:", "+CGMM:", "+GMM:", "+CGMR:", "+GMR:",
		"Manufacturer:", "Model:", "Revision:", NULL,
	};

	for (size_t i = 0; i < r->nlines; i++) {
		const char *s = r->lines[i];

		for (size_t k = 0; strip[k]; k++)
			if (!strncasecmp(s, strip[k], strlen(strip[k]))) {
				s += strlen(strip[k]);
				break;
			}
		s += strspn(s, " \"");
		if (!*s)
			continue;
		snprintf(out, size, "%s", s);
		out[strcspn(out, "\"")] = 0;
		return;
	}
}

static enum modem_step_rc modem_init_raw(struct modem *m, const char *cmd)
{
	struct at_request req = { .command = cmd, .raw_lines = true };

	return modem_seq_cmd(m, &req);
}

/* ESC leaves a prompt the modem may still sit at; AT proves it answers
 * (doc/reliability.md, "Recovery ladder and device disappearance"). A
 * modem that is booting drops what we write, hence the tries. */
static enum modem_step_rc modem_init_wake(struct modem *m,
					  const struct at_response *r)
{
	struct at_request req = { .command = "AT", .escape_first = true,
				  .timeout_ms = MODEM_WAKE_TIMEOUT_MS };

	if (r && r->status == AT_CHAT_STATUS_OK)
		return MODEM_STEP_NEXT;
	if (r && ++m->seq.tries >= MODEM_WAKE_TRIES)
		return r->status == AT_CHAT_STATUS_TIMEOUT ? MODEM_STEP_TIMEOUT
							   : MODEM_STEP_FAIL;
	m->seq.own_timeout = true;
	return modem_seq_cmd(m, &req);
}

static enum modem_step_rc modem_init_setup(struct modem *m,
					   const struct at_response *r)
{
	return modem_seq_steps(m, m->drv.setup, r);
}

static void modem_init_choose_driver(struct modem *m)
{
	const struct driver *d;

	if (!m->choice.automatic)
		return;
	d = driver_match(m->choice.usb_vid, m->choice.usb_pid,
			 m->ident.manufacturer, m->ident.model);
	if (d == m->choice.table)
		return;
	m->choice.table = d;
	driver_resolve(d, &m->drv);
	modem_install_driver(m);
	modem_event(m, MODEM_EVENT_INFO, "driver %s chosen for %s %s", d->name,
		    m->ident.manufacturer, m->ident.model);
}

static enum modem_step_rc modem_init_product(struct modem *m,
					     const struct at_response *r)
{
	static const char *const cmds[] = { "AT+CGMI", "AT+CGMM", "AT+CGMR" };
	char *const out[] = { m->ident.manufacturer, m->ident.model,
			      m->ident.revision };

	if (r && r->status == AT_CHAT_STATUS_OK)
		modem_init_text(r, out[m->seq.sub],
				sizeof(m->ident.manufacturer));
	if (r)
		m->seq.sub++;
	if (m->seq.sub < 3)
		return modem_init_raw(m, cmds[m->seq.sub]);
	modem_init_choose_driver(m);
	return MODEM_STEP_NEXT;
}

static bool modem_init_imei_found(struct modem *m)
{
	const char *want = m->mcfg->imei;

	if (want && strcmp(want, m->ident.imei) != 0) {
		modem_init_block(m, SIM_STATE_ERROR, true,
				 "%s is the modem with IMEI %s, not %s as "
				 "configured: refused", m->mcfg->device,
				 m->ident.imei, want);
		return false;
	}
	if (m->ident.known_imei[0] &&
	    strcmp(m->ident.known_imei, m->ident.imei) != 0)
		modem_event(m, MODEM_EVENT_WARNING,
			    "another modem at %s: IMEI %s, was %s",
			    m->mcfg->device, m->ident.imei,
			    m->ident.known_imei);
	snprintf(m->ident.known_imei, sizeof(m->ident.known_imei), "%s",
		 m->ident.imei);
	for (size_t i = 0; i < m->slot.n; i++) {
		struct sim *s = m->slot.sims[i];

		snprintf(s->imei, sizeof(s->imei), "%s", m->ident.imei);
		/* Both are at most 63 bytes; the row shows what fits. */
		snprintf(s->model, sizeof(s->model), "%.31s %.31s",
			 m->ident.manufacturer, m->ident.model);
	}
	return true;
}

/* An identity answer without the prefix its driver names (driver.h
 * ident_prefixes, along the parent chain): the at layer's parsers read
 * the rest. */
static const char *modem_init_unprefix(const struct modem *m,
				       const char *line)
{
	return driver_ident_value(&m->drv, line);
}

/* Candidates of a list (driver.h identity fields) with raw lines; the
 * answer goes to parse. */
enum modem_step_rc modem_init_ident(struct modem *m,
				    const struct at_response *r,
				    const char *const *cands,
				    bool (*parse)(const char *, char *, size_t),
				    char *out, size_t size)
{
	for (size_t i = 0; r && i < r->nlines; i++)
		if (r->status == AT_CHAT_STATUS_OK &&
		    parse(modem_init_unprefix(m, r->lines[i]), out, size))
			return MODEM_STEP_NEXT;
	if (r && !modem_seq_advance(m, r))
		return MODEM_STEP_LATER;
	if (!cands || !cands[m->seq.cand]) {
		log_warn("%s: %s not readable", m->source,
			 cands && cands[0] ? cands[0] : "identity");
		return MODEM_STEP_NEXT;
	}
	return modem_init_raw(m, cands[m->seq.cand]);
}

static enum modem_step_rc modem_init_imei(struct modem *m,
					  const struct at_response *r)
{
	enum modem_step_rc rc = modem_init_ident(m, r, m->drv.imei,
						 at_parse_imei, m->ident.imei,
						 sizeof(m->ident.imei));

	if (rc == MODEM_STEP_NEXT && m->ident.imei[0] &&
	    !modem_init_imei_found(m))
		return MODEM_STEP_WAIT;
	return rc;
}

/* +CPIN? answered: what now (TS 27.007 §8.3). sub 0: asked, 1: our PIN
 * went in, 2: asked again after it. */
static enum modem_step_rc modem_init_pin_state(struct modem *m,
					       enum at_cpin code,
					       const char *line)
{
	char cmd[64];
	struct at_request req = { .command = cmd };

	switch (modem_logic_pin_action(code, m->mcfg->pin != NULL,
				       m->ident.pin_refused || m->seq.sub > 0)) {
	case MODEM_PIN_READY:
		return MODEM_STEP_NEXT;
	case MODEM_PIN_ENTER:
		m->seq.sub = 1;
		snprintf(cmd, sizeof(cmd), "AT+CPIN=\"%s\"", m->mcfg->pin);
		return modem_seq_cmd(m, &req);
	case MODEM_PIN_NO_PIN:
		return modem_init_block(m, SIM_STATE_BLOCKED, false,
					"the SIM asks for a PIN and none is "
					"configured (pin = in the modem "
					"section)");
	case MODEM_PIN_REFUSED:
		return modem_init_block(m, SIM_STATE_BLOCKED, false,
					"the SIM still asks for its PIN: not "
					"trying again (the third wrong PIN "
					"locks it)");
	case MODEM_PIN_PUK:
		return modem_init_block(m, SIM_STATE_BLOCKED, false,
					"the SIM is locked: it asks for its "
					"PUK");
	case MODEM_PIN_OTHER:
		break;
	}
	return modem_init_block(m, SIM_STATE_BLOCKED, false,
				"the modem is locked (%s)", line);
}

static enum modem_step_rc modem_init_pin(struct modem *m,
					 const struct at_response *r)
{
	enum at_cpin code;
	int cme = -1;

	if (r && r->status != AT_CHAT_STATUS_OK) {
		if (modem_seq_busy(m, r, MODEM_STEP_FAIL) == MODEM_STEP_LATER)
			return MODEM_STEP_LATER;
		at_parse_cme_error(r->final ? r->final : "", &cme);
		if (m->seq.sub == 1) {
			m->ident.pin_refused = true;
			return modem_init_block(m, SIM_STATE_BLOCKED, false,
						"the SIM refused the "
						"configured PIN (%s): not "
						"trying again",
						r->final ? r->final : "?");
		}
		if (cme == 10 || cme == 13)
			return modem_init_block(m, SIM_STATE_ABSENT, true,
						"no SIM card (%s)", r->final);
		return modem_init_block(m, SIM_STATE_ERROR, true,
					"+CPIN? failed: %s",
					r->final ? r->final : "?");
	}
	if (r && m->seq.sub == 1) {
		/* Accepted: ask until the SIM says READY. */
		m->seq.sub = 2;
		return modem_seq_send(m, "AT+CPIN?", "+CPIN:");
	}
	if (!r)
		return modem_seq_send(m, "AT+CPIN?", "+CPIN:");
	for (size_t i = 0; i < r->nlines; i++)
		if (at_parse_cpin(r->lines[i], &code))
			return modem_init_pin_state(m, code, r->lines[i]);
	/* OK without +CPIN: (the SIM still starting): ask again. */
	return m->seq.tries < MODEM_BUSY_TRIES ? MODEM_STEP_LATER
					       : MODEM_STEP_FAIL;
}

static enum modem_step_rc modem_init_vendor(struct modem *m,
					    const struct at_response *r)
{
	return modem_seq_steps(m, m->drv.vendor, r);
}

enum modem_step_rc modem_init_sms(struct modem *m,
				  const struct at_response *r)
{
	int code;

	if (!r)
		m->sms.deferred = false;
	if (r && strncmp(r->command, "AT+CSMS=1", 9) == 0)
		m->sms.csms1 = r->status == AT_CHAT_STATUS_OK;
	/* +CMS ERROR to AT+CMGF: the SIM is up, its SMS side is not
	 * (Quectel before +QIND: SMS DONE): the SMS setup waits for it
	 * (modem_smsready.c). */
	if (r && r->status == AT_CHAT_STATUS_ERROR && r->final &&
	    strncmp(r->command, "AT+CMGF", 7) == 0 &&
	    !modem_logic_busy_error(r->final) &&
	    at_parse_sms_cms_error(r->final, &code)) {
		log_warn("%s: %s: %s: SMS not ready yet", m->source,
			 r->command, r->final);
		m->sms.deferred = true;
		modem_sms_set_ready(m, false);
		return MODEM_STEP_NEXT;
	}
	return modem_seq_steps(m, m->drv.sms, r);
}

static void modem_init_done(struct modem *m, int err)
{
	struct modem_fsm_arg a = { .err = err };

	if (err == 0)
		modem_fsm_event(m, MODEM_EV_INIT_DONE, NULL);
	else if (err != -ENODEV && err != -ECANCELED)
		modem_fsm_event(m, MODEM_EV_FAILED, &a);
}

static const modem_step_fn modem_init_steps[] = {
	modem_init_wake,
	modem_init_setup,
	modem_init_product,
	modem_init_imei,
	modem_setup_slot,
	modem_init_pin,
	modem_init_vendor,
	modem_init_sms,
	modem_setup_cnmi,
	modem_setup_cpms,
	modem_recv_mem_count,
	modem_setup_csca,
	modem_setup_user,
	modem_setup_imsi,
	modem_setup_iccid,
	modem_setup_cnum,
	modem_setup_reporting,
	modem_health_signal,
	modem_health_registration,
	modem_health_operator,
	NULL,
};

const struct modem_prog modem_prog_init = {
	.name = "init",
	.steps = modem_init_steps,
	.done = modem_init_done,
};

void modem_init_reset(struct modem *m)
{
	m->ident.imei[0] = 0;
	m->sms.csms1 = false;
	m->sms.direct = false;
	m->sms.want_cnmi = false;
	m->sms.ready = false;
	m->sms.want_probe = false;
	m->sms.deferred = false;
	m->sms.refusals = 0;
	m->sms.noticed = false;
	modem_health_reset(m);
}

void modem_init_new_pin(struct modem *m)
{
	m->ident.pin_refused = false;
}
