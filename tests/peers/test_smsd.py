#!/usr/bin/env python3
"""Interop: SMS Server Tools 3 (`smsd`, run in the foreground as the current
user with its own spool directories) sends and receives through
smsgw-modemsim. If smsd cannot, the simulator is wrong. TAP output."""
import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from modemsim import ModemSim  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

SMSD = shutil.which("smsd") or "/usr/sbin/smsd"
t = Tap()


if not os.path.exists(SMSD):
    print("not ok - smsd_installed # the smstools package is missing")
    sys.exit(1)

work = tempfile.mkdtemp(prefix="peer-smsd-")
spool = {d: os.path.join(work, d)
         for d in ("outgoing", "checked", "incoming", "failed", "sent")}
for d in spool.values():
    os.makedirs(d)
# smsd reads a +CMGR answer as a header and the next line: a URC between
# them (the personalities' header_noise, tested against smsgw in
# test_modem_families) would be its PDU. Off here: basic interop.
sim = ModemSim(modems=2, specs={1: {"personality": "simcom",
                                    "no_header_noise": 1}},
               dir=os.path.join(work, "sim")).start()

conf = os.path.join(work, "smsd.conf")
with open(conf, "w") as f:
    f.write("devices = GSM0,GSM1\n")
    for name, path in spool.items():
        f.write(f"{name} = {path}\n")
    f.write(f"logfile = {work}/smsd.log\nloglevel = 7\n"
            f"infofile = {work}/smsd.running\npidfile = {work}/smsd.pid\n"
            "delaytime = 1\nerrorsleeptime = 1\nblocktime = 1\n")
    for i in range(2):
        f.write(f"\n[GSM{i}]\ndevice = {sim.path(i)}\nincoming = yes\n"
                "baudrate = 115200\n")
        if i == 1:
            f.write("memory_start = 1\n")   # SIM800 indexes start at 1
user = pwd.getpwuid(os.getuid()).pw_name
group = grp.getgrgid(os.getgid()).gr_name
smsd = subprocess.Popen([SMSD, "-c", conf, "-t", "-u", user, "-g", group],
                        cwd=work, stdin=subprocess.DEVNULL,
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                        start_new_session=True)


def spool_file(name, to, text):
    tmp = os.path.join(work, "." + name)
    with open(tmp, "w") as f:
        f.write(f"To: {to}\n\n{text}")
    os.rename(tmp, os.path.join(spool["outgoing"], name))


def incoming_bodies():
    out = []
    for name in os.listdir(spool["incoming"]):
        # smsd merges a multipart message's part files into one and
        # deletes the others, so a listed file may be gone by now.
        try:
            with open(os.path.join(spool["incoming"], name), "rb") as f:
                head, _, body = f.read().partition(b"\n\n")
        except FileNotFoundError:
            continue
        out.append((head.decode("latin-1"), body))
    return out


@t.test
def smsd_send_single():
    spool_file("one", "15550001234", "hello from smsd")
    msg = sim.wait_message(lambda m: m["dest"] == "+15550001234", timeout=60)
    assert msg["text"] == "hello from smsd", msg
    wait_for(lambda: os.path.exists(os.path.join(spool["sent"], "one")),
               timeout=30, what="the file in sent/")


@t.test
def smsd_send_multipart():
    text = "".join(chr(ord("a") + i % 26) for i in range(300))
    spool_file("long", "15550002000", text)
    msg = sim.wait_message(lambda m: m["dest"] == "+15550002000", timeout=60)
    assert msg["text"] == text and msg["parts"] == 2, msg


@t.test
def smsd_receive_on_both_modems():
    sim.deliver(0, "+15559876543", "reply to modem 0")
    sim.deliver(1, "+15559876543", "reply to modem 1")
    for i in (0, 1):
        wait_for(lambda: any(f"reply to modem {i}".encode() in b
                               for _, b in incoming_bodies()),
                   timeout=60, what=f"the reply of modem {i} in incoming/")
    wait_for(lambda: not sim.storage(0) and not sim.storage(1),
               timeout=30, what="smsd deleting what it read")


@t.test
def smsd_receive_multipart_reassembled():
    sim.deliver(0, "+15559876544", "part " * 50, shuffle=True)
    wait_for(lambda: any(b == ("part " * 50).encode()
                           for _, b in incoming_bodies()),
               timeout=60, what="the joined message in incoming/")


try:
    os.killpg(smsd.pid, signal.SIGTERM)
    smsd.wait(30)
except (ProcessLookupError, subprocess.TimeoutExpired):
    os.killpg(smsd.pid, signal.SIGKILL)
sim.stop()
if t.failed:
    print(f"# kept {work}")
else:
    shutil.rmtree(work, ignore_errors=True)
t.done()
