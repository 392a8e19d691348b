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
#include "config.h"
#include "log.h"

#include <errno.h>
#include <string.h>
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

/* Watches the deepest existing directory on the way to the device. */
static void modem_watch_arm_once(struct modem *m)
{
	char path[PATH_MAX], dir[PATH_MAX], name[NAME_MAX + 1];
	int wd;

	snprintf(path, sizeof(path), "%s", m->mcfg->device);
	for (;;) {
		modem_watch_split(path, dir, sizeof(dir), name, sizeof(name));
		if (modem_watch_is_dir(dir) || !strcmp(dir, "/") ||
		    !strcmp(dir, "."))
			break;
		snprintf(path, sizeof(path), "%s", dir);
	}
	if (m->ino_wd >= 0 && strcmp(dir, m->watch_dir) == 0) {
		snprintf(m->watch_name, sizeof(m->watch_name), "%s", name);
		return;
	}
	if (m->ino_wd >= 0)
		inotify_rm_watch(m->ino_fd, m->ino_wd);
	wd = inotify_add_watch(m->ino_fd, dir, MODEM_WATCH_MASK);
	m->ino_wd = wd;
	if (wd < 0) {
		log_warn("%s: inotify on %s: %m", m->source, dir);
		return;
	}
	snprintf(m->watch_dir, sizeof(m->watch_dir), "%s", dir);
	snprintf(m->watch_name, sizeof(m->watch_name), "%s", name);
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
			 m->ino_wd >= 0 ? m->watch_dir : "");
		modem_watch_arm_once(m);
		if (m->ino_wd < 0 || strcmp(before, m->watch_dir) == 0)
			break;
	}
}

/* Something happened to the path: try to open if we are waiting. */
static void modem_watch_changed(struct modem *m)
{
	if (access(m->mcfg->device, F_OK) == 0)
		modem_fsm_event(m, MODEM_EV_APPEARED, NULL);
}

static void modem_watch_cb(struct loop_watch *w, uint32_t events, void *ud)
{
	char buf[4096]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	struct modem *m = ud;
	bool rearm = false, hit = false;
	ssize_t n;

	(void)w;
	(void)events;
	while ((n = read(m->ino_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->wd != m->ino_wd)
				continue;
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF |
					IN_IGNORED))
				rearm = true;
			if (ev->len && strcmp(ev->name, m->watch_name) == 0)
				hit = true;
		}
	}
	if (!rearm && !hit)
		return;
	modem_watch_arm(m);
	modem_watch_changed(m);
}

int modem_watch_start(struct modem *m)
{
	int rc;

	m->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (m->ino_fd < 0)
		return -errno;
	rc = loop_watch_add(m->loop, &m->ino_watch, m->ino_fd, EPOLLIN,
			    modem_watch_cb, m);
	if (rc < 0) {
		close(m->ino_fd);
		m->ino_fd = -1;
		return rc;
	}
	modem_watch_arm(m);
	return m->ino_wd >= 0 ? 0 : -errno;
}

void modem_watch_stop(struct modem *m)
{
	if (m->ino_fd < 0)
		return;
	loop_watch_del(&m->ino_watch);
	close(m->ino_fd);
	m->ino_fd = m->ino_wd = -1;
}
