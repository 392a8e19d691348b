/* control — the daemon's wake-up socket; see include/control.h. */
#include "control.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Datagrams read per loop turn: a flood waits in the socket's buffer
 * (and then fails for its sender) instead of holding the loop. */
#define CONTROL_BATCH 16
/* At most one log line per this many ms about requests we do not know. */
#define CONTROL_LOG_MS 10000

struct control {
	struct loop *loop;
	struct loop_watch watch;
	int64_t logged_at;	/* monotonic ms of the last "unknown" line */
	unsigned long unlogged;	/* unknown requests since then */
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_fn fn;
	void *ud;
};

static int control_socket_path(const char *spool, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if ((size_t)snprintf(a->sun_path, sizeof(a->sun_path), "%s/.smsgwd.sock",
			     spool) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/* A request is one word: letters, digits, '-' and '_'. */
static bool control_plain_word(const char *w)
{
	if (!*w || strlen(w) > CONTROL_WORD_MAX)
		return false;
	for (; *w; w++)
		if (!isalnum((unsigned char)*w) && *w != '-' && *w != '_')
			return false;
	return true;
}

/* Anyone in the spool's group may write here: what they send is logged
 * escaped (no terminal escapes reach a log) and rate-limited. */
static void control_unknown(struct control *c, const char *buf, size_t len)
{
	int64_t now = loop_now(c->loop);
	char esc[(CONTROL_WORD_MAX + 2) * 4 + 1];
	size_t o = 0;

	if (c->logged_at && now - c->logged_at < CONTROL_LOG_MS) {
		c->unlogged++;
		return;
	}
	for (size_t i = 0; i < len && o + 5 < sizeof(esc); i++) {
		unsigned char ch = (unsigned char)buf[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			esc[o++] = (char)ch;
		else
			o += (size_t)snprintf(esc + o, sizeof(esc) - o,
					      "\\x%02x", ch);
	}
	esc[o] = '\0';
	log_info("control: unknown request \"%s\"%s", esc,
		 c->unlogged ? " (and more not logged)" : "");
	if (c->unlogged)
		log_info("control: %lu unknown requests in the last %d s",
			 c->unlogged, CONTROL_LOG_MS / 1000);
	c->logged_at = now;
	c->unlogged = 0;
}

static void control_on_readable(struct loop_watch *w, uint32_t events, void *ud)
{
	struct control *c = ud;
	/* One more than a word may be: a longer one is cut, then refused. */
	char buf[CONTROL_WORD_MAX + 2];
	ssize_t n;

	(void)w;
	(void)events;
	/* Level-triggered: what is left is read on the next turn. */
	for (int i = 0; i < CONTROL_BATCH; i++) {
		n = recv(c->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n <= 0)
			break;
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		if (!control_plain_word(buf) || !c->fn(buf, c->ud))
			control_unknown(c, buf, (size_t)n);
	}
}

int control_open(struct loop *loop, const char *spool, control_fn fn,
		 void *ud, struct control **out)
{
	struct control *c = calloc(1, sizeof(*c));
	struct sockaddr_un a;
	int rc;

	if (!c)
		return -ENOMEM;
	rc = control_socket_path(spool, &a);
	if (rc < 0)
		goto fail;
	c->loop = loop;
	c->fn = fn;
	c->ud = ud;
	snprintf(c->path, sizeof(c->path), "%s", a.sun_path);
	c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* We hold the pid lock, so a socket left here is a dead daemon's. */
	unlink(a.sun_path);
	/* Senders (the spool's group) may write to it, nobody else; the
	 * umask is ours for the moment of the bind (one thread). */
	mode_t old = umask(0117);

	rc = bind(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0 ? -errno : 0;
	umask(old);
	if (rc < 0) {
		close(c->fd);
		goto fail;
	}
	rc = loop_watch_add(loop, &c->watch, c->fd, EPOLLIN,
			    control_on_readable, c);
	if (rc < 0) {
		close(c->fd);
		unlink(c->path);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	log_error("control: %s/.smsgwd.sock: %s", spool, strerror(-rc));
	free(c);
	return rc;
}

void control_close(struct control *c)
{
	if (!c)
		return;
	loop_watch_del(&c->watch);
	close(c->fd);
	unlink(c->path);
	free(c);
}

int control_send(const char *spool, const char *word)
{
	struct sockaddr_un a;
	int fd, rc = 0;

	if (control_socket_path(spool, &a) < 0)
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, word, strlen(word), MSG_DONTWAIT, (struct sockaddr *)&a,
		   sizeof(a)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}
