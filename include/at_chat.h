/*
 * at_chat — talks AT over one non-blocking fd in the event loop: a queue of
 * commands with one in flight, a table of final responses, unsolicited
 * result codes (URCs) dispatched by prefix, the `> ` prompt of commands that
 * send a PDU, and a timeout on every command. It knows nothing about SMS:
 * the driver says which prefixes a command answers with and which URCs
 * carry a PDU line.
 *
 * How a line is classified while a command is in flight (its command line
 * fully written):
 *  1. the PDU line owed to a URC header (+CMT, +CDS) or to a prefixed line
 *     of a command with pdu_lines (+CMGL=4, +CMGR), when it is hex (in any
 *     case, perhaps followed by ",..."); for a command, any line of rules
 *     5 and 6 in between (a vendor URC) leaves the PDU owed;
 *  2. echo of the command or of its PDU (ATE1 left on) is dropped;
 *  3. a final response from the table ends the command;
 *  4. a line starting with one of the command's prefixes is kept;
 *  5. a line starting with a registered URC prefix goes to its handlers,
 *     also in the middle of a multi-line response;
 *  6. any other line is kept if the command asked for raw_lines
 *     (AT+CGSN, AT+CIMI answer without a prefix), else it is noise:
 *     counted and passed to the noise hook.
 * With no command in flight only 1, 5 and 6 (noise) apply; a stray final
 * response is noise.
 *
 * Callbacks: every submitted command's callback is called exactly once,
 * never from inside at_chat_submit(): with its final response, on timeout,
 * on cancel or abort, when the device goes away, or from at_chat_free().
 * Any callback may submit, cancel, abort or free the chat; the chat
 * survives until the callback returns.
 *
 * Not thread-safe: one loop, one thread.
 */
#ifndef SMSGW_AT_CHAT_H
#define SMSGW_AT_CHAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "at_frame.h"

struct loop;
struct at_chat;

/* Defaults from doc/reliability.md, "Timeouts used by existing
 * software": 5 s for simple commands, 10 s for the prompt, 90 s for the
 * final response after Ctrl-Z. */
#define AT_CHAT_TIMEOUT_MS 5000
#define AT_CHAT_PROMPT_TIMEOUT_MS 10000
#define AT_CHAT_SUBMIT_TIMEOUT_MS 90000

/* Intermediate lines kept per response; more are dropped (truncated). A
 * full 255-message +CMGL=4 listing is 510 lines. */
#define AT_CHAT_MAX_LINES 2048
/* Longest command line and PDU accepted: far above anything a driver
 * sends (a PDU is at most 2 * 176 hex digits, TS 23.040 §9.2.2.2). */
#define AT_CHAT_MAX_COMMAND 512
#define AT_CHAT_MAX_PDU 1024

enum at_chat_status {
	AT_CHAT_STATUS_OK,	  /* a final response of the success kind;
				   * or, final NULL, the timeout of a
				   * command with prefixes after one of
				   * its lines came (no final sent) */
	AT_CHAT_STATUS_ERROR,	  /* a final response of the error kind */
	AT_CHAT_STATUS_TIMEOUT,	  /* no final response in time */
	AT_CHAT_STATUS_CANCELLED, /* at_chat_cancel/abort/free */
	AT_CHAT_STATUS_GONE,	  /* the device went away (EOF, EIO, HUP) */
};

/*
 * How far a command got. For a command with a PDU, only
 * AT_CHAT_STAGE_SUBMITTED means the modem may have sent it: a timeout at
 * that stage is ambiguous (doc/contract.md §7), before it the message
 * surely was not sent.
 */
enum at_chat_stage {
	AT_CHAT_STAGE_QUEUED,	 /* no byte of it was written */
	AT_CHAT_STAGE_WRITTEN,	 /* the command line was (partly) written */
	AT_CHAT_STAGE_PROMPTED,	 /* the prompt came; the PDU is being written */
	AT_CHAT_STAGE_SUBMITTED, /* the PDU and its Ctrl-Z were written */
};

/* Everything is borrowed for the duration of the callback only. */
struct at_response {
	int id;
	enum at_chat_status status;
	enum at_chat_stage stage;
	const char *command;
	const char *final;		/* the final response line, or NULL */
	const char *const *lines;	/* intermediate lines, in order */
	size_t nlines;
	bool truncated;			/* lines were dropped (count, length) */
};

typedef void (*at_chat_cb)(const struct at_response *r, void *ud);
/* line is the URC; pdu is its PDU line for URCs registered with pdu, or
 * NULL when the PDU line did not come (not hex, too long). Borrowed. */
typedef void (*at_chat_urc_cb)(const char *line, const char *pdu, void *ud);
/* err: -ENODEV when the device went away, or the -errno of a failed read
 * or write. */
typedef void (*at_chat_gone_cb)(int err, void *ud);
/* dir: '>' bytes written to the modem, '<' bytes read from it. */
typedef void (*at_chat_trace_cb)(char dir, const void *data, size_t len,
				 void *ud);
typedef void (*at_chat_noise_cb)(const char *line, void *ud);

struct at_request {
	/* "AT+CSQ": printable ASCII, no \r (the chat adds it). Copied. */
	const char *command;
	/* NULL-terminated prefixes of the lines the command answers with,
	 * e.g. { "+CSQ:", NULL }; NULL: none. Copied. */
	const char *const *prefixes;
	/* Keep every line that is neither final nor a URC. */
	bool raw_lines;
	/* After each line matching a prefix comes a PDU line (+CMGL=4,
	 * +CMGR in PDU mode, TS 27.005 §3.4.2, §3.4.3); it follows its
	 * header in lines[]. */
	bool pdu_lines;
	/* Write ESC (0x1b) before the command: leaves a stuck prompt
	 * (recovery, doc/reliability.md, "Recovery ladder and device
	 * disappearance"). */
	bool escape_first;
	/* Hex PDU for AT+CMGS/AT+CMGW (TS 27.005 §3.5.1): after the prompt
	 * the chat writes it and Ctrl-Z. Copied. */
	const char *pdu;
	/* Final response timeout; 0: AT_CHAT_TIMEOUT_MS, or
	 * AT_CHAT_SUBMIT_TIMEOUT_MS after Ctrl-Z when pdu is set. */
	int timeout_ms;
	/* Prompt timeout when pdu is set; 0: AT_CHAT_PROMPT_TIMEOUT_MS. On
	 * expiry the chat writes ESC to leave the prompt. */
	int prompt_timeout_ms;
	/* Goes ahead of the queued commands with a PDU (sends) that have not
	 * started: a read of a received SMS need not wait out the next
	 * AT+CMGS (a pool modem sends back to back). */
	bool before_sends;
	at_chat_cb cb;
	void *ud;
};

struct at_chat_stats {
	uint64_t commands;	/* completed with a final response */
	uint64_t timeouts;
	uint64_t urcs;
	uint64_t echoes;
	uint64_t noise;		/* unclaimed lines, stray prompts */
	struct at_frame_stats frame;
};

/*
 * Creates a chat over fd (non-blocking, any kind: tty, pty, socket) and
 * starts watching it. The fd stays the caller's: close it after
 * at_chat_free(). Returns 0 or -errno.
 */
int at_chat_new(struct loop *loop, int fd, struct at_chat **out);
/*
 * Cancels every pending command (callbacks called with
 * AT_CHAT_STATUS_CANCELLED before the memory goes), stops watching the fd
 * and frees the chat. Safe from any callback. NULL is a no-op.
 */
void at_chat_free(struct at_chat *chat);

void at_chat_set_gone(struct at_chat *chat, at_chat_gone_cb cb, void *ud);
void at_chat_set_trace(struct at_chat *chat, at_chat_trace_cb cb, void *ud);
void at_chat_set_noise(struct at_chat *chat, at_chat_noise_cb cb, void *ud);

/*
 * Adds a final response. prefix: text matches the start of a line (as
 * "+CME ERROR:"), else the whole line. Rows added later are tried first.
 * Built in: OK, CONNECT (prefix) succeed; ERROR, +CME ERROR:, +CMS ERROR:,
 * +EXT ERROR:, NO CARRIER, NO DIALTONE, NO ANSWER, BUSY fail (TS 27.007
 * §9.2, TS 27.005 §3.2.5, ITU-T V.250 §5.7.1). Returns 0 or -errno.
 */
int at_chat_add_final(struct at_chat *chat, const char *text, bool prefix,
		      bool success);
/*
 * Removes every final response row whose text is text: a driver that
 * never dials drops the call results (NO CARRIER, BUSY, ...), which a
 * caller hanging up prints at any time, also inside another command's
 * answer (ITU-T V.250 §5.7.1 gives them for ATD/ATA only). Returns how
 * many rows went.
 */
int at_chat_remove_final(struct at_chat *chat, const char *text);

/*
 * Calls cb for every line starting with prefix. pdu: the next line is the
 * URC's PDU (+CMT, +CDS in PDU mode, TS 27.005 §3.4.1). Several handlers
 * may share a prefix. Returns an id > 0 for at_chat_unregister(), or
 * -errno.
 */
int at_chat_register(struct at_chat *chat, const char *prefix, bool pdu,
		     at_chat_urc_cb cb, void *ud);
void at_chat_unregister(struct at_chat *chat, int id);

/*
 * Queues a command. Returns its id (> 0), -EINVAL for a malformed command
 * or PDU, -ENOMEM, or -ENODEV once the device is gone (no callback then).
 */
int at_chat_submit(struct at_chat *chat, const struct at_request *req);
/* Shorthand: one prefix or NULL, default timeout. */
int at_chat_send(struct at_chat *chat, const char *command,
		 const char *prefix, at_chat_cb cb, void *ud);

/*
 * Cancels one command: its callback is called with
 * AT_CHAT_STATUS_CANCELLED before this returns. A command already in
 * flight still owns the port until its final response or timeout, so its
 * answer is not taken for the next command's. Returns false for an unknown
 * id.
 */
bool at_chat_cancel(struct at_chat *chat, int id);
/*
 * Cancels every command, the one in flight included, which is forgotten at
 * once: use it when the modem is being given up or reset, and start again
 * with a resynchronising command (escape_first).
 */
void at_chat_abort(struct at_chat *chat);

/* Commands queued or in flight. */
size_t at_chat_pending(const struct at_chat *chat);
bool at_chat_is_gone(const struct at_chat *chat);
void at_chat_stats(const struct at_chat *chat, struct at_chat_stats *out);

/* Whether line is a PDU line: an even number (> 0) of hex digits. */
bool at_chat_is_hex(const char *line);

#endif
