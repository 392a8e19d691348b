/*
 * spool — watching outgoing/ and moving files through active/ to the
 * outbox or to rejected/; see include/spool.h. Reading and checking one
 * file is spool_accept.c.
 *
 * inotify tells us about files written in place (IN_CLOSE_WRITE) and
 * renamed in (IN_MOVED_TO). Names queue up and are taken a bounded number
 * per loop iteration, so a burst of thousands of files never starves the
 * modems.
 */
#include "spool_priv.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Files taken per loop iteration before yielding to the other events. */
#define SPOOL_BATCH 64

static int queue_name(struct spool *sp, const char *name)
{
	struct spool_name *n;
	size_t len = strlen(name);

	n = malloc(sizeof(*n) + len + 1);
	if (!n)
		return -ENOMEM;
	memcpy(n->name, name, len + 1);
	n->next = NULL;
	if (sp->tail)
		sp->tail->next = n;
	else
		sp->head = n;
	sp->tail = n;
	loop_defer(&sp->work);
	return 0;
}

static void free_queue(struct spool *sp)
{
	while (sp->head) {
		struct spool_name *n = sp->head;

		sp->head = n->next;
		free(n);
	}
	sp->tail = NULL;
}

/*
 * A file a scan finds without an inotify event may still be being written
 * in place (its close-write event will come); one changed this recently is
 * left to that event, or to the next scan.
 */
#define SPOOL_SETTLE_MS 2000

static bool settled(struct spool *sp, const char *name)
{
	struct stat st;
	int64_t age;

	if (fstatat(sp->outgoing_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return true;	/* gone, or not a file: spool_take says */
	/* An mtime is stamped by the kernel's clock, not the injectable one:
	 * compare it with the real clock (include/clock.h). */
	age = clock_real_ms() - ((int64_t)st.st_mtim.tv_sec * 1000 +
				 st.st_mtim.tv_nsec / 1000000);
	return age >= SPOOL_SETTLE_MS;
}

/* Queues every name in outgoing/ (at start, and after an inotify overflow). */
static void scan_outgoing(struct spool *sp)
{
	int fd = openat(sp->outgoing_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	bool later = false;

	if (!d) {
		log_error("spool: cannot read %s/outgoing: %m", sp->cfg->spool);
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (settled(sp, de->d_name))
			queue_name(sp, de->d_name);
		else
			later = true;
	}
	closedir(d);
	if (later)
		loop_timer_arm(&sp->rescan, SPOOL_SETTLE_MS);
}

static int64_t on_rescan(struct loop_timer *t, void *ud)
{
	(void)t;
	scan_outgoing(ud);
	return LOOP_TIMER_DONE;
}

static void on_inotify(struct loop_watch *w, uint32_t events, void *ud)
{
	struct spool *sp = ud;
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	(void)w;
	(void)events;
	while ((n = read(sp->inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *ev = (struct inotify_event *)p;

			if (ev->mask & IN_Q_OVERFLOW) {
				log_warn("spool: inotify overflow; rescanning");
				free_queue(sp);
				scan_outgoing(sp);
			} else if (ev->len && !(ev->mask & IN_ISDIR)) {
				queue_name(sp, ev->name);
			}
			p += sizeof(*ev) + ev->len;
		}
	}
}

static void work(struct loop_deferred *d, void *ud)
{
	struct spool *sp = ud;
	int accepted = 0;

	(void)d;
	for (int i = 0; i < SPOOL_BATCH && sp->head; i++) {
		struct spool_name *n = sp->head;

		sp->head = n->next;
		if (!sp->head)
			sp->tail = NULL;
		if (spool_take(sp, n->name) > 0)
			accepted++;
		free(n);
	}
	if (sp->head)
		loop_defer(&sp->work);
	if (accepted && sp->accepted)
		sp->accepted(sp->accepted_ud);
}

/* Files claimed before a crash: committed ones are removed, others redone. */
static void finish_active(struct spool *sp)
{
	int fd = openat(sp->active_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int n = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		spool_recover(sp, de->d_name);
		n++;
	}
	closedir(d);
	if (n)
		log_notice("spool: finished %d file%s claimed before a restart",
			   n, n == 1 ? "" : "s");
}

static int open_dir(const char *spool, const char *sub, int *fd)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", spool, sub);
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0) {
		log_error("spool: %s: %m", path);
		return -errno;
	}
	return 0;
}

int spool_new(struct loop *loop, struct store *store, const struct config *cfg,
	      struct sim_registry *reg, spool_accepted_fn accepted, void *ud,
	      struct spool **out)
{
	struct spool *sp = calloc(1, sizeof(*sp));
	char path[4096];
	int rc;

	if (!sp)
		return -ENOMEM;
	sp->loop = loop;
	sp->store = store;
	sp->cfg = cfg;
	sp->reg = reg;
	sp->accepted = accepted;
	sp->accepted_ud = ud;
	sp->outgoing_fd = sp->active_fd = sp->rejected_fd = sp->inotify_fd = -1;
	loop_deferred_init(loop, &sp->work, work, sp);
	loop_timer_init(loop, &sp->rescan, on_rescan, sp);
	if ((rc = open_dir(cfg->spool, "outgoing", &sp->outgoing_fd)) < 0 ||
	    (rc = open_dir(cfg->spool, "active", &sp->active_fd)) < 0 ||
	    (rc = open_dir(cfg->spool, "rejected", &sp->rejected_fd)) < 0)
		goto fail;
	sp->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	snprintf(path, sizeof(path), "%s/outgoing", cfg->spool);
	if (sp->inotify_fd < 0 ||
	    inotify_add_watch(sp->inotify_fd, path,
			      IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR) < 0) {
		rc = -errno;
		log_error("spool: cannot watch %s: %m", path);
		goto fail;
	}
	rc = loop_watch_add(loop, &sp->watch, sp->inotify_fd, EPOLLIN,
			    on_inotify, sp);
	if (rc < 0)
		goto fail;
	/* Watch first, then scan: a file arriving in between is seen twice,
	 * and the second look finds it gone. */
	finish_active(sp);
	scan_outgoing(sp);
	*out = sp;
	return 0;
fail:
	spool_free(sp);
	return rc;
}

void spool_free(struct spool *sp)
{
	if (!sp)
		return;
	if (sp->inotify_fd >= 0) {
		loop_watch_del(&sp->watch);
		close(sp->inotify_fd);
	}
	loop_deferred_cancel(&sp->work);
	loop_timer_disarm(&sp->rescan);
	free_queue(sp);
	if (sp->outgoing_fd >= 0)
		close(sp->outgoing_fd);
	if (sp->active_fd >= 0)
		close(sp->active_fd);
	if (sp->rejected_fd >= 0)
		close(sp->rejected_fd);
	free(sp);
}

void spool_set_config(struct spool *sp, const struct config *cfg)
{
	sp->cfg = cfg;
}
