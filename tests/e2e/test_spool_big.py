"""A big spool file (issue 11, finding 6) is taken in over many short steps:
the loop serves the modems meanwhile, and the file stays all or nothing —
refused late, or cut short by a crash, it leaves no rows behind."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from flow_helpers import close, rig  # noqa: E402
from gateway import Gateway, tempdir  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
N = 150000


def big(n, last=""):
    return ("".join(f"To: +1555{i:07d}; x=a\n" for i in range(n - 1))
            + f"To: +1555{n - 1:07d}; x=a{last}\n\nHello {{{{x}}}}\n")


def staged(gw):
    return gw.scalar("select count(*) from message where hold = 'staging'") or 0


@t.test
def the_loop_serves_while_a_big_file_comes_in():
    sim, gw = rig()
    gw.drop("big", big(N))
    wait_for(lambda: staged(gw) > 0, 30, "rows being staged")
    sim.deliver(0, "+15557000001", "hello during the intake")
    wait_for(lambda: gw.scalar("select count(*) from inbox") == 1, 20, "the SMS stored")
    wait_for(lambda: gw.count_events("accepted big") == 1, 60, "the file accepted")
    got = gw.scalar("select received_at from inbox")
    accepted = gw.scalar("select at from events where message like 'accepted big%'")
    assert got < accepted, (got, accepted)
    wait_for(lambda: staged(gw) == 0, 60, "every row released")
    assert gw.scalar("select count(*) from message where file_id is not null") == N
    close(sim, gw)


@t.test
def refused_late_leaves_no_rows():
    gw = Gateway(tempdir(), settings={"max_parts": 1})
    gw.start()
    gw.drop("late", big(N, last="b" * 200))
    wait_for(lambda: os.path.exists(os.path.join(gw.spool, "rejected", "late.reason")),
             60, "the file rejected")
    with open(os.path.join(gw.spool, "rejected", "late.reason")) as f:
        reason = f.read()
    assert f"line {N}" in reason and "max_parts" in reason, reason
    wait_for(lambda: gw.scalar("select count(*) from message") == 0, 10, "no rows")
    assert gw.scalar("select count(*) from spool_file") == 0
    assert gw.stop() == 0


@t.test
def crash_while_adding_then_restart_queues_it_once():
    gw = Gateway(tempdir())
    gw.start()
    gw.drop("crash", big(N))
    wait_for(lambda: staged(gw) > 1000, 30, "rows being staged")
    gw.kill()
    assert gw.scalar("select staging from spool_file") == 1
    gw.start()
    wait_for(lambda: gw.count_events("accepted crash") == 1, 60, "accepted after the restart")
    wait_for(lambda: staged(gw) == 0, 60, "every row released")
    assert gw.scalar("select count(*) from message") == N
    assert gw.scalar("select count(distinct recipient) from message") == N
    assert gw.scalar("select count(*) from spool_file") == 1
    assert not os.listdir(os.path.join(gw.spool, "active"))
    assert gw.stop() == 0


@t.test
def crash_while_releasing_then_restart_queues_it_once():
    gw = Gateway(tempdir())
    gw.start()
    gw.drop("rel", big(N))
    wait_for(lambda: gw.scalar("select staging from spool_file") == 2, 60, "the file accepted")
    gw.kill()
    assert gw.scalar("select staging from spool_file") == 2
    assert not os.listdir(os.path.join(gw.spool, "active"))
    gw.start()
    wait_for(lambda: gw.scalar("select staging from spool_file") == 0, 60, "released after the restart")
    assert staged(gw) == 0
    assert gw.scalar("select count(*) from message") == N
    assert gw.scalar("select count(distinct recipient) from message") == N
    assert gw.scalar("select count(*) from message where state = 'queued'") == N
    # The event follows the accept's commit: a kill between them loses
    # it, never repeats it.
    assert gw.count_events("accepted rel") <= 1
    assert gw.stop() == 0


t.done()
