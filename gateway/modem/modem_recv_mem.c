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
 *
 * A message may also sit in another memory with no notice at all: stored
 * before start, stored while indications were off, or its notice's
 * switch refused. The import lists each other memory <mem1> may be
 * (the first list of AT+CPMS=?, and any memory a notice named) the same
 * way: AT+CPMS="<mem>", AT+CMGL, AT+CPMS="<mem1>" back to back. The
 * select's own answer counts that memory (+CPMS: <used1>,... §3.2.2), so
 * the listing is cancelled before it starts when it holds nothing smsgw
 * does not know of. Those memories are counted during init (its select
 * and the way back: no line once the modem is ready, none on the send
 * path) and listed by the import that follows when they hold messages;
 * counted again by the periodic count (AT+CPMS?, modem_recv_sweep: free
 * for a memory it shows as <mem2>/<mem3>, else by the listing's select);
 * and listed after a switch was refused (the memory is remembered and
 * listed at the next health check; after MODEM_RECV_MEM_TRIES refusals
 * in a row, only at the next periodic count). A refused listing or count
 * is only logged: no message is known to be there, and a modem that
 * lists a memory it will not select would fill the events otherwise.
 * "MT" is "ME" and "SM" together (§3.2.2): it is not listed beside them,
 * nor are they beside it; "BM" holds cell broadcasts, not SMS.
 */
#include "modem_priv.h"
#include "modem_recv.h"
#include "at_parse_sms.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Whether name is listed apart from <mem1> (see above). */
static bool modem_recv_mem_listable(const char *mem1, const char *name)
{
	bool combined = !strcasecmp(mem1, "MT"),
	     part = !strcasecmp(mem1, "SM") || !strcasecmp(mem1, "ME");

	if (!name[0] || !strcasecmp(name, mem1) || !strcasecmp(name, "BM"))
		return false;
	if (!strcasecmp(name, "MT"))
		return !part;
	if (!strcasecmp(name, "SM") || !strcasecmp(name, "ME"))
		return !combined;
	return true;
}

int modem_recv_mem_other(struct modem *m, const char *mem, bool add)
{
	size_t i;

	if (!mem || !mem[0] || !m->recv.mem1[0])
		return -1;
	for (i = 0; i < m->recv.nothers; i++)
		if (!strcasecmp(m->recv.others[i].name, mem))
			return (int)i;
	if (!add || i == MODEM_MEMS_MAX || strlen(mem) >= 8 ||
	    !modem_recv_mem_listable(m->recv.mem1, mem))
		return -1;
	snprintf(m->recv.others[i].name, sizeof(m->recv.others[i].name),
		 "%s", mem);
	m->recv.others[i].pending = false;
	m->recv.others[i].refused = 0;
	m->recv.nothers++;
	return (int)i;
}

void modem_recv_mem_taken(struct modem *m, const char *cpms)
{
	const char *p = strchr(cpms, '"'), *q = p ? strchr(p + 1, '"') : NULL;

	m->recv.mem1[0] = 0;
	m->recv.nothers = 0;
	if (p && q && q - p - 1 < (int)sizeof(m->recv.mem1))
		snprintf(m->recv.mem1, sizeof(m->recv.mem1), "%.*s",
			 (int)(q - p - 1), p + 1);
	/* Storage selected afresh: modem_recv_mem_count() counts them. */
	for (size_t i = 0; i < m->sms.nmems; i++)
		if (modem_recv_mem_listable(m->recv.mem1, m->sms.mems[i]))
			modem_recv_mem_other(m, m->sms.mems[i], true);
}

static void modem_recv_mem_count_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;
	size_t k = m->recv.list_at;
	struct at_cpms c;
	bool counted = false;

	if (!m->port.chat || k >= m->recv.nothers ||
	    r->status == AT_CHAT_STATUS_CANCELLED)
		return;
	for (size_t i = 0; r->status == AT_CHAT_STATUS_OK && i < r->nlines &&
	     !counted; i++)
		counted = at_parse_sms_cpms(r->lines[i], &c);
	/* Not counted (refused, or no count in the answer): the import
	 * tries it; a refusal counts as one of its tries. */
	m->recv.others[k].pending =
		!counted ||
		c.used[0] > modem_recv_outstanding(m, m->recv.others[k].name);
	if (r->status != AT_CHAT_STATUS_OK) {
		m->recv.others[k].refused++;
		log_warn("%s: %s: %s", m->source, r->command,
			 r->final ? r->final : "no answer");
	}
	if (counted && c.used[0])
		log_info("%s: %d stored in \"%s\"", m->source, c.used[0],
			 m->recv.others[k].name);
}

enum modem_step_rc modem_recv_mem_count(struct modem *m,
					const struct at_response *r)
{
	static const char *const cpms[] = { "+CPMS:", NULL };
	char select[32], back[32];
	struct at_request sel = { .command = select, .prefixes = cpms,
				  .before_sends = true,
				  .cb = modem_recv_mem_count_cb, .ud = m };
	struct at_request ret = { .command = back, .prefixes = cpms,
				  .before_sends = true };

	if (!r) {
		if (!m->sms.ready || !m->port.chat)
			return MODEM_STEP_NEXT;
		m->recv.list_at = 0;
	} else if (r->status != AT_CHAT_STATUS_OK) {
		/* Not back in <mem1>: init again rather than read there. */
		modem_event(m, MODEM_EVENT_ERROR, "%s failed: %s", r->command,
			    r->final ? r->final : "no answer");
		return MODEM_STEP_FAIL;
	} else {
		m->recv.list_at++;
	}
	if (m->recv.list_at >= m->recv.nothers)
		return MODEM_STEP_NEXT;
	snprintf(select, sizeof(select), "AT+CPMS=\"%s\"",
		 m->recv.others[m->recv.list_at].name);
	snprintf(back, sizeof(back), "AT+CPMS=\"%s\"", m->recv.mem1);
	/* Both ahead of queued sends: nothing between them. */
	if (at_chat_submit(m->port.chat, &sel) < 0)
		return MODEM_STEP_FAIL;
	return modem_seq_cmd(m, &ret);
}

bool modem_recv_mem_pending(const struct modem *m)
{
	for (size_t i = 0; i < m->recv.nothers; i++)
		if (m->recv.others[i].pending &&
		    m->recv.others[i].refused < MODEM_RECV_MEM_TRIES)
			return true;
	return false;
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
	/* A modem opened again has its own default until +CPMS is set;
	 * the next init lists the other memories anew. */
	m->recv.mem1[0] = 0;
	m->recv.nothers = 0;
	m->recv.want_others = false;
}

/* Whether the select's answer counts nothing in the memory it selected
 * beyond what smsgw has read from it and not deleted yet. */
static bool modem_recv_mem_nothing_new(const struct modem *m,
				       const struct at_response *r,
				       const char *mem)
{
	struct at_cpms c;

	for (size_t i = 0; i < r->nlines; i++)
		if (at_parse_sms_cpms(r->lines[i], &c))
			return c.used[0] <= modem_recv_outstanding(m, mem);
	return false;	/* not counted: list it */
}

static void modem_recv_mem_select_cb(const struct at_response *r, void *ud)
{
	struct modem *m = ud;
	int cmd_id = -1, k;
	char mem[8] = "";
	bool count = false;

	for (size_t i = 0; i < m->recv.nguards; i++)
		if (m->recv.guards[i].select_id == r->id) {
			cmd_id = m->recv.guards[i].cmd_id;
			count = m->recv.guards[i].count;
			memcpy(mem, m->recv.guards[i].mem, sizeof(mem));
			m->recv.guards[i] =
				m->recv.guards[--m->recv.nguards];
			break;
		}
	/* Cancelled: the port closed, the guarded command goes with it. */
	if (!m->port.chat || r->status == AT_CHAT_STATUS_CANCELLED ||
	    cmd_id < 0)
		return;
	k = modem_recv_mem_other(m, mem, true);
	if (r->status == AT_CHAT_STATUS_OK) {
		if (k >= 0)
			m->recv.others[k].refused = 0;
		if (count && modem_recv_mem_nothing_new(m, r, mem)) {
			/* Counted empty: no listing (the way back runs). */
			if (k >= 0)
				m->recv.others[k].pending = false;
			at_chat_cancel(m->port.chat, cmd_id);
		}
		return;
	}
	/* Remembered before the cancel: the listing step reads it. */
	if (k >= 0) {
		m->recv.others[k].pending = true;
		m->recv.others[k].refused++;
	}
	at_chat_cancel(m->port.chat, cmd_id);
	if (count)
		log_warn("%s: %s: %s; \"%s\" is listed later", m->source,
			 r->command, r->status == AT_CHAT_STATUS_TIMEOUT
			 ? "no answer" : r->final ? r->final : "refused", mem);
	else
		modem_event(m, MODEM_EVENT_WARNING,
			    "%s: %s; the message stays in that memory, not "
			    "read or deleted in \"%s\"%s", r->command,
			    r->status == AT_CHAT_STATUS_TIMEOUT ? "no answer"
			    : r->final ? r->final : "refused", m->recv.mem1,
			    k < 0 ? "" : "; it is listed there later");
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

static int modem_recv_mem_guard(struct modem *m, const char *mem,
				const struct at_request *req, bool count)
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
	m->recv.guards[m->recv.nguards].cmd_id = id;
	m->recv.guards[m->recv.nguards].count = count;
	snprintf(m->recv.guards[m->recv.nguards++].mem,
		 sizeof(m->recv.guards[0].mem), "%s", mem);
	if (at_chat_submit(m->port.chat, &ret) < 0) {
		/* Nothing would bring <mem1> back: run neither (req's
		 * callback runs now, cancelled). */
		at_chat_cancel(m->port.chat, sid);
		at_chat_cancel(m->port.chat, id);
		return 0;
	}
	return id;
}

int modem_recv_mem_submit(struct modem *m, const char *mem,
			  const struct at_request *req)
{
	return modem_recv_mem_guard(m, mem, req, false);
}

int modem_recv_mem_list(struct modem *m, const char *mem,
			const struct at_request *req)
{
	return modem_recv_mem_guard(m, mem, req, true);
}
