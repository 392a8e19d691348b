/* log — stderr or syslog; see include/log.h. */
#include "log.h"
#include "redact.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERROR] = "error",	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_NOTICE] = "notice", [LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

static const int log_syslog_prio[] = {
	[LOG_LEVEL_ERROR] = LOG_ERR,	 [LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_NOTICE] = LOG_NOTICE, [LOG_LEVEL_INFO] = LOG_INFO,
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
};

static struct {
	bool to_stderr;
	bool full;	/* numbers unredacted (trace_full) */
	enum log_level level;
} log_state = { .to_stderr = true, .level = LOG_LEVEL_NOTICE };

void log_set_full(bool full)
{
	log_state.full = full;
}

void log_open(const char *ident, bool to_stderr, enum log_level level)
{
	log_state.to_stderr = to_stderr;
	log_state.level = level;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	log_state.level = level;
}

bool log_enabled(enum log_level level)
{
	return level <= log_state.level;
}

bool log_level_parse(const char *s, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++) {
		if (strcmp(s, log_level_names[i]) == 0) {
			*out = (enum log_level)i;
			return true;
		}
	}
	return false;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	int saved = errno; /* keeps %m meaningful for the caller's fmt */
	char line[2048], red[2048];
	const char *msg = line;
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	errno = saved;
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Phone numbers shortened unless the operator turned tracing on. */
	if (!log_state.full) {
		redact(line, REDACT_LOG, red, sizeof(red));
		msg = red;
	}
	if (log_state.to_stderr) {
		struct timespec ts;
		struct tm tm;
		char stamp[32], zone[8];

		/* ISO-8601 in the configured zone, with its offset: a line
		 * read a day later still says when. */
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		strftime(zone, sizeof(zone), "%z", &tm);
		fprintf(stderr, "%s.%03ld%.3s:%.2s %-7s %s\n", stamp,
			ts.tv_nsec / 1000000, zone, zone + 3,
			log_level_names[level], msg);
	} else {
		syslog(log_syslog_prio[level], "%s", msg);
	}
	errno = saved;
}
