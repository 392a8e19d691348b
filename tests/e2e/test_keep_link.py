"""AT+CMMS (issue 18): the relay link kept during a burst on a modem that
has it, never opened on one without it, closed when the burst ends; the
simulator charges link_setup_ms on every send that finds no kept link."""
import os

from modem_helpers import start, modem_conf
from modemsim import ModemSim
from gateway import Gateway
from tap import Tap, wait_for

t = Tap()
LINK = {"link_setup_ms": 300, "latency_ms": 50, "link_keep_ms": 1000}


def burst(gw, n, prefix):
    body = "".join(f"To: +1555{prefix}{i:04d}\n" for i in range(n)) + "\nburst\n"
    tmp = os.path.join(gw.spool, "tmp", f"b{prefix}")
    with open(tmp, "w") as f:
        f.write(body)
    os.rename(tmp, os.path.join(gw.spool, "outgoing", f"b{prefix}"))


def rig(personality, **modem):
    sim = ModemSim(modems=1, personality=personality, specs={"all": LINK})
    sim.start()
    import atexit
    atexit.register(sim.stop)
    gw = Gateway(modems=[modem_conf(sim, 0, **modem)],
                 settings={"send_timeout": "10s"})
    gw.start()
    atexit.register(gw.kill)
    wait_for(lambda: gw.scalar("select count(*) from sims where state='ready'") == 1,
             20, "SIM ready")
    return sim, gw


def sent(gw, n):
    wait_for(lambda: gw.scalar("select count(*) from outbox where state='sent'") >= n,
             60, f"{n} sent")


@t.test
def a_burst_keeps_the_link_and_closes_it_after():
    sim, gw = rig("generic")
    burst(gw, 8, "100")
    sent(gw, 8)
    st = sim.status(0)
    assert st["link_setups"] <= 2, st
    assert st["link_setups"] + st["link_kept"] == 8, st
    # The burst is seen at its second send: asked, set, then kept.
    log = sim.log(0)
    assert "AT+CMMS=?" in log and "AT+CMMS=1" in log, log
    # The idle SIM leaves no link open: AT+CMMS=0 after the burst.
    # (A command after a PDU shares its log line: \x1a ends the PDU.)
    wait_for(lambda: "AT+CMMS=0" in sim.log(0), 10, "AT+CMMS=0")
    wait_for(lambda: not sim.status(0)["link_open"], 10, "link closed")
    assert sim.status(0)["cmms"] == 0
    gw.stop()
    sim.stop()


@t.test
def a_lone_message_costs_no_extra_line():
    sim, gw = rig("generic")
    burst(gw, 1, "500")
    sent(gw, 1)
    assert "CMMS" not in sim.log(0)
    gw.stop()
    sim.stop()


@t.test
def a_modem_without_cmms_still_sends():
    sim, gw = rig("huawei")
    burst(gw, 5, "200")
    sent(gw, 5)
    st = sim.status(0)
    assert st["link_setups"] == 5 and st["link_kept"] == 0, st
    assert len(sim.messages()) == 5
    # Asked once (and the set that went with it), then never again.
    assert sim.log(0).count("AT+CMMS") <= 2, sim.log(0)
    gw.stop()
    sim.stop()


@t.test
def keep_link_no_never_asks():
    sim, gw = rig("generic", keep_link="no")
    burst(gw, 4, "300")
    sent(gw, 4)
    assert "CMMS" not in sim.log(0)
    assert sim.status(0)["link_setups"] == 4
    gw.stop()
    sim.stop()


@t.test
def a_min_gap_longer_than_the_link_means_no_kept_link():
    sim, gw = rig("generic", sims=[{"name": "1", "min_gap": "1s"}])
    burst(gw, 3, "400")
    sent(gw, 3)
    assert "CMMS" not in sim.log(0)
    assert sim.status(0)["link_setups"] == 3
    gw.stop()
    sim.stop()


@t.test
def keep_link_is_checked():
    import subprocess
    from gateway import SMSGWD
    gw = Gateway(modems=[{"name": "m0", "device": "/dev/null",
                          "keep_link": "sometimes"}])
    gw.write_config()
    r = subprocess.run([SMSGWD, "-t", "-c", gw.conf], capture_output=True,
                       text=True)
    out = (r.stdout or "") + (r.stderr or "")
    assert r.returncode != 0 and "keep_link" in out and "auto, yes or no" in out, out


t.done()
