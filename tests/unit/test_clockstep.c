/*
 * Wall-clock steps: the timerfd watch (clockstep.h) and what outbound does
 * when it fires. The kernel's ECANCELED needs CAP_SYS_TIME to provoke, so
 * the handler is driven with the outcomes read() can have; with
 * SMSGW_TEST_SET_CLOCK=1 as root the clock is also set to its own value
 * (a step of microseconds) to show the kernel path end to end.
 */
#include "clockstep.h"
#include "outbound_env.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static void count_step(void *ud)
{
	(*(int *)ud)++;
}

static void step_outbound(void *ud)
{
	outbound_clock_stepped(ud);
}

TEST(clockstep_ecanceled_calls_back_and_rearms)
{
	struct clockstep cs;
	struct itimerspec its;
	struct loop *loop;
	int n = 0;

	CHECK_INT(loop_new(&loop), 0);
	CHECK_INT(clockstep_start(&cs, loop, count_step, &n), 0);
	CHECK(cs.fd >= 0);
	CHECK_INT(timerfd_gettime(cs.fd, &its), 0);
	CHECK(its.it_value.tv_sec > 0);
	/* Nothing to read: no step. */
	loop_run_once(loop, 0);
	CHECK_INT(n, 0);
	clockstep_handle(&cs, -1, EAGAIN);
	CHECK_INT(n, 0);
	/* The clock was set. */
	clockstep_handle(&cs, -1, ECANCELED);
	CHECK_INT(n, 1);
	CHECK_INT(cs.steps, 1);
	CHECK_INT(timerfd_gettime(cs.fd, &its), 0);
	CHECK(its.it_value.tv_sec > 0);
	if (getenv("SMSGW_TEST_SET_CLOCK") && geteuid() == 0) {
		struct timespec now;
		int64_t deadline = loop_clock_ms() + 2000;

		clock_gettime(CLOCK_REALTIME, &now);
		CHECK_INT(clock_settime(CLOCK_REALTIME, &now), 0);
		while (n < 2 && loop_clock_ms() < deadline)
			loop_run_once(loop, 50);
		CHECK_INT(n, 2);
		printf("# the kernel reported the step (ECANCELED)\n");
	}
	clockstep_stop(&cs);
	CHECK_INT(cs.fd, -1);
	loop_free(loop);
}

TEST(clockstep_releases_a_deferral_when_the_clock_jumps)
{
	struct clockstep cs;
	int64_t bulk;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"
		   "quiet_hours = \"21:00-08:00\"\n"))
		return;
	CHECK_INT(clockstep_start(&cs, env.loop, step_outbound, env.ob), 0);
	/* 10:00Z is 05:00 in New York: deferred to 08:00 there, 13:00Z. */
	bulk = add("+12125550100", MSG_KIND_BULK, MSG_PRIORITY_NORMAL, NULL);
	pump();
	CHECK_STR(state_of(bulk), "deferred");
	/* NTP syncs late: the wall clock jumps three hours. The outbound
	 * timer counts monotonic time and is still hours away. */
	env.now = T0 + 3 * 3600 * 1000LL;
	pump();
	CHECK_STR(state_of(bulk), "deferred");
	clockstep_handle(&cs, -1, ECANCELED);
	pump();
	CHECK_STR(state_of(bulk), "sending");
	clockstep_stop(&cs);
	teardown();
}

TEST(clockstep_gives_quota_back_on_a_new_day)
{
	struct clockstep cs;

	if (!setup("modem \"a\" { device = \"/dev/null-a\"\n"
		   "  sim \"1\" { daily_limit = 1 } }\n"))
		return;
	CHECK_INT(clockstep_start(&cs, env.loop, step_outbound, env.ob), 0);
	add_bulk("+1555300", 2);
	pump();
	answer(0, MODEM_SEND_OK, 1);
	CHECK_INT(scalar("SELECT count(*) FROM message WHERE state = 'deferred'"), 1);
	/* The clock is set to the next day; without the step the deferral
	 * waits for a monotonic timer that still counts a day. */
	env.now = T0 + 86400000LL;
	pump();
	CHECK_INT(env.nsends, 1);
	clockstep_handle(&cs, -1, ECANCELED);
	pump();
	CHECK_INT(env.nsends, 2);
	clockstep_stop(&cs);
	teardown();
}

TEST(clockstep_sends_a_send_at_message_once_its_time_has_come)
{
	struct outbox_new m = {
		.recipient = "+15550000001", .body = "at nine", .kind = MSG_KIND_DIRECT,
		.priority = MSG_PRIORITY_NORMAL, .validity_minutes = -1, .parts = 1,
		.not_before = T0 + 3600 * 1000LL,	/* Send-At: 11:00Z */
	};
	enum outbox_add_result res;
	struct clockstep cs;
	int64_t id = 0;

	if (!setup("modem \"a\" { device = \"/dev/null-a\" }\n"))
		return;
	CHECK_INT(clockstep_start(&cs, env.loop, step_outbound, env.ob), 0);
	CHECK_INT(store_outbox_add(env.st, 0, &m, false, env.now, &id, &res), 0);
	outbound_kick(env.ob);
	pump();
	CHECK_STR(state_of(id), "deferred");
	CHECK_INT(env.nsends, 0);
	/* The box booted with a stale clock; NTP sets it past Send-At. */
	env.now = T0 + 2 * 3600 * 1000LL;
	pump();
	CHECK_INT(env.nsends, 0);
	clockstep_handle(&cs, -1, ECANCELED);
	pump();
	CHECK_INT(env.nsends, 1);
	CHECK_STR(state_of(id), "sending");
	clockstep_stop(&cs);
	teardown();
}
