/*
 * clockstep — TFD_TIMER_CANCEL_ON_SET on a CLOCK_REALTIME timerfd; see
 * include/clockstep.h.
 */
#include "clockstep.h"
#include "clock.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* An absolute expiry no step will reach: only the cancel matters. 2^40 s
 * is past year 36000, so this never fires and needs a 64-bit time_t. */
#define CLOCKSTEP_FAR ((time_t)1 << 40)

static int clockstep_arm(struct clockstep *cs)
{
	struct itimerspec its = { .it_value.tv_sec = CLOCKSTEP_FAR };

	if (timerfd_settime(cs->fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			    &its, NULL) < 0)
		return -errno;
	return 0;
}

void clockstep_handle(struct clockstep *cs, ssize_t n, int err)
{
	if (n < 0 && err == ECANCELED) {
		time_t t = (time_t)(clock_real_ms() / 1000);
		char now[40];
		struct tm tm;

		cs->steps++;
		gmtime_r(&t, &tm);
		strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
		log_notice("clock: the wall clock was set (now %s);"
			   " re-evaluating schedules", now);
		/* The cancel state clears only by re-arming. */
		if (clockstep_arm(cs) < 0)
			log_error("clock: cannot re-arm the clock watch: %m");
		if (cs->cb)
			cs->cb(cs->ud);
		return;
	}
	if (n > 0 && clockstep_arm(cs) < 0)
		log_error("clock: cannot re-arm the clock watch: %m");
}

static void clockstep_on_readable(struct loop_watch *w, uint32_t events,
				  void *ud)
{
	struct clockstep *cs = ud;
	uint64_t ticks;
	ssize_t n;

	(void)w;
	(void)events;
	n = read(cs->fd, &ticks, sizeof(ticks));
	clockstep_handle(cs, n, n < 0 ? errno : 0);
}

int clockstep_start(struct clockstep *cs, struct loop *loop, clockstep_fn cb,
		    void *ud)
{
	int rc;

	memset(cs, 0, sizeof(*cs));
	cs->cb = cb;
	cs->ud = ud;
	cs->fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (cs->fd < 0)
		return -errno;
	rc = clockstep_arm(cs);
	if (rc == 0)
		rc = loop_watch_add(loop, &cs->watch, cs->fd, EPOLLIN,
				    clockstep_on_readable, cs);
	if (rc < 0) {
		close(cs->fd);
		cs->fd = -1;
	}
	return rc;
}

void clockstep_stop(struct clockstep *cs)
{
	if (cs->fd < 0)
		return;
	loop_watch_del(&cs->watch);
	close(cs->fd);
	cs->fd = -1;
}
