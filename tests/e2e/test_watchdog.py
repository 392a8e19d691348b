"""Liveness (issue 11): smsgwd speaks systemd's notify protocol. READY=1
once it serves, WATCHDOG=1 from its loop at half of $WATCHDOG_USEC, and
STOPPING=1 on SIGTERM; a loop that is stuck stops pinging, so systemd's
WatchdogSec= restarts it."""
import os
import socket
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import Gateway, tempdir  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()


class Listener:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setblocking(False)
        self.got = []   # (monotonic time, text)

    def poll(self):
        while True:
            try:
                data = self.sock.recv(4096)
            except BlockingIOError:
                return self.got
            self.got.append((time.monotonic(), data.decode()))

    def count(self, text):
        return sum(1 for _, d in self.poll() if text in d)


@t.test
def ready_pings_stuck_loop_and_stopping():
    work = tempdir()
    notify = Listener(os.path.join(work, "notify.sock"))
    gw = Gateway(work)
    os.environ.update(NOTIFY_SOCKET=os.path.join(work, "notify.sock"),
                      WATCHDOG_USEC="400000")
    try:
        gw.start()
    finally:
        del os.environ["NOTIFY_SOCKET"], os.environ["WATCHDOG_USEC"]
    wait_for(lambda: notify.count("READY=1") == 1, 10, "READY=1")
    wait_for(lambda: notify.count("WATCHDOG=1") >= 4, 10, "pings every 200 ms")
    # Stuck: the loop waits for the database (another writer holds it),
    # so no ping comes until it is free again.
    con = sqlite3.connect(gw.database, timeout=10, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    gw.drop("stuck", "To: +15559000001\n\nx\n")
    wait_for(lambda: "database error" in gw.log_text(), 20, "the loop stuck on the lock")
    con.execute("ROLLBACK")
    con.close()
    pings = [at for at, d in notify.poll() if "WATCHDOG=1" in d]
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    assert max(gaps) > 2.0, f"pings went on while the loop was stuck: {max(gaps):.2f}s"
    n = notify.count("WATCHDOG=1")
    wait_for(lambda: notify.count("WATCHDOG=1") >= n + 3, 10, "pings again")
    assert gw.stop() == 0
    assert notify.count("STOPPING=1") == 1


@t.test
def without_notify_socket_nothing_is_sent():
    gw = Gateway(tempdir())
    os.environ.pop("NOTIFY_SOCKET", None)
    gw.start()
    assert gw.stop() == 0


t.done()
