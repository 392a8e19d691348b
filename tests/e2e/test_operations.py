"""Months of operation (issue 19): retention with the daily_stats rollup,
auto-vacuum on old databases, backup mid-burst and restore, forgetting a
number, redacted and rotatable AT trace — the real daemon on simulated
modems."""
import os
import re
import signal
import sqlite3
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from flow_helpers import close, rig  # noqa: E402
from gateway import Gateway, ROOT, tempdir  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
DAY = 86400 * 1000


def semi_octets(digits):
    """An address as PDUs carry it (3GPP TS 23.040 §9.1.2.5)."""
    if len(digits) % 2:
        digits += "F"
    return "".join(digits[i + 1] + digits[i] for i in range(0, len(digits), 2))


def contract_ok(path):
    """The restored/pruned database answers the contract (doc/contract.md §5)."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert con.execute("pragma foreign_key_check").fetchall() == []
        con.execute("select id, received_at, sender, recipient, sim, body, parts,"
                    " keyword from inbox").fetchall()
        con.execute("select id, created_at, recipient, body, kind, campaign,"
                    " priority, state, sim, parts, attempts, sent_at, delivered_at,"
                    " error from outbox").fetchall()
        con.execute("select number, opted_out_at, keyword, sim, active from optouts")
        con.execute("select id, modem, slot, iccid, imsi, number, operator, signal,"
                    " registered, sent_today, daily_limit, state, updated_at from sims")
        con.execute("select at, level, source, message from events").fetchall()
    finally:
        con.close()


def old_rows(db, n, days_ago, state="delivered", campaign="old"):
    con = sqlite3.connect(db, timeout=10)
    now = int(time.time() * 1000)
    con.execute("insert or ignore into campaign (name, created_at) values (?, 0)",
                (campaign,))
    cid = con.execute("select id from campaign where name = ?", (campaign,)).fetchone()[0]
    for i in range(n):
        at = now - days_ago * DAY + i
        con.execute("insert into message (created_at, recipient, body, kind, class,"
                    " campaign_id, state, parts, updated_at, sent_at)"
                    " values (?, ?, 'old news', 'bulk', 1, ?, ?, 1, ?, ?)",
                    (at, f"+1555600{i:04d}", cid, state, at, at))
        con.execute("insert into event (at, level, source, message)"
                    " values (?, 'info', 'test', 'old event')", (at,))
    con.commit()
    con.close()


def snapshot(gw):
    """What the read commands say, the report without its time stamp."""
    out = {}
    for args in (("stats", "--json"), ("stats", "--campaign", "old", "--json"),
                 ("outbox", "--json"), ("inbox", "--json"), ("optout", "list"),
                 ("campaign", "list")):
        out[args] = gw.cli(*args).stdout
    html = os.path.join(gw.dir, "r.html")
    gw.cli("report", "--campaign", "old", "-o", html)
    out["report"] = re.sub(r"Report of \S+", "", open(html).read())
    return out


@t.test
def retention_prunes_at_start_and_stats_keep_their_counts():
    work = Gateway(settings={"default_country": "1"})
    work.cli("status")                      # creates the database
    old_rows(work.database, 500, 400)
    old_rows(work.database, 20, 400, state="queued", campaign="stuck")
    before = work.cli_json("stats", "--json")
    before_c = work.cli_json("stats", "--campaign", "old", "--json")
    work.settings["retention"] = {"messages": "180d", "events": "30d",
                                  "inbound": "365d"}
    work.write_config()
    work.start()
    wait_for(lambda: work.scalar("select count(*) from message"
                                 " where state = 'delivered'") == 0, 20,
             "old delivered messages pruned")
    wait_for(lambda: work.scalar("select count(*) from event where"
                                 " message = 'old event'") == 0, 20, "old events pruned")
    # In flight stays, however old.
    assert work.scalar("select count(*) from message where state = 'queued'") == 20
    assert work.cli_json("stats", "--json") == before
    assert work.cli_json("stats", "--campaign", "old", "--json") == before_c
    st = work.cli_json("status", "--json")
    assert st["database"]["bytes"] > 0 and "wal_bytes" in st["database"], st
    m = work.cli("metrics").stdout.decode()
    assert "smsgw_db_bytes " in m and "smsgw_db_wal_bytes " in m, m
    # Pruned and vacuumed, then backed up and restored: every read answers
    # the same.
    reads = snapshot(work)
    bak = os.path.join(work.dir, "pruned.db")
    work.cli("backup", bak)
    assert work.stop() == 0
    contract_ok(work.database)
    work.cli("restore", bak)
    contract_ok(work.database)
    assert snapshot(work) == reads


@t.test
def a_schema_v1_database_is_migrated_and_vacuumed_at_start():
    gw = Gateway(settings={"default_country": "49"})
    with open(os.path.join(ROOT, "tests", "fixtures", "schema_v1.sql")) as f:
        sql = f.read()
    con = sqlite3.connect(gw.database)
    con.executescript(sql)
    con.close()
    assert gw.scalar("pragma auto_vacuum") == 0
    gw.start()
    assert gw.scalar("pragma auto_vacuum") == 2      # INCREMENTAL
    assert gw.scalar("pragma user_version") >= 2
    assert gw.scalar("select count(*) from outbox") == 3
    assert gw.scalar("select body from inbox where id = 1") == "Thanks"
    assert gw.stop() == 0
    contract_ok(gw.database)
    # A database from a newer smsgw is refused, clearly.
    con = sqlite3.connect(gw.database)
    con.execute("pragma user_version = 999")
    con.commit()
    con.close()
    p = gw.cli("status", check=False)
    assert p.returncode == 1 and b"upgrade smsgw" in p.stderr, p.stderr


@t.test
def backup_mid_burst_restores_to_a_sound_database():
    sim, gw = rig(2, latency_ms=30)
    numbers = [f"+1555700{i:04d}" for i in range(300)]
    gw.drop("burst", "".join(f"To: {x}\n" for x in numbers) + "\nBurst\n")
    wait_for(lambda: 20 < (gw.scalar("select count(*) from outbox where state = 'sent'")
                           or 0), 30, "the burst under way")
    # Slowed while the backup runs, so that it is mid-burst however slow
    # this machine is (at 30 ms a send the rest took 4 s).
    sim.set(latency_ms=2000)
    bak = os.path.join(gw.dir, "backup.db")
    p = gw.cli("backup", bak)
    assert b"backup:" in p.stdout, p.stdout
    assert os.path.exists(bak + ".key")
    assert oct(os.stat(bak).st_mode & 0o777) == "0o600"
    sent_then = sqlite3.connect(bak).execute(
        "select count(*) from outbox where state = 'sent'").fetchone()[0]
    assert 0 < sent_then < 300, sent_then
    sim.set(latency_ms=30)
    # Restore refuses while smsgwd runs.
    p = gw.cli("restore", bak, check=False)
    assert p.returncode == 1 and b"running" in p.stderr, p.stderr
    wait_for(lambda: gw.scalar("select count(*) from outbox where state = 'sent'") == 300,
             60, "the burst sent")
    assert gw.stop() == 0
    p = gw.cli("restore", bak)
    assert b"restore:" in p.stdout, p.stdout
    assert os.path.exists(gw.database + ".pre-restore")
    contract_ok(gw.database)
    assert gw.scalar("select count(*) from outbox") == 300
    # Every CLI read answers on it.
    for args in (("stats", "--json"), ("status", "--json"), ("outbox", "--json"),
                 ("inbox", "--json"), ("optout", "list"), ("metrics",)):
        gw.cli(*args)
    # And the daemon carries on from it: what was in flight is settled.
    gw.start()
    wait_for(lambda: gw.scalar("select count(*) from outbox where state in"
                               " ('queued', 'sending')") == 0, 60, "settled")
    close(sim, gw)


@t.test
def forget_erases_every_form_and_keeps_the_number_suppressed():
    eh = tempdir("smsgw-eh-")
    sim, gw = rig(1, settings={"trace_full": True, "eventhandler": "/bin/true",
                               "sent": os.path.join(eh, "sent"),
                               "incoming": os.path.join(eh, "incoming")})
    os.makedirs(os.path.join(eh, "sent"))
    os.makedirs(os.path.join(eh, "incoming"))
    who, other = "+15558001234", "+15558009999"
    gw.cli("send", who, "-m", "Your code is 777111")
    gw.cli("send", other, "-m", f"Call {who} back")
    wait_for(lambda: len(sim.messages()) == 2, 20, "two sent")
    sim.deliver(0, who, "STOP")
    wait_for(lambda: gw.scalar("select count(*) from optouts where number = ?", who) == 1,
             20, "the opt-out")
    wait_for(lambda: len(sim.messages(dest=who)) == 2, 20, "the STOP confirmation sent")
    gw.drop("bad", f"To: {who}\nPriority: urgent\n\nhi\n")
    wait_for(lambda: any(not n.endswith(".reason") for n in
                         os.listdir(os.path.join(gw.spool, "rejected"))), 10, "rejected")
    trace = os.path.join(gw.dir, "at.log")
    assert semi_octets(who[1:]) in open(trace).read().upper()

    def eh_files():
        return [os.path.join(eh, d, n) for d in ("sent", "incoming")
                for n in os.listdir(os.path.join(eh, d))]
    wait_for(lambda: any(who[1:] in open(f).read() for f in eh_files()), 10,
             "the eventhandler's files")
    stats = gw.cli_json("stats", "--json")
    bak = os.path.join(gw.dir, "before-forget.db")
    gw.cli("backup", bak)
    out = gw.cli_json("forget", "--json", who)
    # The message, and the confirmation of the STOP.
    assert out["messages"] == 2 and out["received"] >= 1 and out["optouts"] == 1, out
    assert out["rejected_files"] >= 3 and out["trace_lines"] > 0, out
    digits, semi = who[1:], semi_octets(who[1:])
    for path in (gw.database, gw.database + "-wal", trace):
        if os.path.exists(path):
            data = open(path, "rb").read().upper()
            assert digits.encode() not in data, path
            assert semi.encode() not in data, path
    assert os.listdir(os.path.join(gw.spool, "rejected")) == []
    assert not any(who[1:] in open(f).read() for f in eh_files())
    assert gw.cli_json("stats", "--json")["sent"] == stats["sent"]
    # Still suppressed: by the keyed hash, not the number.
    gw.cli("send", who, "-m", "again?")
    wait_for(lambda: gw.scalar("select count(*) from outbox where state = 'suppressed'")
             == 1, 20, "suppressed")
    assert len(sim.messages(dest=who)) == 2   # the text and the STOP reply
    key = gw.database + ".key"
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"
    # The daemon reopened the rewritten trace and writes on.
    size = os.path.getsize(trace)
    gw.cli("send", other, "-m", "still tracing")
    wait_for(lambda: os.path.getsize(trace) > size, 10, "trace written after forget")
    # A backup from before the forget brings the number back: restore
    # forgets it again (the hashes of the replaced database carry over).
    assert gw.stop() == 0
    p = gw.cli("restore", bak)
    assert b"forgotten again" in p.stdout, p.stdout
    for path in (gw.database, gw.database + "-wal"):
        if os.path.exists(path):
            assert digits.encode() not in open(path, "rb").read(), path
    contract_ok(gw.database)
    sim.stop()


@t.test
def trace_is_redacted_and_reopens_on_sighup():
    sim, gw = rig(1)
    who = "+15558101234"
    gw.cli("send", who, "-m", "Your code is 424242")
    wait_for(lambda: len(sim.messages()) == 1, 20, "sent")
    sim.deliver(0, who, "hello 515151")
    wait_for(lambda: gw.scalar("select count(*) from inbox") == 1, 20, "received")
    trace = os.path.join(gw.dir, "at.log")
    text = open(trace).read()
    assert "[pdu " in text, text[-500:]
    assert semi_octets(who[1:]) not in text.upper()
    assert who[1:] not in text and who[1:] not in gw.log_text()
    os.rename(trace, trace + ".1")
    gw.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: os.path.exists(trace), 10, "the trace reopened")
    gw.cli("send", who, "-m", "after rotation")
    wait_for(lambda: os.path.getsize(trace) > 0, 10, "written to the new file")
    assert oct(os.stat(trace).st_mode & 0o777) == "0o640"
    close(sim, gw)


@t.test
def wal_shrinks_back_once_a_lingering_reader_leaves():
    sim, gw = rig(1, latency_ms=1, settings={"retention": {"prune_interval": "1s"}})
    reader = sqlite3.connect(gw.database, timeout=10)
    reader.execute("begin")
    reader.execute("select count(*) from outbox").fetchone()   # holds a snapshot
    gw.drop("many", "".join(f"To: +1555900{i:04d}\n" for i in range(400)) + "\nWAL\n")
    wait_for(lambda: gw.scalar("select count(*) from outbox where state = 'sent'") == 400,
             60, "sent while the reader lingers")
    grown = os.path.getsize(gw.database + "-wal")
    assert grown > 0
    reader.rollback()
    reader.close()
    # The next checkpoint finds no old snapshot and truncates the WAL.
    wait_for(lambda: os.path.getsize(gw.database + "-wal") == 0, 10, "WAL truncated")
    close(sim, gw)


t.done()
