"""smsgwd on PostgreSQL with the operations beside the queue (issue 17,
doc/postgresql.md "The operations beside the queue"): one daemon, two
simulated modems, a throw-away PostgreSQL 15 — a long message arriving
in shuffled, duplicated parts is one inbox row; a spool file past the
step size (256 KiB) is accepted in steps, whole; bulk to a recipient in
quiet hours waits while a direct message to the same number goes."""
import datetime
import os
import sys
import time
import zoneinfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import Gateway, tempdir  # noqa: E402
from modemsim import ModemSim  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
skip_without_postgres(t)


def quiet_now_in_london():
    """A quiet window around London's local time now (+44 numbers map to
    Europe/London), two hours either side."""
    local = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London"))
    m = local.hour * 60 + local.minute
    start, end = (m - 120) % 1440, (m + 120) % 1440
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


pg = PgServer().start()
WORK = tempdir("smsgw-pgops-")
sim = ModemSim(modems=2, dir=os.path.join(WORK, "sim"),
               specs={"all": {"latency_ms": 20}})
sim.start()
sim.wait_registered(timeout=30)
os.makedirs(os.path.join(WORK, "gw"))
gw = Gateway(os.path.join(WORK, "gw"),
             modems=[{"name": f"m{i}", "device": sim.path(i)} for i in range(2)],
             settings={"database": pg.url, "box": "alpha", "lease": "10s",
                       "default_country": "1", "log_level": "info",
                       "quiet_hours": quiet_now_in_london()})


def q(sql):
    """psql's answer; "" before the daemon applied the schema."""
    try:
        return pg.psql(sql).strip()
    except RuntimeError as e:
        if "does not exist" in str(e):
            return ""
        raise


@t.test
def it_starts_with_quiet_hours():
    gw.start(wait=False)
    wait_for(lambda: q("select count(*) from sims where state = 'ready'") == "2"
             or not gw.running(), 30, "both SIMs ready")
    assert gw.running(), gw.log_text()[-3000:]


@t.test
def a_long_message_in_shuffled_and_repeated_parts_is_one_row():
    text = ("A long message that needs three parts to arrive, " * 8).strip()
    parts = sim.deliver(0, "+15552000009", text, shuffle=True, duplicate=(2,))
    assert parts >= 3, parts
    wait_for(lambda: q("select count(*) from inbox where sender ="
                       " '+15552000009'") == "1", 30, "the inbox row")
    row = q("select body || '|' || parts || '|' || partial from inbox"
            " where sender = '+15552000009'")
    assert row == f"{text}|{parts}|0", row
    assert q("select count(*) from inbound_part where state = 'assembled'") \
        == str(parts)
    # Every PDU the modem gave is kept once, the repeated one too.
    assert int(q("select count(*) from raw_pdu")) >= parts


@t.test
def a_big_file_is_accepted_in_steps_whole():
    n = 16000       # 17 bytes a line: past the 256 KiB step size
    body = "".join(f"To: +1777{i:07d}\n" for i in range(n))
    t0 = time.monotonic()
    gw.drop("big", "Send-At: 2099-01-01T00:00:00Z\n" + body + "\nlater\n")
    assert len(body) > 256 * 1024
    wait_for(lambda: q("select staging || ' ' || recipients from spool_file"
                       " where name = 'big'") == f"0 {n}", 120,
             "the file accepted and released")
    took = time.monotonic() - t0
    print(f"# {n} rows staged, accepted and released in {took:.1f} s"
          f" ({n / took:.0f} rows/s)")
    assert q("select count(*) from outbox where state = 'deferred' and"
             " recipient like '+1777%'") == str(n)
    assert q("select count(*) from message where hold is not null") == "0"
    assert not os.listdir(os.path.join(gw.spool, "active"))


@t.test
def bulk_in_quiet_hours_waits_and_direct_goes():
    gw.drop("quiet-bulk", "To: +447700900001\nKind: bulk\n\nour offer\n")
    gw.drop("quiet-direct", "To: +447700900001\n\nyour code is 1234\n")
    sim.wait_message(lambda m: m["dest"] == "+447700900001", timeout=30)
    wait_for(lambda: q("select state || '|' || error from outbox where"
                       " recipient = '+447700900001' and kind = 'bulk'")
             == "deferred|quiet hours at the recipient", 30, "bulk held")
    assert len(sim.messages(dest="+447700900001")) == 1
    # Held as if never claimed: no attempt row, no attempt counted.
    assert q("select attempts || ' ' || (select count(*) from attempt a"
             " where a.message_id = m.id) from message m where recipient ="
             " '+447700900001' and kind = 'bulk'") == "0 0"


@t.test
def it_stops_cleanly():
    assert gw.stop(timeout=15) == 0, gw.log_text()[-3000:]
    sim.stop()


t.done()
