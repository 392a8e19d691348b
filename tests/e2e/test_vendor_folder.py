"""Adding a vendor is a one-folder change (issue "real modems";
doc/adding-a-vendor.md). A copy of the tree gets the template vendor
folder tests/vendor-template/acme as drivers/acme/ -- its driver with a USB
id and a +CGMI match, a capture and a replay test -- and nothing else. The
copy builds (from the objects already built: only the new folder and what
links it are made), the generated table lists acme, its own replay test
passes, the AT engine replays its capture with every other, and smsgwd
with driver = auto picks acme from the modem's +CGMI answer (a simulated
modem answering "ACME Wireless"), then sends and receives through it."""
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("SMSGW_ROOT") or os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD") or os.path.join(ROOT, "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
TEMPLATE = os.path.join(ROOT, "tests", "vendor-template", "acme")

sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
from tap import Tap  # noqa: E402

t = Tap()
work = tempfile.mkdtemp(prefix="smsgw-vendor-")
TREE = os.path.join(work, "tree")


def cleanup():
    if os.environ.get("SMSGW_KEEP"):
        print(f"# kept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)


import atexit  # noqa: E402
atexit.register(cleanup)


def skip_top(d, names):
    # The build outputs and the repository's history are not the tree.
    if os.path.abspath(d) == os.path.abspath(ROOT):
        return [n for n in names
                if n.startswith("build") or n == ".git" or
                os.path.join(d, n) == BUILD]
    return [n for n in names if n == "__pycache__"]


def files(top):
    out = set()
    for d, dirs, names in os.walk(top):
        dirs[:] = [x for x in dirs
                   if not (d == top and (x.startswith("build") or
                                         x == ".git")) and
                   x != "__pycache__"]
        for n in names:
            out.add(os.path.relpath(os.path.join(d, n), top))
    return out


# The copy, with the objects already built (their times kept, so make
# rebuilds only what the new folder changes).
shutil.copytree(ROOT, TREE, ignore=skip_top, symlinks=True)
os.makedirs(os.path.join(TREE, "build"))
for sub in ("obj", "gen"):
    if os.path.isdir(os.path.join(BUILD, sub)):
        shutil.copytree(os.path.join(BUILD, sub),
                        os.path.join(TREE, "build", sub))
for n in os.listdir(BUILD):
    if n.endswith(".a"):
        shutil.copy2(os.path.join(BUILD, n), os.path.join(TREE, "build", n))
before = files(TREE)
shutil.copytree(TEMPLATE, os.path.join(TREE, "drivers", "acme"))
TB = os.path.join(TREE, "build")
env = {k: v for k, v in os.environ.items()
       if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "BUILD",
                    "SMSGW_ROOT")}


@t.test
def only_the_vendor_folder_is_new():
    after = files(TREE)
    added = sorted(after - before)
    assert added and all(p.startswith("drivers/acme/") for p in added), \
        added
    assert before <= after
    # and nothing that was there changed
    for p in ("Makefile", "tests/run", "scripts/gen_driver_table.sh",
              "drivers/driver.c", "include/driver.h",
              "tests/modemsim/ms_pers.c"):
        assert filecmp.cmp(os.path.join(ROOT, p), os.path.join(TREE, p),
                           shallow=False), p


@t.test
def the_copy_builds_with_acme_in_the_table():
    p = subprocess.run(
        ["make", "-C", TREE, "-j2", "BUILD=build", "build/smsgwd",
         "build/smsgw", "build/smsgw-modemsim", "build/tests/test_acme_replay",
         "build/tests/test_at_chat_replay", "build/90-smsgw.rules"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=240)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0, out[-3000:]
    assert "drivers/acme/acme.c" in out, out[-2000:]
    with open(os.path.join(TB, "gen", "driver_table.c")) as f:
        assert "&driver_acme," in f.read()
    # The udev rules name its ports and keep its modems awake.
    with open(os.path.join(TB, "90-smsgw.rules")) as f:
        rules = f.read()
    assert 'ATTRS{idVendor}=="acac", ENV{SMSGW_VENDOR}="acme"' in rules, \
        rules
    assert "|acac|" in rules or '"acac|' in rules, rules


def run_test(name):
    p = subprocess.run([os.path.join(TB, "tests", name)], cwd=TREE,
                       env=dict(env, SMSGW_ROOT=TREE),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    return p.returncode, p.stdout.decode(errors="replace")


@t.test
def its_capture_replays_in_its_own_test():
    rc, out = run_test("test_acme_replay")
    assert rc == 0 and "not ok" not in out, out
    assert "ok - driver_replay_acme_ready_and_info_inside_cmgr" in out, out
    assert "ok - driver_acme_found_by_cgmi_and_usb_id" in out, out


@t.test
def the_at_engine_replays_it_with_every_other_capture():
    def count(root, build):
        p = subprocess.run([os.path.join(build, "tests",
                                         "test_at_chat_replay")],
                           cwd=root, env=dict(env, SMSGW_ROOT=root),
                           stdout=subprocess.PIPE, timeout=60)
        out = p.stdout.decode(errors="replace")
        assert p.returncode == 0, out
        line = [x for x in out.splitlines() if x.startswith("# replayed ")]
        return int(line[0].split()[2])
    assert count(TREE, TB) == count(ROOT, BUILD) + 1


# The gateway and the simulator of the copy, by the helpers of this tree.
os.environ["SMSGW_ROOT"] = TREE
os.environ["BUILD"] = TB
sys.path.insert(0, HERE)
from modem_helpers import (Gateway, ModemSim, modem_conf, send,  # noqa: E402
                           wait_ready, events)
from tap import wait_for  # noqa: E402

sim = gw = None


@t.test
def driver_auto_picks_acme_from_cgmi_and_it_works():
    global sim, gw
    # A generic personality that answers +CGMI as an ACME modem would:
    # no simulator edit either.
    sim = ModemSim(modems=1, specs={0: {"manufacturer": "ACME",
                                        "model": "Rocket-1"}})
    sim.start()
    atexit.register(sim.stop)
    gw = Gateway(modems=[modem_conf(sim, 0)])
    gw.start()
    atexit.register(gw.kill)
    wait_ready(gw, timeout=30)
    ev = events(gw, "modem m0", "^driver ")
    assert ev and ev[-1]["message"].startswith("driver acme chosen"), ev
    sims = gw.cli_json("status", "--json")["sims"]
    assert [s["state"] for s in sims] == ["ready"], sims
    send(gw, "+15557700001", "through the acme driver", sim_name="m0/1")
    msg = sim.wait_message(lambda m: m["dest"] == "+15557700001", 20)
    assert msg["text"] == "through the acme driver", msg
    sim.deliver(0, "+15557700002", "a reply to acme")
    wait_for(lambda: gw.query("select * from inbox where sender = ?",
                              "+15557700002"), 15, "the reply")
    assert gw.stop() == 0


t.done()
