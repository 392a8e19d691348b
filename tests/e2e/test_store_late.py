"""The storage interface answered later (include/store_ops.h): with
SMSGW_TEST_STORE_LATE=1 every store operation answers from the loop's next
turn, as a networked backend would, never before the call returns. The
callers must not care: a small and a big spool file, INSERT INTO outbox
(queued, refused, a repeated id), an inbound STOP with its one
confirmation, a multipart SMS, a status report — each committed once, the
modem's message acknowledged only after its commit."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
os.environ["SMSGW_TEST_STORE_LATE"] = "1"
from flow_helpers import close, rig  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()


def sql(gw, statement):
    subprocess.run(["sqlite3", "-cmd", ".timeout 5000", gw.database,
                    statement], check=True, capture_output=True, text=True)


def big(n):
    return ("".join(f"To: +1556{i:07d}\n" for i in range(n))
            + "\nbig file, answered late\n")


@t.test
def every_intake_commits_once_when_the_store_answers_late():
    sim, gw = rig(settings={"report": "yes"})
    assert "answer a loop turn later" in gw.log_text(), "the seam is off"
    gw.drop("small", "To: +15559000001\n\nsmall file\n")
    m = sim.wait_message(lambda m: m["dest"] == "+15559000001", timeout=15)
    assert m["text"] == "small file", m
    assert not os.listdir(os.path.join(gw.spool, "active"))
    # A big file: one operation per step, each answered a turn later.
    n = 25000
    text = big(n)
    assert len(text) > 256 * 1024, "not big enough for spool_job.c"
    gw.drop("big", text)
    # Its rows go in sendable, step by step; the event follows the last.
    wait_for(lambda: gw.count_events("accepted big") == 1, 60,
             "the big file accepted")
    assert gw.scalar("select count(*) from message where file_id = (select "
                     "id from spool_file where name = 'big' and staging = 0)"
                     " and hold is null") == n
    # INSERT INTO outbox: queued, refused, and a repeated id, in order.
    sql(gw, "INSERT INTO outbox(recipient, body, id) VALUES ('+15559000002', 'sql', 'k');"
            "INSERT INTO outbox(recipient, body) VALUES ('not a number', 'x');"
            "INSERT INTO outbox(recipient, body, id) VALUES ('+15559000002', 'sql', 'k')")
    wait_for(lambda: gw.scalar("select count(*) from outbox_in") == 0, 15,
             "the intake rows taken")
    assert gw.scalar("select count(*) from outbox where origin = 'sql' and "
                     "state != 'failed'") == 1
    assert gw.scalar("select error from outbox where recipient = "
                     "'+15559000002' and state = 'failed'") == "id 'k' was queued before"
    # Inbound: STOP, one confirmation; a multipart message; acked after
    # the commit, so the modem keeps nothing.
    sim.deliver(0, "+15559000003", "STOP")
    sim.deliver(0, "+15559000004", "long " * 60)
    wait_for(lambda: gw.scalar("select count(*) from inbox") == 2, 15,
             "both messages in the inbox")
    wait_for(lambda: sim.storage(0) == [], 15, "the modem's copies deleted")
    assert gw.scalar("select count(*) from optouts where number = "
                     "'+15559000003'") == 1
    wait_for(lambda: gw.scalar("select count(*) from outbox where origin = "
                               "'optout-reply'") == 1, 10, "one confirmation")
    assert gw.scalar("select parts from inbox where sender = '+15559000004'") > 1
    # The small file's status report makes it delivered.
    wait_for(lambda: gw.scalar("select state from outbox where recipient = "
                               "'+15559000001'") == "delivered", 20,
             "the status report recorded")
    close(sim, gw)


t.done()
