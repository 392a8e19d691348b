/* control — the daemon's wake-up socket; see include/control.h. */
#include "control.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct control {
	struct loop_watch watch;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_fn fn;
	void *ud;
};

static int socket_path(const char *spool, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if ((size_t)snprintf(a->sun_path, sizeof(a->sun_path), "%s/.smsgwd.sock",
			     spool) >= sizeof(a->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

static void on_readable(struct loop_watch *w, uint32_t events, void *ud)
{
	struct control *c = ud;
	char buf[64];
	ssize_t n;

	(void)w;
	(void)events;
	while ((n = recv(c->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\r\n")] = '\0';
		c->fn(buf, c->ud);
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
	rc = socket_path(spool, &a);
	if (rc < 0)
		goto fail;
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
	if (bind(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		rc = -errno;
		close(c->fd);
		goto fail;
	}
	rc = loop_watch_add(loop, &c->watch, c->fd, EPOLLIN, on_readable, c);
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

	if (socket_path(spool, &a) < 0)
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
