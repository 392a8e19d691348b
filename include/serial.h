/*
 * serial — opens a modem's tty and hands the event loop a non-blocking fd.
 *
 * Real serial devices (USB CDC-ACM and serial converters, on-board UARTs)
 * are opened with libserialport: baud rate, 8N1, no flow control. It finds
 * a port through its sysfs entry (/sys/class/tty/NAME), so it cannot open
 * pseudo-terminals (socat, ser2net, the modem simulator) or any tty sysfs
 * lists as virtual; those are opened with plain termios: raw, the baud
 * rate, CLOCAL, O_NOCTTY, O_CLOEXEC, O_NONBLOCK (doc/contract.md §10).
 *
 * A device that went away (USB unplug, the pty's other end closed) shows up
 * as EOF, EIO, ENXIO or ENODEV from read or write, or EPOLLHUP: every one
 * of them is reported as -ENODEV, the one code the modem layer acts on.
 */
#ifndef SMSGW_SERIAL_H
#define SMSGW_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct serial;

enum serial_kind {
	SERIAL_KIND_LIBSERIALPORT, /* a tty with a sysfs device entry */
	SERIAL_KIND_TERMIOS,	   /* a pty or other tty without one */
};

/*
 * Opens the tty at path (a symlink such as /dev/serial/by-id/... or
 * /dev/smsgw/m1 is followed) at baud (e.g. 115200). Returns 0 and *out, or
 * -ENOENT, -EACCES, -EBUSY, -ENOTTY, -EINVAL (unsupported baud rate), ...
 * The caller closes it with serial_close().
 */
int serial_open(const char *path, int baud, struct serial **out);
void serial_close(struct serial *s);

/* The non-blocking fd for the event loop; owned by the serial. */
int serial_fd(const struct serial *s);
enum serial_kind serial_kind(const struct serial *s);
/* The device path after symlinks, e.g. /dev/ttyUSB2 or /dev/pts/7. */
const char *serial_device(const struct serial *s);

/*
 * The decision serial_open() makes, exposed for tests: devname is the
 * resolved path without "/dev/" (ttyUSB0, pts/3) and sysfs the sysfs mount
 * ("/sys"). libserialport can open the port when SYSFS/class/tty/DEVNAME
 * is a link to a device that is not virtual.
 */
enum serial_kind serial_kind_for(const char *devname, const char *sysfs);
/*
 * Resolves path and strips "/dev/" into buf (size bytes). Returns 0,
 * -errno from realpath, -EINVAL if it does not resolve under /dev/, or
 * -ENAMETOOLONG.
 */
int serial_devname(const char *path, char *buf, size_t size);

/* Maps a baud rate to its termios speed; false if there is none. */
bool serial_baud_valid(int baud);

/*
 * Reads or writes at most len bytes on a non-blocking fd. Returns the
 * count (> 0), -EAGAIN when it would block, -ENODEV when the device is
 * gone (EOF, EIO, ENXIO, ENODEV, EPIPE), or another -errno. EINTR is
 * retried.
 *
 * serial_write() writes a socket with send(MSG_NOSIGNAL), so a peer that
 * left is -ENODEV, not SIGPIPE. *notsock is the caller's memory of the fd:
 * false at first, set once the fd turned out not to be a socket, so that
 * a tty is not asked send() again on every write.
 */
ssize_t serial_read(int fd, void *buf, size_t len);
ssize_t serial_write(int fd, const void *buf, size_t len, bool *notsock);
/* Whether epoll events mean the device is gone once the input is drained. */
bool serial_events_hangup(uint32_t events);

#endif
