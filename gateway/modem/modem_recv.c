/*
 * modem_recv — SMS and status reports coming in (TS 27.005 §3.4): +CMTI
 * and +CDSI read with AT+CMGR, +CMT and +CDS with their PDU line, and
 * what is already stored listed with AT+CMGL=4. Each goes to the listener
 * with a token; only when the receiver has committed it does modem_ack()
 * delete it (AT+CMGD) or acknowledge it (AT+CNMA) (doc/style.md, "Durable, then acknowledge").
 *
 * Duplicates: an index whose delete is pending still holds the message
 * we read, so a second read of it (a +CMTI that raced the listing) is
 * dropped; a token from an earlier port session is never acted on, as its
 * index may hold another message by now.
 */
#include "modem_priv.h"
#include "modem_recv.h"
#include "modem_smsready.h"
#include "at_parse_sms.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- tokens ---- */

static void modem_recv_unlink(struct modem_ack *ack)
{
	struct modem_ack **pp = &ack->m->recv.acks;

	for (; *pp; pp = &(*pp)->next)
		if (*pp == ack) {
			*pp = ack->next;
			break;
		}
	free(ack);
}

static bool modem_recv_delete_pending(const struct modem *m, int index,
				      const char *mem)
{
	for (const struct modem_ack *a = m->recv.acks; a; a = a->next)
		if (a->kind == MODEM_ACK_DELETE && a->acked &&
		    a->session == m->port.session && a->index == index &&
		    modem_recv_mem_same(a->mem, mem))
			return true;
	return false;
}

/* mem: the memory the index is in, NULL or "" for <mem1>. */
static struct modem_ack *modem_recv_token_in(struct modem *m,
					     enum modem_ack_kind kind,
					     int index, const char *mem)
{
	struct modem_ack *ack = calloc(1, sizeof(*ack));

	if (!ack)
		return NULL;
	/* An older token for the same index must not delete what a later
	 * read handed out again. */
	for (struct modem_ack *a = m->recv.acks; a; a = a->next)
		if (kind == MODEM_ACK_DELETE && a->kind == MODEM_ACK_DELETE &&
		    !a->acked && a->index == index &&
		    modem_recv_mem_same(a->mem, mem))
			a->kind = MODEM_ACK_NONE;
	ack->m = m;
	ack->kind = kind;
	ack->index = index;
	snprintf(ack->mem, sizeof(ack->mem), "%s", mem ? mem : "");
	ack->session = m->port.session;
	ack->born = loop_now(m->loop);
	ack->next = m->recv.acks;
	m->recv.acks = ack;
	return ack;
}

/* A token for <mem1> or for no index at all (+CMT, +CDS). */
static inline struct modem_ack *modem_recv_token(struct modem *m,
						 enum modem_ack_kind kind,
						 int index)
{
	return modem_recv_token_in(m, kind, index, NULL);
}

static void modem_recv_ack_cb(const struct at_response *r, void *ud)
{
	struct modem_ack *ack = ud;
	struct modem *m = ack->m;

	if (r->status == AT_CHAT_STATUS_ERROR &&
	    ack->kind != MODEM_ACK_DELETE && !ack->report) {
		/* TS 27.005 §3.4.4: the modem stopped waiting (+CMS ERROR:
		 * 340): it told the network, which delivers the SMS again
		 * (the raw row keeps it single), and it may have set <mt>
		 * and <ds> to 0: +CNMI is set again. (Not for a +CDS: some
		 * firmware wants no +CNMA for those and says 340 every
		 * time.) */
		modem_event(m, MODEM_EVENT_WARNING,
			    "%s: %s: the modem gave up waiting for it; the "
			    "network delivers that SMS again; +CNMI set "
			    "again", r->command, r->final ? r->final : "?");
		modem_sms_want_cnmi(m);
	} else if (r->status == AT_CHAT_STATUS_ERROR) {
		log_warn("%s: %s: %s", m->source, r->command,
			 r->final ? r->final : "?");
	}
	modem_recv_unlink(ack);
	if (r->status == AT_CHAT_STATUS_TIMEOUT)
		modem_fsm_report(m, MODEM_EV_TIMEOUT, r->command);
}

void modem_ack(struct modem_ack *ack)
{
	struct modem *m;
	char cmd[64];
	int id = -ENODEV;

	if (!ack || ack->acked)
		return;
	m = ack->m;
	ack->acked = true;
	if (ack->kind != MODEM_ACK_NONE && m->port.chat &&
	    ack->session == m->port.session) {
		/* A +CNMA goes ahead of queued sends, as a read does: the
		 * modem holds the next +CMT until it comes, and the network
		 * waits only so long (TS 24.011 TR2M, 12-20 s). */
		struct at_request req = {
			.command = cmd,
			.before_sends = ack->kind != MODEM_ACK_DELETE,
			.cb = modem_recv_ack_cb, .ud = ack,
		};

		driver_command(cmd, sizeof(cmd),
			       ack->kind == MODEM_ACK_DELETE
				       ? m->drv.delete_stored
				       : m->drv.ack_direct,
			       ack->index);
		/* TS 27.005 §3.4.4 <n> 2 in PDU mode, without a PDU: an
		 * SMS-DELIVER-REPORT with TP-FCS 'FF' (unspecified). */
		if (ack->kind == MODEM_ACK_NACK)
			snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd),
				 "=2");
		if (ack->mem[0]) {
			/* Deleted in the memory it was read from. */
			id = modem_recv_mem_submit(m, ack->mem, &req);
			if (id == 0)
				return;	/* cancelled: ack is gone */
		} else {
			id = at_chat_submit(m->port.chat, &req);
		}
	}
	if (id < 0)
		modem_recv_unlink(ack);
}

void modem_recv_free_acks(struct modem *m)
{
	while (m->recv.acks)
		modem_recv_unlink(m->recv.acks);
}

/* ---- handing messages over ---- */

/* pdu: hex with the SMSC first; kind of token; index for a stored one. */
static void modem_recv_deliver_in(struct modem *m, const char *pdu,
				  enum modem_ack_kind kind, int index,
				  const char *mem)
{
	struct sim *s = modem_active_sim(m);
	enum modem_pdu_kind what = modem_logic_pdu_kind(pdu);
	struct modem_ack *ack;

	if (what == MODEM_PDU_DELIVER && !m->sms.receive)
		return;
	if (what != MODEM_PDU_DELIVER && what != MODEM_PDU_STATUS_REPORT) {
		/* A stored SMS-SUBMIT is someone's draft: not ours. */
		log_info("%s: stored entry %d is not an incoming message",
			 m->source, index);
		return;
	}
	ack = modem_recv_token_in(m, kind, index, mem);
	if (!ack) {
		log_error("%s: out of memory; the message stays in the modem",
			  m->source);
		return;
	}
	ack->report = what == MODEM_PDU_STATUS_REPORT;
	if (what == MODEM_PDU_DELIVER)
		m->listener.sms(s, pdu, ack, m->listener.ud);
	else
		m->listener.status_report(s, pdu, ack, m->listener.ud);
}

static void modem_recv_deliver(struct modem *m, const char *pdu,
			       enum modem_ack_kind kind, int index)
{
	modem_recv_deliver_in(m, pdu, kind, index, NULL);
}

/* ---- +CMTI, +CDSI: read the stored message ---- */

static bool modem_recv_reading(const struct modem *m, int index,
			       const char *mem)
{
	for (size_t i = 0; i < m->recv.nreads; i++)
		if (m->recv.reads[i].index == index &&
		    modem_recv_mem_same(m->recv.reads[i].mem, mem))
			return true;
	return false;
}

/* The index the read with command id was for (and its memory into mem),
 * forgotten; -1 if none. */
static int modem_recv_read_done(struct modem *m, int id, char mem[8])
{
	for (size_t i = 0; i < m->recv.nreads; i++)
		if (m->recv.reads[i].id == id) {
			int index = m->recv.reads[i].index;

			memcpy(mem, m->recv.reads[i].mem, 8);
			m->recv.reads[i] = m->recv.reads[--m->recv.nreads];
			return index;
		}
	return -1;
}

void modem_recv_drop_reads(struct modem *m)
{
	m->recv.nreads = 0;
	modem_recv_mem_drop(m);
}

/* A read that did not give a message: an event with what the modem said,
 * and a listing of storage reads it again (nothing is left behind). */
static void modem_recv_read_failed(struct modem *m, int index,
				   const char *mem,
				   const struct at_response *r)
{
	char raw[400];
	size_t n = 0;

	raw[0] = 0;
	for (size_t i = 0; i < r->nlines && n < sizeof(raw); i++)
		n += (size_t)snprintf(raw + n, sizeof(raw) - n, "%s%s",
				      i ? " | " : "", r->lines[i]);
	if (r->final && n < sizeof(raw))
		snprintf(raw + n, sizeof(raw) - n, "%s%s", n ? " | " : "",
			 r->final);
	if (mem[0]) {
		/* Read again by a listing of that memory. */
		int k = modem_recv_mem_other(m, mem, true);

		if (k >= 0)
			m->recv.others[k].pending = true;
		modem_event(m, MODEM_EVENT_WARNING,
			    "%s: unreadable answer, index %d left in \"%s\"%s: "
			    "%s", r->command, index, mem,
			    k >= 0 ? " and listed there again" : "",
			    raw[0] ? raw : "(nothing)");
	} else
		modem_event(m, MODEM_EVENT_WARNING,
			    "%s: unreadable answer, index %d left in storage "
			    "and listed again: %s", r->command, index,
			    raw[0] ? raw : "(nothing)");
	m->recv.want_import = true;
	modem_kick(m);
}

static void modem_recv_cmgr_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;
	struct at_sms_pdu p;
	char mem[8];
	int index = modem_recv_read_done(m, r->id, mem), code;

	if (index < 0)
		return;
	if (r->status == AT_CHAT_STATUS_TIMEOUT) {
		modem_fsm_report(m, MODEM_EV_TIMEOUT, r->command);
		return;
	}
	if (r->status != AT_CHAT_STATUS_OK) {
		/* +CMS ERROR: 321, invalid index: read and deleted already
		 * (or an empty index on Huawei). */
		if (r->status == AT_CHAT_STATUS_ERROR &&
		    !(r->final && at_parse_sms_cms_error(r->final, &code) &&
		      code == 321))
			modem_recv_read_failed(m, index, mem, r);
		return;
	}
	/* An empty index answers a bare OK (captures/quectel-ec25/
	 * cdsi-sr.at). */
	if (modem_recv_delete_pending(m, index, mem) || r->nlines == 0)
		return;
	if (!at_parse_sms_cmgr(r->lines, r->nlines, &p)) {
		modem_recv_read_failed(m, index, mem, r);
		return;
	}
	modem_recv_deliver_in(m, p.pdu, MODEM_ACK_DELETE, index, mem);
}

static void modem_recv_read(struct modem *m, const char *line, bool report)
{
	struct at_sms_index idx;
	char cmd[64];
	int id;

	if (!(report ? at_parse_sms_cdsi(line, &idx)
		     : at_parse_sms_cmti(line, &idx))) {
		log_warn("%s: unreadable %s", m->source, line);
		return;
	}
	/* The notice's memory when it is not <mem1> (modem_recv_mem.c). */
	if (!modem_recv_mem_foreign(m, idx.mem))
		idx.mem[0] = 0;
	if (modem_recv_reading(m, idx.index, idx.mem))
		return;
	driver_command(cmd, sizeof(cmd), m->drv.read_stored, idx.index);
	{
		static const char *const prefixes[] = { "+CMGR:", NULL };
		/* Ahead of a queued AT+CMGS: in a burst the next send is
		 * queued when its claim commits, and the +CMTI that came
		 * with the last answer would wait out one more send. */
		struct at_request req = { .command = cmd,
					  .prefixes = prefixes,
					  .pdu_lines = true,
					  .before_sends = true,
					  .cb = modem_recv_cmgr_cb, .ud = m };

		if (!m->port.chat)
			id = -ENODEV;
		else if (idx.mem[0])
			id = modem_recv_mem_submit(m, idx.mem, &req);
		else
			id = at_chat_submit(m->port.chat, &req);
	}
	if (id > 0 && m->recv.nreads < MODEM_READS_MAX) {
		memcpy(m->recv.reads[m->recv.nreads].mem, idx.mem, 8);
		m->recv.reads[m->recv.nreads].index = idx.index;
		m->recv.reads[m->recv.nreads++].id = id;
	}
}

/* ---- URCs ---- */

void modem_recv_urc(struct modem *m, enum driver_urc_kind kind,
		    const char *line, const char *pdu)
{
	struct at_sms_pdu p;
	bool ok;

	switch (kind) {
	case DRIVER_URC_SMS_STORED:
		if (m->sms.receive)
			modem_recv_read(m, line, false);
		break;
	case DRIVER_URC_REPORT_STORED:
		modem_recv_read(m, line, true);
		break;
	case DRIVER_URC_SMS_DIRECT:
	case DRIVER_URC_REPORT_DIRECT:
		ok = kind == DRIVER_URC_SMS_DIRECT
			     ? at_parse_sms_cmt(line, pdu, &p)
			     : at_parse_sms_cds(line, pdu, &p);
		if (!ok) {
			/* Refused (RP-ERROR): the network hands it again.
			 * Left unanswered, the modem would wait out its
			 * timeout and may turn routing off (§3.4.4). */
			modem_event(m, MODEM_EVENT_WARNING,
				    "%s without a readable PDU%s", line,
				    m->sms.csms1 ? ": refused with AT+CNMA=2, "
						   "the network sends it again"
						 : "");
			if (m->sms.csms1)
				modem_ack(modem_recv_token(m, MODEM_ACK_NACK,
							   -1));
			break;
		}
		modem_recv_deliver(m, p.pdu,
				   m->sms.csms1 ? MODEM_ACK_CNMA : MODEM_ACK_NONE,
				   -1);
		break;
	case DRIVER_URC_STORAGE_FULL:
		modem_recv_storage_full(m, line);
		break;
	default:
		break;
	}
}

void modem_recv_storage_full(struct modem *m, const char *why)
{
	if (m->recv.want_import)
		return;
	modem_event(m, MODEM_EVENT_WARNING,
		    "message storage full (%s): importing and deleting", why);
	m->recv.want_import = true;
	modem_kick(m);
}

/* Outstanding tokens are kept (the receiver may still ack them); past
 * this many, no more are handed out again. */
#define MODEM_RECV_TOKENS_MAX 256

void modem_recv_recheck(struct modem *m)
{
	int64_t old = loop_now(m->loop) - m->mcfg->health_interval_ms;
	size_t n = 0;
	bool stale = false;

	for (const struct modem_ack *a = m->recv.acks; a; a = a->next) {
		n++;
		if (a->kind == MODEM_ACK_DELETE && !a->acked &&
		    a->session == m->port.session && a->born < old)
			stale = true;
	}
	if (n >= MODEM_RECV_TOKENS_MAX)
		return;
	/* A memory whose switch was refused: tried again now. */
	if (modem_recv_mem_pending(m))
		m->recv.want_others = true;
	if (stale || m->recv.no_indications)
		m->recv.want_import = true;
	if (m->recv.want_import || m->recv.want_others)
		modem_kick(m);
}

/* ---- catching what is left in storage ---- */

/* How often a modem with indications counts its storage, and how often
 * one without them lists it. */
#define MODEM_RECV_SWEEP_MS (5 * 60 * 1000)
#define MODEM_RECV_POLL_MS 5000

int modem_recv_outstanding(const struct modem *m, const char *mem)
{
	int n = 0;

	for (size_t i = 0; i < m->recv.nreads; i++)
		if (modem_recv_mem_same(m->recv.reads[i].mem, mem))
			n++;
	for (const struct modem_ack *a = m->recv.acks; a; a = a->next)
		if (a->kind == MODEM_ACK_DELETE &&
		    a->session == m->port.session &&
		    modem_recv_mem_same(a->mem, mem))
			n++;
	return n;
}

/* The other memories at a periodic count: those the AT+CPMS? answer
 * shows as <mem2> or <mem3> are counted there (no extra line); the rest
 * are counted by their own select when listed (modem_recv_mem.c). */
static void modem_recv_sweep_others(struct modem *m, const struct at_cpms *c)
{
	for (size_t k = 0; k < m->recv.nothers; k++) {
		m->recv.others[k].pending = true;
		/* A fresh try for a memory that refused the switch. */
		m->recv.others[k].refused = 0;
		for (int i = 1; c && i < c->n; i++) {
			const char *name = m->recv.others[k].name;

			if (strcasecmp(c->mem[i], name) != 0)
				continue;
			m->recv.others[k].pending =
				c->used[i] > modem_recv_outstanding(m, name);
			if (m->recv.others[k].pending)
				log_info("%s: %d stored in \"%s\", %d known: "
					 "listing", m->source, c->used[i],
					 name, modem_recv_outstanding(m, name));
			break;
		}
	}
	m->recv.want_others = modem_recv_mem_pending(m);
}

enum modem_step_rc modem_recv_sweep(struct modem *m,
				    const struct at_response *r)
{
	int64_t now = loop_now(m->loop);
	struct at_cpms c;
	bool counted = false;

	if (!r) {
		/* Without indications <mem1> is listed every few seconds;
		 * the other memories are still counted here. */
		if (m->recv.want_import ||
		    (m->recv.no_indications && !m->recv.nothers) ||
		    now - m->recv.swept_at < MODEM_RECV_SWEEP_MS)
			return MODEM_STEP_NEXT;
		m->recv.swept_at = now;
		return modem_seq_send(m, "AT+CPMS?", "+CPMS:");
	}
	for (size_t i = 0; r->status == AT_CHAT_STATUS_OK && i < r->nlines &&
	     !counted; i++) {
		if (!at_parse_sms_cpms(r->lines[i], &c))
			continue;
		counted = true;
		if (c.used[0] > modem_recv_outstanding(m, NULL) &&
		    !m->recv.no_indications) {
			log_info("%s: %d stored, %d known: listing",
				 m->source, c.used[0],
				 modem_recv_outstanding(m, NULL));
			m->recv.want_import = true;
		}
	}
	modem_recv_sweep_others(m, counted ? &c : NULL);
	return MODEM_STEP_NEXT;
}

static int64_t modem_recv_poll_cb(struct loop_timer *t, void *ud)
{
	struct modem *m = ud;

	(void)t;
	if (!m->recv.no_indications)
		return LOOP_TIMER_DONE;
	if (m->fsm.state == MODEM_STATE_READY && m->sms.receive) {
		m->recv.want_import = true;
		modem_kick(m);
	}
	return MODEM_RECV_POLL_MS;
}

void modem_recv_init(struct modem *m)
{
	loop_timer_init(m->loop, &m->recv.poll, modem_recv_poll_cb, m);
}

void modem_recv_indications(struct modem *m, bool on)
{
	m->recv.no_indications = !on;
	if (on)
		loop_timer_disarm(&m->recv.poll);
	else if (!loop_timer_armed(&m->recv.poll))
		loop_timer_arm(&m->recv.poll, MODEM_RECV_POLL_MS);
}

/* ---- the import: AT+CMGL=4 ---- */

/* Hands over every message of an AT+CMGL answer read in mem ("":
 * <mem1>). */
static void modem_recv_listed(struct modem *m, const struct at_response *r,
			      const char *mem)
{
	struct at_sms_pdu p;
	enum at_parse_sms_result res;
	size_t pos = 0, n = 0;

	while ((res = at_parse_sms_cmgl(r->lines, r->nlines, &pos, &p)) !=
	       AT_PARSE_SMS_END) {
		if (res == AT_PARSE_SMS_BAD) {
			modem_event(m, MODEM_EVENT_WARNING,
				    "stored entry %d%s%s%s unreadable: left "
				    "in the modem", p.index,
				    mem[0] ? " in \"" : "", mem,
				    mem[0] ? "\"" : "");
			continue;
		}
		if (modem_recv_delete_pending(m, p.index, mem))
			continue;
		n++;
		modem_recv_deliver_in(m, p.pdu, MODEM_ACK_DELETE, p.index,
				      mem);
		if (!m->port.chat)
			break;
	}
	if (n)
		log_info("%s: %zu stored message%s imported%s%s%s", m->source,
			 n, n == 1 ? "" : "s", mem[0] ? " from \"" : "", mem,
			 mem[0] ? "\"" : "");
}

static enum modem_step_rc modem_recv_list(struct modem *m,
					  const struct at_response *r)
{
	static const char *const prefixes[] = { "+CMGL:", NULL };
	struct at_request req = { .command = m->drv.list_stored,
				  .prefixes = prefixes, .pdu_lines = true,
				  .timeout_ms = m->drv.list_timeout_ms };

	if (!r && !m->recv.list_mem1)
		return MODEM_STEP_NEXT;
	if (!r)
		return modem_seq_cmd(m, &req);
	if (r->status != AT_CHAT_STATUS_OK) {
		if (modem_seq_busy(m, r, MODEM_STEP_NEXT) == MODEM_STEP_LATER)
			return MODEM_STEP_LATER;
		modem_event(m, MODEM_EVENT_WARNING, "%s: %s", r->command,
			    r->final ? r->final : "?");
		return MODEM_STEP_NEXT;
	}
	modem_recv_listed(m, r, "");
	m->recv.swept_at = loop_now(m->loop);
	return MODEM_STEP_NEXT;
}

/*
 * The other memories waiting (modem_recv_mem.c), one after the other
 * (recv.list_at: the one listed now). Each listing runs between
 * AT+CPMS="<mem>" and AT+CPMS="<mem1>", ahead of queued sends; it comes
 * back cancelled when the select was refused (the memory stays pending)
 * or counted nothing new (it does not).
 */
static enum modem_step_rc modem_recv_list_others(struct modem *m,
						 const struct at_response *r)
{
	static const char *const prefixes[] = { "+CMGL:", NULL };
	struct at_request req = { .command = m->drv.list_stored,
				  .prefixes = prefixes, .pdu_lines = true,
				  .timeout_ms = m->drv.list_timeout_ms };
	int id;

	if (r) {
		size_t k = m->recv.list_at++;

		if (!m->port.chat)
			return MODEM_STEP_FAIL;
		if (k < m->recv.nothers && r->status == AT_CHAT_STATUS_OK) {
			m->recv.others[k].pending = false;
			modem_recv_listed(m, r, m->recv.others[k].name);
		} else if (k < m->recv.nothers &&
			   r->status == AT_CHAT_STATUS_ERROR) {
			/* Selected, but the listing failed: the next
			 * periodic count tries again. */
			m->recv.others[k].pending = false;
			modem_event(m, MODEM_EVENT_WARNING, "%s in \"%s\": %s",
				    r->command, m->recv.others[k].name,
				    r->final ? r->final : "?");
		}
	}
	for (; m->recv.list_at < m->recv.nothers; m->recv.list_at++) {
		size_t k = m->recv.list_at;

		if (!m->recv.others[k].pending ||
		    m->recv.others[k].refused >= MODEM_RECV_MEM_TRIES)
			continue;
		modem_seq_bind(m, &req);
		id = modem_recv_mem_list(m, m->recv.others[k].name, &req);
		if (id > 0)
			return modem_seq_wait(m, id);
		if (id < 0)
			return MODEM_STEP_FAIL;
		/* 0: cancelled at once (no way back): left pending. */
		return MODEM_STEP_NEXT;
	}
	return MODEM_STEP_NEXT;
}

static void modem_recv_import_done(struct modem *m, int err)
{
	if (err == -ETIMEDOUT)
		modem_fsm_report(m, MODEM_EV_TIMEOUT,
				 "listing stored messages");
}

static const modem_step_fn modem_recv_import_steps[] = {
	modem_recv_list,
	modem_recv_list_others,
	NULL,
};

const struct modem_prog modem_prog_import = {
	.name = "import stored messages",
	.steps = modem_recv_import_steps,
	.done = modem_recv_import_done,
};

void modem_recv_stop(struct modem *m)
{
	loop_timer_disarm(&m->recv.poll);
}

void modem_recv_want_import(struct modem *m, bool want)
{
	m->recv.want_import = want;
}

bool modem_recv_import_due(struct modem *m)
{
	if (!m->sms.ready)
		return false;
	m->recv.list_at = 0;
	if (m->recv.want_import) {
		/* <mem1>, then whatever other memory waits. */
		m->recv.want_import = false;
		m->recv.want_others = false;
		m->recv.list_mem1 = true;
		return true;
	}
	if (m->recv.want_others) {
		m->recv.want_others = false;
		m->recv.list_mem1 = false;
		return modem_recv_mem_pending(m);
	}
	return false;
}
