#!/usr/bin/env python3
"""Interop: Gammu (the `gammu` CLI, connection "at") sends and receives
through smsgw-modemsim. If Gammu cannot, the simulator is wrong. TAP."""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from modemsim import ModemSim  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()

if not shutil.which("gammu"):
    print("not ok - gammu_installed # the gammu package is missing")
    sys.exit(1)

work = tempfile.mkdtemp(prefix="peer-gammu-")
sim = ModemSim(modems=2, specs={1: {"personality": "huawei"}},
               dir=os.path.join(work, "sim")).start()


def gammu(modem, *args):
    rc = os.path.join(work, f"gammurc{modem}")
    with open(rc, "w") as f:
        f.write(f"[gammu]\ndevice = {sim.path(modem)}\nconnection = at\n")
    p = subprocess.run(["gammu", "-c", rc] + list(args), stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=60)
    out = p.stdout.decode("utf-8", "replace")
    assert p.returncode == 0, f"gammu {args} exited {p.returncode}:\n{out}"
    return out


@t.test
def gammu_identify():
    for modem in (0, 1):
        out = gammu(modem, "identify")
        assert sim.status(modem)["imei"] in out, out
        assert sim.status(modem)["slots"][0]["imsi"] in out, out


@t.test
def gammu_send_single():
    for modem in (0, 1):
        dest = f"+1555000100{modem}"
        gammu(modem, "sendsms", "TEXT", dest, "-text", f"hello {modem}")
        msg = sim.wait_message(lambda m: m["dest"] == dest)
        assert msg["text"] == f"hello {modem}" and msg["modem"] == modem


@t.test
def gammu_send_multipart():
    text = "".join(chr(ord("a") + i % 26) for i in range(400))
    gammu(0, "sendsms", "TEXT", "+15550002000", "-len", "400", "-text", text)
    msg = sim.wait_message(lambda m: m["dest"] == "+15550002000")
    assert msg["text"] == text and msg["parts"] == 3, msg


@t.test
def gammu_send_unicode():
    gammu(0, "sendsms", "TEXT", "+15550003000", "-unicode", "-text",
          "Grüße ✓")
    msg = sim.wait_message(lambda m: m["dest"] == "+15550003000")
    assert msg["text"] == "Grüße ✓", msg


@t.test
def gammu_receive_single_and_multipart():
    for modem in (0, 1):
        sim.deliver(modem, "+15559876543", f"reply to {modem}")
        sim.deliver(modem, "+15559876544", "long " * 60)
        out = gammu(modem, "getallsms")
        assert f"reply to {modem}" in out, out
        assert "+15559876544" in out and out.count("Concatenated") == 2, out


@t.test
def gammu_receive_ucs2():
    sim.deliver(0, "+15559876545", "Привет")
    out = gammu(0, "getallsms")
    assert "Привет" in out, out


@t.test
def gammu_delete_after_reading():
    gammu(0, "deleteallsms", "1")
    assert sim.storage(0) == [], sim.storage(0)


sim.stop()
shutil.rmtree(work, ignore_errors=True)
t.done()
