/*
 * at_trace — writes every byte exchanged with a modem to a file in the
 * capture format (at_capture.h), one chunk per line, prefixed with the
 * ISO-8601 UTC time and the port name:
 *
 *	2026-11-27T06:00:00.123Z modem0 > AT+CSQ\r
 *	2026-11-27T06:00:00.140Z modem0 < \r\n+CSQ: 17,99\r\n\r\nOK\r\n
 *
 * at_capture_load() reads such a file back, so a user's trace becomes a
 * test. Each line is flushed when written: the lines before a crash are the
 * ones that matter.
 */
#ifndef SMSGW_AT_TRACE_H
#define SMSGW_AT_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* Embed or allocate; the FILE stays the caller's. */
struct at_trace {
	FILE *f;
	char port[32];
	bool full;	/* false: numbers, codes and PDUs redacted (redact.h) */
};

void at_trace_init(struct at_trace *t, FILE *f, const char *port);

/*
 * Writes one line: dir is '>' (host wrote) or '<' (modem wrote); now is a
 * CLOCK_REALTIME time, or NULL for the current time. Returns 0 or -EIO.
 */
int at_trace_write(struct at_trace *t, char dir, const void *data,
		   size_t len, const struct timespec *now);

/* Matches at_chat_trace_cb (at_chat.h); ud is a struct at_trace. */
void at_trace_chat_cb(char dir, const void *data, size_t len, void *ud);

#endif
