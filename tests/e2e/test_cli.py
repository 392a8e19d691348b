"""The command line against a running and a stopped daemon (issue 10, item
4): -c anywhere, daemon liveness for database readers, offline SIMs, number
filters, outbox show/resend/cancel, events, CSV, local times, limits,
read-only users, report to stdout, the opted-out column."""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import time

from flow_helpers import close, rig
from gateway import SMSGW
from tap import Tap, wait_for

t = Tap()

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def out(gw, *args):
    return gw.cli(*args).stdout.decode()


def rows_csv(gw, *args):
    return list(csv.DictReader(io.StringIO(out(gw, *args, "--csv"))))


def reader_conf(gw):
    """A configuration for a user who may read the database but not see
    the spool (its lock and socket): the same database, a spool elsewhere."""
    path = os.path.join(gw.dir, "reader.conf")
    text = open(gw.conf).read().replace(f'"{gw.spool}"',
                                        f'"{gw.dir}/no-such-spool"')
    with open(path, "w") as f:
        f.write(text)
    return path


def run(*args, conf=None):
    return subprocess.run([SMSGW, *args] + (["-c", conf] if conf else []),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@t.test
def config_option_anywhere_on_the_line():
    sim, gw = rig(1)
    for args in (["status", "-c", gw.conf], ["status", "--config", gw.conf],
                 ["outbox", "--json", f"--config={gw.conf}"],
                 ["optout", "list", "-c", gw.conf],
                 ["rules", "test", "-c", gw.conf, "STOP"],
                 ["pdu", "encode", "+15551230000", "hi", "-c", gw.conf],
                 ["-c", gw.conf, "events", "--limit", "1"]):
        p = run(*args)
        assert p.returncode == 0, (args, p.stderr)
    # Without it the default path is tried, and named.
    p = run("status", "-c", "/nonexistent/smsgw.conf")
    assert p.returncode == 1 and b"/nonexistent/smsgw.conf" in p.stderr, p.stderr
    close(sim, gw)


@t.test
def status_and_metrics_for_a_reader_who_cannot_see_the_spool():
    sim, gw = rig(1)
    conf = reader_conf(gw)
    st = json.loads(run("status", "--json", conf=conf).stdout)
    assert st["daemon"]["running"] and st["daemon"]["pid"] == gw.proc.pid, st
    assert st["sims"][0]["state"] == "ready", st
    text = run("status", conf=conf).stdout.decode()
    assert f"smsgwd is running (pid {gw.proc.pid})" in text, text
    m = run("metrics", conf=conf).stdout.decode()
    assert "\nsmsgw_up 1\n" in m and 'smsgw_sim_ready{sim="m0/1"} 1' in m, m
    assert close(sim, gw) is None
    st = json.loads(run("status", "--json", conf=conf).stdout)
    assert not st["daemon"]["running"] and st["daemon"]["pid"] == 0, st
    assert st["sims"][0]["state"] == "offline", st
    text = run("status", conf=conf).stdout.decode()
    assert "smsgwd is not running" in text and "offline" in text, text
    assert "dBm" not in text, text
    m = run("metrics", conf=conf).stdout.decode()
    assert "\nsmsgw_up 0\n" in m and 'smsgw_sim_ready{sim="m0/1"} 0' in m, m
    # The view says so too, for sqlite3 users.
    assert gw.scalar("select state from sims") == "offline"


@t.test
def a_crashed_daemon_reads_as_stopped():
    sim, gw = rig(1)
    conf = reader_conf(gw)
    assert json.loads(run("status", "--json", conf=conf).stdout)["daemon"]["running"]
    gw.kill()
    st = json.loads(run("status", "--json", conf=conf).stdout)
    assert not st["daemon"]["running"], st
    assert st["sims"][0]["state"] == "offline", st
    gw.start()
    wait_for(lambda: json.loads(run("status", "--json", conf=conf).stdout)
             ["sims"][0]["state"] == "ready", 20, "ready again")
    close(sim, gw)


@t.test
def number_filters_normalise_like_send():
    sim, gw = rig(1, settings={"default_country": "49"})
    gw.cli("send", "+491721234567", "-m", "hello")
    sim.wait_message(lambda m: m["dest"] == "+491721234567")
    wait_for(lambda: gw.scalar("select state from outbox") == "sent", 10, "sent")
    for n in ("01721234567", "0172 1234567", "+491721234567", "491721234567"):
        rows = json.loads(out(gw, "outbox", "--to", n, "--json"))
        assert len(rows) == 1, (n, rows)
    sim.deliver(0, "+491721234567", "thanks")
    wait_for(lambda: gw.scalar("select count(*) from inbox") == 1, 10, "reply")
    rows = json.loads(out(gw, "inbox", "--from", "01721234567", "--json"))
    assert len(rows) == 1 and rows[0]["body"] == "thanks", rows
    p = gw.cli("outbox", "--to", "hello", check=False)
    assert p.returncode == 1 and b"not a number" in p.stderr, p.stderr
    close(sim, gw)


@t.test
def outbox_show_resend_cancel_with_the_daemon_running():
    sim, gw = rig(1, settings={"retry_min": "1s"})
    sim.fail_next(0, 1, 500)
    gw.cli("send", "+15554000001", "-m", "retried", "--id", "key-1")
    wait_for(lambda: gw.scalar("select state from outbox") == "sent", 20, "sent")
    mid = gw.scalar("select id from outbox")
    show = json.loads(out(gw, "outbox", "show", str(mid), "--json"))
    assert show["message"]["file_id"] == "key-1" and show["message"]["file"], show
    a = show["attempts"]
    assert [x["result"] for x in a] == ["retry", "sent"], a
    assert a[0]["sim"] == "m0/1" and a[0]["error"] and a[0]["next_try"], a
    assert a[0]["started"] and a[0]["ended"] and a[1]["next_try"] is None, a
    att = rows_csv(gw, "outbox", "show", str(mid))
    assert [x["result"] for x in att] == ["retry", "sent"], att
    text = out(gw, "outbox", "show", str(mid))
    assert f"message #{mid}" in text and "attempts" in text and "retry" in text, text
    # Cancel a deferred one: it never goes out.
    gw.cli("send", "+15554000002", "-m", "later", "--at", "2099-01-01T00:00:00Z")
    wait_for(lambda: gw.scalar("select count(*) from outbox") == 2, 10, "queued")
    later = gw.scalar("select id from outbox where recipient = '+15554000002'")
    nb = json.loads(out(gw, "outbox", "--json"))[0]
    assert nb["id"] == later and nb["not_before"].startswith("2099-01-01T00:00:00"), nb
    assert "2099-01-01" in out(gw, "outbox", "--utc")
    r = gw.cli("outbox", "cancel", str(later))
    assert b"cancelled" in r.stdout, r.stdout
    assert gw.scalar("select state from outbox where id = ?", later) == "cancelled"
    p = gw.cli("outbox", "cancel", str(later), check=False)
    assert p.returncode == 1 and b"only a queued or deferred" in p.stderr, p.stderr
    p = gw.cli("outbox", "resend", str(mid), check=False)
    assert p.returncode == 1 and b"sent already" in p.stderr, p.stderr
    # Resend the cancelled one: it goes now.
    gw.cli("outbox", "resend", str(later))
    sim.wait_message(lambda m: m["dest"] == "+15554000002")
    wait_for(lambda: gw.scalar("select state from outbox where id = ?", later) == "sent",
             10, "resent")
    ev = json.loads(out(gw, "outbox", "show", str(later), "--json"))["events"]
    assert [e["message"] for e in ev if "cancelled by hand" in e["message"]], ev
    assert [e["message"] for e in ev if "queued again" in e["message"]], ev
    p = gw.cli("outbox", "show", "999999", check=False)
    assert p.returncode == 1 and b"no message #999999" in p.stderr, p.stderr
    close(sim, gw)


@t.test
def events_filter_by_level_and_time():
    sim, gw = rig(1)
    ev = json.loads(out(gw, "events", "--json"))
    assert any("started" in e["message"] for e in ev), ev
    gw.cli("outbox", "cancel", "12345", check=False)
    warn = json.loads(out(gw, "events", "--level", "warning", "--json"))
    assert all(e["level"] in ("warning", "error") for e in warn), warn
    assert json.loads(out(gw, "events", "--since", "2099-01-01T00:00:00Z", "--json")) == []
    assert len(json.loads(out(gw, "events", "--since", "1h", "--json"))) == len(ev)
    p = gw.cli("events", "--level", "loud", check=False)
    assert p.returncode == 2 and b"info, warning or error" in p.stderr, p.stderr
    close(sim, gw)


@t.test
def csv_wherever_json_is():
    sim, gw = rig(1)
    gw.cli("send", "+15554100001", "-m", 'a "quoted", text', "--campaign", "c1")
    wait_for(lambda: gw.scalar("select state from outbox") == "sent", 10, "sent")
    gw.cli("optout", "add", "+15554100002")
    sim.deliver(0, "+15554100001", "yes, please")
    wait_for(lambda: gw.scalar("select count(*) from inbox") == 1, 10, "reply")
    o = rows_csv(gw, "outbox")
    assert o[0]["body"] == 'a "quoted", text' and o[0]["state"] == "sent", o
    assert rows_csv(gw, "inbox")[0]["body"] == "yes, please"
    assert rows_csv(gw, "events")
    assert rows_csv(gw, "optout", "list")[0]["number"] == "+15554100002"
    assert rows_csv(gw, "stats")[0]["messages"] == "1"
    assert rows_csv(gw, "campaign", "list")[0]["name"] == "c1"
    assert rows_csv(gw, "campaign", "show", "c1")[0]["total"] == "1"
    assert rows_csv(gw, "status")[0]["name"] == "m0/1"
    assert rows_csv(gw, "rules", "test", "STOP")[0]["class"] == "optout"
    close(sim, gw)


@t.test
def tables_in_the_configured_zone_json_in_utc():
    sim, gw = rig(1, settings={"timezone": "Asia/Kolkata"})
    gw.cli("send", "+15554200001", "-m", "tz")
    wait_for(lambda: gw.scalar("select count(*) from outbox") == 1, 10, "row")
    iso = json.loads(out(gw, "outbox", "--json"))[0]["created_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", iso), iso
    utc = time.strptime(iso[:19], "%Y-%m-%dT%H:%M:%S")
    local = time.strftime("%Y-%m-%d %H:%M:%S",
                          time.gmtime(time.mktime(utc) - time.timezone + 5.5 * 3600))
    table = out(gw, "outbox")
    assert local in table and iso not in table, (local, table)
    assert iso[:10] + " " + iso[11:19] + "Z" in out(gw, "outbox", "--utc")
    close(sim, gw)


@t.test
def a_cut_table_says_so_and_is_not_too_wide():
    sim, gw = rig(1)
    lines = "".join(f"To: +1555430{i:04d}\n" for i in range(105))
    gw.drop("many", "Send-At: 2099-01-01T00:00:00Z\nCampaign: a-long-campaign-name\n"
            + lines + "\n" + "A rather long text " * 10 + "\n")
    wait_for(lambda: gw.scalar("select count(*) from outbox") == 105, 20, "rows")
    table = out(gw, "outbox").splitlines()
    assert table[-1] == "100 of 105 rows; --limit N or --all", table[-3:]
    assert len(table) == 1 + 100 + 2, len(table)
    assert max(len(line) for line in table) <= 132, max(len(line) for line in table)
    assert "not_before" in table[0], table[0]
    assert len(out(gw, "outbox", "--all").splitlines()) == 106
    assert len(out(gw, "outbox", "--limit", "5").splitlines()) == 8
    assert len(json.loads(out(gw, "outbox", "--json"))) == 105
    close(sim, gw)


@t.test
def read_only_users_get_a_clear_error():
    sim, gw = rig(1)
    os.chmod(gw.dir, 0o755)
    for p in (os.path.dirname(gw.dir), os.path.dirname(os.path.dirname(gw.dir))):
        os.chmod(p, os.stat(p).st_mode | 0o005)
    for f in (gw.conf, gw.database, gw.database + "-wal", gw.database + "-shm"):
        if os.path.exists(f):
            os.chmod(f, 0o644)
    ro = subprocess.run(NOBODY + [SMSGW, "-c", gw.conf, "outbox", "--json"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert ro.returncode == 0, ro.stderr
    # Nobody cannot see the spool (0770), yet sees the daemon run.
    st = subprocess.run(NOBODY + [SMSGW, "-c", gw.conf, "status", "--json"],
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert st.returncode == 0, st.stderr
    assert json.loads(st.stdout)["daemon"]["running"], st.stdout
    for args in (["optout", "add", "+15554500001"], ["optout", "remove", "+15554500001"],
                 ["campaign", "pause", "x"], ["outbox", "cancel", "1"]):
        p = subprocess.run(NOBODY + [SMSGW, "-c", gw.conf, *args],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        err = p.stderr.decode()
        assert p.returncode == 1 and "may read" in err and gw.database in err, (args, err)
        assert "not an error" not in err and "INSERT" not in err and "UPDATE" not in err, err
        assert len(err.strip().splitlines()) == 1, err
    close(sim, gw)


@t.test
def report_to_stdout_with_one_opted_out_column():
    sim, gw = rig(1)
    gw.cli("send", "+15554600001", "-m", "hi", "--campaign", "spring")
    wait_for(lambda: gw.scalar("select state from outbox") == "sent", 10, "sent")
    html = out(gw, "report", "--campaign", "spring", "-o", "-")
    assert html.lstrip().startswith("<!DOCTYPE html") or "<html" in html, html[:100]
    assert html.count("opted") == 1 and "opted-out" not in html, html
    assert not os.path.exists(os.path.join(os.getcwd(), "-"))
    table = out(gw, "stats")
    assert table.count("opted") == 1, table
    assert "opted_out" in json.loads(out(gw, "stats", "--json"))
    close(sim, gw)


@t.test
def optout_list_names_the_sim_like_every_table():
    sim, gw = rig(1)
    sim.deliver(0, "+15554700001", "STOP")
    wait_for(lambda: gw.scalar("select count(*) from optouts") == 1, 10, "opt-out")
    table = out(gw, "optout", "list")
    assert "m0/1" in table.splitlines()[1], table
    j = json.loads(out(gw, "optout", "list", "--json"))[0]
    assert j["sim_name"] == "m0/1" and isinstance(j["sim"], int), j
    close(sim, gw)


t.done()
