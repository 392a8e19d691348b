/*
 * hook — user commands run on message events, like smstools3's
 * eventhandler: on_received, on_sent, on_failed, on_delivered, on_rejected,
 * on_modem (the hooks section of smsgw.conf) and the hook action of a
 * keyword rule.
 *
 * A hook never delays reception or sending. hook_run() only queues; the
 * loop starts the command on its next iteration, at most max_running at a
 * time, and later ones wait in a FIFO of at most max_queued (past that, a
 * hook is dropped with a log line). Each command:
 *  - runs as `/bin/sh -c COMMAND` (so pipes, redirections and arguments
 *    work as users expect), with $0 "smsgw-hook";
 *  - gets the message in SMSGW_* environment variables (below), never in
 *    the command line, so no text is ever parsed by a shell;
 *  - inherits the daemon's environment (minus its SMSGW_* variables), an
 *    empty signal mask and default signal actions, stdin from /dev/null,
 *    and no other descriptor than 0, 1 and 2;
 *  - leads its own process group. After timeout_ms the group gets SIGTERM
 *    and, HOOK_KILL_GRACE_MS later, SIGKILL: a hook's children die with it;
 *  - writes stdout and stderr to the daemon's log (info level, "hook
 *    received #42: …", at most HOOK_LOG_LINES lines per run) or, with
 *    log_output off, to /dev/null.
 * Children are watched with pidfd_open(2) in the loop; nothing else in the
 * daemon may reap them (no waitpid(-1), no SIG_IGN for SIGCHLD).
 *
 * Environment, every variable always set ("" when it does not apply):
 *	SMSGW_EVENT	 received, sent, failed, delivered, rule, rejected or
 *			 modem
 *	SMSGW_ID	 inbox id (received, rule) or outbox id, "" if none
 *	SMSGW_NUMBER	 the other party: the sender, or the recipient
 *	SMSGW_TEXT	 the message body (UTF-8; cut at HOOK_TEXT_MAX bytes)
 *	SMSGW_SIM	 the SIM's name, "modem/slot"
 *	SMSGW_SIM_NUMBER the SIM's own number
 *	SMSGW_ICCID	 the SIM's ICCID
 *	SMSGW_STATE	 outbox state (sent, delivered, failed …); modem: the
 *			 SIM's state (absent, ready …); "" inbound
 *	SMSGW_ERROR	 why it failed (failed), why the file was refused
 *			 (rejected), why the SIM is out of service (modem)
 *	SMSGW_KEYWORD	 inbox keyword: optout, optin, help, a rule name
 *	SMSGW_RULE	 the rule that ran this hook (rule events)
 *	SMSGW_CAMPAIGN	 the campaign name (of the message a reply answers)
 *	SMSGW_PARTS	 number of SMS parts
 *	SMSGW_PARTIAL	 1 when a multipart reply is missing parts, else 0
 *	SMSGW_FILE	 the spool file's name as it was dropped in outgoing/
 *	SMSGW_FILE_ID	 its Id: header
 *	SMSGW_TIME	 when it happened, ISO-8601 UTC with milliseconds
 *			 ("2026-11-27T06:00:00.123Z")
 *	SMSGW_CONFIG	 the daemon's configuration file, an absolute path
 *			 (so `smsgw` in a hook reads the same database)
 */
#ifndef SMSGW_HOOK_H
#define SMSGW_HOOK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct loop;
struct hook_runner;

#define HOOK_TIMEOUT_DEFAULT_MS 30000
#define HOOK_MAX_RUNNING_DEFAULT 4
#define HOOK_MAX_QUEUED_DEFAULT 1000
#define HOOK_KILL_GRACE_MS 2000
#define HOOK_LOG_LINES 20
#define HOOK_TEXT_MAX 65536

enum hook_event {
	HOOK_EVENT_RECEIVED,
	HOOK_EVENT_SENT,
	HOOK_EVENT_FAILED,
	HOOK_EVENT_DELIVERED,
	HOOK_EVENT_RULE,
	HOOK_EVENT_REJECTED,	/* a spool file went to rejected/ */
	HOOK_EVENT_MODEM,	/* a SIM went out of service or came back */
};

/* "received", "sent", "failed", "delivered", "rule", "rejected", "modem" */
const char *hook_event_name(enum hook_event e);
bool hook_event_parse(const char *name, enum hook_event *out);

/* The message a hook is about. Strings are borrowed and may be NULL. */
struct hook_msg {
	enum hook_event event;
	int64_t id;		/* inbox or outbox id; 0 when none */
	const char *number;
	const char *text;
	const char *sim;
	const char *sim_number;
	const char *iccid;
	const char *state;
	const char *error;
	const char *keyword;
	const char *rule;
	const char *campaign;
	const char *file;	/* the spool file's name */
	const char *file_id;	/* its Id: header */
	int parts;
	bool partial;
	int64_t time_ms;	/* ms since the epoch; 0: now */
};

struct hook_opts {
	int timeout_ms;		/* the hooks section's timeout */
	unsigned max_running;
	unsigned max_queued;
	bool log_output;	/* stdout/stderr to the log, else /dev/null */
	const char *config_path; /* SMSGW_CONFIG; copied; NULL: "" */
};

/* Defaults above, log_output on. */
void hook_opts_init(struct hook_opts *o);

enum hook_status {
	HOOK_STATUS_EXITED,	/* code: the exit status; -1 if unknown */
	HOOK_STATUS_SIGNALED,	/* code: the signal */
	HOOK_STATUS_TIMEOUT,	/* code: the signal that ended it */
	HOOK_STATUS_SPAWN_FAILED, /* code: errno */
};

/* "exited", "signaled", "timeout", "spawn-failed" */
const char *hook_status_name(enum hook_status s);

struct hook_result {
	enum hook_status status;
	int code;
	pid_t pid;		/* 0 when it never started */
	int64_t waited_ms;	/* in the queue */
	int64_t ran_ms;		/* from start to reaping */
};

/* Called once per hook that was accepted, from the loop; r is borrowed.
 * The callback may call hook_run() and hook_runner_free(). */
typedef void (*hook_done_cb)(const struct hook_result *r, void *ud);

/* Returns 0 or -errno. */
int hook_runner_new(struct loop *loop, const struct hook_opts *o,
		    struct hook_runner **out);

/* New limits and timeout (SIGHUP) for the hooks started from now on. */
int hook_runner_set_opts(struct hook_runner *hr, const struct hook_opts *o);

/*
 * Kills what still runs (SIGKILL to each process group) and reaps it, and
 * forgets the queue. No callback is called. Safe from a hook callback.
 */
void hook_runner_free(struct hook_runner *hr);

/*
 * Queues command (copied) for msg (copied into the environment now).
 * Returns 0, -ENOBUFS when the queue is full (the hook is dropped and a
 * line logged; cb is not called), -EINVAL for an empty command, or
 * -ENOMEM. cb may be NULL.
 */
int hook_run(struct hook_runner *hr, const char *command,
	     const struct hook_msg *msg, hook_done_cb cb, void *ud);

unsigned hook_running(const struct hook_runner *hr);
unsigned hook_queued(const struct hook_runner *hr);

#endif
