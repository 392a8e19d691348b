"""Shared set-up of the message-flow end-to-end tests (test_outbound.py,
test_inbound.py): simulated modems and smsgwd on them, in one temporary
directory.

    sim, gw = rig(2, settings={"retry_min": "1s"}, cms_error=500)
    ...
    close(sim, gw)
"""
import atexit
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import Gateway, tempdir  # noqa: E402
from tap import wait_for  # noqa: E402
from modemsim import ModemSim  # noqa: E402


def rig(n=1, sims=None, settings=None, rules=(), hooks=None, latency_ms=20,
        prefix="smsgw-flow-", extra="", **specs):
    """Starts n simulated modems (specs apply to all of them) and smsgwd on
    them, and waits until every SIM is ready. sims maps a modem's index to
    the settings of its SIM "1". Both are stopped at exit. Returns
    (sim, gw)."""
    work = tempdir(prefix)
    sim = ModemSim(modems=n, dir=os.path.join(work, "sim"),
                   specs={"all": {"latency_ms": latency_ms, **specs}})
    sim.start()
    atexit.register(sim.stop)
    sim.wait_registered(timeout=30)
    s = {"default_country": "1", "log_level": "info"}
    s.update(settings or {})
    modems = []
    for i in range(n):
        m = {"name": f"m{i}", "device": sim.path(i)}
        if sims and i in sims:
            m["sims"] = [dict(name="1", **sims[i])]
        modems.append(m)
    os.makedirs(os.path.join(work, "gw"))
    gw = Gateway(os.path.join(work, "gw"), modems=modems, settings=s,
                 rules=rules, hooks=hooks, extra=extra)
    atexit.register(gw.kill)
    gw.start()
    wait_for(lambda: gw.scalar("select count(*) from sims where state = 'ready'") == n,
             30, "every SIM ready")
    return sim, gw


def close(sim, gw):
    """Stops the daemon, which must exit 0, and the simulator."""
    rc = gw.stop()
    sim.stop()
    assert rc == 0, rc
