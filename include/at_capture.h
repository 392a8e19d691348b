/*
 * at_capture — the shared text format of AT captures and traces, read and
 * written. A capture (drivers/<vendor>/captures/<device>/<name>.at) holds one chunk
 * per line:
 *
 *	# a comment citing the source
 *	> AT+CSQ\r
 *	< \r\n+CSQ: 17,99\r\n\r\nOK\r\n
 *
 * "> " starts what the host wrote, "< " what the modem wrote. Bytes are
 * written with C escapes: \r \n \t \\ \" \xHH (Ctrl-Z is \x1a, ESC \x1b);
 * other printable ASCII stands for itself. A trace written by the daemon
 * (at_trace.h) prefixes each line with an ISO-8601 UTC time and a port
 * name:
 *
 *	2026-11-27T06:00:00.123Z modem0 < \r\nOK\r\n
 *
 * Both forms load the same way, so the daemon's trace of a user's problem
 * becomes a test. Parsing and escaping are pure; at_capture_load() is the
 * one function that reads a file.
 */
#ifndef SMSGW_AT_CAPTURE_H
#define SMSGW_AT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

enum at_capture_dir {
	AT_CAPTURE_DIR_HOST = '>',	/* bytes the host wrote */
	AT_CAPTURE_DIR_MODEM = '<',	/* bytes the modem wrote */
};

struct at_capture_chunk {
	enum at_capture_dir dir;
	const uint8_t *data;	/* points into at_capture.bytes */
	size_t off;		/* the same as an offset */
	size_t len;
	unsigned line;		/* line number in the text, from 1 */
	char port[32];		/* trace lines only, else "" */
	char time[32];		/* trace lines only, else "" */
};

/* Owns its memory; release with at_capture_free(). */
struct at_capture {
	struct at_capture_chunk *chunks;
	size_t nchunks;
	uint8_t *bytes;
	size_t nbytes;
};

/*
 * Parses text (len bytes, need not be NUL-terminated) into *out. Returns 0,
 * -ENOMEM, or -EINVAL with a message naming the line in err (errlen bytes).
 * On failure *out is empty.
 */
int at_capture_parse(const char *text, size_t len, struct at_capture *out,
		     char *err, size_t errlen);
/* Reads and parses a file; -errno when it cannot be read. */
int at_capture_load(const char *path, struct at_capture *out, char *err,
		    size_t errlen);
void at_capture_free(struct at_capture *cap);

/*
 * Concatenates every chunk in direction dir into a new buffer (malloc'd,
 * the caller frees it) and returns it, its length in *len. NULL on
 * allocation failure; an empty result is a valid 1-byte allocation.
 */
uint8_t *at_capture_join(const struct at_capture *cap,
			 enum at_capture_dir dir, size_t *len);

/*
 * Escapes len bytes into out (size bytes, always NUL-terminated when size
 * > 0). Returns the length the full escaped text needs, like snprintf.
 * At most 4 output bytes per input byte.
 */
size_t at_capture_escape(const void *data, size_t len, char *out,
			 size_t size);

#endif
