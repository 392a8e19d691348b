"""A spool file of many recipients in few bytes (issue 15: the 5,120-row
file of the 128-modem burst is 87 KB) is taken in steps like a big one,
not in one transaction that holds the loop for all its rows: past
SPOOL_STEP_ROWS (512) recipients the scanned file goes to the job
(spool/spool_job.c), which reports its intake in an event. Fewer go in
one commit as before. The time a step or a turn takes is a bench figure
(tests/bench/bench.py --only inbound), not checked here."""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from flow_helpers import close, rig  # noqa: E402
from gateway import Gateway, tempdir  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
STEP_ROWS = 512


def plain(n, base=0):
    return "".join(f"To: +1555{base + i:07d}\n" for i in range(n)) + "\nHello\n"


def intake(gw, name):
    """The job's intake event: (rows, loop turns), or None (one commit)."""
    msg = gw.scalar("select message from events where message like ?",
                    f"intake of {name}:%")
    if msg is None:
        return None
    m = re.search(r": (\d+) rows in \d+ ms, (\d+) loop turns", msg)
    assert m, msg
    return int(m.group(1)), int(m.group(2))


def file_rows(gw, name):
    return gw.scalar("select count(*) from message m join spool_file f"
                     " on f.id = m.file_id where f.name = ?", name) or 0


@t.test
def many_recipients_in_few_bytes_are_taken_in_steps():
    gw = Gateway(tempdir(), settings={"default_country": "1"}).start()
    text = plain(3000)
    assert len(text) < 256 * 1024 / 4, len(text)
    gw.drop("many", text)
    gw.drop("edge", plain(STEP_ROWS, base=5000))
    gw.drop("over", plain(STEP_ROWS + 1, base=6000))
    for name in ("many", "edge", "over"):
        wait_for(lambda: gw.count_events(f"accepted {name}:") == 1, 60,
                 f"{name} accepted")
    # The job writes its intake event right after "accepted".
    assert wait_for(lambda: intake(gw, "many"), 10, "the intake of many")[0] == 3000
    assert wait_for(lambda: intake(gw, "over"), 10, "the intake of over")[0] == \
        STEP_ROWS + 1
    # At the bound: one commit, as every small file before.
    assert intake(gw, "edge") is None
    assert file_rows(gw, "many") == 3000
    assert file_rows(gw, "edge") == STEP_ROWS
    assert file_rows(gw, "over") == STEP_ROWS + 1
    assert gw.scalar("select count(distinct recipient) from message") == 3000 + 2 * STEP_ROWS + 1
    assert gw.scalar("select count(*) from message where state = 'queued'") == \
        3000 + 2 * STEP_ROWS + 1
    assert gw.scalar("select count(*) from spool_file where staging != 0") == 0
    # A small file's claim goes right after its "accepted" event.
    wait_for(lambda: not os.listdir(os.path.join(gw.spool, "active")), 10,
             "every claim gone from active/")
    assert gw.stop() == 0


@t.test
def a_refused_many_recipient_file_leaves_no_rows():
    # Its last recipient's text is too long: found by the job's check
    # pass, before the first row.
    gw = Gateway(tempdir(), settings={"default_country": "1", "max_parts": 1}).start()
    rows = "".join(f"To: +1555{i:07d}; x=a\n" for i in range(999))
    gw.drop("late", rows + "To: +15559999999; x=" + "b" * 200 + "\n\nHi {{x}}\n")
    wait_for(lambda: os.path.exists(os.path.join(gw.spool, "rejected", "late.reason")),
             60, "the file rejected")
    with open(os.path.join(gw.spool, "rejected", "late.reason")) as f:
        reason = f.read()
    assert "line 1000" in reason and "max_parts" in reason, reason
    assert gw.scalar("select count(*) from message") == 0
    assert gw.scalar("select count(*) from spool_file") == 0
    assert gw.stop() == 0


@t.test
def inbound_is_stored_while_a_many_recipient_file_comes_in():
    """15,000 recipients in 255 KB, under SPOOL_STEP_BYTES: before, one
    transaction of every row; now steps over several turns, and an SMS
    delivered at the drop is stored and acknowledged meanwhile."""
    sim, gw = rig()
    n = 15000
    text = plain(n)
    assert len(text) < 256 * 1024, len(text)
    gw.drop("wide", text)
    sim.deliver(0, "+15557000001", "hello during the intake")
    wait_for(lambda: gw.scalar("select count(*) from inbox") == 1, 30, "the SMS stored")
    wait_for(lambda: "AT+CMGD=" in sim.log(0), 30, "the SMS deleted after its commit")
    wait_for(lambda: gw.count_events("accepted wide:") == 1, 60, "the file accepted")
    rows, turns = wait_for(lambda: intake(gw, "wide"), 10, "the intake event")
    # More work than one step's budget: more than one turn.
    assert rows == n and turns > 1, (rows, turns)
    assert file_rows(gw, "wide") == n
    wait_for(lambda: not os.listdir(os.path.join(gw.spool, "active")), 10,
             "the claim gone from active/")
    close(sim, gw)


t.done()
