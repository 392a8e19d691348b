/* serial — tty transport: libserialport or termios; see include/serial.h. */
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

struct serial {
	int fd;
	enum serial_kind kind;
	struct sp_port *sp;	/* libserialport ports only */
	char device[PATH_MAX];
};

static const struct {
	int baud;
	speed_t speed;
} serial_speeds[] = {
	{ 1200, B1200 },     { 2400, B2400 },	  { 4800, B4800 },
	{ 9600, B9600 },     { 19200, B19200 },	  { 38400, B38400 },
	{ 57600, B57600 },   { 115200, B115200 }, { 230400, B230400 },
	{ 460800, B460800 }, { 921600, B921600 }, { 3000000, B3000000 },
	{ 4000000, B4000000 },
};

static bool serial_speed(int baud, speed_t *out)
{
	for (size_t i = 0; i < sizeof(serial_speeds) / sizeof(serial_speeds[0]);
	     i++) {
		if (serial_speeds[i].baud == baud) {
			*out = serial_speeds[i].speed;
			return true;
		}
	}
	return false;
}

bool serial_baud_valid(int baud)
{
	speed_t s;

	return serial_speed(baud, &s);
}

int serial_devname(const char *path, char *buf, size_t size)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return -errno;
	if (strncmp(real, "/dev/", 5) != 0 || !real[5])
		return -EINVAL;
	if (strlen(real + 5) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, real + 5);
	return 0;
}

enum serial_kind serial_kind_for(const char *devname, const char *sysfs)
{
	char link[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	/* The test libserialport's get_port_details() makes (linux.c):
	 * the class entry must be a symlink; list_ports() also skips
	 * targets under devices/virtual (ptmx, console, ttyN). */
	if (snprintf(link, sizeof(link), "%s/class/tty/%s", sysfs, devname) >=
	    (int)sizeof(link))
		return SERIAL_KIND_TERMIOS;
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return SERIAL_KIND_TERMIOS;
	target[n] = '\0';
	if (strstr(target, "/virtual/"))
		return SERIAL_KIND_TERMIOS;
	return SERIAL_KIND_LIBSERIALPORT;
}

static int serial_sp_errno(enum sp_return rc)
{
	int err;

	switch (rc) {
	case SP_OK:
		return 0;
	case SP_ERR_ARG:
		return -EINVAL;
	case SP_ERR_MEM:
		return -ENOMEM;
	case SP_ERR_SUPP:
		return -ENOTSUP;
	case SP_ERR_FAIL:
	default:
		err = sp_last_error_code();
		return err > 0 ? -err : -EIO;
	}
}

static int serial_open_sp(struct serial *s, int baud)
{
	enum sp_return rc;

	rc = sp_get_port_by_name(s->device, &s->sp);
	if (rc != SP_OK)
		return serial_sp_errno(rc);
	rc = sp_open(s->sp, SP_MODE_READ_WRITE);
	if (rc != SP_OK) {
		int err = serial_sp_errno(rc);

		sp_free_port(s->sp);
		s->sp = NULL;
		return err;
	}
	if ((rc = sp_set_baudrate(s->sp, baud)) != SP_OK ||
	    (rc = sp_set_bits(s->sp, 8)) != SP_OK ||
	    (rc = sp_set_parity(s->sp, SP_PARITY_NONE)) != SP_OK ||
	    (rc = sp_set_stopbits(s->sp, 1)) != SP_OK ||
	    (rc = sp_set_flowcontrol(s->sp, SP_FLOWCONTROL_NONE)) != SP_OK ||
	    (rc = sp_get_port_handle(s->sp, &s->fd)) != SP_OK)
		return serial_sp_errno(rc);
	return 0;
}

static int serial_open_termios(struct serial *s, const char *path, int baud)
{
	struct termios tio;
	speed_t speed;

	if (!serial_speed(baud, &speed))
		return -EINVAL;
	s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd < 0)
		return -errno;
	if (!isatty(s->fd))
		return -ENOTTY;
	if (tcgetattr(s->fd, &tio) < 0)
		return -errno;
	cfmakeraw(&tio);
	tio.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS);
	tio.c_cflag |= CS8 | CLOCAL | CREAD;
	tio.c_iflag &= ~(IXON | IXOFF | IXANY);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, speed) < 0 || cfsetospeed(&tio, speed) < 0 ||
	    tcsetattr(s->fd, TCSANOW, &tio) < 0)
		return -errno;
	return 0;
}

int serial_open(const char *path, int baud, struct serial **out)
{
	struct serial *s;
	char name[PATH_MAX - 5];
	int rc, flags;

	if (!serial_baud_valid(baud))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -1;
	rc = serial_devname(path, name, sizeof(name));
	if (rc == -EINVAL) {
		/* A tty outside /dev: termios can still open it. */
		s->kind = SERIAL_KIND_TERMIOS;
		snprintf(s->device, sizeof(s->device), "%s", path);
	} else if (rc < 0) {
		goto fail;
	} else {
		s->kind = serial_kind_for(name, "/sys");
		snprintf(s->device, sizeof(s->device), "/dev/%s", name);
	}
	/* termios opens the configured path itself: resolving a symlink and
	 * then opening what it named would race with the link changing. */
	if (s->kind == SERIAL_KIND_LIBSERIALPORT)
		rc = serial_open_sp(s, baud);
	else
		rc = serial_open_termios(s, path, baud);
	if (rc < 0)
		goto fail;
	flags = fcntl(s->fd, F_GETFL);
	if (flags < 0 || fcntl(s->fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
	    fcntl(s->fd, F_SETFD, FD_CLOEXEC) < 0) {
		rc = -errno;
		goto fail;
	}
	/* Whatever the modem said before we came is stale. */
	tcflush(s->fd, TCIOFLUSH);
	*out = s;
	return 0;
fail:
	serial_close(s);
	return rc;
}

void serial_close(struct serial *s)
{
	if (!s)
		return;
	if (s->sp) {
		sp_close(s->sp);
		sp_free_port(s->sp);
	} else if (s->fd >= 0) {
		close(s->fd);
	}
	free(s);
}

int serial_fd(const struct serial *s)
{
	return s->fd;
}

enum serial_kind serial_kind(const struct serial *s)
{
	return s->kind;
}

const char *serial_device(const struct serial *s)
{
	return s->device;
}

static ssize_t serial_errno(int err)
{
	switch (err) {
	case EAGAIN:
		return -EAGAIN;
	case EIO:
	case ENXIO:
	case ENODEV:
	case EPIPE:
	case ECONNRESET:
		return -ENODEV;
	default:
		return -err;
	}
}

ssize_t serial_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	if (n == 0 && len > 0)
		return -ENODEV;
	return n < 0 ? serial_errno(errno) : n;
}

ssize_t serial_write(int fd, const void *buf, size_t len, bool *notsock)
{
	ssize_t n;

	if (!len)
		return 0;
	/* A socket (ser2net, tests) whose peer left must not raise SIGPIPE
	 * and kill the daemon: send() can say so, write() cannot. A tty
	 * answers ENOTSOCK once and is written directly from then on. */
	if (!*notsock) {
		do
			n = send(fd, buf, len, MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n >= 0 || errno != ENOTSOCK)
			return n < 0 ? serial_errno(errno) : n;
		*notsock = true;
	}
	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? serial_errno(errno) : n;
}

bool serial_events_hangup(uint32_t events)
{
	return events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP);
}
