/* fswatch: one inotify instance for every subscriber, a shared directory
 * watched once, each subscriber seeing its own events; the instance goes
 * with the last subscriber. */
#include "harness.h"
#include "fswatch.h"
#include "loop.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

struct seen {
	int n;
	char name[64];
};

static void on_event(struct fswatch_sub *s, uint32_t mask, const char *name,
		     void *ud)
{
	struct seen *w = ud;

	(void)s;
	(void)mask;
	if (!name)
		return;
	w->n++;
	snprintf(w->name, sizeof(w->name), "%s", name);
}

static void touch(const char *dir, const char *name)
{
	char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

TEST(fswatch_shares_one_instance)
{
	struct loop *loop;
	struct fswatch_sub a, b, c;
	struct seen sa = { 0 }, sb = { 0 }, sc = { 0 };
	char d1[512], d2[512];

	snprintf(d1, sizeof(d1), "%s/fw1", harness_tmpdir());
	snprintf(d2, sizeof(d2), "%s/fw2", harness_tmpdir());
	mkdir(d1, 0700);
	mkdir(d2, 0700);
	if (!CHECK_INT(loop_new(&loop), 0))
		return;
	fswatch_sub_init(&a, on_event, &sa);
	fswatch_sub_init(&b, on_event, &sb);
	fswatch_sub_init(&c, on_event, &sc);
	CHECK_INT(fswatch_add(loop, &a, d1, IN_CREATE | IN_ONLYDIR), 0);
	CHECK_INT(fswatch_add(loop, &b, d1, IN_CLOSE_WRITE | IN_ONLYDIR), 0);
	CHECK_INT(fswatch_add(loop, &c, d2, IN_CREATE | IN_ONLYDIR), 0);
	CHECK_INT(fswatch_instances(), 1);
	CHECK_INT(a.wd, b.wd);
	touch(d1, "x");
	CHECK_INT(loop_run_once(loop, 1000), 0);
	CHECK_INT(sa.n, 1);	/* IN_CREATE */
	CHECK_INT(sb.n, 1);	/* IN_CLOSE_WRITE */
	CHECK_INT(sc.n, 0);
	CHECK_STR(sa.name, "x");
	/* b leaves; a still hears its directory. */
	fswatch_rm(&b);
	touch(d1, "y");
	CHECK_INT(loop_run_once(loop, 1000), 0);
	CHECK_INT(sa.n, 2);
	CHECK_INT(sb.n, 1);
	touch(d2, "z");
	CHECK_INT(loop_run_once(loop, 1000), 0);
	CHECK_INT(sc.n, 1);
	fswatch_rm(&a);
	CHECK_INT(fswatch_instances(), 1);
	fswatch_rm(&c);
	CHECK_INT(fswatch_instances(), 0);
	loop_free(loop);
}
