"""smsgwd on PostgreSQL (issue 17, doc/postgresql.md "The daemon on
PostgreSQL"): one daemon with two simulated modems on a throw-away
PostgreSQL 15 (tests/lib/pgserver.py), checked through psql and the
simulator's ground truth — a spool file sent and in the outbox view, a
reply in the inbox, STOP suppressing, a status report delivering, the
database stopped and started again mid-run without losing anything, and
smsgwd -t accepting the configuration."""
import collections
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import SMSGWD, Gateway, tempdir  # noqa: E402
from modemsim import ModemSim  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
skip_without_postgres(t)

pg = PgServer().start()
WORK = tempdir("smsgw-pgd-")
sim = ModemSim(modems=2, dir=os.path.join(WORK, "sim"),
               specs={"all": {"latency_ms": 20}})
sim.start()
sim.wait_registered(timeout=30)
os.makedirs(os.path.join(WORK, "gw"))
gw = Gateway(os.path.join(WORK, "gw"),
             modems=[{"name": f"m{i}", "device": sim.path(i)} for i in range(2)],
             settings={"database": pg.url, "box": "alpha", "lease": "3s",
                       "default_country": "1", "log_level": "info"})


def q(sql):
    """psql's answer; "" before the daemon applied the schema."""
    try:
        return pg.psql(sql).strip()
    except RuntimeError as e:
        if "does not exist" in str(e):
            return ""
        raise


def states():
    return collections.Counter(
        r for r in q("select state from outbox").splitlines() if r)


def stop(rc_ok=True):
    rc = gw.stop(timeout=15)
    assert rc == 0 or not rc_ok, (rc, gw.log_text()[-3000:])


@t.test
def the_config_check_accepts_it():
    p = subprocess.run([SMSGWD, "-t", "-c", gw.conf], capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stderr
    assert "database: PostgreSQL database smsgw" in p.stdout, p.stdout
    assert "box: alpha" in p.stdout and "configuration ok" in p.stdout


@t.test
def it_starts_registers_its_sims_and_its_box():
    gw.start(wait=False)
    wait_for(lambda: q("select count(*) from sims where state = 'ready'") == "2"
             or not gw.running(), 30, "both SIMs ready in the sims view")
    assert gw.running(), gw.log_text()[-3000:]
    names = q("select name from sims order by name").splitlines()
    assert names == ["alpha/m0/1", "alpha/m1/1"], names
    assert q("select count(*) from daemon where box = 'alpha' and "
             "stopped_at is null") == "1"
    wait_for(lambda: q("select count(*) from events where message like "
                       "'started%'") == "1", 10, "the started event")


@t.test
def a_second_daemon_with_the_same_box_name_is_refused():
    os.makedirs(os.path.join(WORK, "twin"))
    twin = Gateway(os.path.join(WORK, "twin"),
                   settings={"database": pg.url, "box": "alpha"})
    twin.start(wait=False)
    assert twin.proc.wait(30) == 1, twin.log_text()
    assert "another smsgwd already runs as box alpha" in twin.log_text()
    twin.stop()
    # The running one's rows are untouched.
    assert q("select count(*) from daemon where box = 'alpha' and "
             "stopped_at is null") == "1"


@t.test
def a_spool_file_is_sent_and_shown_in_the_outbox():
    numbers = [f"+1555100{i:04d}" for i in range(20)]
    gw.drop("burst", "".join(f"To: {n}\n" for n in numbers) + "\nHello from PG\n")
    wait_for(lambda: states().get("sent") == 20, 60, "20 sent rows")
    msgs = sim.messages()
    assert sorted(m["dest"] for m in msgs) == numbers, len(msgs)
    per_modem = collections.Counter(m["modem"] for m in msgs)
    assert set(per_modem) == {0, 1}, per_modem
    rows = q("select recipient || ' ' || sim_name from outbox").splitlines()
    by = dict(r.split(" ") for r in rows)
    assert all(by[m["dest"]] == f"alpha/m{m['modem']}/1" for m in msgs), rows
    assert q("select count(*) from events where message like '%burst%'") != "0"
    assert not os.listdir(os.path.join(gw.spool, "active"))


@t.test
def a_big_file_is_taken_in_steps():
    """Past SPOOL_STEP_BYTES the spool stages the rows and releases them
    in steps (pgops' stage_* twins): every row once, none sendable before
    the file is whole. Send-At keeps them from the modems."""
    n = 16000
    text = ("Send-At: 2099-01-01T00:00:00Z\n"
            + "".join(f"To: +1556{i:07d}\n" for i in range(n)) + "\nlater\n")
    assert len(text) > 256 * 1024
    gw.drop("bigpg", text)
    wait_for(lambda: q("select count(*) from message where hold = 'staging'")
             == "0" and q("select count(*) from message where state ="
                          " 'deferred' and recipient like '+1556%'") == str(n),
             120, "every row released, deferred")
    wait_for(lambda: not os.listdir(os.path.join(gw.spool, "active")), 30,
             "the claim gone")
    pg.psql("UPDATE message SET state = 'cancelled' WHERE recipient LIKE '+1556%'")


@t.test
def a_reply_lands_in_the_inbox():
    sim.deliver(0, "+15552000001", "hello back")
    wait_for(lambda: q("select count(*) from inbox") == "1", 20, "the inbox row")
    row = q("select sender || '|' || body || '|' || sim_name from inbox")
    assert row == "+15552000001|hello back|alpha/m0/1", row


@t.test
def a_long_reply_is_reassembled():
    text = "part of a long reply, " * 12
    assert sim.deliver(1, "+15552000003", text, shuffle=True) > 1
    wait_for(lambda: q("select count(*) from inbox where sender ="
                       " '+15552000003'") == "1", 20, "one inbox row")
    assert q("select body from inbox where sender = '+15552000003'") == text.strip()


@t.test
def stop_suppresses_and_is_confirmed():
    sim.deliver(1, "+15552000002", "STOP")
    wait_for(lambda: q("select count(*) from optouts where number = "
                       "'+15552000002'") == "1", 20, "the opt-out")
    # The confirmation goes out from the SIM that received the STOP.
    conf = sim.wait_message(lambda m: m["dest"] == "+15552000002", timeout=20)
    assert conf["modem"] == 1, conf
    gw.drop("after-stop", "To: +15552000002\n\nanything\n")
    wait_for(lambda: q("select state from outbox where recipient = "
                       "'+15552000002' and origin = 'spool'") == "suppressed",
             20, "the message suppressed")
    assert len(sim.messages(dest="+15552000002")) == 1


@t.test
def a_status_report_delivers():
    sim.status_reports(None, delay_ms=50, status=0)
    gw.drop("tracked", "To: +15553000001\nReport: yes\n\ntrack me\n")
    wait_for(lambda: q("select state from outbox where recipient = "
                       "'+15553000001'") == "delivered", 30, "delivered")


NOW = "(extract(epoch from clock_timestamp()) * 1000)::bigint"


@t.test
def a_message_queued_by_another_box_wakes_the_idle_sims():
    """No box polls: only NOTIFY smsgw_queue tells this one that box
    "beta" (psql here, with the queue's own functions) queued a message."""
    wait_for(lambda: q("select count(*) from outbox where state in"
                       " ('queued', 'sending')") == "0", 20, "an idle queue")
    before = len(sim.messages())
    t0 = time.monotonic()
    pg.psql("BEGIN;"
            f"SELECT smsgw_file_begin('beta', 'from-beta', NULL, 'h', NULL,"
            f" NULL, {NOW});"
            "SELECT smsgw_add('+15556000001', 'queued on beta', 'direct', 1,"
            " 0, NULL, '', NULL, 0, 0, 0, 0, NULL, NULL, 1, 'spool', NULL,"
            f" NULL, NULL, NULL, NULL, 0, 0, {NOW});"
            "SELECT smsgw_file_done(1, 0); COMMIT;")
    m = sim.wait_message(lambda m: m["dest"] == "+15556000001", timeout=10)
    took = time.monotonic() - t0
    print(f"# queued on beta -> AT+CMGS on alpha's modem {m['modem']}: "
          f"{took * 1000:.0f} ms (psql's own start included)")
    assert len(sim.messages()) == before + 1
    # The database's own clock: from beta's insert to alpha's claim.
    claim_ms = int(q("select a.started_at - m.created_at from attempt a join"
                     " message m on m.id = a.message_id where m.recipient ="
                     " '+15556000001' and a.box = 'alpha'"))
    print(f"# queued on beta -> claimed by alpha: {claim_ms} ms")
    # No polling: without the NOTIFY the next look is a minute away.
    assert claim_ms < 5000, claim_ms
    wait_for(lambda: q("select box from outbox o join message m using (id)"
                       " where o.recipient = '+15556000001'") == "beta"
             and q("select state from outbox where recipient ="
                   " '+15556000001'") == "sent", 10, "sent, accepted by beta")


@t.test
def a_campaign_paused_elsewhere_holds_and_resumed_elsewhere_sends():
    """Another box's CLI pauses and resumes (smsgw_campaign_set(), as
    store_op_campaign_set() calls it): this box claims nothing of a paused
    campaign, and the resume wakes it through NOTIFY alone."""
    cid = q(f"select id from smsgw_campaign('promo', {NOW})")
    pg.psql(f"select smsgw_campaign_set({cid}, 'pause', {NOW})")
    gw.drop("promo", "Campaign: promo\nTo: +15558000001\nTo: +15558000002\n"
            "\npromo text\n")
    wait_for(lambda: q("select count(*) from outbox where recipient like"
                       " '+1555800000%' and state = 'deferred'") == "2", 20,
             "held by the pause")
    assert not sim.messages(dest="+15558000001")
    pg.psql(f"select smsgw_campaign_set({cid}, 'resume', {NOW})")
    wait_for(lambda: q("select count(*) from outbox where recipient like"
                       " '+1555800000%' and state = 'sent'") == "2", 20,
             "sent after the resume")


@t.test
def a_slow_modem_keeps_its_lease():
    """A send that takes longer than the lease (3 s) is renewed while it
    runs, so no box takes the message over and it is recorded sent."""
    sim.set(None, latency_ms=7000)
    gw.drop("slow", "To: +15557000001\n\nslowly\n")
    wait_for(lambda: q("select state from outbox where recipient ="
                       " '+15557000001'") == "sending", 20, "sending")
    lease = "select lease_until from message where recipient = '+15557000001'"
    first = int(q(lease))
    wait_for(lambda: int(q(lease) or 0) >= first + 2000, 10, "the lease renewed")
    # Past the first lease, another box's claim expires lapsed leases.
    wait_for(lambda: int(q(f"select {NOW}")) > first, 10, "the first lease over")
    pg.psql(f"SELECT smsgw_expire_leases({NOW}, true, true)")
    sim.wait_message(lambda m: m["dest"] == "+15557000001", timeout=30)
    wait_for(lambda: q("select state from outbox where recipient ="
                       " '+15557000001'") == "sent", 15, "recorded sent")
    sim.set(None, latency_ms=20)
    assert q("select count(*) from attempt a join message m on"
             " m.id = a.message_id where m.recipient = '+15557000001'") == "1"
    mid = q("select id from message where recipient = '+15557000001'")
    assert f"message {mid}: the lease" not in gw.log_text(), gw.log_text()[-3000:]


@t.test
def an_outcome_under_a_lost_lease_is_not_recorded():
    """Box "beta" took the message over (a new attempt id: the fencing
    token) while this box was still sending it: this box's "sent" is
    refused (-ESTALE), logged, and neither retried nor sent again."""
    sim.set(None, latency_ms=3000)
    gw.drop("stale", "To: +15557000002\n\ntaken over\n")
    wait_for(lambda: q("select state from outbox where recipient ="
                       " '+15557000002'") == "sending", 20, "sending")
    pg.psql("UPDATE message SET attempt_id = attempt_id + 1000000,"
            f" box = 'beta', lease_until = {NOW} + 600000"
            " WHERE recipient = '+15557000002'")
    sim.wait_message(lambda m: m["dest"] == "+15557000002", timeout=20)
    wait_for(lambda: "another box owns it now" in gw.log_text(), 15,
             "the stale record logged")
    sim.set(None, latency_ms=20)
    assert q("select state from outbox where recipient = '+15557000002'") == "sending"
    pg.psql("UPDATE message SET state = 'failed', lease_until = NULL"
            " WHERE recipient = '+15557000002'")
    assert len(sim.messages(dest="+15557000002")) == 1


@t.test
def the_database_restarts_mid_run_and_nothing_is_lost():
    numbers = [f"+1555400{i:04d}" for i in range(40)]
    sim.set(None, latency_ms=150)
    gw.drop("during", "".join(f"To: {n}\n" for n in numbers) + "\nthrough a restart\n")
    wait_for(lambda: len([m for m in sim.messages() if m["dest"] in numbers]) >= 3,
             30, "the burst under way")
    pg.restart()
    # A message queued while it was away (the spool waits for it).
    gw.drop("later", "To: +15554999999\n\nafter the restart\n")
    sim.set(None, latency_ms=20)
    wait_for(lambda: q("select count(*) from outbox where recipient like "
                       "'+1555400%' and state in ('sent', 'unknown')") == "40"
             and q("select state from outbox where recipient = "
                   "'+15554999999'") == "sent", 90, "every message recorded")
    got = collections.Counter(m["dest"] for m in sim.messages())
    assert all(got[n] >= 1 for n in numbers + ["+15554999999"])
    # Only an unknown row (its answer lost in the restart) may go twice.
    unknown = set(q("select recipient from outbox where state = 'unknown'")
                  .splitlines())
    twice = {n for n in numbers if got[n] > 1}
    assert twice <= unknown, (twice, unknown)
    log = gw.log_text()
    assert "the database is away" in log and log.count(": connected") >= 2, log[-3000:]
    # A "sent" that could not be recorded while it was away is recorded
    # again once it is back (fenced by its attempt).
    for m in re.finditer(r"cannot commit message (\d+) as sent", log):
        wait_for(lambda: f"message {m.group(1)} recorded as sent on a retry"
                 in gw.log_text() or f"message {m.group(1)} was sent, but"
                 in gw.log_text(), 30, f"message {m.group(1)} recorded")
    assert gw.running()


@t.test
def a_reload_keeps_it_running():
    gw.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: q("select count(*) from events where message ="
                       " 'configuration reloaded'") == "1", 20, "the reload event")
    gw.drop("after-reload", "To: +15559000001\n\nstill here\n")
    wait_for(lambda: q("select state from outbox where recipient ="
                       " '+15559000001'") == "sent", 20, "sent after the reload")


@t.test
def it_stops_cleanly_and_says_so():
    stop()
    assert q("select count(*) from daemon where box = 'alpha' and "
             "stopped_at is not null") == "1"
    assert q("select count(*) from events where message = 'stopped'") == "1"
    assert q("select count(*) from sims where state = 'offline'") == "2"
    sim.stop()


t.done()
