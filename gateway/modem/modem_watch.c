/*
 * modem_watch — notices the device appearing, without polling: inotify
 * on the directory that holds the configured name (a symlink such as
 * /dev/serial/by-id/... or the simulator's DIR/modemN, or the tty
 * itself). When that directory does not exist yet (/dev/serial/by-id
 * goes away with the last USB serial device), the nearest existing
 * ancestor is watched for the next component, and the watch moves down
 * as the path comes into being.
 */
#include "modem_priv.h"
#include "modem_watch.h"
#include "config.h"
#include "log.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODEM_WATCH_MASK (IN_CREATE | IN_MOVED_TO | IN_ATTRIB | IN_DELETE | \
			  IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF |    \
			  IN_ONLYDIR)

static bool modem_watch_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void modem_watch_copy(char *dst, size_t size, const char *src,
			     size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = 0;
}

/* Splits path at its last '/' into dir and name ("." for a bare name). */
static void modem_watch_split(const char *path, char *dir, size_t dsize,
			      char *name, size_t nsize)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		modem_watch_copy(dir, dsize, ".", 1);
		modem_watch_copy(name, nsize, path, strlen(path));
		return;
	}
	modem_watch_copy(dir, dsize, path,
			 slash == path ? 1 : (size_t)(slash - path));
	modem_watch_copy(name, nsize, slash + 1, strlen(slash + 1));
}

static void modem_watch_cb(struct fswatch_sub *sub, uint32_t mask,
			   const char *name, void *ud);

/* Watches the deepest existing directory on the way to the device. */
static void modem_watch_arm_once(struct modem *m)
{
	char path[PATH_MAX], dir[PATH_MAX], name[NAME_MAX + 1];
	int rc;

	snprintf(path, sizeof(path), "%s", m->mcfg->device);
	for (;;) {
		modem_watch_split(path, dir, sizeof(dir), name, sizeof(name));
		if (modem_watch_is_dir(dir) || !strcmp(dir, "/") ||
		    !strcmp(dir, "."))
			break;
		snprintf(path, sizeof(path), "%s", dir);
	}
	if (fswatch_active(&m->watch.sub) && strcmp(dir, m->watch.dir) == 0) {
		snprintf(m->watch.name, sizeof(m->watch.name), "%s", name);
		return;
	}
	/* One inotify instance for the daemon: 128 modems each with their
	 * own hit fs.inotify.max_user_instances (128 by default). */
	rc = fswatch_add(m->loop, &m->watch.sub, dir, MODEM_WATCH_MASK);
	if (rc < 0) {
		log_warn("%s: inotify on %s: %s", m->source, dir,
			 strerror(-rc));
		return;
	}
	snprintf(m->watch.dir, sizeof(m->watch.dir), "%s", dir);
	snprintf(m->watch.name, sizeof(m->watch.name), "%s", name);
}

/*
 * A directory made between our look and inotify_add_watch() sends no event
 * to the new watch (mkdir -p later/by-id, then the link in by-id): look
 * again until the deepest directory stays the same.
 */
static void modem_watch_arm(struct modem *m)
{
	char before[PATH_MAX];

	for (int i = 0; i < 16; i++) {
		snprintf(before, sizeof(before), "%s",
			 fswatch_active(&m->watch.sub) ? m->watch.dir : "");
		modem_watch_arm_once(m);
		if (!fswatch_active(&m->watch.sub) ||
		    strcmp(before, m->watch.dir) == 0)
			break;
	}
}

/* Something happened to the path: try to open if we are waiting. */
static void modem_watch_changed(struct modem *m)
{
	if (access(m->mcfg->device, F_OK) == 0)
		modem_fsm_event(m, MODEM_EV_APPEARED, NULL);
}

static void modem_watch_cb(struct fswatch_sub *sub, uint32_t mask,
			   const char *name, void *ud)
{
	struct modem *m = ud;
	bool rearm, hit;

	(void)sub;
	rearm = mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED |
			IN_Q_OVERFLOW);
	hit = name && strcmp(name, m->watch.name) == 0;
	if (!rearm && !hit)
		return;
	if (rearm)
		fswatch_rm(&m->watch.sub);
	modem_watch_arm(m);
	modem_watch_changed(m);
}

void modem_watch_init(struct modem *m)
{
	fswatch_sub_init(&m->watch.sub, NULL, m);
}

int modem_watch_start(struct modem *m)
{
	fswatch_sub_init(&m->watch.sub, modem_watch_cb, m);
	modem_watch_arm(m);
	return fswatch_active(&m->watch.sub) ? 0 : -ENOSPC;
}

void modem_watch_stop(struct modem *m)
{
	fswatch_rm(&m->watch.sub);
}
