/*
 * loop — the daemon's one event loop: epoll for file descriptors, a timer
 * heap on CLOCK_MONOTONIC, signals through signalfd and deferred calls that
 * run at the start of the next iteration.
 *
 * Watches, timers and deferred calls are intrusive: the caller embeds the
 * struct in its own object and owns its memory. The loop never allocates or
 * frees them. Removing or disarming any of them is allowed at any time,
 * including from inside its own callback; an object may be freed from a
 * callback once it is removed (a watch) or from its timer callback when that
 * callback returns LOOP_TIMER_DONE.
 *
 * Not thread-safe: one loop, one thread.
 */
#ifndef SMSGW_LOOP_H
#define SMSGW_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct loop_watch;
struct loop_timer;
struct loop_deferred;

/* events: EPOLLIN, EPOLLOUT, EPOLLHUP, EPOLLERR as epoll reports them. */
typedef void (*loop_fd_cb)(struct loop_watch *w, uint32_t events, void *ud);

/*
 * A timer callback returns the delay in milliseconds after which it wants to
 * run again, or LOOP_TIMER_DONE. The timer is already disarmed when the
 * callback runs, so the callback may also re-arm it explicitly (then return
 * LOOP_TIMER_DONE) or free its memory (and return LOOP_TIMER_DONE).
 */
#define LOOP_TIMER_DONE (-1)
typedef int64_t (*loop_timer_cb)(struct loop_timer *t, void *ud);

typedef void (*loop_deferred_cb)(struct loop_deferred *d, void *ud);
typedef void (*loop_signal_cb)(struct loop *loop, int signo, void *ud);

struct loop_watch {
	struct loop *loop;
	int fd;
	uint32_t events;
	loop_fd_cb cb;
	void *ud;
	bool active;
};

struct loop_timer {
	struct loop *loop;
	loop_timer_cb cb;
	void *ud;
	int64_t due;	/* monotonic ms */
	uint64_t seq;	/* ties broken in arming order */
	size_t slot;	/* index in the heap, or SIZE_MAX when disarmed */
};

struct loop_deferred {
	struct loop *loop;
	loop_deferred_cb cb;
	void *ud;
	struct loop_deferred *next;
	bool queued;
};

/* Returns 0 or -errno. The loop is freed with loop_free(). */
int loop_new(struct loop **out);
/* Frees the loop. Watches, timers and deferred calls must be gone already. */
void loop_free(struct loop *loop);

/* Runs until loop_stop(). Returns 0, or -errno if epoll itself fails. */
int loop_run(struct loop *loop);
/* Runs one iteration, waiting at most timeout_ms (-1: until something). */
int loop_run_once(struct loop *loop, int timeout_ms);
/* Makes loop_run() return after the current iteration. */
void loop_stop(struct loop *loop);

/* Monotonic milliseconds, read at the start of the current iteration. */
int64_t loop_now(const struct loop *loop);
/* Monotonic milliseconds, read now. */
int64_t loop_clock_ms(void);
/*
 * True when other work waits for the loop: a watched fd is ready (its
 * callback would run next turn), or a deferred call is queued (the rest
 * of this turn's, or the next's). Work that spans turns (a big spool
 * file's steps) yields early to it. A poll of the epoll fd, no wait;
 * timers do not count.
 */
bool loop_work_waiting(const struct loop *loop);
/* Replaces the monotonic source (NULL: CLOCK_MONOTONIC again), so that a
 * test drives timers and command timeouts on a clock it advances. */
void loop_set_clock(int64_t (*fn)(void));

/* Watches fd for events. Returns 0 or -errno. The fd stays the caller's. */
int loop_watch_add(struct loop *loop, struct loop_watch *w, int fd,
		   uint32_t events, loop_fd_cb cb, void *ud);
int loop_watch_set(struct loop_watch *w, uint32_t events);
/* Stops watching; pending events of this iteration are dropped. */
void loop_watch_del(struct loop_watch *w);

void loop_timer_init(struct loop *loop, struct loop_timer *t,
		     loop_timer_cb cb, void *ud);
/* (Re)arms the timer to fire delay_ms from now (0: next iteration). */
void loop_timer_arm(struct loop_timer *t, int64_t delay_ms);
/* Arms the timer at an absolute monotonic time, earlier if already armed later. */
void loop_timer_arm_before(struct loop_timer *t, int64_t due);
void loop_timer_disarm(struct loop_timer *t);
bool loop_timer_armed(const struct loop_timer *t);

void loop_deferred_init(struct loop *loop, struct loop_deferred *d,
			loop_deferred_cb cb, void *ud);
/* Queues the call for the next iteration; queuing twice runs it once. */
void loop_defer(struct loop_deferred *d);
void loop_deferred_cancel(struct loop_deferred *d);

/*
 * Delivers signo through the loop's signalfd instead of a handler. The signal
 * is blocked in the calling thread. One callback per signal. Returns 0 or
 * -errno.
 */
int loop_signal(struct loop *loop, int signo, loop_signal_cb cb, void *ud);

#endif
