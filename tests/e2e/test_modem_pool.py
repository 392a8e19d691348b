"""A pool of 256 modems on one box (issue 15): smsgwd starts with 256
configured modems, holds one inotify instance for the spool and every
device directory, brings every SIM up and sends on them."""
import os

from modem_helpers import start, wait_ready
from tap import Tap, wait_for

t = Tap()
N = 256
sim, gw = start(N, wait=False, health="120s")


def inotify_instances(pid):
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:inotify":
                n += 1
        except OSError:
            pass
    return n


@t.test
def all_256_modems_come_up():
    wait_ready(gw, timeout=180)
    assert gw.proc.poll() is None
    assert gw.scalar("select count(*) from sims where state = 'ready'") == N


@t.test
def one_inotify_instance_for_the_daemon():
    assert inotify_instances(gw.proc.pid) == 1, inotify_instances(gw.proc.pid)


@t.test
def a_burst_goes_out_over_the_pool_exactly_once():
    m = 2 * N
    body = "".join(f"To: +1555{i:07d}\n" for i in range(m)) + "\npool\n"
    tmp = os.path.join(gw.spool, "tmp", "pool")
    with open(tmp, "w") as f:
        f.write(body)
    os.rename(tmp, os.path.join(gw.spool, "outgoing", "pool"))
    wait_for(lambda: gw.scalar("select count(*) from outbox"
                               " where state = 'sent'") == m, 180,
             "every message sent")
    msgs = sim.messages()
    assert len(msgs) == m, len(msgs)
    assert len({x["dest"] for x in msgs}) == m
    # Balanced: no modem idle while others sent several.
    used = {x["modem"] for x in msgs}
    assert len(used) >= N * 3 // 4, len(used)


@t.test
def the_spool_still_sees_new_files():
    tmp = os.path.join(gw.spool, "tmp", "late")
    with open(tmp, "w") as f:
        f.write("To: +15559990000\n\nlate\n")
    os.rename(tmp, os.path.join(gw.spool, "outgoing", "late"))
    wait_for(lambda: sim.messages(dest="+15559990000"), 30, "the late file")


@t.test
def udev_keeps_every_known_modem_awake():
    import re
    # make writes the rules from udev/90-smsgw.rules.in and the drivers'
    # own USB ids (scripts/udev_rules.c).
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    build = os.environ.get("BUILD") or os.path.join(root, "build")
    if not os.path.isabs(build):
        build = os.path.join(root, build)
    rules = open(os.path.join(build, "90-smsgw.rules")).read()
    named = set(re.findall(r'ATTRS\{idVendor\}=="([0-9a-f]{4})"', rules))
    awake = [l for l in rules.splitlines()
             if 'ATTR{power/control}="on"' in l and not l.startswith("#")]
    assert len(awake) == 1, awake
    ids = set(re.search(r'ATTR\{idVendor\}=="([^"]+)"', awake[0]).group(1).split("|"))
    assert named and named == ids, (named, ids)
    # Those of every vendor driver: Huawei, ZTE, SIMCom, Quectel, Sierra,
    # Telit, u-blox, Cinterion, Fibocom.
    assert {"12d1", "19d2", "1e0e", "2c7c", "1199", "1bc7", "1546", "1e2d",
            "2cb7"} <= named, named
    assert 'ATTRS{idVendor}=="2c7c", ENV{SMSGW_VENDOR}="quectel"' in rules


t.done()
