/* Event loop: fd watches, timers, deferred calls, signals. */
#include "harness.h"
#include "loop.h"

#include <signal.h>
#include <unistd.h>

struct counter {
	int n;
	int64_t again;	/* what the timer callback returns */
	struct loop_timer *cancel; /* a timer to disarm from the callback */
	int **log;	/* shared cursor into an order log */
	int id;
};

static int64_t count_timer(struct loop_timer *t, void *ud)
{
	struct counter *c = ud;

	(void)t;
	c->n++;
	if (c->log)
		*(*c->log)++ = c->id;
	if (c->cancel)
		loop_timer_disarm(c->cancel);
	return c->n < 3 ? c->again : LOOP_TIMER_DONE;
}

static void run_until(struct loop *loop, const int *n, int want)
{
	int64_t deadline = loop_clock_ms() + 2000;

	while (*n < want && loop_clock_ms() < deadline)
		loop_run_once(loop, 50);
}

TEST(loop_timer_fires_in_order)
{
	struct loop *loop;
	struct loop_timer a, b, c;
	int log[8] = { 0 }, *cursor = log;
	struct counter ca = { .again = -1, .id = 1 }, cb = { .again = -1, .id = 2 },
		       cc = { .again = -1, .id = 3 };

	CHECK_INT(loop_new(&loop), 0);
	ca.log = cb.log = cc.log = &cursor;
	loop_timer_init(loop, &a, count_timer, &ca);
	loop_timer_init(loop, &b, count_timer, &cb);
	loop_timer_init(loop, &c, count_timer, &cc);
	loop_timer_arm(&c, 30);
	loop_timer_arm(&a, 10);
	loop_timer_arm(&b, 20);
	run_until(loop, &cc.n, 1);
	CHECK_INT(ca.n, 1);
	CHECK_INT(cb.n, 1);
	CHECK_INT(cc.n, 1);
	CHECK_INT(log[0], 1);
	CHECK_INT(log[1], 2);
	CHECK_INT(log[2], 3);
	CHECK(!loop_timer_armed(&a));
	loop_free(loop);
}

TEST(loop_timer_repeats_by_return_value)
{
	struct loop *loop;
	struct loop_timer t;
	struct counter c = { .again = 5 };

	CHECK_INT(loop_new(&loop), 0);
	loop_timer_init(loop, &t, count_timer, &c);
	loop_timer_arm(&t, 0);
	run_until(loop, &c.n, 3);
	CHECK_INT(c.n, 3);
	CHECK(!loop_timer_armed(&t));
	loop_free(loop);
}

TEST(loop_timer_disarm_from_other_callback)
{
	struct loop *loop;
	struct loop_timer a, b;
	struct counter ca = { .again = -1 }, cb = { .again = -1 };

	CHECK_INT(loop_new(&loop), 0);
	loop_timer_init(loop, &a, count_timer, &ca);
	loop_timer_init(loop, &b, count_timer, &cb);
	ca.cancel = &b;
	loop_timer_arm(&a, 0);
	loop_timer_arm(&b, 0);
	run_until(loop, &ca.n, 1);
	loop_run_once(loop, 20);
	CHECK_INT(ca.n, 1);
	CHECK_INT(cb.n, 0);
	loop_free(loop);
}

TEST(loop_timer_heap_many)
{
	struct loop *loop;
	static struct loop_timer t[500];
	static struct counter c[500];
	int fired = 0;

	CHECK_INT(loop_new(&loop), 0);
	for (int i = 0; i < 500; i++) {
		c[i] = (struct counter){ .again = -1 };
		loop_timer_init(loop, &t[i], count_timer, &c[i]);
		loop_timer_arm(&t[i], (i * 7919) % 50);
	}
	for (int i = 0; i < 500; i += 2)
		loop_timer_disarm(&t[i]);
	for (int64_t end = loop_clock_ms() + 2000; loop_clock_ms() < end;) {
		loop_run_once(loop, 10);
		fired = 0;
		for (int i = 0; i < 500; i++)
			fired += c[i].n;
		if (fired == 250)
			break;
	}
	CHECK_INT(fired, 250);
	for (int i = 0; i < 500; i += 2)
		CHECK_INT(c[i].n, 0);
	loop_free(loop);
}

struct pipe_ctx {
	int reads;
	struct loop_watch *other; /* removed from inside the callback */
	int fd;
};

static void on_readable(struct loop_watch *w, uint32_t events, void *ud)
{
	struct pipe_ctx *p = ud;
	char buf[16];

	(void)w;
	if (events & EPOLLIN)
		(void)!read(p->fd, buf, sizeof(buf));
	p->reads++;
	if (p->other)
		loop_watch_del(p->other);
}

TEST(loop_watch_removed_inside_batch_is_not_called)
{
	struct loop *loop;
	int a[2], b[2];
	struct loop_watch wa, wb;
	struct pipe_ctx pa = { 0 }, pb = { 0 };

	CHECK_INT(loop_new(&loop), 0);
	CHECK_INT(pipe(a), 0);
	CHECK_INT(pipe(b), 0);
	pa.fd = a[0];
	pb.fd = b[0];
	CHECK_INT(loop_watch_add(loop, &wa, a[0], EPOLLIN, on_readable, &pa), 0);
	CHECK_INT(loop_watch_add(loop, &wb, b[0], EPOLLIN, on_readable, &pb), 0);
	/* Whichever runs first removes the other. */
	pa.other = &wb;
	pb.other = &wa;
	CHECK_INT(write(a[1], "x", 1), 1);
	CHECK_INT(write(b[1], "y", 1), 1);
	loop_run_once(loop, 100);
	CHECK_INT(pa.reads + pb.reads, 1);
	loop_watch_del(&wa);
	loop_watch_del(&wb);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
	loop_free(loop);
}

static void deferred_cb(struct loop_deferred *d, void *ud);

static void drain(struct loop_watch *w, uint32_t events, void *ud)
{
	int *fd = ud;
	char buf[16];

	(void)w;
	(void)events;
	(void)!read(*fd, buf, sizeof(buf));
}

/* What a big spool file's step asks between chunks: does other work
 * wait (an fd ready, a deferred call queued)? */
TEST(loop_work_waiting_says_when_an_fd_is_ready)
{
	struct loop *loop;
	struct loop_watch w;
	struct loop_timer t;
	struct loop_deferred d;
	int p[2], n = 0;

	CHECK_INT(loop_new(&loop), 0);
	CHECK_INT(pipe(p), 0);
	CHECK_INT(loop_watch_add(loop, &w, p[0], EPOLLIN, drain, &p[0]), 0);
	CHECK(!loop_work_waiting(loop));
	/* A due timer is not I/O. */
	loop_timer_init(loop, &t, NULL, NULL);
	loop_timer_arm(&t, 0);
	CHECK(!loop_work_waiting(loop));
	loop_timer_disarm(&t);
	CHECK_INT(write(p[1], "x", 1), 1);
	CHECK(loop_work_waiting(loop));
	/* Asking does not take the event: the next turn still runs it. */
	CHECK(loop_work_waiting(loop));
	loop_run_once(loop, 0);
	CHECK(!loop_work_waiting(loop));
	/* A deferred call queued is work waiting too. */
	loop_deferred_init(loop, &d, deferred_cb, &n);
	loop_defer(&d);
	CHECK(loop_work_waiting(loop));
	loop_run_once(loop, 0);
	CHECK_INT(n, 1);
	loop_run_once(loop, 0);	/* deferred_cb queued itself once more */
	CHECK_INT(n, 2);
	CHECK(!loop_work_waiting(loop));
	loop_watch_del(&w);
	close(p[0]);
	close(p[1]);
	loop_free(loop);
}

static void deferred_cb(struct loop_deferred *d, void *ud)
{
	int *n = ud;

	(*n)++;
	if (*n == 1)
		loop_defer(d); /* runs again, but in the next iteration */
}

TEST(loop_deferred_coalesces_and_requeues)
{
	struct loop *loop;
	struct loop_deferred d;
	int n = 0;

	CHECK_INT(loop_new(&loop), 0);
	loop_deferred_init(loop, &d, deferred_cb, &n);
	loop_defer(&d);
	loop_defer(&d);
	loop_run_once(loop, 0);
	CHECK_INT(n, 1);
	loop_run_once(loop, 0);
	CHECK_INT(n, 2);
	loop_run_once(loop, 0);
	CHECK_INT(n, 2);
	loop_defer(&d);
	loop_deferred_cancel(&d);
	loop_run_once(loop, 0);
	CHECK_INT(n, 2);
	loop_free(loop);
}

static void on_signal(struct loop *loop, int signo, void *ud)
{
	int *got = ud;

	*got = signo;
	loop_stop(loop);
}

TEST(loop_signal_through_signalfd)
{
	struct loop *loop;
	int got = 0;
	sigset_t empty;

	CHECK_INT(loop_new(&loop), 0);
	CHECK_INT(loop_signal(loop, SIGUSR1, on_signal, &got), 0);
	CHECK_INT(kill(getpid(), SIGUSR1), 0);
	run_until(loop, &got, SIGUSR1);
	CHECK_INT(got, SIGUSR1);
	loop_free(loop);
	sigemptyset(&empty);
	sigprocmask(SIG_SETMASK, &empty, NULL);
}
