"""Coming from smstools3 and Gammu SMSD (issue 14): their spool files,
eventhandler, SQL inserts, RunOnReceive and configs work unchanged. The
smstools3 scripts in tests/data/smstools3 are Debian's smstools 3.1.21
examples, byte for byte."""
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from flow_helpers import close, rig  # noqa: E402
from gateway import BUILD, Gateway, tempdir  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")

# What email2sms writes (formail -I "To: …" over the mail): mail headers,
# a folded Received:, the mail's To: value.
EMAIL2SMS = (
    "Return-Path: <herbert@example.com>\n"
    "Received: from mail.example.com (mail.example.com [192.0.2.1])\n"
    "\tby gw.example.com (Postfix) with ESMTP id 4F3A1\n"
    "From: Herbert <herbert@example.com>\n"
    "To: \"Herbert +15551230009\" <sms@localhost>\n"
    "Subject: table\n"
    "Date: Thu, 3 Dec 2026 09:30:00 +0100\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "\n"
    "Your table is ready.\n")


def sql(gw, statement):
    """Runs statement with the sqlite3 command-line client, as a user's
    script would."""
    # The CLI waits for no lock unless told: .timeout, as README says.
    subprocess.run(["sqlite3", "-cmd", ".timeout 5000", gw.database,
                    statement], check=True, capture_output=True, text=True)


def events(gw, word):
    return [r["message"] for r in gw.query("select message from events")
            if word in r["message"]]


@t.test
def email2sms_and_custom_headers_are_read_as_smsd_reads_them():
    gw = Gateway(settings={"default_country": "1"}).start()
    gw.drop("mail", EMAIL2SMS)
    gw.drop("custom", "To: 15551230008\nOrder-Ref: 42\nFlash: maybe\n"
                      "Report:\nClass: 1\nSMSC: 00 1555 000 0001\n"
                      "Reject_duplicates: yes\nMessage_reference: 3\n\n"
                      "Custom\n")
    wait_for(lambda: len(gw.query("select * from outbox")) == 2, 5, "two rows")
    rows = {r["recipient"]: r for r in gw.query("select * from outbox")}
    assert rows["+15551230009"]["body"] == "Your table is ready."
    assert rows["+15551230009"]["sender"] == "Herbert <herbert@example.com>"
    assert rows["+15551230008"]["smsc"] == "+15550000001", rows
    assert rows["+15551230008"]["sms_class"] == 1, rows
    # The events follow the commit that made the rows visible.
    wait_for(lambda: len(events(gw, "unknown headers ignored")) == 2, 5,
             "both warnings")
    warn = events(gw, "unknown headers ignored")
    assert any(w.startswith("mail: unknown headers ignored: Return-Path, "
                            "Received, Subject, Date, MIME-Version, "
                            "Content-Type") for w in warn), warn
    assert any(w.startswith("custom: unknown headers ignored: Order-Ref")
               for w in warn), warn
    note = [e for e in events(gw, "accepted custom")][0]
    assert "Flash: 'maybe' read as no" in note and "Message_reference" in note, note
    assert gw.stop() == 0


def decode(pdu):
    r = subprocess.run([os.path.join(BUILD, "smsgw"), "pdu", "decode", pdu],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


@t.test
def smstools3_pdu_headers_reach_the_network():
    sim, gw = rig()
    gw.drop("pdu", "To: 15552000051\nSMSC: 15550000002\nClass: 2\n"
                   "Reject_duplicates: yes\nReplace: 4\nAutosplit: 1\n\n"
                   + "y" * 200 + "\n")
    wait_for(lambda: len(sim.submits(dest="+15552000051")) == 2, 15, "two parts")
    for part in sim.submits(dest="+15552000051"):
        assert part["concat"] is None, part   # Autosplit: 1
        d = decode(part["pdu"])
        assert d["smsc"] == "+15550000002", d
        assert d["class"] == 2 and d["pid"] == 0x44, d
        sca = int(part["pdu"][:2], 16)
        first = int(part["pdu"][2 + 2 * sca:4 + 2 * sca], 16)
        assert first & 0x04, part["pdu"]       # TP-RD
    close(sim, gw)


@t.test
def strict_headers_keeps_refusing():
    gw = Gateway(settings={"default_country": "1", "strict_headers": True}).start()
    gw.drop("mail", EMAIL2SMS)
    path = os.path.join(gw.spool, "rejected", "mail.reason")
    wait_for(lambda: os.path.exists(path), 5, "mail.reason")
    with open(path) as f:
        assert "unknown header 'Return-Path'" in f.read()
    assert gw.stop() == 0


@t.test
def autosplit_zero_refuses_a_long_text():
    gw = Gateway(settings={"default_country": "1"}).start()
    gw.drop("long", "To: 15551230007\nAutosplit: 0\n\n" + "x" * 200 + "\n")
    path = os.path.join(gw.spool, "rejected", "long.reason")
    wait_for(lambda: os.path.exists(path), 5, "long.reason")
    with open(path) as f:
        assert "Autosplit: 0 allows one" in f.read()
    assert gw.stop() == 0


@t.test
def insert_into_outbox_is_sent_and_bad_rows_fail_with_a_reason():
    sim, gw = rig()
    sql(gw, "INSERT INTO outbox(recipient, body, campaign) "
            "VALUES ('+15552000001', 'from sqlite3', 'sqlc')")
    m = sim.wait_message(lambda m: m["dest"] == "+15552000001", timeout=15)
    assert m["text"] == "from sqlite3", m
    row = gw.query("select * from outbox where recipient = '+15552000001'")[0]
    assert row["origin"] == "sql" and row["campaign"] == "sqlc", dict(row)
    sql(gw, "INSERT INTO outbox(recipient, body) VALUES ('not a number', 'x');"
            "INSERT INTO outbox(recipient, body, priority) "
            "VALUES ('+15552000002', 'y', 'urgent');"
            "INSERT INTO outbox(recipient, body) VALUES ('+15552000003', NULL)")
    wait_for(lambda: gw.scalar("select count(*) from outbox where state = "
                               "'failed'") == 3, 10, "three failed rows")
    errors = sorted(r["error"] for r in gw.query(
        "select error from outbox where state = 'failed'"))
    assert errors[0] == "Priority: 'urgent' is not high, normal or low", errors
    assert errors[1] == "To: 'not a number': letter 'n' is not allowed in a number" \
        or errors[1].startswith("To: 'not a number'"), errors
    assert errors[2] == "no body", errors
    # The same id twice: the second is a duplicate, and says so.
    sql(gw, "INSERT INTO outbox(recipient, body, id) VALUES ('+15552000004', 'a', 'k1');"
            "INSERT INTO outbox(recipient, body, id) VALUES ('+15552000004', 'a', 'k1')")
    wait_for(lambda: gw.scalar("select count(*) from outbox where recipient = "
                               "'+15552000004'") == 2, 10, "both rows")
    assert gw.scalar("select error from outbox where recipient = '+15552000004' "
                     "and state = 'failed'") == "id 'k1' was queued before"
    assert gw.scalar("select count(*) from outbox_in") == 0
    close(sim, gw)


@t.test
def gammu_views_insert_and_processed():
    sim, gw = rig()
    sql(gw, "INSERT INTO gammu_outbox(DestinationNumber, TextDecoded, CreatorID) "
            "VALUES ('+15552000011', 'gammu style', 'script')")
    sim.wait_message(lambda m: m["dest"] == "+15552000011", timeout=15)
    # SendingDateTime is the writer's local time; DeliveryReport asks.
    sql(gw, "INSERT INTO gammu_outbox(DestinationNumber, TextDecoded, "
            "SendingDateTime, DeliveryReport) VALUES ('+15552000013', 'later', "
            "datetime('now', 'localtime', '+1 hour'), 'yes');"
            "INSERT INTO gammu_outbox(DestinationNumber, TextDecoded, "
            "SendingDateTime) VALUES ('+15552000014', 'when?', 'soon')")
    wait_for(lambda: gw.scalar("select count(*) from outbox where recipient "
                               "in ('+15552000013', '+15552000014')") == 2,
             10, "both rows")
    later = gw.query("select * from outbox where recipient = '+15552000013'")[0]
    assert later["state"] == "deferred", dict(later)
    assert gw.scalar("select report from message where recipient = "
                     "'+15552000013'") == 1
    assert gw.scalar("select error from outbox where recipient = "
                     "'+15552000014'").startswith("Send-At: 'soon'")
    # RelativeValidity (a TP-VP code) and Class are honoured; a UDH of
    # one's own is refused at the INSERT, with a message.
    sql(gw, "INSERT INTO gammu_outbox(DestinationNumber, TextDecoded, "
            "RelativeValidity, Class) VALUES ('+15552000015', 'v', 167, 1)")
    wait_for(lambda: gw.scalar("select count(*) from outbox where recipient "
                               "= '+15552000015'") == 1, 10, "the row")
    assert gw.scalar("select validity from message where recipient = "
                     "'+15552000015'") == 1440
    assert gw.scalar("select sms_class from outbox where recipient = "
                     "'+15552000015'") == 1
    r = subprocess.run(["sqlite3", "-cmd", ".timeout 5000", gw.database,
                        "INSERT INTO gammu_outbox(DestinationNumber, "
                        "TextDecoded, UDH) VALUES ('+15552000016', 'u', "
                        "'050003010201')"], capture_output=True, text=True)
    assert r.returncode != 0 and "UDH is not supported" in r.stderr, r
    sim.deliver(0, "+15552000012", "hello gammu")
    wait_for(lambda: gw.scalar("select count(*) from gammu_inbox") == 1, 15, "inbox")
    row = gw.query("select * from gammu_inbox")[0]
    assert row["SenderNumber"] == "+15552000012" and row["TextDecoded"] == "hello gammu"
    assert row["Processed"] == "false"
    sql(gw, f"UPDATE gammu_inbox SET Processed = 'true' WHERE ID = {row['ID']}")
    assert gw.scalar("select processed from inbox") == 1
    sql(gw, "UPDATE inbox SET processed = 0")
    assert gw.scalar("select Processed from gammu_inbox") == "false"
    close(sim, gw)


@t.test
def daemon_checks_its_triggers_at_start():
    gw = Gateway(settings={"default_country": "1"}).start()
    assert gw.stop() == 0
    # A trigger someone added: named in a warning, the daemon runs.
    sql(gw, "CREATE TRIGGER spy AFTER INSERT ON event BEGIN SELECT 1; END")
    gw.start()
    wait_for(lambda: gw.count_events("views or triggers smsgw did not make: "
                                     "spy") == 1, 5, "the warning")
    assert gw.stop() == 0
    # One of ours changed: the daemon refuses to start, and says why.
    sql(gw, "DROP TRIGGER outbox_insert; CREATE TRIGGER outbox_insert INSTEAD "
            "OF INSERT ON outbox BEGIN SELECT 1; END")
    gw.start(wait=False)
    wait_for(lambda: not gw.running(), 10, "smsgwd to exit")
    assert "trigger outbox_insert is not the one smsgw made" in gw.log_text()
    # A view changed, the same.
    sql(gw, "DROP TRIGGER outbox_insert; DROP VIEW sims; "
            "CREATE VIEW sims AS SELECT 1 AS id")
    gw.start(wait=False)
    wait_for(lambda: not gw.running(), 10, "smsgwd to exit")
    assert "view sims is not the one smsgw made" in gw.log_text()


HANDLER = """#!/bin/sh
# An smstools3-style handler: logs its arguments and keeps the file.
echo "$1 $2 $3" >> "{log}/calls"
cp "$2" "{log}/$1.$(basename "$2")"
"""


@t.test
def eventhandler_gets_smstools3_files():
    work = tempdir("smsgw-eh-")
    log = os.path.join(work, "log")
    os.makedirs(log)
    handler = os.path.join(work, "handler")
    with open(handler, "w") as f:
        f.write(HANDLER.format(log=log))
    os.chmod(handler, 0o755)
    dirs = {k: os.path.join(work, k) for k in ("incoming", "sent", "failed")}
    sim, gw = rig(settings={"eventhandler": handler, **dirs})
    sim.status_reports(None, delay_ms=50, status=0)
    gw.drop("out", "To: 15552000021\nReport: yes\n\nhello handler\n")
    sim.deliver(0, "+15552000022", "reply text")
    calls = lambda: open(os.path.join(log, "calls")).read().split("\n") \
        if os.path.exists(os.path.join(log, "calls")) else []
    wait_for(lambda: {c.split(" ")[0] for c in calls() if c} >=
             {"SENT", "REPORT", "RECEIVED"}, 20, "SENT, REPORT, RECEIVED")
    by = {c.split(" ")[0]: c.split(" ") for c in calls() if c}
    sent = open(by["SENT"][1]).read()
    head, body = sent.split("\n\n", 1)
    assert body == "hello handler", sent
    assert "To: 15552000021" in head and "Modem: m0/1" in head, sent
    assert "Sent: " in head and f"Message_id: {by['SENT'][2]}" in head, sent
    assert os.path.dirname(by["SENT"][1]) == dirs["sent"]
    report = open(by["REPORT"][1]).read()
    assert "SMS STATUS REPORT" in report and "Status: 0,Ok" in report, report
    assert f"Message_id: {by['REPORT'][2]}" in report, report
    rec = open(by["RECEIVED"][1]).read()
    head, body = rec.split("\n\n", 1)
    assert "From: 15552000022" in head and "Received: " in head, rec
    assert body == "reply text", rec
    assert os.path.dirname(by["RECEIVED"][1]) == dirs["incoming"]
    close(sim, gw)


@t.test
def eventhandler_file_without_directories_is_removed_after():
    work = tempdir("smsgw-eh-")
    log = os.path.join(work, "log")
    os.makedirs(log)
    handler = os.path.join(work, "handler")
    with open(handler, "w") as f:
        f.write(HANDLER.format(log=log))
    os.chmod(handler, 0o755)
    sim, gw = rig(settings={"eventhandler": handler})
    sim.deliver(0, "+15552000023", "no directories")
    path = os.path.join(log, "calls")
    wait_for(lambda: os.path.exists(path) and "RECEIVED" in open(path).read(),
             15, "RECEIVED")
    event, file, *_ = open(path).read().split(" ")
    assert os.path.dirname(file) == os.path.join(os.path.dirname(gw.database),
                                                 "eventhandler"), file
    copy = os.path.join(log, "RECEIVED." + os.path.basename(file))
    # The handler logs its call, then copies the file.
    wait_for(lambda: os.path.exists(copy) and
             open(copy).read().endswith("\n\nno directories"), 10, "the copy")
    wait_for(lambda: not os.path.exists(file), 10, "the file removed")
    close(sim, gw)


@t.test
def smstools3_example_handler_runs_unchanged():
    """Debian's examples/scripts/eventhandler-utf-8 rewrites the file with
    iconv and chmods it 644: both show it ran on our file."""
    work = tempdir("smsgw-eh-")
    handler = os.path.join(work, "eventhandler-utf-8")
    shutil.copy(os.path.join(DATA, "smstools3", "eventhandler-utf-8"), handler)
    os.chmod(handler, 0o755)
    incoming = os.path.join(work, "incoming")
    sim, gw = rig(settings={"eventhandler": handler, "incoming": incoming})
    sim.deliver(0, "+15552000031", "plain ascii")
    wait_for(lambda: os.path.isdir(incoming) and any(
        stat.S_IMODE(os.stat(os.path.join(incoming, n)).st_mode) == 0o644
        for n in os.listdir(incoming)), 15, "the file chmod 644 by the handler")
    name = os.listdir(incoming)[0]
    text = open(os.path.join(incoming, name)).read()
    assert text.endswith("\n\nplain ascii") and "From: 15552000031" in text, text
    close(sim, gw)


RUNONRECEIVE = """#!/bin/sh
{{ echo "args=$*"; echo "n=$SMS_MESSAGES"; echo "num=$SMS_1_NUMBER";
  echo "text=$SMS_1_TEXT"; echo "parts=$DECODED_PARTS"; }} > "{out}"
"""


@t.test
def runonreceive_gets_gammu_variables():
    work = tempdir("smsgw-ror-")
    out = os.path.join(work, "out")
    script = os.path.join(work, "ror")
    with open(script, "w") as f:
        f.write(RUNONRECEIVE.format(out=out))
    os.chmod(script, 0o755)
    sim, gw = rig(settings={"runonreceive": script})
    sim.deliver(0, "+15552000041", "it's \"quoted\" $HOME `x`")
    wait_for(lambda: os.path.exists(out) and open(out).read().count("\n") == 5,
             15, "runonreceive output")
    lines = dict(l.split("=", 1) for l in open(out).read().splitlines())
    inbox_id = gw.scalar("select id from inbox")
    assert lines == {"args": str(inbox_id), "n": "1", "num": "+15552000041",
                     "text": "it's \"quoted\" $HOME `x`", "parts": "0"}, lines
    close(sim, gw)


@t.test
def migrate_debian_example_configs():
    work = tempdir("smsgw-mig-")
    cases = [("smstools3", f) for f in sorted(os.listdir(os.path.join(DATA, "migrate")))
             if f.startswith("smsd.conf")]
    cases += [("gammu", f) for f in ("gammu-smsdrc", "gammu-example-smsdrc")]
    for kind, name in cases:
        src = os.path.join(DATA, "migrate", name)
        r = subprocess.run([os.path.join(BUILD, "smsgw"), "migrate", kind, src],
                           capture_output=True, text=True)
        assert r.returncode == 0, (name, r.stderr)
        conf = os.path.join(work, name + ".smsgw.conf")
        with open(conf, "w") as f:
            f.write(r.stdout)
        chk = subprocess.run([os.path.join(BUILD, "smsgwd"), "-t", "-c", conf],
                             capture_output=True, text=True)
        assert chk.returncode == 0, (name, chk.stderr, r.stdout)
        # Every setting of the source is either mapped or named in a comment.
        keys = [l.split("=", 1)[0].strip() for l in open(src)
                if "=" in l and not l.lstrip().startswith(("#", ";"))]
        renamed = {"incoming": "receive", "port": "device",
                   "connection": "device", "queues": "pool"}
        for k in keys:
            assert k.lower() in r.stdout.lower() or \
                renamed.get(k.lower(), "\0") in r.stdout, (name, k)
    out = subprocess.run([os.path.join(BUILD, "smsgw"), "migrate", "smstools3",
                          os.path.join(DATA, "migrate", "smsd.conf.full")],
                         capture_output=True, text=True).stdout
    assert 'modem "GSM1"' in out and 'modem "GSM2"' in out, out
    assert 'pool = "OTHER"' in out and "baudrate = 19200" in out, out
    assert "delaytime = 10: no equivalent" in out, out


t.done()
