/*
 * notify — systemd's service notification protocol (sd_notify(3)): one
 * datagram "KEY=VALUE\n…" to the AF_UNIX socket named by $NOTIFY_SOCKET.
 * smsgwd says READY=1 once it serves, WATCHDOG=1 from a loop timer (so a
 * loop that is stuck stops pinging and systemd, with WatchdogSec=, kills
 * and restarts it), and STOPPING=1 on its way out. Without $NOTIFY_SOCKET
 * every call does nothing.
 */
#ifndef SMSGW_NOTIFY_H
#define SMSGW_NOTIFY_H

#include <stdint.h>

/* Sends state (e.g. "READY=1") to $NOTIFY_SOCKET. 0, or -errno when it
 * could not be sent; 0 as well when there is no socket to send to. */
int notify_send(const char *state);
/*
 * The interval at which WATCHDOG=1 must be sent, in ms: $WATCHDOG_USEC,
 * when set and meant for us ($WATCHDOG_PID unset or our pid), else 0.
 */
int64_t notify_watchdog_ms(void);

#endif
