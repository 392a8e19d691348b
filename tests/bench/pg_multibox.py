#!/usr/bin/env python3
"""make bench: several smsgwd on one PostgreSQL (issue 17).

    python3 tests/bench/pg_multibox.py [--boxes 3] [--modems 16]
                                       [--latency MS] [--quick]

Starts a throw-away PostgreSQL 15 (tests/lib/pgserver.py; fsync off) and
BOXES smsgwd (default 3), each with its own spool and MODEMS simulated
modems (default 16) at send latency L (default 250 ms), all on the one
database (tests/lib/pgboxes.py). Two figures:

  throughput  M = 40·N one-part messages (N = BOXES·MODEMS modems), an
              equal share dropped at once into each box's spool; wall time
              from the first drop to the last message in the networks'
              ground truth, against the physical limit M·L/N (the same
              definition as bench.py's throughput; goal: at most 1.05×).
              Also: how many messages a box sent that another box had
              accepted, and daemon CPU per message.
  notify      box a's modems unplugged, 20 one-message files dropped into
              a's spool one at a time: ms from the rename to the AT+CMGS on
              another box's modem (a's intake, the NOTIFY, the other box's
              claim; goal: 50 ms).

--quick: 3 boxes of 4 modems, 10 notify runs. Skipped with the reason when
PostgreSQL 15 is absent or smsgwd refuses PostgreSQL.
"""
import argparse
import collections
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
os.environ.setdefault("SMSGW_ROOT", ROOT)
from pgboxes import Box, Count, bulk, iso_ms, pg_scalar, refusal  # noqa: E402
from pgserver import PgServer, missing_reason  # noqa: E402
from tap import wait_for  # noqa: E402
from bench import log_turnarounds  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        return int(f.read().split()[0]) / 1e9


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else float("nan")


def turnarounds(boxes):
    """Per modem of every box, ms from the answer to one AT+CMGS to the
    next AT+CMGS, and each modem's first AT+CMGS, as bench.py."""
    return log_turnarounds(bx.sim.log(i) for bx in boxes
                           for i in range(bx.nmodems))


def throughput(boxes, latency):
    n = sum(bx.nmodems for bx in boxes)
    m = 40 * n
    share = m // len(boxes)
    count = Count(boxes)
    c0 = {bx.name: cpu_seconds(bx.proc.pid) for bx in boxes}
    t0 = None
    for k, bx in enumerate(boxes):
        nums = [f"+1555{k + 1}{i:06d}" for i in range(share)]
        t = bx.drop("burst", bulk(nums, "Benchmark message."))
        t0 = t0 or t
    wait_for(lambda: count() >= share * len(boxes), 900, "every message",
             interval=0.1)
    cpu = sum(cpu_seconds(bx.proc.pid) - c0[bx.name] for bx in boxes)
    net = [x for bx in boxes for x in bx.received()]
    last = max(iso_ms(x["time"]) for x in net)
    wall = last / 1000 - t0
    total = share * len(boxes)
    limit = total * latency / 1000 / n
    dests = collections.Counter(x["dest"] for x in net)
    twice = sum(1 for v in dests.values() if v > 1)
    accepted = {f"+1555{k + 1}": bx.name for k, bx in enumerate(boxes)}
    across = sum(1 for x in net if accepted[x["dest"][:6]] != x["box"])
    by_box = collections.Counter(x["box"] for x in net)
    print(f"\nPostgreSQL, {len(boxes)} boxes x {n // len(boxes)} modems at"
          f" {latency} ms per send: {total} messages ({share} per spool);"
          f" load average {os.getloadavg()[0]:.1f}")
    gaps, first = turnarounds(boxes)
    accepted = pg_scalar(boxes[0].pg, "select max(created_at) from message"
                         " where recipient like '+1555%'")
    accepted = int(accepted) - t0 * 1000 if accepted else float("nan")
    print("  modems  messages   wall s  limit s  ratio  CPU ms/msg (daemons)"
          "  sent by another box  twice  turn med ms  turn p99 ms  start ms  accepted ms")
    print(f"  {n:6}  {total:8}  {wall:7.2f}  {limit:7.2f}  {wall / limit:5.3f}"
          f"  {cpu * 1000 / total:20.3f}  {across:19}  {twice:5}"
          f"  {statistics.median(gaps) if gaps else float('nan'):11.1f}"
          f"  {pct(gaps, 0.99):11.1f}  {first[-1] - t0 * 1000 if first else 0:8.0f}"
          f"  {accepted:11.0f}")
    print("  (turn: a modem's +CMGS answer → its next AT+CMGS; start: the"
          " first drop → the last modem's first AT+CMGS; accepted: the first"
          " drop → the last row's created_at)")
    print(f"  sent per box: {dict(sorted(by_box.items()))} (goal: ratio at"
          f" most 1.05)")
    return twice == 0 and len(dests) == total


def notify(boxes, runs):
    a, others = boxes[0], boxes[1:]
    for bx in others:
        bx.sim.set(latency_ms=0)
    for i in range(a.nmodems):
        a.sim.unplug(i)
    a.wait_not_ready(60)
    delays, where = [], collections.Counter()
    for i in range(runs):
        dest = f"+15559{i:06d}"
        t0 = a.drop(f"notify{i}", f"To: {dest}\n\nhello\n")
        sub = wait_for(lambda: next(
            (dict(s, box=bx) for bx in others
             for s in bx.sim.network("submit") if s["dest"] == dest), None),
            10, "the message on another box", interval=0.01)
        bx = sub["box"]
        cmgs = [iso_ms(line.split(" ", 1)[0])
                for line in bx.sim.log(sub["modem"]).splitlines()
                if " > AT+CMGS=" in line]
        cmgs = [ms for ms in cmgs if ms >= t0 * 1000 - 1]
        delays.append(cmgs[0] - t0 * 1000)
        where[bx.name] += 1
    print(f"\nnotify: a file dropped on box a (its modems unplugged) → AT+CMGS"
          f" on another box, {runs} runs (sent by {dict(where)}); load average"
          f" {os.getloadavg()[0]:.1f}")
    print(f"  median {statistics.median(delays):.1f} ms, p90"
          f" {pct(delays, 0.9):.1f} ms, max {max(delays):.1f} ms (goal: 50 ms)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--boxes", type=int, default=3)
    ap.add_argument("--modems", type=int, default=16)
    ap.add_argument("--latency", type=int, default=250)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    if a.quick:
        a.modems = min(a.modems, 4)
    why = missing_reason()
    if why:
        print(f"pg_multibox: skipped: {why}")
        return 0
    pg = PgServer().start()
    why = refusal(pg)
    if why:
        print(f"pg_multibox: skipped: smsgwd refuses the configuration: {why[1]}")
        return 0
    boxes = []
    ok = False
    try:
        for k in range(a.boxes):
            boxes.append(Box(pg, "abcdefghij"[k], modems=a.modems,
                             latency_ms=a.latency, at_trace=False,
                             settings={"log_level": "notice"}))
        for bx in boxes:
            bx.start()
        for bx in boxes:
            bx.wait_ready(180)
        ok = throughput(boxes, a.latency)
        notify(boxes, 10 if a.quick else 20)
    finally:
        for bx in boxes:
            bx.close()
        pg.stop()
    if not ok:
        print("pg_multibox: a message was sent twice or never")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
