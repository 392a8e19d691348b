"""Four modems: all ready with their identity, a send and a receive on
each, status reports matched, URC noise inside responses, echo left on
at start, and +CMT (direct) delivery acknowledged after the commit."""
import os

from modem_helpers import (start, send, wait_sent, outbox, events,
                           trace_commands, modem_conf)
from tap import Tap, wait_for

t = Tap()
N = 4
sim, gw = start(N, specs={"all": {"noise_in_response": 0.3,
                                  "noise_ms": 300}})


@t.test
def four_modems_ready_with_identity():
    # Operator and signal come from the first health check, just after
    # ready (what start() waited for): under load the test gets there first.
    # With noise in 30% of the answers that check can come back garbled;
    # the next one is health_interval (30 s) later.
    wait_for(lambda: all(r["operator"] and r["signal"] is not None
                         for r in gw.query("select * from sims")), 45,
             "operator and signal of every SIM")
    rows = {r["name"]: r for r in gw.query("select * from sims")}
    assert len(rows) == N, rows
    for i in range(N):
        r, st = rows[f"m{i}/1"], sim.status(i)
        assert r["state"] == "ready", r
        assert r["imei"] == st["imei"], (r, st)
        assert r["iccid"] == st["slots"][0]["iccid"], r
        assert r["imsi"] == st["slots"][0]["imsi"], r
        assert r["operator"] and r["signal"] < 0 and r["registered"], r
    assert len({r["imei"] for r in rows.values()}) == N


@t.test
def echo_left_on_is_tolerated():
    # Every simulated modem starts with echo on (ATE1, like real ones).
    log = sim.log(0)
    assert "AT\\r\\r\\nOK" in log or "\\x1bAT\\r\\r\\nOK" in log, log[:300]
    assert "ATE0" in trace_commands(gw, "m0")


@t.test
def a_send_on_each_modem_exactly_once_with_its_mr():
    for i in range(N):
        send(gw, f"+1555002000{i}", f"fleet message {i}", sim_name=f"m{i}/1")
    wait_sent(gw, N)
    for i in range(N):
        msgs = sim.messages(dest=f"+1555002000{i}")
        assert len(msgs) == 1, msgs
        assert msgs[0]["modem"] == i, msgs
    parts = gw.query("select p.mr, m.recipient, s.modem from part p"
                     " join message m on m.id = p.message_id"
                     " join sim s on s.id = p.sim_id")
    by_dest = {p["recipient"]: p for p in parts}
    for i in range(N):
        msg = sim.messages(dest=f"+1555002000{i}")[0]
        assert by_dest[f"+1555002000{i}"]["mr"] == msg["mrs"][0], parts
        assert by_dest[f"+1555002000{i}"]["modem"] == f"m{i}"


@t.test
def a_receive_on_each_modem():
    for i in range(N):
        sim.deliver(i, f"+1555003000{i}", f"reply to modem {i}")
    rows = wait_for(lambda: (lambda r: r if len(r) == N else None)(
        gw.query("select * from inbox where sender like '+1555003000%'")),
        10, "four inbox rows")
    for r in rows:
        i = int(r["sender"][-1])
        assert r["body"] == f"reply to modem {i}", r
        assert r["sim"] in (f"m{i}/1", r["sim"]), r
    for i in range(N):
        wait_for(lambda: sim.storage(i) == [], 10, f"storage {i} empty")


@t.test
def status_reports_make_messages_delivered():
    sim.status_reports(None, delay_ms=100, status=0)
    for i in range(N):
        send(gw, f"+1555004000{i}", f"report please {i}", sim_name=f"m{i}/1",
             report=True)
    wait_for(lambda: len([r for r in outbox(gw, "delivered")
                          if r["recipient"].startswith("+1555004000")]) == N,
             15, f"four delivered ({outbox(gw)})")
    assert [d for d in sim.network("delivered") if d["kind"] == "report"]


@t.test
def long_messages_both_ways():
    text = "multipart " * 40
    send(gw, "+15550060000", text, sim_name="m2/1")
    msg = sim.wait_message(lambda m: m["dest"] == "+15550060000", 20)
    assert msg["parts"] == 3 and msg["text"] == text, msg
    assert len(sim.messages(dest="+15550060000")) == 1
    assert len(sim.submits(dest="+15550060000")) == 3
    sim.deliver(3, "+15550060001", text, shuffle=True)
    row = wait_for(lambda: gw.query(
        "select * from inbox where sender = '+15550060001'"), 15, "inbox")
    assert row[0]["body"] == text and row[0]["parts"] == 3, row
    wait_for(lambda: sim.storage(3) == [], 10, "storage 3 empty")


@t.test
def urc_noise_did_no_harm():
    assert not outbox(gw, "failed") and not outbox(gw, "unknown"), outbox(gw)
    assert not [e for e in events(gw) if e["level"] != "info"], \
        [e for e in events(gw) if e["level"] != "info"]
    noise = sum(sim.log(i).count("RING") + sim.log(i).count("NO CARRIER")
                for i in range(N))
    assert noise > 0, "the simulator made no noise"


@t.test
def direct_delivery_with_cnma_after_the_commit():
    # A fifth modem (a Quectel: driver = auto switches drivers after
    # +CGMI, and each URC must still be heard once) set up for +CMT by
    # its init commands.
    from modemsim import ModemSim
    from gateway import Gateway
    s2 = ModemSim(modems=1, personality="quectel")
    s2.start()
    try:
        g2 = Gateway(modems=[modem_conf(
            s2, 0, init=["AT+CNMI=2,2,0,1,0"])])
        g2.start()
        wait_for(lambda: g2.scalar("select state from sims") == "ready", 15,
                 "ready")
        s2.deliver(0, "+15550005555", "direct one")
        wait_for(lambda: g2.query(
            "select * from inbox where sender = '+15550005555'"), 10,
            "inbox row")
        d = wait_for(lambda: [x for x in s2.network("delivered")
                              if x["route"] == "acked"], 10, "an ack")
        assert d, s2.network("delivered")
        assert s2.storage(0) == []
        assert trace_commands(g2, "m0").count("AT+CNMA") == 1, \
            trace_commands(g2, "m0")
        assert len(g2.query("select * from inbox")) == 1
        assert g2.stop() == 0
    finally:
        s2.stop()


t.done()
