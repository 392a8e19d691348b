"""A +CMTI naming another memory than the one smsgw reads (<mem1>): a
firmware that ignores <mem3> stores in "ME" (the simulator's store_me
knob). The message is read and deleted in "ME", the SIM's own storage is
left alone, and <mem1> is "SM" again afterwards."""
from modem_helpers import start, trace_commands
from tap import Tap, wait_for

t = Tap()
sim, gw = start(1)


@t.test
def a_message_stored_in_me_is_read_and_deleted_there():
    sim.set(0, store_me=True)
    sim.deliver(0, "+15550003333", "stored in ME")
    row = wait_for(lambda: gw.query(
        "select * from inbox where sender = '+15550003333'"), 15, "inbox row")
    assert row[0]["body"] == "stored in ME", row
    assert "cmti" in [d["route"] for d in sim.network("delivered")]
    wait_for(lambda: sim.storage(0, me=True) == [], 10, "ME emptied")
    cmds = trace_commands(gw, "m0")
    # (The import at start counted "ME" already: AT+CPMS="ME" and back.)
    sel = [i for i, c in enumerate(cmds) if c.startswith("AT+CMGR=")][0] - 1
    assert cmds[sel] == 'AT+CPMS="ME"', cmds[sel:]
    assert cmds[sel + 2] == 'AT+CPMS="SM"', cmds[sel:]
    dele = [i for i, c in enumerate(cmds) if c.startswith("AT+CMGD=")]
    assert dele and cmds[dele[-1] - 1] == 'AT+CPMS="ME"', cmds[sel:]
    assert cmds[dele[-1] + 1] == 'AT+CPMS="SM"', cmds[sel:]


@t.test
def the_next_message_in_sm_is_read_from_sm():
    sim.set(0, store_me=False)
    sim.deliver(0, "+15550004444", "stored in SM")
    wait_for(lambda: gw.query(
        "select * from inbox where sender = '+15550004444'"), 15, "inbox row")
    wait_for(lambda: sim.storage(0) == [], 10, "SM emptied")
    assert sim.storage(0, me=True) == []


t.done()
