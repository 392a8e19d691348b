"""One modem end to end: init to ready with its identity, a send with two
command lines, an SMS received on +CMTI and deleted only after the commit,
unplug and replug under a new pty, and the AT trace."""
import os
import re

from modem_helpers import (start, send, wait_sent, wait_ready, wait_state,
                           wait_event, events, states, trace_commands)
from tap import Tap, wait_for

t = Tap()
sim, gw = start(1)


@t.test
def ready_with_identity_in_the_sims_view():
    # Operator and signal come from the first health queries after ready.
    row = wait_for(lambda: next((r for r in gw.query("select * from sims")
                                 if r["operator"] and r["signal"]), None),
                   5, "operator and signal in the sims view")
    st = sim.status(0)
    assert row["state"] == "ready", row
    assert row["imei"] == st["imei"], (row, st["imei"])
    assert row["iccid"] == st["slots"][0]["iccid"], row
    assert row["imsi"] == st["slots"][0]["imsi"], row
    assert row["number"] == st["slots"][0]["number"], row
    assert row["operator"] and row["signal"] and row["signal"] < 0, row
    assert row["registered"] == 1, row
    assert row["device"].startswith("/dev/pts/"), row
    assert wait_event(gw, "modem m0", "^ready: ")


@t.test
def one_message_sent_once_with_two_command_lines():
    before = len(trace_commands(gw, "m0"))
    send(gw, "+15550001111", "hello from the core test")
    wait_sent(gw, 1)
    msg = sim.wait_message(lambda m: m["dest"] == "+15550001111")
    assert msg["text"] == "hello from the core test", msg
    assert len(sim.messages(dest="+15550001111")) == 1
    part = gw.query("select * from part")[0]
    assert part["mr"] == msg["mrs"][0], (part, msg)
    cmds = trace_commands(gw, "m0")[before:]
    sent = [c for c in cmds if not c.startswith("AT+CMGD")]
    assert len(sent) == 2 and sent[0].startswith("AT+CMGS="), cmds


@t.test
def sms_received_on_cmti_and_deleted_after_the_commit():
    sim.deliver(0, "+15550002222", "a reply")
    row = wait_for(lambda: gw.query(
        "select * from inbox where sender = '+15550002222'"), 10, "inbox row")
    assert row[0]["body"] == "a reply", row
    wait_for(lambda: sim.storage(0) == [], 10, "storage emptied")
    routes = [d["route"] for d in sim.network("delivered")]
    assert "cmti" in routes, routes
    # The delete came after the row: AT+CMGD is traced after received_at.
    with open(os.path.join(gw.dir, "at.log")) as f:
        cmgd = [line.split()[0] for line in f if "> AT+CMGD=" in line]
    assert cmgd and cmgd[-1] >= row[0]["received_at"], (cmgd, row)


@t.test
def unplug_then_replug_under_a_new_pty_is_the_same_modem():
    before = gw.query("select * from sims")[0]
    sim.unplug(0)
    wait_state(gw, "m0/1", "absent", 10)
    assert wait_event(gw, "modem m0", "went away")
    # Hold the freed pty so that the replug gets another number.
    hold = os.openpty()
    sim.replug(0)
    wait_ready(gw, timeout=15)
    wait_for(lambda: gw.query("select * from sims")[0]["operator"], 10,
             "the operator again")
    os.close(hold[0])
    os.close(hold[1])
    after = gw.query("select * from sims")[0]
    assert after["id"] == before["id"], (before, after)
    assert after["device"] != before["device"], (before, after)
    assert after["sent_today"] == before["sent_today"] >= 1, (before, after)
    assert after["iccid"] == before["iccid"]
    send(gw, "+15550003333", "after the replug")
    sim.wait_message(lambda m: m["dest"] == "+15550003333")


@t.test
def trace_has_time_port_and_escapes():
    with open(os.path.join(gw.dir, "at.log")) as f:
        lines = f.read().splitlines()
    assert lines, "empty trace"
    pat = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z m0 [<>] ")
    bad = [line for line in lines if not pat.match(line)]
    assert not bad, bad[:3]
    assert any("\\x1a" in line for line in lines), "no Ctrl-Z traced"


@t.test
def stops_cleanly():
    assert gw.stop() == 0
    assert states(gw)  # rows stay readable
    assert not [e for e in events(gw) if e["level"] == "error"], \
        [e for e in events(gw) if e["level"] == "error"]


t.done()
