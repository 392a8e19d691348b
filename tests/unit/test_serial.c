/*
 * Serial transport: the libserialport/termios decision on a fake sysfs,
 * opening pseudo-terminals (directly and through a symlink, as the modem
 * simulator exposes them), raw settings, and the device going away.
 */
#include "harness.h"
#include "at_chat.h"
#include "loop.h"
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* A pty pair: returns the master fd and the slave's path in name. */
static int pty_open(char *name, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);

	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, name, size) != 0) {
		harness_fail(__FILE__, __LINE__, "posix_openpt: %s",
			     strerror(errno));
		if (m >= 0)
			close(m);
		return -1;
	}
	return m;
}

TEST(serial_kind_decided_by_sysfs_entry)
{
	const char *dir = harness_tmpdir();
	char path[512];

	snprintf(path, sizeof(path), "%s/class", dir);
	CHECK_INT(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/class/tty", dir);
	CHECK_INT(mkdir(path, 0755), 0);
	/* What a USB modem and a pty multiplexer look like in sysfs. */
	snprintf(path, sizeof(path), "%s/class/tty/ttyUSB0", dir);
	CHECK_INT(symlink("../../devices/pci0000:00/0000:00:14.0/usb1/1-1/"
			  "1-1:1.0/ttyUSB0/tty/ttyUSB0", path), 0);
	snprintf(path, sizeof(path), "%s/class/tty/ttyS0", dir);
	CHECK_INT(symlink("../../devices/platform/serial8250/tty/ttyS0", path),
		  0);
	snprintf(path, sizeof(path), "%s/class/tty/ptmx", dir);
	CHECK_INT(symlink("../../devices/virtual/tty/ptmx", path), 0);
	snprintf(path, sizeof(path), "%s/class/tty/ttyBROKEN", dir);
	CHECK_INT(mkdir(path, 0755), 0);

	CHECK_INT(serial_kind_for("ttyUSB0", dir), SERIAL_KIND_LIBSERIALPORT);
	CHECK_INT(serial_kind_for("ttyS0", dir), SERIAL_KIND_LIBSERIALPORT);
	CHECK_INT(serial_kind_for("ptmx", dir), SERIAL_KIND_TERMIOS);
	CHECK_INT(serial_kind_for("pts/3", dir), SERIAL_KIND_TERMIOS);
	CHECK_INT(serial_kind_for("ttyACM9", dir), SERIAL_KIND_TERMIOS);
	CHECK_INT(serial_kind_for("ttyBROKEN", dir), SERIAL_KIND_TERMIOS);
	/* And on this machine's sysfs, a pty has no entry. */
	CHECK_INT(serial_kind_for("pts/0", "/sys"), SERIAL_KIND_TERMIOS);
}

TEST(serial_devname_follows_symlinks)
{
	char slave[128], link[512], name[128], file[512];
	int m = pty_open(slave, sizeof(slave));

	snprintf(link, sizeof(link), "%s/modem0", harness_tmpdir());
	CHECK_INT(symlink(slave, link), 0);
	CHECK_INT(serial_devname(slave, name, sizeof(name)), 0);
	CHECK_STR(name, slave + 5);
	CHECK(strncmp(name, "pts/", 4) == 0);
	CHECK_INT(serial_devname(link, name, sizeof(name)), 0);
	CHECK_STR(name, slave + 5);
	CHECK_INT(serial_devname(link, name, 4), -ENAMETOOLONG);
	snprintf(file, sizeof(file), "%s/plain", harness_tmpdir());
	close(open(file, O_CREAT | O_WRONLY, 0644));
	CHECK_INT(serial_devname(file, name, sizeof(name)), -EINVAL);
	CHECK_INT(serial_devname("/nonexistent/tty", name, sizeof(name)),
		  -ENOENT);
	close(m);
}

TEST(serial_open_pty_raw_nonblocking)
{
	char slave[128], link[512];
	struct serial *s;
	struct termios tio;
	char buf[64];
	int m = pty_open(slave, sizeof(slave)), fl;
	bool notsock = false;

	snprintf(link, sizeof(link), "%s/modem0", harness_tmpdir());
	CHECK_INT(symlink(slave, link), 0);
	CHECK_INT(serial_open(link, 115200, &s), 0);
	CHECK_INT(serial_kind(s), SERIAL_KIND_TERMIOS);
	CHECK_STR(serial_device(s), slave);
	fl = fcntl(serial_fd(s), F_GETFL);
	CHECK(fl & O_NONBLOCK);
	CHECK(fcntl(serial_fd(s), F_GETFD) & FD_CLOEXEC);
	CHECK_INT(tcgetattr(serial_fd(s), &tio), 0);
	CHECK(!(tio.c_lflag & (ICANON | ECHO | ISIG)));
	CHECK(!(tio.c_iflag & (ICRNL | IXON)));
	CHECK(!(tio.c_oflag & OPOST));
	CHECK(tio.c_cflag & CLOCAL);
	CHECK_INT(tio.c_cflag & CSIZE, CS8);
	CHECK(!(tio.c_cflag & (PARENB | CSTOPB | CRTSCTS)));
	CHECK_INT(cfgetospeed(&tio), B115200);

	/* Nothing waiting: -EAGAIN, not a hang. */
	CHECK_INT(serial_read(serial_fd(s), buf, sizeof(buf)), -EAGAIN);
	/* Bytes pass unchanged both ways (\r not turned into \n). */
	CHECK_INT(write(m, "\r\nOK\r\n", 6), 6);
	{
		/* A pty hands bytes over asynchronously: wait for them. */
		struct pollfd p = { .fd = serial_fd(s), .events = POLLIN };

		CHECK_INT(poll(&p, 1, 3000), 1);
		CHECK_INT(serial_read(serial_fd(s), buf, sizeof(buf)), 6);
		CHECK_MEM(buf, "\r\nOK\r\n", 6);
	}
	CHECK_INT(serial_write(serial_fd(s), "AT\r", 3, &notsock), 3);
	CHECK(notsock); /* the next write skips send() */
	{
		struct pollfd p = { .fd = m, .events = POLLIN };

		CHECK_INT(poll(&p, 1, 3000), 1);
	}
	CHECK_INT(read(m, buf, sizeof(buf)), 3);
	CHECK_MEM(buf, "AT\r", 3);
	serial_close(s);
	close(m);
}

TEST(serial_open_errors)
{
	struct serial *s = NULL;
	char file[512];

	CHECK_INT(serial_open("/nonexistent/tty", 115200, &s), -ENOENT);
	CHECK_INT(serial_open("/dev/null", 12345, &s), -EINVAL);
	snprintf(file, sizeof(file), "%s/not-a-tty", harness_tmpdir());
	close(open(file, O_CREAT | O_WRONLY, 0644));
	CHECK_INT(serial_open(file, 115200, &s), -ENOTTY);
	CHECK(s == NULL);
	CHECK(!serial_baud_valid(0));
	CHECK(serial_baud_valid(9600));
	CHECK(serial_baud_valid(921600));
	serial_close(NULL);
}

TEST(serial_read_reports_gone)
{
	int sv[2];
	char buf[8];
	bool notsock = false;

	CHECK_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	CHECK_INT(serial_read(sv[0], buf, sizeof(buf)), -EAGAIN);
	close(sv[1]);
	CHECK_INT(serial_read(sv[0], buf, sizeof(buf)), -ENODEV);
	CHECK_INT(serial_write(sv[0], "x", 1, &notsock), -ENODEV);
	CHECK(!notsock);
	close(sv[0]);
	CHECK_INT(serial_read(-1, buf, sizeof(buf)), -EBADF);
	CHECK(serial_events_hangup(EPOLLHUP));
	CHECK(serial_events_hangup(EPOLLERR | EPOLLIN));
	CHECK(!serial_events_hangup(EPOLLIN));
}

static void gone_cb(int err, void *ud)
{
	int *e = ud;

	*e = err;
}

static void cmd_cb(const struct at_response *r, void *ud)
{
	int *status = ud;

	*status = r->status;
}

/* The simulator's unplug: the pty master closes under an open chat. */
TEST(serial_pty_hangup_reaches_the_chat)
{
	char slave[128];
	struct serial *s;
	struct loop *loop;
	struct at_chat *chat;
	int m = pty_open(slave, sizeof(slave));
	int err = 0, status = -1;
	char buf[16];

	CHECK_INT(loop_new(&loop), 0);
	CHECK_INT(serial_open(slave, 115200, &s), 0);
	CHECK_INT(at_chat_new(loop, serial_fd(s), &chat), 0);
	at_chat_set_gone(chat, gone_cb, &err);
	CHECK(at_chat_send(chat, "AT", NULL, cmd_cb, &status) > 0);
	for (int64_t end = loop_clock_ms() + 3000;
	     read(m, buf, sizeof(buf)) <= 0 && loop_clock_ms() < end;)
		loop_run_once(loop, 5);
	close(m);
	for (int64_t end = loop_clock_ms() + 3000;
	     !err && loop_clock_ms() < end;)
		loop_run_once(loop, 20);
	CHECK_INT(err, -ENODEV);
	CHECK_INT(status, AT_CHAT_STATUS_GONE);
	CHECK(at_chat_is_gone(chat));
	at_chat_free(chat);
	serial_close(s);
	loop_free(loop);
}
