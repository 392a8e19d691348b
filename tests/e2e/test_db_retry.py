"""A transient database error (issue 11, finding 5): a spool file claimed
while the database refused, and an SMS received meanwhile, are taken again
on a backoff once it works, without a restart."""
import sqlite3

from flow_helpers import close, rig
from tap import Tap, wait_for

t = Tap()


@t.test
def claimed_file_and_inbound_sms_retried_after_a_lock():
    sim, gw = rig()
    # Another writer holds the database: the daemon's transactions fail
    # after their busy timeout.
    con = sqlite3.connect(gw.database, timeout=10, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        gw.drop("while-locked", "To: +15558000001\n\nheld up\n")
        sim.deliver(0, "+15558000002", "hello while locked")
        wait_for(lambda: "database error" in gw.log_text()
                 and "not stored" in gw.log_text(), 40,
                 "both refused by the database")
    finally:
        con.execute("ROLLBACK")
        con.close()
    wait_for(lambda: gw.scalar("select count(*) from outbox where recipient = '+15558000001'") == 1,
             20, "the claimed file accepted on a retry")
    wait_for(lambda: gw.scalar("select count(*) from inbox where sender = '+15558000002'") == 1,
             20, "the SMS stored on a retry")
    sim.wait_message(lambda m: m["dest"] == "+15558000001", timeout=20)
    assert gw.scalar("select count(*) from inbox") == 1
    close(sim, gw)


t.done()
