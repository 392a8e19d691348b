/*
 * redact — what logs and the AT trace show of numbers and texts unless the
 * operator turns full tracing on (trace_full = yes; issue 19). Pure.
 *
 *   "+491721234567"           → "+4917...67"   (numbers shortened)
 *   "491721234567"            → "4917...67"    (9 digits or more)
 *   "Your code is 483920"     → "Your code is ******"   (trace only:
 *                               runs of 4 to 8 digits, one-time codes)
 *   "07911326040000F0040B91…" → "[pdu 42 octets]"   (trace only: hex runs
 *                               of 20 or more, which carry the number and
 *                               the text of an SMS)
 */
#ifndef SMSGW_REDACT_H
#define SMSGW_REDACT_H

#include <stdbool.h>
#include <stddef.h>

enum redact_mode {
	REDACT_LOG,	/* numbers only: ids, pids and durations stay */
	REDACT_TRACE,	/* numbers, codes and PDUs */
};

/* Writes the redacted in into out (always NUL-terminated, truncated to
 * size). Returns the length written. */
size_t redact(const char *in, enum redact_mode mode, char *out, size_t size);
/* The same for len bytes that may hold NULs or control bytes. */
size_t redact_n(const char *in, size_t len, enum redact_mode mode, char *out,
		size_t size);

#endif
