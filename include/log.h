/*
 * log — the daemon's diagnostic log: stderr in the foreground, syslog
 * otherwise. Messages carry a subsystem prefix written by the caller
 * ("spool: rename %s: %m"). The audit trail users read lives in the
 * database (store_event); this log is for operators and developers.
 *
 * The AT trace writes every byte exchanged with a modem to its own file in
 * the format of the captures in drivers/<vendor>/captures (see
 * at_trace.h), so a user's bug report becomes a test.
 */
#ifndef SMSGW_LOG_H
#define SMSGW_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* ident names the program in syslog; to_stderr selects the sink. */
void log_open(const char *ident, bool to_stderr, enum log_level level);
void log_set_level(enum log_level level);
/* true: numbers in log lines as they are; false (default): shortened
 * (redact.h), unless the operator set trace_full. */
void log_set_full(bool full);
bool log_enabled(enum log_level level);

/* Parses "error", "warning", "notice", "info", "debug". */
bool log_level_parse(const char *s, enum log_level *out);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)                                         \
	do {                                                   \
		if (log_enabled(LOG_LEVEL_DEBUG))              \
			log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__); \
	} while (0)

#endif
