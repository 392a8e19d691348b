"""make bench, scenario "api": POST /v1/messages at a steady 1,000 requests
a second for a few seconds over one keep-alive connection, one recipient
each, due the next day (so that the modem's sends do not share the
loop during the measurement); every request is timed from before it
is written to the end of its 202 (which smsgwd sends after the commit). Goals: the API keeps up with
1,000 messages a second, and p99 of the added latency is under 1 ms.

Printed twice: the whole round trip, and the latency the API adds to the
durable commit every accepted message costs (spool file or API): the
round trip minus the commit's own time, which smsgwd reports in a
Server-Timing header (commit;dur=…), which also gives the daemon's own
time from the headers to the answer without the commit (app;dur=…), the
part that is neither the commit nor the client. The round trip includes this
client's own work (Python's http.client). A second run sends from 8
connections at once, unpaced, for the most the API accepts a second
(requests that arrive together share one commit).
"""
import multiprocessing
import re
import http.client
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from httpapi import free_port  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def api(rig_cls, quick):
    port = free_port()
    rig = rig_cls(1, 250, http_extra=(
        f'http {{\n    listen = "127.0.0.1:{port}"\n    rate_limit = 1000000\n'
        f'    rate_burst = 1000000\n}}\n'))
    try:
        token = rig.gw.cli("token", "add", "bench", "--rights", "send").stdout.decode().strip()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        head = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
        n = 2000 if quick else 5000
        # Due tomorrow: the modem's sends (their own commits on the same
        # loop) are the throughput scenario's business, not this one's.
        later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 86400))
        rate = 1000.0
        lat, added, app = [], [], []
        pid = rig.gw.proc.pid
        cpu0 = cpu_seconds(pid)
        start = time.perf_counter()
        for i in range(n):
            due = start + i / rate
            while time.perf_counter() < due:
                pass  # pacing: a steady 1,000 a second, not a burst
            body = json.dumps({"to": f"+1555{i:07d}", "text": "Benchmark message.",
                               "kind": "bulk", "send_at": later})
            t0 = time.perf_counter()
            c.request("POST", "/v1/messages", body=body, headers=head)
            r = c.getresponse()
            r.read()
            ms = (time.perf_counter() - t0) * 1000
            lat.append(ms)
            timing = r.getheader("Server-Timing") or ""
            m = re.search(r"commit;dur=([0-9.]+)", timing)
            added.append(ms - (float(m.group(1)) if m else 0.0))
            m = re.search(r"app;dur=([0-9.]+)", timing)
            app.append(float(m.group(1)) if m else 0.0)
            if r.status != 202:
                raise SystemExit(f"request {i}: HTTP {r.status}")
        wall = time.perf_counter() - start
        cpu = (cpu_seconds(pid) - cpu0) * 1000 / n
        c.close()
        burst_rate = burst(port, head, n, 8, later)
        queued = rig.gw.scalar("select count(*) from message")
    finally:
        rig.close()
    lat.sort()
    added.sort()
    app.sort()
    p99 = lat[int(len(lat) * 0.99)]
    a99 = added[int(len(added) * 0.99)]
    print(f"\napi: {n} POST /v1/messages paced at {rate:.0f}/s, one connection")
    print(f"  accepted {n / wall:.0f} messages/s; round trip median "
          f"{statistics.median(lat):.3f} ms, p99 {p99:.3f} ms, max {lat[-1]:.3f} ms")
    print(f"  daemon CPU {cpu:.3f} ms a message (HTTP, JSON, the spool's checks, "
          f"the commit's system time)")
    print(f"  added to the commit: median {statistics.median(added):.3f} ms, "
          f"p99 {a99:.3f} ms (goal: p99 < 1 ms)")
    print(f"  of which inside smsgwd (Server-Timing app): median "
          f"{statistics.median(app):.3f} ms, p99 {app[int(len(app) * 0.99)]:.3f} ms")
    print(f"  8 connections, unpaced: {burst_rate:.0f} messages/s "
          f"({queued} rows committed in all; goal: 1,000/s)")


def _burst_worker(port, head, n, conns, k, later):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    if True:
        for i in range(k, n, conns):
            body = json.dumps({"to": f"+1556{i:07d}", "text": "Benchmark message.",
                               "kind": "bulk", "send_at": later})
            c.request("POST", "/v1/messages", body=body, headers=head)
            r = c.getresponse()
            r.read()
            if r.status != 202:
                raise SystemExit(f"burst request {i}: HTTP {r.status}")
        c.close()


def burst(port, head, n, conns, later):
    """n requests from conns client processes at once (processes: Python
    threads would share one interpreter lock); messages a second."""
    procs = [multiprocessing.Process(target=_burst_worker, args=(port, head, n, conns, k, later))
             for k in range(conns)]
    start = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode:
            raise SystemExit(f"a burst client failed: {p.exitcode}")
    return n / (time.perf_counter() - start)
