#!/usr/bin/env python3
"""make bench: the soak test of issue 19 — an hour of traffic, compressed.

    python3 tests/bench/soak.py [--seconds S] [--rate N]

Two simulated modems; every second a spool file of N messages (status
reports on), replies and now and then a STOP from the recipients. The
gateway keeps messages, events and inbound for 2 minutes (retention,
pruning every 5 s), so the run goes through many pruning rounds. The
default 300 s at N = 20 is 6,000 messages: the traffic of an hour at about
1.7 messages a second, with the retention window shrunk in proportion.

Sampled every 5 s: RSS, open fds, database and WAL size. Goals:
  - RSS at the end within 2 MB of RSS after the first fifth;
  - the same open fds at the end as after the first fifth;
  - database size bounded: at the end at most 1.5x its size when the
    retention window first filled (2/5 of the run);
  - smsgw stats --json counts every message sent (messages, sent) although
    most rows were pruned.
"""
import argparse
import os
import random
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
os.environ.setdefault("SMSGW_ROOT", ROOT)
from bench import Rig  # noqa: E402
from tap import wait_for  # noqa: E402


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--rate", type=int, default=20, help="messages a second")
    a = ap.parse_args()
    rig = Rig(2, 5, report=True, log_level="info", sticky_ttl="1m",
              retention={"messages": "2m", "events": "2m", "inbound": "2m",
                         "prune_interval": "5s"})
    gw, sim, pid = rig.gw, rig.sim, rig.gw.proc.pid
    rnd = random.Random(19)
    samples, sent, t0 = [], 0, time.monotonic()
    try:
        sec = 0
        while time.monotonic() - t0 < a.seconds:
            n0 = sent
            rig.drop(f"s{sec}", "".join(f"To: +1555{(n0 + i) % 100000:07d}\n"
                                        for i in range(a.rate))
                     + "\nYour code is 123456. Soak.\n")
            sent += a.rate
            if sec % 2 == 0:
                who = f"+1555{rnd.randrange(max(n0, 1)) % 100000:07d}"
                sim.deliver(rnd.randrange(2), who,
                            "STOP" if sec % 30 == 0 else "thanks")
            if sec % 5 == 0:
                samples.append((time.monotonic() - t0, rss_kb(pid), fds(pid),
                                size(gw.database), size(gw.database + "-wal")))
                s = samples[-1]
                print(f"# t={s[0]:5.0f}s rss={s[1]} kB fds={s[2]} "
                      f"db={s[3] >> 10} kB wal={s[4] >> 10} kB", flush=True)
            sec += 1
            time.sleep(max(0.0, t0 + sec - time.monotonic()))
        wait_for(lambda: gw.scalar("select count(*) from message where state in"
                                   " ('queued', 'sending', 'deferred')") == 0,
                 300, "the queue drained")
        time.sleep(6)   # one more pruning round
        end = (time.monotonic() - t0, rss_kb(pid), fds(pid), size(gw.database),
               size(gw.database + "-wal"))
        stats = gw.cli_json("stats", "--json")
        rows = gw.scalar("select count(*) from message")
        network = len(sim.messages())
        log = gw.log_text()
    finally:
        rig.close()
    rounds = re.findall(r"retention: \d+ rows removed in \d+ batches, the longest "
                        r"(\d+) ms \(SQL mean (\d+) us, max (\d+) us; commit mean "
                        r"(\d+) us, max (\d+) us\)", log)
    longest = [int(r[0]) for r in rounds]
    sql_mean = max((int(r[1]) for r in rounds), default=0)
    sql_max = max((int(r[2]) for r in rounds), default=0)
    commit_mean = max((int(r[3]) for r in rounds), default=0)
    commit_max = max((int(r[4]) for r in rounds), default=0)
    fifth = next(s for s in samples if s[0] >= a.seconds / 5)
    # fds move by one while a spool file is open: the fewest near 1/5.
    fifth_fds = min(s[2] for s in samples
                    if a.seconds / 5 <= s[0] <= a.seconds / 5 + 15)
    filled = next(s for s in samples if s[0] >= 2 * a.seconds / 5)
    print(f"soak: {sent} messages in {end[0]:.0f} s; {rows} rows left after "
          "pruning")
    print(f"  RSS    after 1/5 {fifth[1]} kB, end {end[1]} kB "
          f"(diff {end[1] - fifth[1]:+d} kB; goal within 2048)")
    print(f"  fds    after 1/5 {fifth_fds}, end {end[2]} (goal: the same)")
    print(f"  db     at 2/5 {filled[3] >> 10} kB, end {end[3] >> 10} kB, "
          f"WAL end {end[4] >> 10} kB (goal: end at most 1.5x)")
    print(f"  pruning {len(longest)} rounds that removed rows; longest batch "
          f"{max(longest) if longest else 0} ms; per round the worst mean SQL "
          f"{sql_mean} us (max {sql_max}), mean commit {commit_mean} us (max "
          f"{commit_max}) (goal: a few ms)")
    print(f"  stats  messages {stats['messages']} (goal: {sent} and the "
          f"STOP confirmations), sent {stats['sent']} (goal: {network}, what "
          f"the network took), suppressed {stats['suppressed']}")
    ok = (abs(end[1] - fifth[1]) <= 2048 and end[2] <= fifth_fds
          and end[3] <= 1.5 * filled[3] and stats["messages"] >= sent
          and stats["sent"] == network
          and stats["messages"] == stats["sent"] + stats["suppressed"]
          + stats["failed"] + stats["cancelled"] + stats["unknown"])
    print("soak: " + ("all goals met" if ok else "GOAL MISSED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
