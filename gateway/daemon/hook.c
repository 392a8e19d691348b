/*
 * hook — event commands run through posix_spawn, watched with pidfds in the
 * event loop; see include/hook.h.
 */
#include "hook.h"
#include "hook_priv.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOOK_LINE_MAX 512

struct hook_job {
	struct hook_job *next;
	struct hook_runner *hr;
	char *command;
	char **envp;		/* malloc'd array of malloc'd strings */
	char label[48];		/* "received #42", for the log */
	hook_done_cb cb;
	void *ud;
	int64_t queued_at, started_at;

	/* while running */
	pid_t pid;
	int pidfd, outfd;
	struct loop_watch pidwatch, outwatch;
	struct loop_timer timer;
	bool timed_out;
	int lines;
	size_t linelen;
	char line[HOOK_LINE_MAX];
};

struct hook_runner {
	struct loop *loop;
	struct hook_opts opts;
	char *config_path;
	struct hook_job *queue, *queue_tail, *running;
	unsigned nqueued, nrunning;
	struct loop_deferred pump;
	int in_callback;
	bool dying;
};

static void hook_runner_destroy(struct hook_runner *hr);

static const char *const hook_event_names[] = {
	[HOOK_EVENT_RECEIVED] = "received",
	[HOOK_EVENT_SENT] = "sent",
	[HOOK_EVENT_FAILED] = "failed",
	[HOOK_EVENT_DELIVERED] = "delivered",
	[HOOK_EVENT_RULE] = "rule",
	[HOOK_EVENT_REJECTED] = "rejected",
	[HOOK_EVENT_MODEM] = "modem",
};

#define HOOK_NEVENTS (sizeof(hook_event_names) / sizeof(hook_event_names[0]))

const char *hook_event_name(enum hook_event e)
{
	return (size_t)e < HOOK_NEVENTS ? hook_event_names[e] : "?";
}

bool hook_event_parse(const char *name, enum hook_event *out)
{
	for (size_t i = 0; name && i < HOOK_NEVENTS; i++) {
		if (strcmp(name, hook_event_names[i]) == 0) {
			*out = (enum hook_event)i;
			return true;
		}
	}
	return false;
}

const char *hook_status_name(enum hook_status s)
{
	static const char *const names[] = {
		[HOOK_STATUS_EXITED] = "exited",
		[HOOK_STATUS_SIGNALED] = "signaled",
		[HOOK_STATUS_TIMEOUT] = "timeout",
		[HOOK_STATUS_SPAWN_FAILED] = "spawn-failed",
	};

	return (size_t)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

void hook_opts_init(struct hook_opts *o)
{
	*o = (struct hook_opts){ .timeout_ms = HOOK_TIMEOUT_DEFAULT_MS,
				 .max_running = HOOK_MAX_RUNNING_DEFAULT,
				 .max_queued = HOOK_MAX_QUEUED_DEFAULT,
				 .log_output = true };
}

/* ---- jobs ---- */

static void hook_job_free(struct hook_job *j)
{
	free(j->command);
	hook_env_free(j->envp);
	free(j);
}

static void hook_unlink_running(struct hook_runner *hr, struct hook_job *j)
{
	struct hook_job **pp;

	for (pp = &hr->running; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			hr->nrunning--;
			break;
		}
	}
}

/* Logs what the hook wrote, one line at a time, at most HOOK_LOG_LINES. */
static void hook_log_line(struct hook_job *j)
{
	j->line[j->linelen] = '\0';
	j->lines++;
	if (j->lines <= HOOK_LOG_LINES)
		log_info("hook %s: %s", j->label, j->line);
	else if (j->lines == HOOK_LOG_LINES + 1)
		log_info("hook %s: more output not logged", j->label);
	j->linelen = 0;
}

static void hook_drain(struct hook_job *j, bool final)
{
	char buf[1024];
	ssize_t n;

	while ((n = read(j->outfd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' || j->linelen == HOOK_LINE_MAX - 1)
				hook_log_line(j);
			if (buf[i] != '\n')
				j->line[j->linelen++] = buf[i];
		}
	}
	if (n == 0 || final || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		if (j->linelen)
			hook_log_line(j);
		loop_watch_del(&j->outwatch);
		close(j->outfd);
		j->outfd = -1;
	}
}

static void hook_out_cb(struct loop_watch *w, uint32_t events, void *ud)
{
	(void)w;
	(void)events;
	hook_drain(ud, false);
}

/* Logs the end, calls back and frees j. Returns false when the callback
 * freed the runner. */
static bool hook_finish(struct hook_runner *hr, struct hook_job *j,
			const struct hook_result *r)
{
	if (r->status == HOOK_STATUS_EXITED && r->code == 0)
		log_debug("hook %s: exit 0 after %lld ms", j->label,
			  (long long)r->ran_ms);
	else if (r->status == HOOK_STATUS_SPAWN_FAILED)
		;	/* logged where it failed */
	else if (r->status == HOOK_STATUS_TIMEOUT)
		log_warn("hook %s: pid %d killed (signal %d) after %d ms "
			 "timeout", j->label, (int)r->pid, r->code,
			 hr->opts.timeout_ms);
	else if (r->status == HOOK_STATUS_EXITED)
		log_notice("hook %s: pid %d exit status %d after %lld ms",
			   j->label, (int)r->pid, r->code,
			   (long long)r->ran_ms);
	else
		log_notice("hook %s: pid %d killed by signal %d after %lld ms",
			   j->label, (int)r->pid, r->code,
			   (long long)r->ran_ms);
	if (j->cb) {
		hr->in_callback++;
		j->cb(r, j->ud);
		hr->in_callback--;
	}
	hook_job_free(j);
	if (hr->dying) {
		if (!hr->in_callback)
			hook_runner_destroy(hr);
		return false;
	}
	loop_defer(&hr->pump);
	return true;
}

static void hook_pid_cb(struct loop_watch *w, uint32_t events, void *ud)
{
	struct hook_job *j = ud;
	struct hook_runner *hr = j->hr;
	struct hook_result r = { .pid = j->pid };
	siginfo_t si = { 0 };

	(void)w;
	(void)events;
	/* A timed-out hook's stragglers die before the leader's zombie goes
	 * (and with it the guarantee that the group id is still ours). */
	if (j->timed_out)
		kill(-j->pid, SIGKILL);
	if (waitid((idtype_t)P_PIDFD, (id_t)j->pidfd, &si,
		   WEXITED | WNOHANG) < 0) {
		if (errno == EINTR)
			return;
		/* ECHILD: someone else reaped it (SIGCHLD set to SIG_IGN?);
		 * the pidfd stays readable, so finish now or spin. */
		log_error("hook %s: pid %d: waitid: %m", j->label, (int)j->pid);
		si.si_code = CLD_EXITED;
		si.si_status = -1;
	} else if (si.si_pid == 0) {
		return;
	}
	loop_watch_del(&j->pidwatch);
	close(j->pidfd);
	loop_timer_disarm(&j->timer);
	if (j->outfd >= 0)
		hook_drain(j, true);
	hook_unlink_running(hr, j);
	r.waited_ms = j->started_at - j->queued_at;
	r.ran_ms = loop_clock_ms() - j->started_at;
	r.code = si.si_status;
	if (j->timed_out)
		r.status = HOOK_STATUS_TIMEOUT;
	else if (si.si_code == CLD_EXITED)
		r.status = HOOK_STATUS_EXITED;
	else
		r.status = HOOK_STATUS_SIGNALED;
	hook_finish(hr, j, &r);
}

static int64_t hook_timer_cb(struct loop_timer *t, void *ud)
{
	struct hook_job *j = ud;

	(void)t;
	if (!j->timed_out) {
		j->timed_out = true;
		kill(-j->pid, SIGTERM);
		return HOOK_KILL_GRACE_MS;
	}
	kill(-j->pid, SIGKILL);
	return LOOP_TIMER_DONE;
}

/* ---- starting ---- */

static void hook_spawn_setup(const struct hook_runner *hr, int outfd,
			     posix_spawn_file_actions_t *fa,
			     posix_spawnattr_t *at)
{
	sigset_t none, all;

	posix_spawn_file_actions_init(fa);
	posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	if (hr->opts.log_output && outfd >= 0) {
		posix_spawn_file_actions_adddup2(fa, outfd, 1);
		posix_spawn_file_actions_adddup2(fa, outfd, 2);
	} else {
		posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY,
						 0);
		posix_spawn_file_actions_adddup2(fa, 1, 2);
	}
	/* Serial ports, the database and sockets stay in the daemon. */
	posix_spawn_file_actions_addclosefrom_np(fa, 3);
	/* The loop blocks the signals it reads through signalfd, and a
	 * daemon ignores SIGPIPE: a hook starts clean. */
	sigemptyset(&none);
	sigfillset(&all);
	sigdelset(&all, SIGKILL);
	sigdelset(&all, SIGSTOP);
	posix_spawnattr_init(at);
	posix_spawnattr_setsigmask(at, &none);
	posix_spawnattr_setsigdefault(at, &all);
	posix_spawnattr_setpgroup(at, 0);
	posix_spawnattr_setflags(at, POSIX_SPAWN_SETPGROUP |
				     POSIX_SPAWN_SETSIGMASK |
				     POSIX_SPAWN_SETSIGDEF);
}

/* Starts j; returns 0 or -errno (nothing left running then). */
static int hook_spawn(struct hook_runner *hr, struct hook_job *j)
{
	char *argv[] = { "sh", "-c", j->command, "smsgw-hook", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	int pipefd[2] = { -1, -1 }, rc;

	if (hr->opts.log_output) {
		if (pipe2(pipefd, O_CLOEXEC) < 0)
			return -errno;
		fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	}
	hook_spawn_setup(hr, pipefd[1], &fa, &at);
	rc = posix_spawn(&j->pid, "/bin/sh", &fa, &at, argv, j->envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	if (rc)
		goto fail;
	j->pidfd = pidfd_open(j->pid, 0);
	if (j->pidfd < 0) {
		rc = errno;
		/* ESRCH: it ran, ended and was reaped elsewhere already. */
		if (rc != ESRCH) {
			kill(-j->pid, SIGKILL);
			waitpid(j->pid, NULL, 0);
		}
		goto fail;
	}
	rc = -loop_watch_add(hr->loop, &j->pidwatch, j->pidfd, EPOLLIN,
			     hook_pid_cb, j);
	if (rc) {
		kill(-j->pid, SIGKILL);
		waitpid(j->pid, NULL, 0);
		close(j->pidfd);
		goto fail;
	}
	j->outfd = pipefd[0];
	if (j->outfd >= 0 &&
	    loop_watch_add(hr->loop, &j->outwatch, j->outfd, EPOLLIN,
			   hook_out_cb, j) < 0) {
		/* Output is a nicety; the hook runs without it. */
		close(j->outfd);
		j->outfd = -1;
	}
	loop_timer_init(hr->loop, &j->timer, hook_timer_cb, j);
	if (hr->opts.timeout_ms > 0)
		loop_timer_arm(&j->timer, hr->opts.timeout_ms);
	return 0;
fail:
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (rc != ESRCH)
		j->pid = 0;
	return -rc;
}

static void hook_pump(struct loop_deferred *d, void *ud)
{
	struct hook_runner *hr = ud;

	(void)d;
	while (hr->queue && hr->nrunning < hr->opts.max_running) {
		struct hook_job *j = hr->queue;
		int rc;

		hr->queue = j->next;
		if (!hr->queue)
			hr->queue_tail = NULL;
		hr->nqueued--;
		j->next = NULL;
		j->started_at = loop_clock_ms();
		rc = hook_spawn(hr, j);
		if (rc < 0) {
			struct hook_result r = {
				.status = HOOK_STATUS_SPAWN_FAILED, .code = -rc,
				.pid = j->pid,
				.waited_ms = j->started_at - j->queued_at,
			};

			if (rc == -ESRCH) {
				r.status = HOOK_STATUS_EXITED;
				r.code = -1;
			}
			log_error("hook %s: cannot start /bin/sh: %s", j->label,
				  rc == -ESRCH ? "reaped elsewhere (SIGCHLD "
						 "ignored?)" : strerror(-rc));
			if (!hook_finish(hr, j, &r))
				return;
			continue;
		}
		j->next = hr->running;
		hr->running = j;
		hr->nrunning++;
		log_debug("hook %s: pid %d started", j->label, (int)j->pid);
	}
}

int hook_runner_set_opts(struct hook_runner *hr, const struct hook_opts *o)
{
	char *path = strdup(o->config_path ? o->config_path : "");

	if (!path)
		return -ENOMEM;
	free(hr->config_path);
	hr->config_path = path;
	hr->opts = *o;
	hr->opts.config_path = path;
	/* Running hooks keep their timer; a lower cap lets them finish. */
	if (!hr->opts.max_running)
		hr->opts.max_running = 1;
	loop_defer(&hr->pump);
	return 0;
}

int hook_runner_new(struct loop *loop, const struct hook_opts *o,
		    struct hook_runner **out)
{
	struct hook_runner *hr = calloc(1, sizeof(*hr));

	if (!hr)
		return -ENOMEM;
	hr->loop = loop;
	loop_deferred_init(loop, &hr->pump, hook_pump, hr);
	if (hook_runner_set_opts(hr, o) < 0) {
		free(hr);
		return -ENOMEM;
	}
	loop_deferred_cancel(&hr->pump);
	*out = hr;
	return 0;
}

static void hook_runner_destroy(struct hook_runner *hr)
{
	loop_deferred_cancel(&hr->pump);
	while (hr->running) {
		struct hook_job *j = hr->running;
		siginfo_t si;

		hr->running = j->next;
		kill(-j->pid, SIGKILL);
		/* SIGKILL cannot be caught: this wait is short. */
		waitid((idtype_t)P_PIDFD, (id_t)j->pidfd, &si, WEXITED);
		loop_watch_del(&j->pidwatch);
		close(j->pidfd);
		if (j->outfd >= 0) {
			loop_watch_del(&j->outwatch);
			close(j->outfd);
		}
		loop_timer_disarm(&j->timer);
		log_notice("hook %s: pid %d killed at shutdown", j->label,
			   (int)j->pid);
		hook_job_free(j);
	}
	while (hr->queue) {
		struct hook_job *j = hr->queue;

		hr->queue = j->next;
		hook_job_free(j);
	}
	free(hr->config_path);
	free(hr);
}

void hook_runner_free(struct hook_runner *hr)
{
	if (!hr)
		return;
	hr->dying = true;
	if (!hr->in_callback)
		hook_runner_destroy(hr);
}

int hook_run(struct hook_runner *hr, const char *command,
	     const struct hook_msg *msg, hook_done_cb cb, void *ud)
{
	unsigned free_slots = hr->nrunning < hr->opts.max_running
				      ? hr->opts.max_running - hr->nrunning : 0;
	struct hook_job *j;
	char id[24] = "";

	if (!command || !command[0])
		return -EINVAL;
	if (msg->id)
		snprintf(id, sizeof(id), " #%lld", (long long)msg->id);
	/* Room: a free running slot, or a place in the queue behind them. */
	if (hr->nqueued >= hr->opts.max_queued + free_slots) {
		log_warn("hook %s%s: %u hooks already waiting, dropped",
			 hook_event_name(msg->event), id, hr->nqueued);
		return -ENOBUFS;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->command = strdup(command);
	j->envp = hook_env_build(hr->config_path, msg);
	if (!j->command || !j->envp) {
		hook_job_free(j);
		return -ENOMEM;
	}
	snprintf(j->label, sizeof(j->label), "%s%s%.24s%s",
		 hook_event_name(msg->event), msg->rule ? " " : "",
		 msg->rule ? msg->rule : "", id);
	j->hr = hr;
	j->cb = cb;
	j->ud = ud;
	j->pidfd = j->outfd = -1;
	j->queued_at = loop_clock_ms();
	if (hr->queue_tail)
		hr->queue_tail->next = j;
	else
		hr->queue = j;
	hr->queue_tail = j;
	hr->nqueued++;
	loop_defer(&hr->pump);
	return 0;
}

unsigned hook_running(const struct hook_runner *hr)
{
	return hr->nrunning;
}

unsigned hook_queued(const struct hook_runner *hr)
{
	return hr->nqueued;
}
