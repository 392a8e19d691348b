"""smsgwd under valgrind against four simulated modems: sends, receives,
status reports, an unplug and replug, a restart; then SIGTERM. No
invalid read or write, nothing definitely lost. Skipped without
valgrind."""
import os
import re
import shutil
import stat

from modem_helpers import (gwmod, Gateway, ModemSim, modem_conf, send, wait_sent,
                           wait_ready, wait_state, wait_event, states)
from tap import Tap, wait_for

t = Tap()
VALGRIND = shutil.which("valgrind")


def wrapper(dirname):
    log = os.path.join(dirname, "valgrind.log")
    path = os.path.join(dirname, "smsgwd-valgrind")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                f"exec {VALGRIND} --log-file={log} --leak-check=full "
                "--errors-for-leak-kinds=definite --track-fds=no "
                f"{gwmod.SMSGWD} \"$@\"\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)
    return path, log


@t.test
def four_modems_under_valgrind_are_clean():
    if not VALGRIND:
        print("# SKIP valgrind not installed")
        return
    sim = ModemSim(modems=4, specs={0: {"personality": "quectel"},
                                    1: {"personality": "huawei"},
                                    2: {"personality": "simcom"},
                                    "all": {"noise_ms": 300}})
    sim.start()
    try:
        gw = Gateway(modems=[modem_conf(sim, i, health_interval="2s")
                             for i in range(4)],
                     settings={"send_timeout": "5s"})
        path, log = wrapper(gw.dir)
        real, gwmod.SMSGWD = gwmod.SMSGWD, path
        gwmod.START_TIMEOUT = 60.0
        try:
            gw.start()
        finally:
            gwmod.SMSGWD = real
        wait_ready(gw, timeout=60)
        sim.status_reports(None, delay_ms=50, status=0)
        for i in range(4):
            for k in range(2):
                send(gw, f"+155506{i}00{k}", f"valgrind {i} {k}",
                     sim_name=f"m{i}/1", report=k == 1)
                sim.deliver(i, f"+155507{i}00{k}", f"in {i} {k}")
        wait_sent(gw, 8, timeout=60)
        wait_for(lambda: len(gw.query("select * from inbox")) == 8, 60,
                 "eight inbox rows")
        sim.unplug(3)
        wait_state(gw, "m3/1", "absent", 30)
        sim.replug(3)
        sim.reboot(2)
        wait_ready(gw, timeout=60)
        send(gw, "+15550680000", "after the replug", sim_name="m3/1")
        wait_sent(gw, 9, timeout=60)
        # A hang: the ladder's first steps, then back.
        sim.hang(1)
        send(gw, "+15550680001", "into the hang", sim_name="m1/1")
        wait_event(gw, "modem m1", "recovery step 2", 60)
        sim.unhang(1)
        wait_event(gw, "modem m1", "^recovered, ready", 60)
        wait_ready(gw, timeout=60)
        assert gw.stop(timeout=60) == 0
        with open(log) as f:
            text = f.read()
        assert "Invalid read" not in text and \
            "Invalid write" not in text, text[-3000:]
        assert "ERROR SUMMARY: 0 errors" in text, text[-3000:]
        lost = re.findall(r"definitely lost: ([\d,]+) bytes", text)
        assert all(x == "0" for x in lost), text[-3000:]
        assert lost or "All heap blocks were freed" in text, text[-3000:]
        assert "uninitialised" not in text, text[-3000:]
        # Stopped cleanly: the sims view says so.
        assert set(states(gw).values()) == {"offline"}, states(gw)
    finally:
        sim.stop()


t.done()
