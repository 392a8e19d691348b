/*
 * ms_net — the simulated network behind every modem: it accepts submits
 * after the send latency (or rejects them), numbers them with the SIM's
 * TP-MR, writes the ground truth (DIR/network.jsonl), sends status
 * reports, and delivers inbound SMS as +CMTI or +CMT according to +CNMI,
 * holding them while the modem is off, the SIM storage is full or a +CMT
 * waits for its +CNMA.
 */
#include "ms_net_priv.h"
#include "at_chat.h"

#include <stdlib.h>
#include <string.h>

struct ms_assembly {
	struct ms_assembly *next;
	int modem, slot;
	char dest[SMS_ADDR_MAX];
	uint16_t ref;
	int total, got;
	char *texts[256];
	int mrs[256];
	int nmrs;
};

/* ---- ground truth ---- */

/* Writes one ground-truth line: {"time":…,"event":event,<members>}. */
static void ms_net_log(struct ms *ms, const char *event, const char *members)
{
	char when[32];

	if (!ms->network)
		return;
	ms_util_now_iso(when, sizeof(when));
	fprintf(ms->network, "{\"time\":\"%s\",\"event\":\"%s\"%s%s}\n", when,
		event, members[0] ? "," : "", members);
	fflush(ms->network);
}

/* Opens a member buffer with the modem's identity already in it. */
FILE *ms_net_members(struct ms_modem *m, int slot, char **buf,
			    size_t *len)
{
	FILE *f = open_memstream(buf, len);

	if (!f)
		return NULL;
	fprintf(f, "\"modem\":%d,\"port\":", m->index);
	json_str(f, m->name);
	fprintf(f, ",\"slot\":%d,\"iccid\":", slot);
	json_str(f, m->slots[slot].iccid);
	fputs(",\"number\":", f);
	json_str(f, m->slots[slot].number);
	return f;
}

/* Closes f (from ms_net_members) and logs what it holds. */
void ms_net_emit(struct ms_modem *m, const char *event, FILE *f,
			char **buf)
{
	fclose(f);
	ms_net_log(m->ms, event, *buf);
	free(*buf);
}

/* ---- reassembly of what was sent, for the "message" lines ---- */

static void ms_net_message_done(struct ms_modem *m, int slot,
				const char *dest, const char *text, int parts,
				const int *mrs, int nmrs)
{
	char *buf;
	size_t len;
	FILE *f = ms_net_members(m, slot, &buf, &len);

	if (!f)
		return;
	fputs(",\"dest\":", f);
	json_str(f, dest);
	fputs(",\"text\":", f);
	json_str(f, text);
	fprintf(f, ",\"parts\":%d,\"mrs\":[", parts);
	for (int i = 0; i < nmrs; i++)
		fprintf(f, "%s%d", i ? "," : "", mrs[i]);
	fputc(']', f);
	ms_net_emit(m, "message", f, &buf);
}

static void ms_net_assembly_free(struct ms *ms, struct ms_assembly *a)
{
	struct ms_assembly **pp = &ms->assemblies;

	while (*pp && *pp != a)
		pp = &(*pp)->next;
	if (*pp)
		*pp = a->next;
	for (int i = 0; i < 256; i++)
		free(a->texts[i]);
	free(a);
}

static void ms_net_assemble(struct ms_modem *m, int slot, const char *dest,
			    const struct sms_concat *c, const char *text,
			    int mr)
{
	struct ms *ms = m->ms;
	struct ms_assembly *a;
	char *all;
	size_t n = 0;

	for (a = ms->assemblies; a; a = a->next)
		if (a->modem == m->index && a->slot == slot &&
		    a->ref == c->ref && a->total == c->total &&
		    !strcmp(a->dest, dest))
			break;
	if (!a) {
		a = calloc(1, sizeof(*a));
		if (!a)
			return;
		a->modem = m->index;
		a->slot = slot;
		a->ref = c->ref;
		a->total = c->total;
		snprintf(a->dest, sizeof(a->dest), "%s", dest);
		a->next = ms->assemblies;
		ms->assemblies = a;
	}
	a->mrs[a->nmrs++ % 256] = mr;
	if (c->seq < 1 || c->seq > c->total || a->texts[c->seq])
		return;		/* a resent part: logged, not counted */
	a->texts[c->seq] = strdup(text);
	if (++a->got < a->total)
		return;
	for (int i = 1; i <= a->total; i++)
		n += strlen(a->texts[i] ? a->texts[i] : "");
	all = calloc(1, n + 1);
	if (all) {
		for (int i = 1; i <= a->total; i++)
			strcat(all, a->texts[i] ? a->texts[i] : "");
		ms_net_message_done(m, slot, dest, all, a->total, a->mrs,
				    a->nmrs < 256 ? a->nmrs : 256);
		free(all);
	}
	ms_net_assembly_free(ms, a);
}

/* ---- inbound queue ---- */

void ms_net_enqueue(struct ms_modem *m, struct ms_inbound *in)
{
	struct ms_inbound **pp = &m->inq;

	while (*pp)
		pp = &(*pp)->next;
	in->next = NULL;
	*pp = in;
}

int ms_net_queued(const struct ms_modem *m)
{
	int n = 0;

	for (const struct ms_inbound *in = m->inq; in; in = in->next)
		n++;
	return n + (m->unacked != NULL);
}

static void ms_net_schedule_report(struct ms_modem *m, int slot, int mr,
				   const char *recipient)
{
	struct ms_inbound *in = calloc(1, sizeof(*in));
	struct sms_encoded_part part;
	struct sms_time now;
	char err[128];

	if (!in)
		return;
	ms_util_now_scts(&now);
	if (!sms_encode_status_report(m->slots[slot].smsc, (uint8_t)mr,
				      recipient, &now, &now,
				      (uint8_t)m->knobs.report_status, &part,
				      err, sizeof(err))) {
		fprintf(stderr, "modemsim: status report: %s\n", err);
		free(in);
		return;
	}
	in->slot = slot;
	in->report = true;
	in->tpdu_len = part.tpdu_length;
	snprintf(in->pdu, sizeof(in->pdu), "%s", part.pdu);
	in->due = loop_now(m->ms->loop) + m->knobs.report_delay_ms;
	ms_net_enqueue(m, in);
	loop_timer_arm_before(&m->net_timer, in->due);
}

/* ---- submits ---- */

static void ms_net_start_send(struct ms_modem *m)
{
	struct ms_knobs *k = &m->knobs;
	int64_t delay = k->latency_ms;

	m->send_slot = m->active;
	m->send_err = 0;
	if (k->fail_next > 0) {
		k->fail_next--;
		m->send_err = k->fail_code;
	} else if (k->cms_rate > 0 && ms_modem_random(m) < k->cms_rate) {
		m->send_err = k->cms_codes[ms_util_rand(&m->rng) %
					   (uint64_t)k->ncms_codes];
	}
	if (k->jitter_ms)
		delay += (int64_t)(ms_modem_random(m) * (k->jitter_ms + 1));
	delay += ms_link_send_cost(m);
	loop_timer_arm(&m->send_timer, delay);
}

enum ms_res ms_net_submit_pdu(struct ms_modem *m, const char *pdu, int len)
{
	size_t hexlen = strlen(pdu);
	struct sms_pdu p;
	char err[128];
	int smsc;

	/* TS 27.005 §3.5.1: <length> counts the TPDU, not the SMSC part. */
	if (!at_chat_is_hex(pdu) || hexlen >= SMS_PDU_HEX_MAX)
		goto bad;
	smsc = (int)strtol((char[3]){ pdu[0], pdu[1], 0 }, NULL, 16);
	if ((int)hexlen / 2 - 1 - smsc != len)
		goto bad;
	if (!sms_pdu_decode(pdu, hexlen, &p, err, sizeof(err)) ||
	    p.type != SMS_PDU_SUBMIT)
		goto bad;
	if (!m->registered) {
		m->err = 331;
		return MS_RES_CMS;
	}
	snprintf(m->send_pdu, sizeof(m->send_pdu), "%s", pdu);
	m->send_text[0] = 0;
	ms_net_start_send(m);
	return MS_RES_ASYNC;
bad:
	m->err = 304;
	return MS_RES_CMS;
}

enum ms_res ms_net_submit_text(struct ms_modem *m, const char *da,
			       const char *utf8)
{
	if (!m->registered) {
		m->err = 331;
		return MS_RES_CMS;
	}
	if (da != m->cmgs_da)
		snprintf(m->cmgs_da, sizeof(m->cmgs_da), "%s", da);
	snprintf(m->send_text, sizeof(m->send_text), "%s", utf8);
	m->send_pdu[0] = 0;
	ms_net_start_send(m);
	return MS_RES_ASYNC;
}

/* Logs the accepted part and returns its TP-MR. */
static int ms_net_accept(struct ms_modem *m, const char *dest,
			 const char *text, const char *encoding,
			 const struct sms_concat *c, bool srr)
{
	struct ms_slot *sl = &m->slots[m->send_slot];
	int mr = sl->next_mr;
	char *buf;
	size_t len;
	FILE *f;

	/* TS 23.040 §9.2.3.6: TP-MR counts per SIM and wraps 255 → 0. */
	sl->next_mr = (mr + 1) & 255;
	f = ms_net_members(m, m->send_slot, &buf, &len);
	if (f) {
		fputs(",\"dest\":", f);
		json_str(f, dest);
		fprintf(f, ",\"mr\":%d,\"text\":", mr);
		json_str(f, text);
		fprintf(f, ",\"encoding\":\"%s\",\"concat\":", encoding);
		if (c->total > 1)
			fprintf(f, "{\"ref\":%u,\"total\":%u,\"seq\":%u}",
				c->ref, c->total, c->seq);
		else
			fputs("null", f);
		fprintf(f, ",\"srr\":%s,\"pdu\":", srr ? "true" : "false");
		json_str(f, m->send_pdu[0] ? m->send_pdu : NULL);
		ms_net_emit(m, "submit", f, &buf);
	}
	if (c->total > 1)
		ms_net_assemble(m, m->send_slot, dest, c, text, mr);
	else
		ms_net_message_done(m, m->send_slot, dest, text, 1, &mr, 1);
	if (srr)
		ms_net_schedule_report(m, m->send_slot, mr, dest);
	return mr;
}

int64_t ms_net_send_cb(struct loop_timer *t, void *ud)
{
	struct ms_modem *m = ud;
	struct sms_concat none = { 0 };
	struct sms_pdu p;
	char err[128];
	int mr;

	(void)t;
	if (m->send_err) {
		char *buf;
		size_t len;
		FILE *f = ms_net_members(m, m->send_slot, &buf, &len);

		if (f) {
			fprintf(f, ",\"code\":%d", m->send_err);
			ms_net_emit(m, "rejected", f, &buf);
		}
		m->err = m->send_err;
		ms_link_answered(m);
		ms_modem_finish(m, MS_RES_CMS);
		return LOOP_TIMER_DONE;
	}
	if (m->send_pdu[0]) {
		if (!sms_pdu_decode(m->send_pdu, strlen(m->send_pdu), &p, err,
				    sizeof(err)))
			return LOOP_TIMER_DONE;
		mr = ms_net_accept(m, p.submit.dest.text, p.submit.ud.text,
				   sms_encoding_name(p.submit.ud.encoding),
				   &p.submit.ud.concat,
				   p.submit.status_report_request);
	} else {
		/* Text mode: TP-SRR is bit 5 of +CSMP <fo>. */
		mr = ms_net_accept(m, m->cmgs_da, m->send_text, "text", &none,
				   m->set.csmp[0] & 0x20);
	}
	ms_modem_info(m, "+CMGS: %d", mr);
	ms_link_answered(m);
	ms_modem_finish(m, MS_RES_OK);
	return LOOP_TIMER_DONE;
}

void ms_net_abort(struct ms_modem *m)
{
	if (loop_timer_armed(&m->send_timer)) {
		m->link_until = 0;
		char *buf;
		size_t len;
		FILE *f = ms_net_members(m, m->send_slot, &buf, &len);

		loop_timer_disarm(&m->send_timer);
		if (f)
			ms_net_emit(m, "aborted", f, &buf);
	}
	if (m->unacked) {
		/* Never acknowledged: the network will try again. */
		loop_timer_disarm(&m->ack_timer);
		m->unacked->due = loop_now(m->ms->loop) + m->knobs.redeliver_ms;
		ms_net_enqueue(m, m->unacked);
		m->unacked = NULL;
	}
}

void ms_net_close(struct ms *ms)
{
	while (ms->assemblies)
		ms_net_assembly_free(ms, ms->assemblies);
	if (ms->network)
		fclose(ms->network);
	ms->network = NULL;
}
