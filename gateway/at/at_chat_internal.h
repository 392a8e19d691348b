/*
 * The chat's private state, shared by at_chat.c (queue, writing, timeouts,
 * teardown) and at_chat_line.c (what each line from the modem means, and
 * the final-response and URC tables).
 */
#ifndef SMSGW_AT_CHAT_INTERNAL_H
#define SMSGW_AT_CHAT_INTERNAL_H

#include "at_chat.h"
#include "at_frame.h"
#include "loop.h"

/* The lengths are kept: every line from the modem is tried on each row. */
struct at_chat_final {
	char *text;
	bool prefix;
	bool success;
	size_t len;
};

struct at_chat_urc {
	char *prefix;
	size_t len;
	bool pdu;
	at_chat_urc_cb cb;
	void *ud;
	int id;
};

struct at_cmd {
	struct at_cmd *next;
	int id;
	char *command;
	char **prefixes;
	size_t nprefixes;
	bool raw_lines, pdu_lines, escape_first;
	char *pdu;
	int timeout_ms, prompt_timeout_ms;
	at_chat_cb cb;		/* NULL once called (a cancelled command) */
	void *ud;
	enum at_chat_stage stage;
	char **lines;
	size_t nlines, lines_cap;
	bool truncated;
	bool want_pdu;		/* the last kept line owes a PDU line */
};

/* Where the command in flight (the head of the queue) is. */
enum at_chat_phase {
	AT_CHAT_PHASE_IDLE,	/* nothing in flight */
	AT_CHAT_PHASE_COMMAND,	/* writing the command line */
	AT_CHAT_PHASE_PROMPT,	/* waiting for "> " */
	AT_CHAT_PHASE_PDU,	/* writing the PDU and Ctrl-Z */
	AT_CHAT_PHASE_FINAL,	/* waiting for the final response */
};

struct at_chat {
	struct loop *loop;
	int fd;
	bool notsock;		/* serial_write()'s memory of the fd */
	struct loop_watch watch;
	struct loop_timer timer;
	struct loop_deferred kick;
	struct at_frame frame;

	struct at_cmd *head, *tail;
	enum at_chat_phase phase;
	int next_id;
	char *wbuf;
	size_t wlen, woff, wcap;

	struct at_chat_final *finals;
	size_t nfinals;
	struct at_chat_urc *urcs;
	size_t nurcs;
	int urc_seq;
	char *urc_header;	/* a URC line waiting for its PDU line */

	int depth;		/* callbacks running; free waits for 0 */
	bool dead;		/* at_chat_free() was called */
	bool gone;		/* the device went away */

	at_chat_gone_cb gone_cb;
	void *gone_ud;
	at_chat_trace_cb trace_cb;
	void *trace_ud;
	at_chat_noise_cb noise_cb;
	void *noise_ud;
	struct at_chat_stats stats;
};

/* Reentrancy guard: the chat is freed by the release that ends the last
 * hold after at_chat_free(); true when that happened. */
void at_chat_hold(struct at_chat *chat);
bool at_chat_release(struct at_chat *chat);

void at_chat_finish(struct at_chat *chat, enum at_chat_status status,
		    const char *final);
void at_chat_fail_all(struct at_chat *chat, enum at_chat_status status);
void at_chat_gone(struct at_chat *chat, int err);
void at_chat_prompt(struct at_chat *chat);
int at_chat_add_builtin_finals(struct at_chat *chat);
const struct at_chat_final *at_chat_find_final(const struct at_chat *chat,
					       const char *line);
bool at_chat_is_echo(const struct at_cmd *cmd, const char *line);

/* Feeds bytes read from the modem through the framer and the rules. */
void at_chat_input(struct at_chat *chat, const char *data, size_t len);

#endif
