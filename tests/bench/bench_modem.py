#!/usr/bin/env python3
"""Modem-layer benchmarks against smsgw-modemsim (numbers, not tests):

  pickup     a spool file dropped into an idle gateway: time until AT+CMGS
             leaves for the modem (median and worst of 20)
  lines      AT command lines written per single-part message in a burst
  burst      4 modems x 100 messages at 250 ms send latency: wall time
             against the physical limit of 100 x 0.25 s
  inbound    an SMS handed to the modem: time until its inbox row
  idle       AT command lines per minute of 4 idle modems

    python3 tests/bench/bench_modem.py [pickup|lines|burst|inbound|idle]...
"""
import datetime
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from gateway import Gateway  # noqa: E402
from modemsim import ModemSim  # noqa: E402
from tap import wait_for  # noqa: E402


def modems(sim, n):
    return [{"name": f"m{i}", "device": sim.path(i),
             "sims": [{"name": "1"}]} for i in range(n)]


def trace_times(gw, pattern):
    """UTC times (epoch seconds) of trace lines matching pattern."""
    out = []
    with open(os.path.join(gw.dir, "at.log")) as f:
        for line in f:
            if re.search(pattern, line):
                ts = datetime.datetime.strptime(line.split()[0],
                                                "%Y-%m-%dT%H:%M:%S.%fZ")
                out.append(ts.replace(
                    tzinfo=datetime.timezone.utc).timestamp())
    return out


def sent(gw):
    return gw.scalar("select count(*) from outbox where state in "
                     "('sent', 'delivered')") or 0


def drop(gw, name, text):
    tmp = os.path.join(gw.spool, "tmp", name)
    with open(tmp, "w") as f:
        f.write(text)
    t0 = time.time()
    os.rename(tmp, os.path.join(gw.spool, "outgoing", name))
    return t0


def bench_pickup():
    with ModemSim(modems=1) as sim:
        gw = Gateway(modems=modems(sim, 1), settings={"log_level": "notice"})
        gw.start()
        wait_for(lambda: gw.scalar("select state from sims") == "ready", 20)
        lat = []
        for k in range(20):
            t0 = drop(gw, f"p{k}", f"To: +1555090{k:04d}\n\npickup {k}\n")
            wait_for(lambda: sent(gw) == k + 1, 10)
            cmgs = trace_times(gw, r" > AT\+CMGS=")
            lat.append((cmgs[-1] - t0) * 1000)
            time.sleep(0.2)  # idle again between samples
        gw.stop()
    print(f"pickup: spool file to AT+CMGS: median {statistics.median(lat):.1f}"
          f" ms, worst {max(lat):.1f} ms (20 samples)")


def bench_lines(n=100):
    with ModemSim(modems=1) as sim:
        gw = Gateway(modems=modems(sim, 1), settings={"log_level": "notice"})
        gw.start()
        wait_for(lambda: gw.scalar("select state from sims") == "ready", 20)
        before = len(trace_times(gw, r" m0 > "))
        rcpt = "".join(f"To: +1555091{k:04d}\n" for k in range(n))
        drop(gw, "lines", rcpt + "Kind: bulk\n\nline count\n")
        wait_for(lambda: sent(gw) == n, 60)
        with open(os.path.join(gw.dir, "at.log")) as f:
            writes = [l for l in f if " m0 > " in l][before:]
        gw.stop()
    cmds = [w for w in writes if "AT" in w.split(" > ", 1)[1][:4]]
    pdus = len(writes) - len(cmds)
    print(f"lines: {len(writes)} lines written for {n} single-part messages"
          f" ({len(writes) / n:.2f} per message: {len(cmds)} commands,"
          f" {pdus} PDU lines)")


def bench_burst(n_modems=4, per=100, latency=250):
    with ModemSim(modems=n_modems,
                  specs={"all": {"latency_ms": latency}}) as sim:
        gw = Gateway(modems=modems(sim, n_modems),
                     settings={"log_level": "notice"})
        gw.start()
        wait_for(lambda: [r["state"] for r in gw.query("select * from sims")]
                 == ["ready"] * n_modems, 30)
        total = n_modems * per
        rcpt = "".join(f"To: +1555092{k:04d}\n" for k in range(total))
        t0 = drop(gw, "burst", rcpt + "Kind: bulk\n\nburst\n")
        wait_for(lambda: sent(gw) == total, 600, interval=0.1)
        wall = time.time() - t0
        cpu = open(f"/proc/{gw.proc.pid}/stat").read().split()
        ticks = (int(cpu[13]) + int(cpu[14])) / os.sysconf("SC_CLK_TCK")
        gw.stop()
        got = len(sim.messages())
    limit = per * latency / 1000
    print(f"burst: {total} messages on {n_modems} modems at {latency} ms:"
          f" {wall:.1f} s (limit {limit:.1f} s, {wall / limit:.2f}x),"
          f" {got} in the ground truth, daemon CPU {ticks * 1000 / total:.2f}"
          f" ms/message")


def bench_inbound():
    with ModemSim(modems=1) as sim:
        gw = Gateway(modems=modems(sim, 1), settings={"log_level": "notice"})
        gw.start()
        wait_for(lambda: gw.scalar("select state from sims") == "ready", 20)
        lat = []
        for k in range(20):
            t0 = time.time()
            sim.deliver(0, f"+1555093{k:04d}", f"inbound {k}")
            wait_for(lambda: gw.scalar("select count(*) from inbox") ==
                     k + 1, 10, interval=0.002)
            lat.append((time.time() - t0) * 1000)
        gw.stop()
    print(f"inbound: deliver to inbox row: median "
          f"{statistics.median(lat):.1f} ms, worst {max(lat):.1f} ms "
          f"(20 samples, +CMTI, AT+CMGR, commit, AT+CMGD)")


def bench_idle(seconds=60):
    with ModemSim(modems=4) as sim:
        gw = Gateway(modems=modems(sim, 4), settings={"log_level": "notice"})
        gw.start()
        wait_for(lambda: [r["state"] for r in gw.query("select * from sims")]
                 == ["ready"] * 4, 30)
        time.sleep(2)  # the import after init
        before = len(trace_times(gw, r" > AT"))
        time.sleep(seconds)
        n = len(trace_times(gw, r" > AT")) - before
        gw.stop()
    print(f"idle: {n * 60 / seconds:.0f} AT command lines per minute for 4 "
          f"idle modems (health_interval 30 s)")


if __name__ == "__main__":
    which = sys.argv[1:] or ["pickup", "lines", "burst", "inbound", "idle"]
    for w in which:
        globals()[f"bench_{w}"]()
