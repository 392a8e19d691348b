/* at_trace — AT trace files in the capture format; see include/at_trace.h. */
#include "at_trace.h"

#include "at_capture.h"
#include "redact.h"

#include <errno.h>
#include <stdlib.h>

/* Input bytes escaped per block; at most 4 output bytes each. */
#define AT_TRACE_BLOCK 256

void at_trace_init(struct at_trace *t, FILE *f, const char *port)
{
	t->f = f;
	t->full = false;
	snprintf(t->port, sizeof(t->port), "%s", port ? port : "-");
	/* A space would split the port from the direction when read back. */
	for (char *p = t->port; *p; p++)
		if (*p == ' ' || *p == '\t')
			*p = '_';
	if (!t->port[0])
		snprintf(t->port, sizeof(t->port), "-");
}

int at_trace_write(struct at_trace *t, char dir, const void *data,
		   size_t len, const struct timespec *now)
{
	const unsigned char *p = data;
	char esc[AT_TRACE_BLOCK * 4 + 1];
	char *red = NULL;
	struct timespec ts;
	struct tm tm;
	char stamp[40];

	if (!t->f)
		return 0;
	if (now)
		ts = *now;
	else
		clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(t->f, "%s.%03ldZ %s %c ", stamp, ts.tv_nsec / 1000000, t->port,
		dir == '>' ? '>' : '<');
	/* Numbers, codes and PDUs stay out of the file unless the operator
	 * asked for everything (trace_full). */
	if (!t->full) {
		red = malloc(len + 64);
		if (!red)
			return -ENOMEM;
		len = redact_n(data, len, REDACT_TRACE, red, len + 64);
		p = (const unsigned char *)red;
	}
	for (size_t off = 0; off < len; off += AT_TRACE_BLOCK) {
		size_t n = len - off < AT_TRACE_BLOCK ? len - off
						      : AT_TRACE_BLOCK;

		at_capture_escape(p + off, n, esc, sizeof(esc));
		fputs(esc, t->f);
	}
	fputc('\n', t->f);
	free(red);
	if (fflush(t->f) != 0 || ferror(t->f))
		return -EIO;
	return 0;
}

void at_trace_chat_cb(char dir, const void *data, size_t len, void *ud)
{
	at_trace_write(ud, dir, data, len, NULL);
}
