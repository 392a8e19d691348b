"""The recovery ladder ends, where the operator allows it (hub_port), by
power-cycling the modem's USB hub port with uhubctl (issue 15). A fake
uhubctl on PATH records its arguments; the hung simulated modem is
released after it ran and comes back ready. hub_port is checked."""
import os
import stat
import subprocess
import tempfile

bindir = tempfile.mkdtemp(prefix="fake-uhubctl-")
record = os.path.join(bindir, "calls")
with open(os.path.join(bindir, "uhubctl"), "w") as f:
    f.write(f"#!/bin/sh\necho \"$@\" >> {record}\nexit 0\n")
os.chmod(os.path.join(bindir, "uhubctl"), stat.S_IRWXU)
os.environ["PATH"] = bindir + ":" + os.environ["PATH"]

from modem_helpers import start, wait_event, wait_ready  # noqa: E402
from gateway import Gateway, SMSGWD  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
sim, gw = start(2, health="1s", modems=None, hub_port="1-1.4:3")


@t.test
def a_hung_modem_ends_the_ladder_with_a_power_cycle():
    sim.hang(0)
    wait_event(gw, "modem m0", "recovery step 5", 120)
    # The shell creates the file before echo writes the line: wait for
    # the whole line, not for the file.
    def recorded():
        if not os.path.exists(record):
            return ""
        with open(record) as f:
            text = f.read()
        return text if text.endswith("\n") else ""
    wait_for(recorded, 30, "uhubctl run")
    with open(record) as f:
        assert f.read().split() == ["-l", "1-1.4", "-p", "3", "-a", "cycle",
                                    "-d", "3"]
    wait_event(gw, "modem m0", "power-cycled hub port 1-1.4:3 \\(uhubctl ok\\)", 30)
    # The power comes back: the modem answers again.
    sim.unhang(0)
    wait_event(gw, "modem m0", "^recovered, ready", 60)
    wait_ready(gw, timeout=60)


@t.test
def hub_port_is_checked():
    g = Gateway(modems=[{"name": "x", "device": "/dev/null",
                         "hub_port": "1-1.4"}])
    g.write_config()
    r = subprocess.run([SMSGWD, "-t", "-c", g.conf], capture_output=True,
                       text=True)
    out = r.stdout + r.stderr
    assert r.returncode != 0 and "hub_port" in out and "LOCATION:PORT" in out, out


t.done()
