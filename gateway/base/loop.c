/*
 * loop — epoll, a binary heap of timers, signalfd and deferred calls.
 * See include/loop.h for the contract.
 */
#include "loop.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

/* A pool of 256 modems may all answer in one turn; the turn's outcomes
 * share one commit (store_batch_begin), so take them in one wait. */
#define LOOP_MAX_EVENTS 512
#define LOOP_NSIG 65

struct loop_sig {
	loop_signal_cb cb;
	void *ud;
};

struct loop {
	int epfd;
	bool stopping;
	int64_t now;

	/* The batch epoll_wait returned; loop_watch_del() clears entries. */
	struct epoll_event events[LOOP_MAX_EVENTS];
	int nevents;
	int cursor;

	struct loop_timer **heap;
	size_t nheap, heap_cap;
	uint64_t timer_seq;

	struct loop_deferred *defer_head, *defer_tail;

	int sigfd;
	sigset_t sigmask;
	struct loop_watch sigwatch;
	struct loop_sig sigs[LOOP_NSIG];
};

/* Tests of timeouts and retries set their own (loop_set_clock). */
static int64_t (*loop_clock_source)(void);

void loop_set_clock(int64_t (*fn)(void))
{
	loop_clock_source = fn;
}

int64_t loop_clock_ms(void)
{
	struct timespec ts;

	if (loop_clock_source)
		return loop_clock_source();

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int loop_new(struct loop **out)
{
	struct loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return -ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		int err = -errno;

		free(loop);
		return err;
	}
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->now = loop_clock_ms();
	*out = loop;
	return 0;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	if (loop->sigfd >= 0) {
		loop_watch_del(&loop->sigwatch);
		close(loop->sigfd);
	}
	close(loop->epfd);
	free(loop->heap);
	free(loop);
}

int64_t loop_now(const struct loop *loop)
{
	return loop->now;
}

void loop_stop(struct loop *loop)
{
	loop->stopping = true;
}

/* ---- fd watches ---- */

int loop_watch_add(struct loop *loop, struct loop_watch *w, int fd,
		   uint32_t events, loop_fd_cb cb, void *ud)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	*w = (struct loop_watch){ .loop = loop, .fd = fd, .events = events,
				  .cb = cb, .ud = ud };
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	w->active = true;
	return 0;
}

int loop_watch_set(struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (!w->active)
		return -EINVAL;
	if (w->events == events)
		return 0;
	if (epoll_ctl(w->loop->epfd, EPOLL_CTL_MOD, w->fd, &ev) < 0)
		return -errno;
	w->events = events;
	return 0;
}

void loop_watch_del(struct loop_watch *w)
{
	struct loop *loop = w->loop;

	if (!w->active)
		return;
	/* The fd may already be closed by the caller; that removed it too. */
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->active = false;
	for (int i = loop->cursor; i < loop->nevents; i++)
		if (loop->events[i].data.ptr == w)
			loop->events[i].data.ptr = NULL;
}

/* ---- timers: a binary min-heap ordered by (due, seq) ---- */

static bool loop_timer_before(const struct loop_timer *a,
			      const struct loop_timer *b)
{
	return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void loop_heap_place(struct loop *loop, size_t i, struct loop_timer *t)
{
	loop->heap[i] = t;
	t->slot = i;
}

static void loop_heap_up(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!loop_timer_before(t, loop->heap[parent]))
			break;
		loop_heap_place(loop, i, loop->heap[parent]);
		i = parent;
	}
	loop_heap_place(loop, i, t);
}

static void loop_heap_down(struct loop *loop, size_t i)
{
	struct loop_timer *t = loop->heap[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= loop->nheap)
			break;
		if (child + 1 < loop->nheap &&
		    loop_timer_before(loop->heap[child + 1], loop->heap[child]))
			child++;
		if (!loop_timer_before(loop->heap[child], t))
			break;
		loop_heap_place(loop, i, loop->heap[child]);
		i = child;
	}
	loop_heap_place(loop, i, t);
}

void loop_timer_init(struct loop *loop, struct loop_timer *t,
		     loop_timer_cb cb, void *ud)
{
	*t = (struct loop_timer){ .loop = loop, .cb = cb, .ud = ud,
				  .slot = SIZE_MAX };
}

bool loop_timer_armed(const struct loop_timer *t)
{
	return t->slot != SIZE_MAX;
}

void loop_timer_disarm(struct loop_timer *t)
{
	struct loop *loop = t->loop;
	size_t i = t->slot;
	struct loop_timer *last;

	if (i == SIZE_MAX)
		return;
	t->slot = SIZE_MAX;
	last = loop->heap[--loop->nheap];
	if (i == loop->nheap)
		return;
	loop_heap_place(loop, i, last);
	loop_heap_up(loop, i);
	loop_heap_down(loop, last->slot);
}

static void loop_timer_insert(struct loop_timer *t, int64_t due)
{
	struct loop *loop = t->loop;

	loop_timer_disarm(t);
	if (loop->nheap == loop->heap_cap) {
		size_t cap = loop->heap_cap ? loop->heap_cap * 2 : 64;
		struct loop_timer **h = realloc(loop->heap, cap * sizeof(*h));

		if (!h)
			abort(); /* a timer that silently never fires is worse */
		loop->heap = h;
		loop->heap_cap = cap;
	}
	t->due = due;
	t->seq = loop->timer_seq++;
	loop->heap[loop->nheap++] = t;
	t->slot = loop->nheap - 1;
	loop_heap_up(loop, t->slot);
}

void loop_timer_arm(struct loop_timer *t, int64_t delay_ms)
{
	if (delay_ms < 0)
		delay_ms = 0;
	loop_timer_insert(t, loop_clock_ms() + delay_ms);
}

void loop_timer_arm_before(struct loop_timer *t, int64_t due)
{
	if (loop_timer_armed(t) && t->due <= due)
		return;
	loop_timer_insert(t, due);
}

static void loop_run_timers(struct loop *loop)
{
	/* Timers armed during this pass for "now" wait for the next pass. */
	uint64_t limit = loop->timer_seq;

	while (loop->nheap && loop->heap[0]->due <= loop->now &&
	       loop->heap[0]->seq < limit) {
		struct loop_timer *t = loop->heap[0];
		int64_t next;

		loop_timer_disarm(t);
		next = t->cb(t, t->ud);
		if (next >= 0)
			loop_timer_insert(t, loop->now + next);
	}
}

static int loop_next_timeout(const struct loop *loop)
{
	int64_t d;

	if (loop->defer_head)
		return 0;
	if (!loop->nheap)
		return -1;
	d = loop->heap[0]->due - loop_clock_ms();
	if (d <= 0)
		return 0;
	return d > 3600 * 1000 ? 3600 * 1000 : (int)d;
}

/* ---- deferred calls ---- */

void loop_deferred_init(struct loop *loop, struct loop_deferred *d,
			loop_deferred_cb cb, void *ud)
{
	*d = (struct loop_deferred){ .loop = loop, .cb = cb, .ud = ud };
}

void loop_defer(struct loop_deferred *d)
{
	struct loop *loop = d->loop;

	if (d->queued)
		return;
	d->queued = true;
	d->next = NULL;
	if (loop->defer_tail)
		loop->defer_tail->next = d;
	else
		loop->defer_head = d;
	loop->defer_tail = d;
}

void loop_deferred_cancel(struct loop_deferred *d)
{
	struct loop *loop = d->loop;
	struct loop_deferred **pp, *prev = NULL;

	if (!d->queued)
		return;
	for (pp = &loop->defer_head; *pp; prev = *pp, pp = &(*pp)->next) {
		if (*pp != d)
			continue;
		*pp = d->next;
		if (loop->defer_tail == d)
			loop->defer_tail = prev;
		break;
	}
	d->queued = false;
	d->next = NULL;
}

static void loop_run_deferred(struct loop *loop)
{
	/* Calls queued while running wait for the next iteration. */
	struct loop_deferred *d = loop->defer_head, *end = loop->defer_tail;

	if (!d)
		return;
	for (;;) {
		struct loop_deferred *next = d->next;
		bool last = d == end;

		loop->defer_head = next;
		if (!next)
			loop->defer_tail = NULL;
		d->queued = false;
		d->next = NULL;
		d->cb(d, d->ud);
		if (last || !loop->defer_head)
			break;
		d = loop->defer_head;
	}
}

/* ---- signals ---- */

static void loop_signal_ready(struct loop_watch *w, uint32_t events, void *ud)
{
	struct loop *loop = ud;
	struct signalfd_siginfo si;

	(void)w;
	(void)events;
	while (read(loop->sigfd, &si, sizeof(si)) == sizeof(si)) {
		int signo = (int)si.ssi_signo;

		if (signo > 0 && signo < LOOP_NSIG && loop->sigs[signo].cb)
			loop->sigs[signo].cb(loop, signo, loop->sigs[signo].ud);
	}
}

int loop_signal(struct loop *loop, int signo, loop_signal_cb cb, void *ud)
{
	int fd;

	if (signo <= 0 || signo >= LOOP_NSIG)
		return -EINVAL;
	sigaddset(&loop->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		int rc = loop_watch_add(loop, &loop->sigwatch, fd, EPOLLIN,
					loop_signal_ready, loop);

		if (rc < 0) {
			close(fd);
			return rc;
		}
		loop->sigfd = fd;
	}
	loop->sigs[signo] = (struct loop_sig){ .cb = cb, .ud = ud };
	return 0;
}

/* ---- running ---- */

bool loop_work_waiting(const struct loop *loop)
{
	/* An epoll fd polls readable while one of its fds has an event. */
	struct pollfd p = { .fd = loop->epfd, .events = POLLIN };

	/* Inside a deferred call, the calls queued are the rest of this
	 * turn's (a modem's write, the batch's commit) or the next's. */
	if (loop->defer_head)
		return true;
	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

int loop_run_once(struct loop *loop, int timeout_ms)
{
	int n, t = loop_next_timeout(loop);

	if (timeout_ms >= 0 && (t < 0 || t > timeout_ms))
		t = timeout_ms;
	n = epoll_wait(loop->epfd, loop->events, LOOP_MAX_EVENTS, t);
	if (n < 0) {
		if (errno != EINTR)
			return -errno;
		n = 0;
	}
	loop->now = loop_clock_ms();
	loop->nevents = n;
	for (loop->cursor = 0; loop->cursor < loop->nevents;) {
		struct epoll_event *ev = &loop->events[loop->cursor++];
		struct loop_watch *w = ev->data.ptr;

		if (w && w->active)
			w->cb(w, ev->events, w->ud);
	}
	loop->nevents = loop->cursor = 0;
	loop_run_timers(loop);
	loop_run_deferred(loop);
	return 0;
}

int loop_run(struct loop *loop)
{
	loop->stopping = false;
	while (!loop->stopping) {
		int rc = loop_run_once(loop, -1);

		if (rc < 0)
			return rc;
	}
	return 0;
}
