/*
 * Hooks: real commands through /bin/sh in a real event loop. Waits are on
 * conditions with deadlines; the deadlines only keep a broken build from
 * hanging.
 */
#include "harness.h"
#include "config.h"
#include "hook.h"
#include "hook_bridge.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct rec {
	int n;
	int order[16];
	struct hook_result r[16];
	struct hook_runner *free_me;	/* freed from the callback */
};

struct tag {
	struct rec *rec;
	int id;
};

static void done_cb(const struct hook_result *r, void *ud)
{
	struct tag *t = ud;
	struct rec *rec = t->rec;

	if (rec->n < 16) {
		rec->order[rec->n] = t->id;
		rec->r[t->id] = *r;
		rec->n++;
	}
	if (rec->free_me) {
		hook_runner_free(rec->free_me);
		rec->free_me = NULL;
	}
}

static void wait_for(struct loop *loop, const int *n, int want, int ms)
{
	int64_t deadline = loop_clock_ms() + ms;

	while (*n < want && loop_clock_ms() < deadline)
		loop_run_once(loop, 50);
}

/* A new loop and a runner on it; hooks find the tmpdir in $HOOKTEST_DIR.
 * 0 for max_running or max_queued keeps the default. */
static struct hook_runner *start(struct loop **loop, int timeout_ms,
				 unsigned max_running, unsigned max_queued)
{
	struct hook_runner *hr = NULL;
	struct hook_opts o;

	setenv("HOOKTEST_DIR", harness_tmpdir(), 1);
	CHECK_INT(loop_new(loop), 0);
	hook_opts_init(&o);
	o.timeout_ms = timeout_ms;
	if (max_running)
		o.max_running = max_running;
	if (max_queued)
		o.max_queued = max_queued;
	o.config_path = "/etc/smsgw/test.conf";
	CHECK_INT(hook_runner_new(*loop, &o, &hr), 0);
	return hr;
}

static void stop(struct hook_runner *hr, struct loop *loop)
{
	hook_runner_free(hr);
	loop_free(loop);
}

static const char *tmp(const char *name)
{
	static char path[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", harness_tmpdir(), name);
	return path[k];
}

static size_t slurp(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* Gone, or a zombie nobody has reaped yet: either way not running. */
static bool pid_gone(pid_t pid)
{
	char path[64], buf[256], *p;

	if (kill(pid, 0) < 0 && errno == ESRCH)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!slurp(path, buf, sizeof(buf)))
		return true;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static bool wait_gone(pid_t pid, int ms)
{
	int64_t deadline = loop_clock_ms() + ms;

	while (!pid_gone(pid))
		if (loop_clock_ms() > deadline)
			return false;
	return true;
}

/* Waits until path exists and returns its content (static buffer). */
static const char *wait_file(struct loop *loop, const char *path)
{
	static char buf[512];
	int64_t deadline = loop_clock_ms() + 10000;

	while (loop_clock_ms() < deadline) {
		if (slurp(path, buf, sizeof(buf)) && strchr(buf, '\n'))
			return buf;
		loop_run_once(loop, 10);
	}
	return "";
}

/* The pid a hook wrote to path, waiting (running the loop) until it has. */
static pid_t read_pid(struct loop *loop, const char *path)
{
	return (pid_t)atoi(wait_file(loop, path));
}

TEST(hook_environment_arrives_and_exit_code_returns)
{
	static const char *const want[] = {
		"received", "42", "+15550001111",
		"Héllo \"w\" $HOME `id` \n'x'", "m1/1", "+15551230001",
		"8901260000000000001", "", "", "optout", "", "", "2", "1",
		"2027-01-15T08:00:00.000Z", "/etc/smsgw/test.conf", "noleak",
	};
	struct hook_msg m = {
		.event = HOOK_EVENT_RECEIVED, .id = 42,
		.number = "+15550001111",
		.text = want[3], .sim = "m1/1", .sim_number = "+15551230001",
		.iccid = "8901260000000000001", .keyword = "optout", .parts = 2,
		.partial = true, .time_ms = 1800000000000LL,
	};
	struct loop *loop;
	struct hook_runner *hr;
	struct rec rec = { 0 };
	struct tag t = { &rec, 0 };
	char buf[4096], *p;
	size_t n, i;

	setenv("SMSGW_FOO", "leak", 1);
	hr = start(&loop, 10000, 0, 0);
	CHECK_INT(hook_run(hr,
		"printf '%s\\0' \"$SMSGW_EVENT\" \"$SMSGW_ID\" "
		"\"$SMSGW_NUMBER\" "
		"\"$SMSGW_TEXT\" \"$SMSGW_SIM\" \"$SMSGW_SIM_NUMBER\" "
		"\"$SMSGW_ICCID\" \"$SMSGW_STATE\" \"$SMSGW_ERROR\" "
		"\"$SMSGW_KEYWORD\" \"$SMSGW_RULE\" \"$SMSGW_CAMPAIGN\" "
		"\"$SMSGW_PARTS\" \"$SMSGW_PARTIAL\" \"$SMSGW_TIME\" "
		"\"$SMSGW_CONFIG\" \"${SMSGW_FOO-noleak}\" "
		"> \"$HOOKTEST_DIR/env\"; exit 3", &m, done_cb, &t), 0);
	wait_for(loop, &rec.n, 1, 10000);
	unsetenv("SMSGW_FOO");
	if (!CHECK_INT(rec.n, 1))
		goto out;
	CHECK_INT(rec.r[0].status, HOOK_STATUS_EXITED);
	CHECK_INT(rec.r[0].code, 3);
	CHECK(rec.r[0].pid > 0);
	n = slurp(tmp("env"), buf, sizeof(buf));
	for (i = 0, p = buf; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!CHECK(p < buf + n))
			break;
		CHECK_STR(p, want[i]);
		p += strlen(p) + 1;
	}
	CHECK(p == buf + n);
out:
	stop(hr, loop);
}

static void on_signal(struct loop *loop, int signo, void *ud)
{
	(void)loop;
	(void)signo;
	(void)ud;
}

TEST(hook_starts_clean_signals_and_descriptors)
{
	struct hook_msg m = { .event = HOOK_EVENT_SENT, .id = 7 };
	struct loop *loop;
	struct hook_runner *hr;
	struct rec rec = { 0 };
	struct tag t[4] = {
		{ &rec, 0 }, { &rec, 1 }, { &rec, 2 }, { &rec, 3 },
	};
	char cmd[256];
	int leak = open("/dev/null", O_RDONLY);	/* no O_CLOEXEC */

	hr = start(&loop, 10000, 0, 0);
	/* The daemon blocks the signals its loop reads and ignores SIGPIPE. */
	CHECK_INT(loop_signal(loop, SIGTERM, on_signal, NULL), 0);
	signal(SIGPIPE, SIG_IGN);
	hook_run(hr, "kill -TERM $$; exit 0", &m, done_cb, &t[0]);
	hook_run(hr, "kill -PIPE $$; exit 0", &m, done_cb, &t[1]);
	snprintf(cmd, sizeof(cmd),
		 "[ -e /proc/$$/fd/%d ] && exit 1; "
		 "[ \"$(readlink /proc/$$/fd/0)\" = /dev/null ] || exit 2; "
		 "exit 0", leak);
	hook_run(hr, cmd, &m, done_cb, &t[2]);
	hook_run(hr, "no-such-command-here", &m, done_cb, &t[3]);
	CHECK_INT(hook_run(hr, "", &m, done_cb, &t[3]), -EINVAL);
	wait_for(loop, &rec.n, 4, 10000);
	if (CHECK_INT(rec.n, 4)) {
		CHECK_INT(rec.r[0].status, HOOK_STATUS_SIGNALED);
		CHECK_INT(rec.r[0].code, SIGTERM);
		CHECK_INT(rec.r[1].status, HOOK_STATUS_SIGNALED);
		CHECK_INT(rec.r[1].code, SIGPIPE);
		CHECK_INT(rec.r[2].status, HOOK_STATUS_EXITED);
		CHECK_INT(rec.r[2].code, 0);
		CHECK_INT(rec.r[3].status, HOOK_STATUS_EXITED);
		CHECK_INT(rec.r[3].code, 127);
	}
	signal(SIGPIPE, SIG_DFL);
	close(leak);
	stop(hr, loop);
}

TEST(hook_slow_hook_does_not_delay_the_next)
{
	struct hook_msg m = { .event = HOOK_EVENT_RECEIVED, .id = 1 };
	struct loop *loop;
	struct hook_runner *hr;
	struct rec rec = { 0 };
	struct tag a = { &rec, 0 }, b = { &rec, 1 };
	pid_t slow;

	hr = start(&loop, 60000, 0, 0);
	CHECK_INT(hook_run(hr, "echo $$ > \"$HOOKTEST_DIR/slow.pid\"; "
			       "exec sleep 30", &m, done_cb, &a), 0);
	m.id = 2;
	CHECK_INT(hook_run(hr, "exit 0", &m, done_cb, &b), 0);
	wait_for(loop, &rec.n, 1, 10000);
	/* The second hook finished while the first still sleeps. */
	CHECK_INT(rec.n, 1);
	CHECK_INT(rec.order[0], 1);
	CHECK_INT(hook_running(hr), 1);
	slow = read_pid(loop, tmp("slow.pid"));
	CHECK(slow > 0 && !pid_gone(slow));
	/* Shutting down kills and reaps it, without a callback. */
	hook_runner_free(hr);
	CHECK_INT(rec.n, 1);
	CHECK(slow > 0 && pid_gone(slow));
	loop_free(loop);
}

TEST(hook_timeout_kills_the_process_group)
{
	struct hook_msg m = { .event = HOOK_EVENT_DELIVERED, .id = 3 };
	struct loop *loop;
	struct hook_runner *hr;
	struct rec rec = { 0 };
	struct tag a = { &rec, 0 }, b = { &rec, 1 };
	pid_t bg;

	hr = start(&loop, 300, 0, 0);
	/* A child in the background dies with the hook. */
	hook_run(hr, "sleep 30 & echo $! > \"$HOOKTEST_DIR/bg.pid\"; wait",
		 &m, done_cb, &a);
	/* A hook that ignores SIGTERM gets SIGKILL after the grace time. */
	hook_run(hr, "trap '' TERM; sleep 30; exit 0", &m, done_cb, &b);
	wait_for(loop, &rec.n, 2, 10000 + HOOK_KILL_GRACE_MS);
	if (CHECK_INT(rec.n, 2)) {
		CHECK_INT(rec.order[0], 0);
		CHECK_INT(rec.r[0].status, HOOK_STATUS_TIMEOUT);
		CHECK_INT(rec.r[0].code, SIGTERM);
		CHECK_INT(rec.r[1].status, HOOK_STATUS_TIMEOUT);
		CHECK_INT(rec.r[1].code, SIGKILL);
	}
	bg = read_pid(loop, tmp("bg.pid"));
	CHECK(bg > 0 && wait_gone(bg, 5000));
	stop(hr, loop);
}

TEST(hook_cap_queue_and_drop)
{
	struct hook_msg m = { .event = HOOK_EVENT_FAILED };
	struct loop *loop;
	struct hook_runner *hr;
	struct rec rec = { 0 };
	struct tag t[6];

	hr = start(&loop, 300, 2, 3);
	for (int i = 0; i < 6; i++) {
		t[i] = (struct tag){ &rec, i };
		m.id = i + 1;
		CHECK_INT(hook_run(hr, i < 2 ? "sleep 30" : "exit 0", &m,
				   done_cb, &t[i]),
			  i < 5 ? 0 : -ENOBUFS);
	}
	CHECK_INT(hook_queued(hr), 5);
	CHECK_INT(hook_running(hr), 0);
	loop_run_once(loop, 0);
	CHECK_INT(hook_running(hr), 2);
	CHECK_INT(hook_queued(hr), 3);
	wait_for(loop, &rec.n, 5, 10000);
	if (CHECK_INT(rec.n, 5)) {
		/* The queued ones ran only once a sleeper was killed: the
		 * first to end is a sleeper, and each waited for the timeout
		 * (a lower bound the timer guarantees, not a timing goal). */
		CHECK(rec.order[0] < 2);
		CHECK_INT(rec.r[0].status, HOOK_STATUS_TIMEOUT);
		CHECK_INT(rec.r[1].status, HOOK_STATUS_TIMEOUT);
		for (int i = 2; i < 5; i++) {
			CHECK_INT(rec.r[i].status, HOOK_STATUS_EXITED);
			CHECK_INT(rec.r[i].code, 0);
			CHECK(rec.r[i].waited_ms >= 250);
		}
	}
	CHECK_INT(hook_running(hr), 0);
	CHECK_INT(hook_queued(hr), 0);
	stop(hr, loop);
}

TEST(hook_output_goes_to_the_log)
{
	struct hook_msg m = { .event = HOOK_EVENT_RECEIVED, .id = 7 };
	struct loop *loop;
	struct hook_runner *hr, *quiet;
	struct hook_opts o;
	struct rec rec = { 0 };
	struct tag a = { &rec, 0 }, b = { &rec, 1 };
	int saved = dup(2);
	int fd = open(tmp("log"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
	static char log[16384];

	hr = start(&loop, 10000, 0, 0);
	hook_opts_init(&o);
	o.log_output = false;
	CHECK_INT(hook_runner_new(loop, &o, &quiet), 0);
	fflush(stderr);
	dup2(fd, 2);
	log_open("test_hook", true, LOG_LEVEL_INFO);
	hook_run(hr, "echo hello; echo oops >&2; i=0; "
		     "while [ $i -lt 30 ]; do echo line$i; i=$((i+1)); done; "
		     "printf 'no newline'", &m, done_cb, &a);
	hook_run(quiet, "echo secret", &m, done_cb, &b);
	wait_for(loop, &rec.n, 2, 10000);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	close(fd);
	CHECK_INT(rec.n, 2);
	slurp(tmp("log"), log, sizeof(log));
	CHECK(strstr(log, "hook received #7: hello\n"));
	CHECK(strstr(log, "hook received #7: oops\n"));
	CHECK(strstr(log, "hook received #7: line17\n"));
	CHECK(!strstr(log, "line18"));
	CHECK(!strstr(log, "no newline"));
	CHECK(strstr(log, "hook received #7: more output not logged"));
	CHECK(!strstr(log, "secret"));
	hook_runner_free(hr);
	hook_runner_free(quiet);
	loop_free(loop);
}

TEST(hook_runner_freed_from_a_callback)
{
	struct hook_msg m = { .event = HOOK_EVENT_RULE, .id = 5, .rule = "r" };
	struct loop *loop;
	struct hook_runner *hr;
	struct rec rec = { 0 };
	struct tag a = { &rec, 0 }, b = { &rec, 1 };
	pid_t slow;

	hr = start(&loop, 60000, 0, 0);
	hook_run(hr, "echo $$ > \"$HOOKTEST_DIR/slow2.pid\"; exec sleep 30", &m,
		 done_cb, &a);
	slow = read_pid(loop, tmp("slow2.pid"));
	CHECK(slow > 0 && !pid_gone(slow));
	hook_run(hr, "exit 0", &m, done_cb, &b);
	rec.free_me = hr;
	wait_for(loop, &rec.n, 1, 10000);
	CHECK_INT(rec.n, 1);
	CHECK(rec.free_me == NULL);
	CHECK(slow > 0 && pid_gone(slow));
	/* Nothing of the runner is left in the loop. */
	loop_run_once(loop, 0);
	CHECK_INT(rec.n, 1);
	loop_free(loop);
}

TEST(hook_reaped_elsewhere_does_not_spin)
{
	struct hook_msg m = { .event = HOOK_EVENT_SENT, .id = 9 };
	struct loop *loop;
	struct hook_runner *hr;
	struct rec rec = { 0 };
	struct tag a = { &rec, 0 };

	/* With SIGCHLD ignored the kernel reaps children itself; the hook
	 * must still end, with an unknown status. */
	signal(SIGCHLD, SIG_IGN);
	hr = start(&loop, 10000, 0, 0);
	hook_run(hr, "exit 5", &m, done_cb, &a);
	wait_for(loop, &rec.n, 1, 10000);
	signal(SIGCHLD, SIG_DFL);
	if (CHECK_INT(rec.n, 1)) {
		CHECK_INT(rec.r[0].status, HOOK_STATUS_EXITED);
		CHECK_INT(rec.r[0].code, -1);
	}
	CHECK_INT(hook_running(hr), 0);
	stop(hr, loop);
}

TEST(hook_bridge_maps_events_to_configured_commands)
{
	static char cmd[] =
		"printf '%s|%s|%s|%s|%s|%s|%s\\n' \"$SMSGW_EVENT\" "
		"\"$SMSGW_ID\" \"$SMSGW_NUMBER\" \"$SMSGW_RULE\" "
		"\"$SMSGW_ERROR\" "
		"\"$SMSGW_STATE\" \"$SMSGW_CONFIG\" "
		"> \"$HOOKTEST_DIR/b-$SMSGW_EVENT\"";
	struct config cfg = {
		.path = "/etc/smsgw/b.conf",
		.hooks = { .on_received = cmd, .on_failed = cmd,
			   .timeout_ms = 10000 },
	};
	struct inbound_event in = {
		.event = "received", .id = 11, .sender = "+15550001111",
		.body = "hi", .sim = "m1/1", .parts = 1,
	};
	struct inbound_event rule = {
		.event = "rule", .hook = cmd, .id = 12,
		.sender = "+15550002222", .body = "call back", .sim = "m1/1",
		.keyword = "callback",
	};
	struct outbound_event failed = {
		.event = "failed", .id = 21, .recipient = "+15550003333",
		.body = "x", .sim = "m1/1", .state = "failed",
		.error = "+CMS ERROR: 21",
	};
	struct outbound_event other = { .event = "delivered", .id = 22 };
	struct outbound_event unknown = { .event = "unknown", .id = 23 };
	struct hook_bridge b = { .cfg = &cfg };
	struct hook_opts o;
	struct loop *loop;

	setenv("HOOKTEST_DIR", harness_tmpdir(), 1);
	CHECK_INT(loop_new(&loop), 0);
	hook_bridge_opts(&cfg, &o);
	CHECK_INT(o.timeout_ms, 10000);
	CHECK_INT(hook_runner_new(loop, &o, &b.runner), 0);
	hook_bridge_inbound(&in, &b);
	hook_bridge_inbound(&rule, &b);
	hook_bridge_outbound(&failed, &b);
	/* No on_delivered configured, and no hook for "unknown". */
	hook_bridge_outbound(&other, &b);
	hook_bridge_outbound(&unknown, &b);
	CHECK_INT(hook_queued(b.runner), 3);
	CHECK_STR(wait_file(loop, tmp("b-received")),
		  "received|11|+15550001111||||/etc/smsgw/b.conf\n");
	CHECK_STR(wait_file(loop, tmp("b-rule")),
		  "rule|12|+15550002222|callback|||/etc/smsgw/b.conf\n");
	CHECK_STR(wait_file(loop, tmp("b-failed")),
		  "failed|21|+15550003333||+CMS ERROR: 21|failed|"
		  "/etc/smsgw/b.conf\n");
	hook_runner_free(b.runner);
	loop_free(loop);
}
