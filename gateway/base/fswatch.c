/*
 * fswatch — the process's inotify instance, shared; see include/fswatch.h.
 */
#include "fswatch.h"
#include "log.h"
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

struct fswatch {
	struct loop *loop;
	int fd;
	struct loop_watch watch;
	struct fswatch_sub *subs;
	struct fswatch_sub *cursor;	/* next to call while dispatching */
	int nsubs;
	struct fswatch *next;
};

/* One per loop (the daemon has one; tests may run several). */
static struct fswatch *fswatch_all;

int fswatch_instances(void)
{
	int n = 0;

	for (struct fswatch *fw = fswatch_all; fw; fw = fw->next)
		n++;
	return n;
}

static void fswatch_call(struct fswatch *fw, int wd, uint32_t mask,
			 const char *name)
{
	for (struct fswatch_sub *s = fw->subs; s; s = fw->cursor) {
		fw->cursor = s->next;
		if (mask & IN_Q_OVERFLOW)
			s->cb(s, IN_Q_OVERFLOW, NULL, s->ud);
		else if (s->wd == wd &&
			 (mask & (s->mask | IN_IGNORED | IN_DELETE_SELF |
				  IN_MOVE_SELF)))
			s->cb(s, mask, name, s->ud);
	}
	fw->cursor = NULL;
}

static void fswatch_ready(struct loop_watch *w, uint32_t events, void *ud)
{
	char buf[16384]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct fswatch *fw = ud;
	ssize_t n;

	(void)w;
	(void)events;
	/* A callback may remove the last subscriber (and free fw): hold it
	 * by one phantom subscriber while reading. */
	fw->nsubs++;
	while ((n = read(fw->fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			p += sizeof(*ev) + ev->len;
			fswatch_call(fw, ev->wd, ev->mask,
				     ev->len ? ev->name : NULL);
		}
	}
	fw->nsubs--;
	if (!fw->nsubs)
		fswatch_rm(NULL);
}

static struct fswatch *fswatch_get(struct loop *loop)
{
	struct fswatch *fw;

	for (fw = fswatch_all; fw; fw = fw->next)
		if (fw->loop == loop)
			return fw;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return NULL;
	fw->loop = loop;
	fw->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fw->fd < 0) {
		log_error("inotify: %m (fs.inotify.max_user_instances?)");
		free(fw);
		return NULL;
	}
	if (loop_watch_add(loop, &fw->watch, fw->fd, EPOLLIN, fswatch_ready,
			   fw) < 0) {
		close(fw->fd);
		free(fw);
		return NULL;
	}
	fw->next = fswatch_all;
	fswatch_all = fw;
	return fw;
}

/* Closes instances nobody uses any more. */
static void fswatch_gc(void)
{
	for (struct fswatch **pp = &fswatch_all; *pp;) {
		struct fswatch *fw = *pp;

		if (fw->nsubs) {
			pp = &fw->next;
			continue;
		}
		*pp = fw->next;
		loop_watch_del(&fw->watch);
		close(fw->fd);
		free(fw);
	}
}

void fswatch_sub_init(struct fswatch_sub *s, fswatch_cb cb, void *ud)
{
	*s = (struct fswatch_sub){ .wd = -1, .cb = cb, .ud = ud };
}

bool fswatch_active(const struct fswatch_sub *s)
{
	return s->fw != NULL;
}

static void fswatch_unlink(struct fswatch_sub *s)
{
	struct fswatch *fw = s->fw;
	bool shared = false;

	for (struct fswatch_sub **pp = &fw->subs; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			if (fw->cursor == s)
				fw->cursor = s->next;
			*pp = s->next;
			break;
		}
	for (struct fswatch_sub *o = fw->subs; o; o = o->next)
		if (o->wd == s->wd)
			shared = true;
	/* The kernel's mask keeps s's bits while others share the inode;
	 * they filter by their own. */
	if (!shared)
		inotify_rm_watch(fw->fd, s->wd);
	fw->nsubs--;
	s->fw = NULL;
	s->wd = -1;
	s->next = NULL;
}

int fswatch_add(struct loop *loop, struct fswatch_sub *s, const char *path,
		uint32_t mask)
{
	struct fswatch *fw;
	int wd, err;

	if (s->fw)
		fswatch_unlink(s);
	fw = fswatch_get(loop);
	if (!fw) {
		fswatch_gc();
		return -EMFILE;
	}
	wd = inotify_add_watch(fw->fd, path, mask | IN_MASK_ADD);
	if (wd < 0) {
		err = errno;
		fswatch_gc();
		return -err;
	}
	s->fw = fw;
	s->wd = wd;
	s->mask = mask;
	s->next = fw->subs;
	fw->subs = s;
	fw->nsubs++;
	return 0;
}

void fswatch_rm(struct fswatch_sub *s)
{
	if (s && s->fw)
		fswatch_unlink(s);
	fswatch_gc();
}
