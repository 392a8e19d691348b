"""Shared set-up of the modem end-to-end tests (tests/e2e/test_modem_*.py).

    sim, gw = start(2, personality="quectel", health="2s")
    send(gw, "+15550001111", "hi", sim_name="m0/1")
    wait_sent(gw, 1)

Every wait polls with a deadline; nothing sleeps a fixed time.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import gateway as gwmod  # noqa: E402
from gateway import Gateway  # noqa: E402
from modemsim import ModemSim  # noqa: E402
from tap import wait_for  # noqa: E402

__all__ = ["Gateway", "ModemSim", "gwmod", "wait_for"]


def modem_conf(sim, i, slots=1, **extra):
    """A modem section for simulated modem i: name m<i>, slots "1".."n"."""
    m = {"name": f"m{i}", "device": sim.path(i),
         "sims": [{"name": str(k + 1)} for k in range(slots)]}
    m.update(extra)
    return m


def start(n=1, personality=None, specs=None, settings=None, modems=None,
          health="30s", wait=True, **modem_extra):
    """Starts n simulated modems and smsgwd on them; waits until every SIM
    is ready (unless wait is False). Returns (sim, gw); the simulator is
    stopped at exit."""
    sim = ModemSim(modems=n, personality=personality, specs=specs or {})
    sim.start()
    import atexit
    atexit.register(sim.stop)
    if modems is None:
        modems = [modem_conf(sim, i, health_interval=health, **modem_extra)
                  for i in range(n)]
    s = {"send_timeout": "10s", "prompt_timeout": "5s"}
    s.update(settings or {})
    gw = Gateway(modems=modems, settings=s)
    gw.start()
    atexit.register(gw.kill)
    if wait:
        wait_ready(gw)
    return sim, gw


def states(gw):
    return {r["name"]: r["state"] for r in gw.query("select * from sims")}


def wait_ready(gw, names=None, timeout=20.0):
    """Waits until the SIMs (all by default) show state ready."""
    def ok():
        st = states(gw)
        want = names or list(st)
        return st and all(st.get(n) == "ready" for n in want)
    wait_for(ok, timeout, f"SIMs ready (now {states(gw)})")


def wait_state(gw, name, state, timeout=20.0):
    wait_for(lambda: states(gw).get(name) == state, timeout,
             f"{name} {state} (now {states(gw)})")


def send(gw, number, text, sim_name=None, report=False):
    """smsgw send; sim_name pins the message to a SIM ("m0/1")."""
    args = ["send"]
    if sim_name:
        args += ["--sim", sim_name]
    if report:
        args.append("--report")
    gw.cli(*args, number, "-m", text)


def outbox(gw, state=None):
    rows = gw.query("select * from outbox order by id")
    return [r for r in rows if state is None or r["state"] == state]


def wait_sent(gw, n, timeout=20.0):
    """Waits until n messages are sent (or delivered); returns them."""
    return wait_for(lambda: (lambda r: r if len(r) >= n else None)(
        [r for r in outbox(gw) if r["state"] in ("sent", "delivered")]),
        timeout, f"{n} sent messages (outbox {outbox(gw)})")


def events(gw, source=None, like=None):
    rows = gw.query("select * from events order by id")
    return [e for e in rows
            if (source is None or e["source"] == source) and
            (like is None or re.search(like, e["message"]))]


def wait_event(gw, source, like, timeout=20.0, count=1):
    return wait_for(
        lambda: (lambda r: r if len(r) >= count else None)(
            events(gw, source, like)),
        timeout, f"event {like!r} of {source}")


def trace_commands(gw, port):
    """Command lines smsgwd wrote to one modem, from its AT trace."""
    out, partial = [], ""
    with open(os.path.join(gw.dir, "at.log"), "rb") as f:
        text = f.read().decode("utf-8", "replace")
    for line in text.splitlines():
        m = re.match(r"(\S+) (\S+) > (.*)$", line)
        if not m or m.group(2) != port:
            continue
        partial += m.group(3).replace("\\r", "\r").replace("\\x1a", "\r") \
            .replace("\\x1b", "").replace('\\"', '"')
        while "\r" in partial:
            cmd, partial = partial.split("\r", 1)
            if cmd.strip():
                out.append(cmd.strip())
    return out
