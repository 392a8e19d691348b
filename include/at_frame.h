/*
 * at_frame — AT response framing: turns the bytes a modem writes, fed in
 * chunks of any size, into lines and `> ` prompts. Pure: no I/O, no
 * allocation, no globals. Knows nothing about commands or SMS; the chat
 * (at_chat.h) decides what a line means.
 *
 * What it accepts, because real modems send it (TS 27.007 §4.1 says
 * "<CR><LF>text<CR><LF>"; modems differ):
 *  - any of \r, \n, \r\n, \n\r, \r\r\n ends a line; empty lines are skipped;
 *  - echo of the host's command ends with a lone \r;
 *  - Ctrl-Z (0x1a) and ESC (0x1b) end a line too: a modem with echo on
 *    repeats the PDU and the Ctrl-Z the host wrote after the prompt;
 *  - `>` at the start of a line followed by a space is the prompt of
 *    AT+CMGS/AT+CMGW (TS 27.005 §3.5.1), never followed by \r\n; with
 *    at_frame_expect_prompt() a lone `>` is enough (some firmware omits the
 *    space);
 *  - NUL and other control bytes are dropped and counted (modems emit them
 *    at boot and on line noise); bytes >= 0x80 are kept (operator names);
 *  - trailing spaces and tabs are trimmed;
 *  - a line longer than AT_FRAME_LINE_MAX is dropped whole and counted, and
 *    reported as AT_FRAME_EVENT_OVERLONG so the caller can resynchronise.
 *
 * Splitting the input differently never changes the events produced.
 */
#ifndef SMSGW_AT_FRAME_H
#define SMSGW_AT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line kept, in bytes. A PDU line is at most 2 * 176 hex digits;
 * AT+COPS=? listings on multi-operator networks run to about 1 kB. */
#define AT_FRAME_LINE_MAX 4096

enum at_frame_event {
	AT_FRAME_EVENT_NONE,	 /* all input consumed, nothing complete */
	AT_FRAME_EVENT_LINE,	 /* at_frame_line() holds a line */
	AT_FRAME_EVENT_PROMPT,	 /* the `> ` prompt */
	AT_FRAME_EVENT_OVERLONG, /* a line was too long and was dropped */
};

enum at_frame_state {
	AT_FRAME_STATE_START,	 /* at the start of a line */
	AT_FRAME_STATE_TEXT,	 /* inside a line */
	AT_FRAME_STATE_GT,	 /* saw `>` at the start of a line */
	AT_FRAME_STATE_DISCARD,	 /* dropping an over-long line */
	AT_FRAME_STATE_PROMPT_SP, /* after a lone `>` prompt: eat one space */
};

struct at_frame_stats {
	uint64_t lines;
	uint64_t prompts;
	uint64_t overlong;	/* lines dropped for length */
	uint64_t garbage;	/* NUL and control bytes dropped */
};

/* Embed in the owner's struct; no allocation, no teardown. */
struct at_frame {
	enum at_frame_state state;
	bool expect_prompt;
	size_t len;
	struct at_frame_stats stats;
	char line[AT_FRAME_LINE_MAX + 1];
};

void at_frame_init(struct at_frame *fr);
/* Forgets a partial line (after reopening the port); keeps the counters. */
void at_frame_reset(struct at_frame *fr);

/*
 * While set, a lone `>` at the start of a line is the prompt at once,
 * without waiting for the space. The chat sets it while a command waits
 * for its prompt.
 */
void at_frame_expect_prompt(struct at_frame *fr, bool on);

/*
 * Consumes bytes from data until one event is complete or the input runs
 * out. Returns the number of bytes consumed and stores the event in *ev.
 * Call again with the rest of the input until it returns with
 * AT_FRAME_EVENT_NONE. The line stays valid until the next call.
 */
size_t at_frame_feed(struct at_frame *fr, const void *data, size_t len,
		     enum at_frame_event *ev);

/* The line of the last AT_FRAME_EVENT_LINE: NUL-terminated, no NUL inside,
 * no \r or \n. */
const char *at_frame_line(const struct at_frame *fr);
size_t at_frame_line_len(const struct at_frame *fr);

const struct at_frame_stats *at_frame_stats(const struct at_frame *fr);

#endif
