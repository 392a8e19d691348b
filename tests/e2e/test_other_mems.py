"""Messages in another memory than the one smsgw reads (<mem1>, "SM"):
the modem's own "ME" holds messages stored before smsgwd started (a
firmware that ignores <mem3>: the simulator's store_me knob). The import
lists every memory AT+CPMS=? offers, each between AT+CPMS="<mem>" and
AT+CPMS="SM" with no send in between; a +CMTI whose switch the modem
refused (knob cpms_refuse_me) is listed there at the next health check;
kill -9 between the read and the commit loses and doubles nothing; the
storage is empty at the end."""
import re
import sqlite3

from modem_helpers import (Gateway, ModemSim, modem_conf, events,
                           trace_commands, wait_event, wait_ready)
from tap import Tap, wait_for

t = Tap()

sim = ModemSim(modems=1)
sim.start()
import atexit  # noqa: E402
atexit.register(sim.stop)

BEFORE = [f"+1555081000{i}" for i in range(3)]
LONG = "stored in the phone's own memory before start, in three parts. " * 5


def inbox(sender):
    return gw.query("select * from inbox where sender = ?", sender)


def switches_without_sends(cmds):
    """No AT+CMGS between a switch away from "SM" and its way back;
    returns how many switches there were."""
    away, n = None, 0
    for c in cmds:
        m = re.match(r'AT\+CPMS="([A-Z]+)"$', c)
        if c.startswith("AT+CPMS=") and not m:
            away = None     # init selects storage afresh (a restart)
        elif m and m.group(1) != "SM":
            assert away is None, (away, c)
            away, n = c, n + 1
        elif m:
            away = None
        elif c.startswith("AT+CMGS") and away:
            raise AssertionError(f"{c} after {away} before its way back")
    assert away is None, away
    return n


# Stored before smsgwd starts: two in "ME" (one in three parts), one on
# the SIM.
sim.set(0, store_me=True)
sim.deliver(0, BEFORE[0], "first in ME")
sim.deliver(0, BEFORE[1], LONG)
wait_for(lambda: len(sim.storage(0, me=True)) == 4, 10, "4 parts in ME")
sim.set(0, store_me=False)
sim.deliver(0, BEFORE[2], "on the SIM")
wait_for(lambda: len(sim.storage(0)) == 1, 10, "1 on the SIM")

gw = Gateway(modems=[modem_conf(sim, 0, health_interval="2s")],
             settings={"send_timeout": "10s", "prompt_timeout": "5s"})
gw.start()
atexit.register(gw.kill)
# Sends queued from the start: they run beside the listings.
gw.drop("early", "".join(f"To: +1555082000{i}\n" for i in range(4)) +
        "\nsent while the memories are listed\n")


@t.test
def messages_in_me_before_start_are_imported():
    wait_ready(gw)
    for s in BEFORE:
        wait_for(lambda: inbox(s), 20, f"inbox row of {s}")
    assert inbox(BEFORE[1])[0]["body"] == LONG
    assert inbox(BEFORE[1])[0]["parts"] == 3
    wait_for(lambda: sim.storage(0, me=True) == [] and sim.storage(0) == [],
             20, "ME and SM emptied")
    for s in BEFORE:
        assert len(inbox(s)) == 1, inbox(s)
    wait_for(lambda: gw.scalar("select count(*) from outbox where state in "
                               "('sent', 'delivered')") == 4, 30, "4 sent")
    cmds = trace_commands(gw, "m0")
    assert switches_without_sends(cmds) >= 2, cmds
    # Counted during init (the select answers how many it holds)...
    sel = cmds.index('AT+CPMS="ME"')
    assert cmds[sel + 1] == 'AT+CPMS="SM"', cmds[sel:sel + 2]
    assert "AT+CMGS" not in " ".join(cmds[:sel]), cmds[:sel]
    # ...then listed in "ME" and deleted there after the commit.
    lst = [i for i, c in enumerate(cmds) if c == "AT+CMGL=4" and
           cmds[i - 1] == 'AT+CPMS="ME"']
    assert len(lst) == 1 and cmds[lst[0] + 1] == 'AT+CPMS="SM"', cmds
    assert len([c for c in cmds if c.startswith("AT+CMGD=")]) == 5, cmds


@t.test
def a_refused_switch_is_listed_later():
    before = len(trace_commands(gw, "m0"))
    sim.set(0, store_me=True, cpms_refuse_me=1)
    sim.deliver(0, "+15550830001", "refused once")
    wait_event(gw, "modem m0", r'AT\+CPMS="ME": .*listed there later', 15)
    # Read at the next health check (2 s), from a listing of "ME".
    wait_for(lambda: inbox("+15550830001"), 20, "inbox row")
    wait_for(lambda: sim.storage(0, me=True) == [], 10, "ME emptied")
    cmds = trace_commands(gw, "m0")[before:]
    assert not [c for c in cmds if c.startswith("AT+CMGR=")], cmds
    sel = cmds.index("AT+CMGL=4") - 1
    assert cmds[sel] == 'AT+CPMS="ME"' and \
        cmds[sel + 2] == 'AT+CPMS="SM"', cmds
    switches_without_sends(trace_commands(gw, "m0"))
    assert len(inbox("+15550830001")) == 1


@t.test
def kill_9_between_read_and_commit_loses_and_doubles_nothing():
    lists = sim.log(0).count("+CMGL: ")
    # Another writer holds the database: the inbound row cannot commit.
    con = sqlite3.connect(gw.database, timeout=10, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        sim.set(0, store_me=True, cpms_refuse_me=1)
        sim.deliver(0, "+15550840001", "read, not committed")
        # Listed from "ME" at the next health check: read, not stored.
        wait_for(lambda: sim.log(0).count("+CMGL: ") > lists, 20,
                 "the listing in ME answered")
        gw.kill()
    finally:
        con.execute("ROLLBACK")
        con.close()
    # Not deleted before its row committed.
    assert len(sim.storage(0, me=True)) == 1, sim.storage(0, me=True)
    assert not inbox("+15550840001")
    sim.set(0, store_me=False)
    gw.start()
    wait_ready(gw)
    wait_for(lambda: inbox("+15550840001"), 20, "imported after the restart")
    wait_for(lambda: sim.storage(0, me=True) == [] and sim.storage(0) == [],
             20, "storage empty")
    assert len(inbox("+15550840001")) == 1, inbox("+15550840001")
    for s in BEFORE + ["+15550830001"]:
        assert len(inbox(s)) == 1, inbox(s)
    assert gw.scalar("select count(*) from inbox") == 5
    switches_without_sends(trace_commands(gw, "m0"))
    bad = [e for e in events(gw) if e["level"] == "error"]
    assert not bad, bad
    assert gw.stop() == 0


t.done()
