/*
 * at_chat — the command queue, writing, timeouts and teardown. What lines
 * mean, and the final and URC tables, live in at_chat_line.c. See
 * include/at_chat.h.
 */
#include "at_chat_internal.h"

#include "serial.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define AT_CHAT_CTRL_Z 0x1a
#define AT_CHAT_ESC 0x1b
/* Reads per wake-up before yielding to the other modems. */
#define AT_CHAT_READS_PER_WAKEUP 8

static void at_chat_flush(struct at_chat *chat);
static void at_chat_on_io(struct loop_watch *w, uint32_t events, void *ud);
static int64_t at_chat_on_timeout(struct loop_timer *t, void *ud);
static void at_chat_on_kick(struct loop_deferred *d, void *ud);

/* ---- lifetime ---- */

int at_chat_new(struct loop *loop, int fd, struct at_chat **out)
{
	struct at_chat *chat = calloc(1, sizeof(*chat));
	int rc;

	if (!chat)
		return -ENOMEM;
	chat->loop = loop;
	chat->fd = fd;
	chat->next_id = 1;
	at_frame_init(&chat->frame);
	rc = at_chat_add_builtin_finals(chat);
	if (rc < 0)
		goto fail;
	loop_timer_init(loop, &chat->timer, at_chat_on_timeout, chat);
	loop_deferred_init(loop, &chat->kick, at_chat_on_kick, chat);
	rc = loop_watch_add(loop, &chat->watch, fd, EPOLLIN, at_chat_on_io,
			    chat);
	if (rc < 0)
		goto fail;
	*out = chat;
	return 0;
fail:
	for (size_t i = 0; i < chat->nfinals; i++)
		free(chat->finals[i].text);
	free(chat->finals);
	free(chat);
	return rc;
}

static void at_chat_stop_io(struct at_chat *chat)
{
	loop_watch_del(&chat->watch);
	loop_timer_disarm(&chat->timer);
	loop_deferred_cancel(&chat->kick);
}

static void at_chat_destroy(struct at_chat *chat)
{
	for (size_t i = 0; i < chat->nfinals; i++)
		free(chat->finals[i].text);
	free(chat->finals);
	for (size_t i = 0; i < chat->nurcs; i++)
		free(chat->urcs[i].prefix);
	free(chat->urcs);
	free(chat->urc_header);
	free(chat->wbuf);
	free(chat);
}

void at_chat_hold(struct at_chat *chat)
{
	chat->depth++;
}

bool at_chat_release(struct at_chat *chat)
{
	if (--chat->depth > 0 || !chat->dead)
		return false;
	at_chat_destroy(chat);
	return true;
}

void at_chat_free(struct at_chat *chat)
{
	if (!chat || chat->dead)
		return;
	at_chat_hold(chat);
	chat->dead = true;
	at_chat_stop_io(chat);
	at_chat_fail_all(chat, AT_CHAT_STATUS_CANCELLED);
	at_chat_release(chat);
}

void at_chat_set_gone(struct at_chat *chat, at_chat_gone_cb cb, void *ud)
{
	chat->gone_cb = cb;
	chat->gone_ud = ud;
}

void at_chat_set_trace(struct at_chat *chat, at_chat_trace_cb cb, void *ud)
{
	chat->trace_cb = cb;
	chat->trace_ud = ud;
}

void at_chat_set_noise(struct at_chat *chat, at_chat_noise_cb cb, void *ud)
{
	chat->noise_cb = cb;
	chat->noise_ud = ud;
}

/* ---- commands ---- */

static bool at_chat_text_ok(const char *s, size_t max)
{
	size_t n = 0;

	for (; s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f)
			return false;
	return n > 0 && n <= max;
}

static void at_cmd_free(struct at_cmd *cmd)
{
	if (!cmd)
		return;
	for (size_t i = 0; i < cmd->nprefixes; i++)
		free(cmd->prefixes[i]);
	free(cmd->prefixes);
	for (size_t i = 0; i < cmd->nlines; i++)
		free(cmd->lines[i]);
	free(cmd->lines);
	free(cmd->command);
	free(cmd->pdu);
	free(cmd);
}

static struct at_cmd *at_cmd_new(const struct at_request *req)
{
	struct at_cmd *cmd = calloc(1, sizeof(*cmd));
	size_t n = 0;

	if (!cmd)
		return NULL;
	while (req->prefixes && req->prefixes[n])
		n++;
	cmd->command = strdup(req->command);
	cmd->pdu = req->pdu ? strdup(req->pdu) : NULL;
	cmd->prefixes = n ? calloc(n, sizeof(char *)) : NULL;
	if (!cmd->command || (req->pdu && !cmd->pdu) || (n && !cmd->prefixes))
		goto fail;
	for (; cmd->nprefixes < n; cmd->nprefixes++) {
		cmd->prefixes[cmd->nprefixes] =
			strdup(req->prefixes[cmd->nprefixes]);
		if (!cmd->prefixes[cmd->nprefixes])
			goto fail;
	}
	cmd->raw_lines = req->raw_lines;
	cmd->pdu_lines = req->pdu_lines;
	cmd->escape_first = req->escape_first;
	cmd->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms
			  : req->pdu	      ? AT_CHAT_SUBMIT_TIMEOUT_MS
					      : AT_CHAT_TIMEOUT_MS;
	cmd->prompt_timeout_ms = req->prompt_timeout_ms > 0
					 ? req->prompt_timeout_ms
					 : AT_CHAT_PROMPT_TIMEOUT_MS;
	cmd->cb = req->cb;
	cmd->ud = req->ud;
	return cmd;
fail:
	at_cmd_free(cmd);
	return NULL;
}

static void at_chat_kick(struct at_chat *chat)
{
	if (chat->head && chat->head->stage == AT_CHAT_STAGE_QUEUED &&
	    !chat->gone && !chat->dead)
		loop_defer(&chat->kick);
}

/* At the tail, or (before_sends) before the first send not yet begun. */
static void at_chat_enqueue(struct at_chat *chat, struct at_cmd *cmd,
			    bool before_sends)
{
	struct at_cmd **pp = &chat->head;

	if (before_sends)
		while (*pp && !((*pp)->pdu &&
				(*pp)->stage == AT_CHAT_STAGE_QUEUED))
			pp = &(*pp)->next;
	else
		pp = chat->tail ? &chat->tail->next : &chat->head;
	cmd->next = *pp;
	*pp = cmd;
	if (!cmd->next)
		chat->tail = cmd;
}

int at_chat_submit(struct at_chat *chat, const struct at_request *req)
{
	struct at_cmd *cmd;

	if (chat->gone)
		return -ENODEV;
	if (chat->dead)
		return -ESHUTDOWN;
	if (!req->command || !at_chat_text_ok(req->command,
					      AT_CHAT_MAX_COMMAND))
		return -EINVAL;
	if (req->pdu && (strlen(req->pdu) > AT_CHAT_MAX_PDU ||
			 !at_chat_is_hex(req->pdu)))
		return -EINVAL;
	for (size_t i = 0; req->prefixes && req->prefixes[i]; i++)
		if (!req->prefixes[i][0])
			return -EINVAL;
	cmd = at_cmd_new(req);
	if (!cmd)
		return -ENOMEM;
	cmd->id = chat->next_id++;
	if (chat->next_id <= 0)
		chat->next_id = 1;
	at_chat_enqueue(chat, cmd, req->before_sends);
	at_chat_kick(chat);
	return cmd->id;
}

int at_chat_send(struct at_chat *chat, const char *command,
		 const char *prefix, at_chat_cb cb, void *ud)
{
	const char *prefixes[] = { prefix, NULL };
	struct at_request req = { .command = command,
				  .prefixes = prefix ? prefixes : NULL,
				  .cb = cb, .ud = ud };

	return at_chat_submit(chat, &req);
}

static void at_chat_unlink(struct at_chat *chat, struct at_cmd *cmd)
{
	struct at_cmd **pp = &chat->head, *prev = NULL;

	for (; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != cmd)
			continue;
		*pp = cmd->next;
		if (chat->tail == cmd)
			chat->tail = prev;
		cmd->next = NULL;
		return;
	}
}

/* Forgets unwritten bytes, and stops asking for EPOLLOUT: a writable fd
 * would wake the loop for nothing, again and again. */
static void at_chat_drop_write(struct at_chat *chat)
{
	chat->wlen = chat->woff = 0;
	if (chat->watch.active)
		loop_watch_set(&chat->watch, EPOLLIN);
}

/* Calls the callback (if still owed) and frees the command, already
 * unlinked. */
static void at_chat_call(struct at_cmd *cmd, enum at_chat_status status,
			 const char *final)
{
	struct at_response r = {
		.id = cmd->id, .status = status, .stage = cmd->stage,
		.command = cmd->command, .final = final,
		.lines = (const char *const *)cmd->lines,
		.nlines = cmd->nlines, .truncated = cmd->truncated,
	};
	at_chat_cb cb = cmd->cb;

	cmd->cb = NULL;
	if (cb)
		cb(&r, cmd->ud);
	at_cmd_free(cmd);
}

/* Ends the command in flight and lets the next one start. */
void at_chat_finish(struct at_chat *chat, enum at_chat_status status,
		    const char *final)
{
	struct at_cmd *cmd = chat->head;

	if (!cmd || cmd->stage == AT_CHAT_STAGE_QUEUED)
		return;
	loop_timer_disarm(&chat->timer);
	at_frame_expect_prompt(&chat->frame, false);
	chat->phase = AT_CHAT_PHASE_IDLE;
	at_chat_drop_write(chat);
	at_chat_unlink(chat, cmd);
	at_chat_kick(chat);
	if (status == AT_CHAT_STATUS_OK || status == AT_CHAT_STATUS_ERROR)
		chat->stats.commands++;
	at_chat_call(cmd, status, final);
}

void at_chat_fail_all(struct at_chat *chat, enum at_chat_status status)
{
	struct at_cmd *list = chat->head;

	/* Detach first: callbacks may queue new commands. */
	chat->head = chat->tail = NULL;
	chat->phase = AT_CHAT_PHASE_IDLE;
	at_chat_drop_write(chat);
	loop_timer_disarm(&chat->timer);
	at_frame_expect_prompt(&chat->frame, false);
	while (list) {
		struct at_cmd *cmd = list;

		list = cmd->next;
		cmd->next = NULL;
		at_chat_call(cmd, status, NULL);
	}
	at_chat_kick(chat);
}

bool at_chat_cancel(struct at_chat *chat, int id)
{
	struct at_cmd *cmd;

	for (cmd = chat->head; cmd && cmd->id != id; cmd = cmd->next)
		;
	if (!cmd || !cmd->cb)
		return false;
	at_chat_hold(chat);
	if (cmd->stage == AT_CHAT_STAGE_QUEUED) {
		at_chat_unlink(chat, cmd);
		at_chat_call(cmd, AT_CHAT_STATUS_CANCELLED, NULL);
	} else {
		/* In flight: it keeps the port until it ends, unowed. */
		struct at_response r = { .id = cmd->id,
					 .status = AT_CHAT_STATUS_CANCELLED,
					 .stage = cmd->stage,
					 .command = cmd->command };
		at_chat_cb cb = cmd->cb;

		cmd->cb = NULL;
		cb(&r, cmd->ud);
	}
	at_chat_release(chat);
	return true;
}

void at_chat_abort(struct at_chat *chat)
{
	at_chat_hold(chat);
	at_chat_fail_all(chat, AT_CHAT_STATUS_CANCELLED);
	at_chat_release(chat);
}

size_t at_chat_pending(const struct at_chat *chat)
{
	size_t n = 0;

	for (const struct at_cmd *c = chat->head; c; c = c->next)
		n++;
	return n;
}

bool at_chat_is_gone(const struct at_chat *chat)
{
	return chat->gone;
}

void at_chat_stats(const struct at_chat *chat, struct at_chat_stats *out)
{
	*out = chat->stats;
	out->frame = *at_frame_stats(&chat->frame);
}

/* ---- I/O ---- */

void at_chat_gone(struct at_chat *chat, int err)
{
	if (chat->gone || chat->dead)
		return;
	chat->gone = true;
	at_chat_stop_io(chat);
	at_chat_fail_all(chat, AT_CHAT_STATUS_GONE);
	if (!chat->dead && chat->gone_cb)
		chat->gone_cb(err, chat->gone_ud);
}

static int at_chat_set_wbuf(struct at_chat *chat, const char *a, size_t alen,
			    const char *b, size_t blen, char last)
{
	size_t need = alen + blen + 1;
	char *p;

	if (need > chat->wcap) {
		p = realloc(chat->wbuf, need);
		if (!p)
			return -ENOMEM;
		chat->wbuf = p;
		chat->wcap = need;
	}
	memcpy(chat->wbuf, a, alen);
	memcpy(chat->wbuf + alen, b, blen);
	chat->wbuf[alen + blen] = last;
	chat->wlen = need;
	chat->woff = 0;
	return 0;
}

static void at_chat_start(struct at_chat *chat)
{
	struct at_cmd *cmd = chat->head;
	static const char esc[] = { AT_CHAT_ESC };
	int rc;

	if (!cmd || cmd->stage != AT_CHAT_STAGE_QUEUED || chat->gone)
		return;
	rc = at_chat_set_wbuf(chat, cmd->escape_first ? esc : "",
			      cmd->escape_first ? 1 : 0, cmd->command,
			      strlen(cmd->command), '\r');
	cmd->stage = AT_CHAT_STAGE_WRITTEN;
	if (rc < 0) {
		at_chat_finish(chat, AT_CHAT_STATUS_ERROR, NULL);
		return;
	}
	chat->phase = AT_CHAT_PHASE_COMMAND;
	loop_timer_arm(&chat->timer, cmd->pdu ? cmd->prompt_timeout_ms
					      : cmd->timeout_ms);
	at_chat_flush(chat);
}

/* The prompt came: write the PDU and Ctrl-Z (TS 27.005 §3.5.1). */
void at_chat_prompt(struct at_chat *chat)
{
	struct at_cmd *cmd = chat->head;

	if (!cmd || !cmd->pdu || chat->phase != AT_CHAT_PHASE_PROMPT) {
		chat->stats.noise++;
		return;
	}
	at_frame_expect_prompt(&chat->frame, false);
	if (at_chat_set_wbuf(chat, cmd->pdu, strlen(cmd->pdu), "", 0,
			     AT_CHAT_CTRL_Z) < 0) {
		at_chat_finish(chat, AT_CHAT_STATUS_ERROR, NULL);
		return;
	}
	cmd->stage = AT_CHAT_STAGE_PROMPTED;
	chat->phase = AT_CHAT_PHASE_PDU;
	at_chat_flush(chat);
}

static void at_chat_written(struct at_chat *chat)
{
	struct at_cmd *cmd = chat->head;

	loop_watch_set(&chat->watch, EPOLLIN);
	if (chat->phase == AT_CHAT_PHASE_COMMAND && cmd->pdu) {
		chat->phase = AT_CHAT_PHASE_PROMPT;
		at_frame_expect_prompt(&chat->frame, true);
	} else if (chat->phase == AT_CHAT_PHASE_COMMAND) {
		chat->phase = AT_CHAT_PHASE_FINAL;
	} else if (chat->phase == AT_CHAT_PHASE_PDU) {
		cmd->stage = AT_CHAT_STAGE_SUBMITTED;
		chat->phase = AT_CHAT_PHASE_FINAL;
		loop_timer_arm(&chat->timer, cmd->timeout_ms);
	}
}

static void at_chat_flush(struct at_chat *chat)
{
	while (chat->woff < chat->wlen) {
		ssize_t n = serial_write(chat->fd, chat->wbuf + chat->woff,
					 chat->wlen - chat->woff,
					 &chat->notsock);

		if (n == -EAGAIN || n == 0) {
			loop_watch_set(&chat->watch, EPOLLIN | EPOLLOUT);
			return;
		}
		if (n < 0) {
			at_chat_gone(chat, (int)n);
			return;
		}
		if (chat->trace_cb)
			chat->trace_cb('>', chat->wbuf + chat->woff, (size_t)n,
				       chat->trace_ud);
		if (chat->dead)
			return;
		chat->woff += (size_t)n;
	}
	chat->wlen = chat->woff = 0;
	if (chat->head && chat->phase != AT_CHAT_PHASE_IDLE)
		at_chat_written(chat);
}

static void at_chat_read(struct at_chat *chat, uint32_t events)
{
	char buf[4096];

	for (int i = 0; i < AT_CHAT_READS_PER_WAKEUP; i++) {
		ssize_t n = serial_read(chat->fd, buf, sizeof(buf));

		if (n == -EAGAIN) {
			/* Nothing left to read and the other end hung up. */
			if (serial_events_hangup(events))
				at_chat_gone(chat, -ENODEV);
			return;
		}
		if (n < 0) {
			at_chat_gone(chat, (int)n);
			return;
		}
		if (chat->trace_cb)
			chat->trace_cb('<', buf, (size_t)n, chat->trace_ud);
		if (chat->dead)
			return;
		at_chat_input(chat, buf, (size_t)n);
		if (chat->dead || chat->gone)
			return;
	}
}

static void at_chat_on_io(struct loop_watch *w, uint32_t events, void *ud)
{
	struct at_chat *chat = ud;

	(void)w;
	at_chat_hold(chat);
	if ((events & EPOLLOUT) && chat->wlen)
		at_chat_flush(chat);
	else if (events & EPOLLOUT)
		at_chat_drop_write(chat);
	if (!chat->dead && !chat->gone &&
	    (events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)))
		at_chat_read(chat, events);
	at_chat_release(chat);
}

static int64_t at_chat_on_timeout(struct loop_timer *t, void *ud)
{
	struct at_chat *chat = ud;
	struct at_cmd *cmd = chat->head;
	static const char esc[] = { AT_CHAT_ESC };

	(void)t;
	if (!cmd || cmd->stage == AT_CHAT_STAGE_QUEUED)
		return LOOP_TIMER_DONE;
	at_chat_hold(chat);
	chat->stats.timeouts++;
	/* Still at (or writing into) the prompt: ESC makes the modem drop
	 * the message instead of taking our next command as its text. */
	if (cmd->pdu && cmd->stage != AT_CHAT_STAGE_SUBMITTED &&
	    serial_write(chat->fd, esc, 1, &chat->notsock) == 1 &&
	    chat->trace_cb)
		chat->trace_cb('>', esc, 1, chat->trace_ud);
	/* A query whose information line came is answered, final or not:
	 * older Wavecom firmware ends AT+CPIN? with "+CPIN: READY" and no
	 * OK. */
	if (!chat->dead && !cmd->pdu && cmd->nprefixes && cmd->nlines &&
	    !cmd->want_pdu)
		at_chat_finish(chat, AT_CHAT_STATUS_OK, NULL);
	else if (!chat->dead)
		at_chat_finish(chat, AT_CHAT_STATUS_TIMEOUT, NULL);
	at_chat_release(chat);
	return LOOP_TIMER_DONE;
}

static void at_chat_on_kick(struct loop_deferred *d, void *ud)
{
	struct at_chat *chat = ud;

	(void)d;
	at_chat_hold(chat);
	/* Before a send, what the modem said meanwhile: a +CMTI waiting in
	 * the tty buffer gets its read queued ahead (before_sends) instead
	 * of waiting out the send (in a pool the loop may be some ms behind
	 * its ports). */
	if (chat->head && chat->head->pdu &&
	    chat->head->stage == AT_CHAT_STAGE_QUEUED &&
	    chat->phase == AT_CHAT_PHASE_IDLE && !chat->gone)
		at_chat_read(chat, EPOLLIN);
	if (!chat->dead)
		at_chat_start(chat);
	at_chat_release(chat);
}
