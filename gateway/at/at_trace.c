/* at_trace — AT trace files in the capture format; see include/at_trace.h. */
#include "at_trace.h"

#include "at_capture.h"

#include <errno.h>

/* Input bytes escaped per block; at most 4 output bytes each. */
#define AT_TRACE_BLOCK 256

void at_trace_init(struct at_trace *t, FILE *f, const char *port)
{
	t->f = f;
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
	for (size_t off = 0; off < len; off += AT_TRACE_BLOCK) {
		size_t n = len - off < AT_TRACE_BLOCK ? len - off
						      : AT_TRACE_BLOCK;

		at_capture_escape(p + off, n, esc, sizeof(esc));
		fputs(esc, t->f);
	}
	fputc('\n', t->f);
	if (fflush(t->f) != 0 || ferror(t->f))
		return -EIO;
	return 0;
}

void at_trace_chat_cb(char dir, const void *data, size_t len, void *ud)
{
	at_trace_write(ud, dir, data, len, NULL);
}
