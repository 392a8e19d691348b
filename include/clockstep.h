/*
 * clockstep — notices a step of the wall clock.
 *
 * The loop's timers run on CLOCK_MONOTONIC, so a timer armed for "Send-At
 * 09:00" or "quiet hours end at 08:00" waits the same number of seconds
 * whatever happens to the wall clock. A box without a real-time clock boots
 * in the past and jumps forward when NTP syncs; an administrator sets the
 * date by hand. Those steps must re-evaluate every wall-clock decision.
 *
 * A timerfd on CLOCK_REALTIME armed far in the future with
 * TFD_TIMER_CANCEL_ON_SET makes read() fail with ECANCELED whenever the
 * clock is set (timerfd_create(2)); the watch then re-arms it and calls
 * the callback. Gradual NTP slewing does not count as a step.
 */
#ifndef SMSGW_CLOCKSTEP_H
#define SMSGW_CLOCKSTEP_H

#include <stdint.h>
#include <sys/types.h>

#include "loop.h"

typedef void (*clockstep_fn)(void *ud);

struct clockstep {
	struct loop_watch watch;
	int fd;
	clockstep_fn cb;
	void *ud;
	unsigned steps;		/* steps noticed so far */
};

/* Watches for steps on loop. Returns 0 or -errno (cs->fd stays -1). */
int clockstep_start(struct clockstep *cs, struct loop *loop, clockstep_fn cb,
		    void *ud);
void clockstep_stop(struct clockstep *cs);

/*
 * What the watch does with the outcome of one read() of the timerfd: n the
 * return value, err its errno. ECANCELED re-arms and calls the callback;
 * anything else (EAGAIN, a spurious wake-up) re-arms only when the timer
 * expired. Exposed so a test can drive it: only root can step the clock.
 */
void clockstep_handle(struct clockstep *cs, ssize_t n, int err);

#endif
