/*
 * Replays a capture through a chat with a driver's tables installed as
 * the lifecycle installs them (finals, URCs, call results taken out of
 * the finals): the URCs must reach the kinds the driver says and every
 * command end with the final response the device gave. Shared by
 * tests/unit/test_driver_replay.c (the generic driver) and each vendor's
 * drivers/<vendor>/tests/test_<vendor>_replay.c: a vendor's folder holds
 * its own replay tests (doc/adding-a-vendor.md).
 */
#ifndef SMSGW_TEST_DRIVER_REPLAY_H
#define SMSGW_TEST_DRIVER_REPLAY_H

#include "chat_fixture.h"
#include "at_capture.h"
#include "at_parse.h"
#include "driver.h"
#include "at_parse_sms.h"

#include <strings.h>

#define DR_MAX 32
#define DR_KINDS (DRIVER_URC_USSD + 1)

struct dr_urc {
	struct dr_replay *r;
	enum driver_urc_kind kind;
};

struct dr_replay {
	struct fx fx;
	const struct driver *driver;
	/* Signal URCs the driver read (driver_signal_read()), the last
	 * one's rssi; a heard one it cannot read is a test failure. */
	int signals_read;
	int last_rssi;
	struct rec recs[DR_MAX];
	int nsent;
	int kinds[DR_KINDS];
	int pdus;
	struct dr_urc urcs[64];
	size_t nurcs;
};

static FX_UNUSED void dr_urc_cb(const char *line, const char *pdu, void *ud)
{
	struct dr_urc *u = ud;
	struct at_csq q;

	u->r->kinds[u->kind]++;
	if (u->kind == DRIVER_URC_SIGNAL) {
		if (CHECK(driver_signal_read(u->r->driver, line, &q))) {
			u->r->signals_read++;
			u->r->last_rssi = q.rssi;
		} else {
			printf("# not read: %s\n", line);
		}
	}
	if (pdu)
		u->r->pdus++;
}

static FX_UNUSED void dr_register(struct dr_replay *r, const char *prefix,
			enum driver_urc_kind kind, bool pdu)
{
	struct dr_urc *u = &r->urcs[r->nurcs++];

	u->r = r;
	u->kind = kind;
	CHECK(at_chat_register(r->fx.chat, prefix, pdu, dr_urc_cb, u) > 0);
}

/* What modem_install_driver() does, on a bare chat. */
static FX_UNUSED void dr_install(struct dr_replay *r, const struct driver *d)
{
	const struct driver *chain[8];
	size_t n = driver_chain(d, chain, 8);
	struct driver res;

	CHECK_INT(driver_resolve(d, &res), 0);
	for (size_t i = 0; res.not_finals[i]; i++) {
		at_chat_remove_final(r->fx.chat, res.not_finals[i]);
		dr_register(r, res.not_finals[i], DRIVER_URC_IGNORE, false);
	}
	for (size_t i = 0; i < n; i++) {
		for (const struct driver_final *f = chain[i]->finals;
		     f && f->text; f++)
			CHECK_INT(at_chat_add_final(r->fx.chat, f->text,
						    f->prefix, f->success), 0);
		for (const struct driver_urc *u = chain[i]->urcs;
		     u && u->prefix; u++)
			dr_register(r, u->prefix, u->kind, u->pdu);
		for (const struct driver_signal *s = chain[i]->signals;
		     s && s->prefix; s++)
			dr_register(r, s->prefix, DRIVER_URC_SIGNAL, false);
	}
}

/* The lifecycle asks AT+NAME with the prefix "+NAME:" (^NAME too). */
static FX_UNUSED void dr_submit(struct dr_replay *r, const struct at_capture_chunk *c)
{
	char cmd[256], prefix[32] = "";
	const char *prefixes[] = { prefix, NULL };
	struct at_request req = { .command = cmd, .raw_lines = true,
				  .timeout_ms = 2000 };

	snprintf(cmd, sizeof(cmd), "%.*s", (int)c->len - 1,
		 (const char *)c->data);
	if (cmd[2] == '+' || cmd[2] == '^') {
		snprintf(prefix, sizeof(prefix), "%.*s:",
			 (int)strcspn(cmd + 2, "=?"), cmd + 2);
		req.prefixes = prefixes;
	}
	req.pdu_lines = !strncasecmp(cmd, "AT+CMGL", 7) ||
			!strncasecmp(cmd, "AT+CMGR", 7);
	req.cb = rec_cb;
	req.ud = &r->recs[r->nsent];
	CHECK(at_chat_submit(r->fx.chat, &req) > 0);
	r->nsent++;
	fx_expect(&r->fx, c->data, c->len);
}

static FX_UNUSED struct dr_replay *dr_replay(const struct driver *d, const char *name)
{
	static struct dr_replay r;
	struct at_capture cap;
	char path[1024];

	memset(&r, 0, sizeof(r));
	r.driver = d;
	CHECK(harness_capture(name, path, sizeof(path)));
	CHECK_INT(at_capture_load(path, &cap, NULL, 0), 0);
	fx_init(&r.fx);
	dr_install(&r, d);
	for (size_t i = 0; i < cap.nchunks && r.nsent < DR_MAX; i++) {
		const struct at_capture_chunk *c = &cap.chunks[i];

		if (c->dir == AT_CAPTURE_DIR_MODEM) {
			fx_modem(&r.fx, c->data, c->len);
			continue;
		}
		if (c->len < 3 || strncasecmp((const char *)c->data, "AT", 2))
			continue;
		if (r.nsent)
			fx_until(&r.fx, &r.recs[r.nsent - 1].calls, 1);
		dr_submit(&r, c);
	}
	if (r.nsent)
		fx_until(&r.fx, &r.recs[r.nsent - 1].calls, 1);
	for (int k = 0; k < 10; k++)
		fx_step(&r.fx);
	for (int k = 0; k < r.nsent; k++)
		if (!CHECK_INT(r.recs[k].calls, 1))
			printf("# %s: command %d\n", name, k);
	fx_done(&r.fx);
	at_capture_free(&cap);
	return &r;
}

/* One session capture per family (drivers/<vendor>/captures/<device>/
 * session.at): the PDU every family's +CMGR answer carries. */

/* The +CMGR answer of the replay read back as its PDU. */
static FX_UNUSED bool dr_cmgr_pdu(struct dr_replay *r, struct at_sms_pdu *p)
{
	for (int k = 0; k < r->nsent; k++) {
		const char *v[FX_MAX_LINES];

		for (size_t i = 0; i < r->recs[k].nlines; i++)
			v[i] = r->recs[k].lines[i];
		if (r->recs[k].status == AT_CHAT_STATUS_OK &&
		    at_parse_sms_cmgr(v, r->recs[k].nlines, p))
			return true;
	}
	return false;
}

#define DR_PDU "07913366003051F5040B913306000000F100005180719120348004D4F29C0E"

static FX_UNUSED struct dr_replay *dr_family(const char *driver, const char *capture)
{
	const struct driver *d = driver_find(driver);
	struct dr_replay *r;
	struct at_sms_pdu p;

	if (!CHECK(d != NULL))
		return NULL;
	r = dr_replay(d, capture);
	/* The vendor line between header and PDU did not cost the PDU. */
	CHECK(dr_cmgr_pdu(r, &p));
	CHECK_STR(p.pdu, DR_PDU);
	return r;
}

#endif
