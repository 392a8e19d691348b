/*
 * ms_net_in — the network's inbound side: SMS-DELIVER parts and status
 * reports queued per modem and handed over as +CMTI/+CMT/+CDSI/+CDS
 * according to +CNMI, held while the modem cannot take them (off, SIM not
 * ready or not in the active slot, storage full, a +CMT waiting for its
 * +CNMA) and sent again when a +CNMA does not come.
 */
#include "ms_net_priv.h"

#include <stdlib.h>
#include <string.h>

static void ms_net_log_inbound(struct ms_modem *m, const struct ms_inbound *in,
			       const char *route, int index)
{
	char *buf;
	size_t len;
	FILE *f = ms_net_members(m, in->slot, &buf, &len);

	if (!f)
		return;
	fprintf(f, ",\"kind\":\"%s\",\"seq\":%d,\"route\":\"%s\"",
		in->report ? "report" : "sms", in->seq, route);
	if (index >= 0)
		fprintf(f, ",\"index\":%d", index);
	fputs(",\"pdu\":", f);
	json_str(f, in->pdu);
	ms_net_emit(m, "delivered", f, &buf);
}

static void ms_net_unlink(struct ms_modem *m, struct ms_inbound *in)
{
	struct ms_inbound **pp = &m->inq;

	while (*pp && *pp != in)
		pp = &(*pp)->next;
	if (*pp)
		*pp = in->next;
	in->next = NULL;
}

/* +CMT / +CDS: straight to the TE; with +CSMS=1 it waits for +CNMA. */
static void ms_net_direct(struct ms_modem *m, struct ms_inbound *in)
{
	char line[MS_LINE_MAX];

	ms_sms_format_direct(m, in->pdu, in->tpdu_len, in->report, line,
			     sizeof(line));
	ms_modem_urc(m, line);
	ms_net_log_inbound(m, in, in->report ? "cds" : "cmt", -1);
	ms_net_unlink(m, in);
	if (m->set.csms == 1) {
		m->unacked = in;
		loop_timer_arm(&m->ack_timer, m->knobs.cnma_timeout_ms);
		return;
	}
	free(in);
}

/* Stores in <mem3>; false when it is full (the network keeps it). */
static bool ms_net_store(struct ms_modem *m, struct ms_inbound *in, bool tell)
{
	bool me = m->knobs.store_me && m->me.size > 0;
	struct ms_store *s = me ? &m->me : ms_sms_mem(m, 2);
	int index = ms_store_add(s, in->pdu, in->tpdu_len, in->report);
	char line[64];

	if (index < 0)
		return false;
	index += m->pers->index_base;
	if (tell) {
		/* TS 27.005 §3.4.1: +CMTI: <mem>,<index> / +CDSI. */
		snprintf(line, sizeof(line), "+%s: \"%s\",%d",
			 in->report ? "CDSI" : "CMTI",
			 me ? "ME" : ms_sms_mem_name(m, 2),
			 index);
		ms_modem_urc(m, line);
	}
	ms_net_log_inbound(m, in, in->report ? "cdsi" : tell ? "cmti"
							     : "stored",
			   index);
	ms_net_unlink(m, in);
	free(in);
	return true;
}

static bool ms_net_can_deliver(const struct ms_modem *m)
{
	return m->power == MS_POWER_ON && !m->hung && m->sms_ready &&
	       m->registered && m->cfun == 1 && !m->unacked;
}

static void ms_net_process(struct ms_modem *m)
{
	int64_t now = loop_now(m->ms->loop), next = INT64_MAX;
	struct ms_inbound *in, *nx;
	bool full = false;

	for (in = m->inq; in && ms_net_can_deliver(m); in = nx) {
		nx = in->next;
		if (in->slot != m->active)
			continue;	/* that SIM is not in service */
		if (in->due > now) {
			next = next < in->due ? next : in->due;
			continue;
		}
		if (in->report) {
			/* TS 27.005 §3.4.1 <ds>: 0 none, 1 +CDS, 2 +CDSI. */
			if (m->set.cnmi[3] == 1) {
				ms_net_direct(m, in);
			} else if (m->set.cnmi[3] == 2) {
				if (!full && !ms_net_store(m, in, true))
					full = true;
			} else {
				ms_net_log_inbound(m, in, "dropped", -1);
				ms_net_unlink(m, in);
				free(in);
			}
			continue;
		}
		/* <mt>: 2 and 3 route the SMS-DELIVER directly. */
		if (m->set.cnmi[1] >= 2) {
			ms_net_direct(m, in);
			continue;
		}
		if (full || !ms_net_store(m, in, m->set.cnmi[1] == 1)) {
			/* Memory capacity exceeded (TS 23.040 §9.2.3.22,
			 * RP-ERROR cause 22): the SC keeps the message and
			 * tries again on the memory-available notification
			 * that +CMGD triggers. */
			if (!full && m->pers->memfull_urc)
				ms_modem_urc_now(m, m->pers->memfull_urc);
			full = true;
		}
	}
	if (next != INT64_MAX)
		loop_timer_arm_before(&m->net_timer, next);
}

void ms_net_kick(struct ms_modem *m)
{
	if (m->inq)
		ms_net_process(m);
}

static int64_t ms_net_timer_cb(struct loop_timer *t, void *ud)
{
	(void)t;
	ms_net_process(ud);
	return LOOP_TIMER_DONE;
}

static void ms_net_requeue_unacked(struct ms_modem *m, const char *why)
{
	struct ms_inbound *in = m->unacked;

	m->unacked = NULL;
	loop_timer_disarm(&m->ack_timer);
	ms_net_log_inbound(m, in, why, -1);
	in->due = loop_now(m->ms->loop) + m->knobs.redeliver_ms;
	ms_net_enqueue(m, in);
	loop_timer_arm_before(&m->net_timer, in->due);
}

bool ms_net_ack(struct ms_modem *m, bool positive)
{
	if (!m->unacked)
		return false;
	if (positive) {
		ms_net_log_inbound(m, m->unacked, "acked", -1);
		free(m->unacked);
		m->unacked = NULL;
		loop_timer_disarm(&m->ack_timer);
	} else {
		ms_net_requeue_unacked(m, "nacked");
	}
	ms_net_kick(m);
	return true;
}

static int64_t ms_net_ack_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;

	(void)t;
	if (!m->unacked)
		return LOOP_TIMER_DONE;
	/* TS 27.005 §3.4.4: no +CNMA in time — the ME tells the network and
	 * turns routing to the TE off (<mt> and <ds> to 0). */
	if (m->knobs.cnma_reset_cnmi) {
		m->set.cnmi[1] = 0;
		m->set.cnmi[3] = 0;
	}
	ms_net_requeue_unacked(m, "ack-timeout");
	return LOOP_TIMER_DONE;
}

static void ms_net_shuffle(struct ms_modem *m, int *order, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(ms_util_rand(&m->rng) % (uint64_t)(i + 1));
		int t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

static bool ms_net_in_list(const int *list, int n, int v)
{
	for (int i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

static void ms_net_log_deliver(struct ms_modem *m, int slot,
			       const char *sender, const char *text, int parts,
			       const int *order, int n)
{
	char *buf;
	size_t len;
	FILE *f = ms_net_members(m, slot, &buf, &len);

	if (!f)
		return;
	fputs(",\"from\":", f);
	json_str(f, sender);
	fputs(",\"text\":", f);
	json_str(f, text);
	fprintf(f, ",\"parts\":%d,\"order\":[", parts);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? "," : "", order[i]);
	fputc(']', f);
	ms_net_emit(m, "deliver", f, &buf);
}

int ms_net_deliver(struct ms_modem *m, const char *sender, const char *utf8,
		   const struct ms_deliver_opts *o, int *nparts, char *err,
		   size_t errsize)
{
	struct sms_encode_opts eo;
	struct sms_encoded enc;
	struct sms_time now;
	int slot = o->slot < 0 ? m->active : o->slot;
	int order[600], n = 0;

	if (slot >= m->nslots) {
		snprintf(err, errsize, "modem %d has no slot %d", m->index,
			 slot);
		return -1;
	}
	sms_encode_opts_init(&eo);
	eo.force_ucs2 = o->ucs2;
	eo.concat16 = o->concat16;
	eo.concat_ref = m->ms->next_ref++;
	if (!eo.concat16)
		eo.concat_ref &= 0xff;
	ms_util_now_scts(&now);
	if (!sms_encode_deliver(o->smsc[0] ? o->smsc : m->slots[slot].smsc,
				sender, utf8, strlen(utf8), &eo, &now, &enc,
				err, errsize))
		return -1;
	for (int i = 1; i <= enc.nparts && n < 300; i++) {
		if (ms_net_in_list(o->drop, o->ndrop, i))
			continue;
		order[n++] = i;
		if (ms_net_in_list(o->dup, o->ndup, i))
			order[n++] = i;
	}
	if (o->shuffle)
		ms_net_shuffle(m, order, n);
	for (int i = 0; i < n; i++) {
		struct ms_inbound *in = calloc(1, sizeof(*in));
		const struct sms_encoded_part *p = &enc.parts[order[i] - 1];

		if (!in)
			break;
		in->slot = slot;
		in->seq = order[i];
		in->tpdu_len = p->tpdu_length;
		snprintf(in->pdu, sizeof(in->pdu), "%s", p->pdu);
		in->due = loop_now(m->ms->loop) + o->delay_ms;
		ms_net_enqueue(m, in);
	}
	ms_net_log_deliver(m, slot, sender, utf8, enc.nparts, order, n);
	*nparts = enc.nparts;
	sms_encoded_free(&enc);
	loop_timer_arm_before(&m->net_timer, loop_now(m->ms->loop) +
					     o->delay_ms);
	return 0;
}

void ms_net_modem_init(struct ms_modem *m)
{
	struct loop *l = m->ms->loop;

	loop_timer_init(l, &m->send_timer, ms_net_send_cb, m);
	loop_timer_init(l, &m->net_timer, ms_net_timer_cb, m);
	loop_timer_init(l, &m->ack_timer, ms_net_ack_cb, m);
}

void ms_net_modem_free(struct ms_modem *m)
{
	struct ms_inbound *in = m->inq, *nx;

	loop_timer_disarm(&m->send_timer);
	loop_timer_disarm(&m->net_timer);
	loop_timer_disarm(&m->ack_timer);
	for (; in; in = nx) {
		nx = in->next;
		free(in);
	}
	m->inq = NULL;
	free(m->unacked);
	m->unacked = NULL;
}
