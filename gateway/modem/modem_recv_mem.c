/*
 * modem_recv_mem — reading and deleting a message in the memory its
 * notice names. +CMTI: <mem>,<index> and +CDSI (TS 27.005 §3.4.1) say
 * where the modem stored it; AT+CMGR and AT+CMGD (§3.4.3, §3.5.4) work
 * in <mem1> of AT+CPMS (§3.2.2). setup keeps <mem3> = <mem1>, but a
 * firmware that ignores <mem3>, one that names the combined "MT", or a
 * status report stored in "SR" gives an index in another memory: read
 * there from <mem1>, it is another message (or none), and deleted there,
 * one we never read is lost.
 *
 * So such a command runs between AT+CPMS="<mem>" and AT+CPMS="<mem1>",
 * the three queued back to back: none is a send, and before_sends puts
 * every later read after them, so nothing else runs while <mem1> is
 * moved. If the select is refused (or unanswered) the command is
 * cancelled before it starts: an index is never read or deleted in a
 * memory it does not belong to; the message stays in the modem and an
 * event says where. If the way back is refused, init runs again (it
 * selects storage from scratch) rather than list or delete in <mem>.
 */
#include "modem_priv.h"
#include "modem_recv.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void modem_recv_mem_taken(struct modem *m, const char *cpms)
{
	const char *p = strchr(cpms, '"'), *q = p ? strchr(p + 1, '"') : NULL;

	m->recv.mem1[0] = 0;
	if (p && q && q - p - 1 < (int)sizeof(m->recv.mem1))
		snprintf(m->recv.mem1, sizeof(m->recv.mem1), "%.*s",
			 (int)(q - p - 1), p + 1);
}

bool modem_recv_mem_foreign(const struct modem *m, const char *mem)
{
	return mem && mem[0] && m->recv.mem1[0] &&
	       strcasecmp(mem, m->recv.mem1) != 0;
}

bool modem_recv_mem_same(const char *a, const char *b)
{
	return strcasecmp(a ? a : "", b ? b : "") == 0;
}

void modem_recv_mem_drop(struct modem *m)
{
	m->recv.nguards = 0;
	/* A modem opened again has its own default until +CPMS is set. */
	m->recv.mem1[0] = 0;
}

static void modem_recv_mem_select_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;
	int cmd_id = -1;

	for (size_t i = 0; i < m->recv.nguards; i++)
		if (m->recv.guards[i].select_id == r->id) {
			cmd_id = m->recv.guards[i].cmd_id;
			m->recv.guards[i] =
				m->recv.guards[--m->recv.nguards];
			break;
		}
	/* Cancelled: the port closed, the guarded command goes with it. */
	if (!m->port.chat || r->status == AT_CHAT_STATUS_OK ||
	    r->status == AT_CHAT_STATUS_CANCELLED || cmd_id < 0)
		return;
	at_chat_cancel(m->port.chat, cmd_id);
	modem_event(m, MODEM_EVENT_WARNING,
		    "%s: %s; the message stays in that memory, not read or "
		    "deleted in \"%s\"", r->command,
		    r->status == AT_CHAT_STATUS_TIMEOUT ? "no answer"
		    : r->final ? r->final : "refused", m->recv.mem1);
	if (r->status == AT_CHAT_STATUS_TIMEOUT)
		modem_fsm_report(m, MODEM_EV_TIMEOUT, r->command);
}

static void modem_recv_mem_back_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;

	if (!m->port.chat || r->status == AT_CHAT_STATUS_OK ||
	    r->status == AT_CHAT_STATUS_CANCELLED)
		return;
	modem_event(m, MODEM_EVENT_WARNING,
		    "%s: %s; storage is selected again from scratch",
		    r->command, r->final ? r->final : "no answer");
	modem_fsm_event(m, MODEM_EV_RECONFIG, NULL);
}

int modem_recv_mem_submit(struct modem *m, const char *mem,
			  const struct at_request *req)
{
	static const char *const cpms[] = { "+CPMS:", NULL };
	char select[32], back[32];
	struct at_request sel = { .command = select, .prefixes = cpms,
				  .before_sends = true,
				  .cb = modem_recv_mem_select_cb, .ud = m };
	struct at_request ret = { .command = back, .prefixes = cpms,
				  .before_sends = true,
				  .cb = modem_recv_mem_back_cb, .ud = m };
	struct at_request cmd = *req;
	int sid, id;

	if (!m->port.chat)
		return -ENODEV;
	if (m->recv.nguards >= MODEM_READS_MAX)
		return -ENOSPC;
	snprintf(select, sizeof(select), "AT+CPMS=\"%s\"", mem);
	snprintf(back, sizeof(back), "AT+CPMS=\"%s\"", m->recv.mem1);
	/* All three ahead of queued sends, so back to back. */
	cmd.before_sends = true;
	sid = at_chat_submit(m->port.chat, &sel);
	if (sid < 0)
		return sid;
	id = at_chat_submit(m->port.chat, &cmd);
	if (id < 0) {
		at_chat_cancel(m->port.chat, sid);
		return id;
	}
	m->recv.guards[m->recv.nguards].select_id = sid;
	m->recv.guards[m->recv.nguards++].cmd_id = id;
	if (at_chat_submit(m->port.chat, &ret) < 0) {
		/* Nothing would bring <mem1> back: run neither (req's
		 * callback runs now, cancelled). */
		at_chat_cancel(m->port.chat, sid);
		at_chat_cancel(m->port.chat, id);
		return 0;
	}
	return id;
}
