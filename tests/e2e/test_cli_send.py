#!/usr/bin/env python3
"""End-to-end test of `smsgw send` (doc/contract.md §6): runs build/smsgw with a
temporary configuration and no daemon, and checks the spool file it leaves
in outgoing/ (atomic, unique, 0640, the parse of it by `send --check`),
--dry-run (nothing written; encoding, parts, pool, recipients), --check on
smstools3 files, and the exit statuses: 0, 1 with one line on stderr, 2 for
usage. Prints TAP lines.
"""
import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from gateway import SMSGW, tempdir  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
work = tempdir("smsgw-send-")
spool = os.path.join(work, "spool")          # does not exist yet
outgoing = os.path.join(spool, "outgoing")
conf = os.path.join(work, "smsgw.conf")
with open(conf, "w") as f:
    f.write(f'''spool = "{spool}"
database = "{work}/db.sqlite"
default_country = "49"
max_parts = 4
modem "m1" {{
    device = "/dev/null"
    sim "1" {{ pool = "marketing" }}
    sim "2" {{ }}
}}
''')


def send(*args, stdin=None, config=conf):
    p = subprocess.run([SMSGW, "-c", config, "send", *args],
                       input=stdin if stdin is not None else b"",
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def files():
    return sorted(os.listdir(outgoing)) if os.path.isdir(outgoing) else []


def check(path):
    rc, out, err = send("--check", "--json", path)
    assert rc == 0, (rc, out, err)
    return json.loads(out)


def read(path):
    with open(path, "rb") as f:
        return f.read()


@t.test
def send_writes_one_file_into_outgoing():
    rc, out, err = send("-m", "Your table is ready.", "0172 1234567")
    assert rc == 0, (rc, err)
    path = out.strip()
    assert os.path.dirname(path) == outgoing, path
    assert files() == [os.path.basename(path)], files()
    assert os.listdir(os.path.join(spool, "tmp")) == []
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert read(path) == (b"To: +491721234567\nAlphabet: UTF-8\n\n"
                          b"Your table is ready.\n"), read(path)
    got = check(path)
    assert got["recipients"] == ["+491721234567"], got
    assert got["kind"] == "direct" and got["body"] == "Your table is ready."
    assert got["encoding"] == "gsm7" and got["parts"] == 1, got
    os.unlink(path)


@t.test
def every_option_becomes_a_header_the_daemon_reads():
    rc, out, err = send("--campaign", "Spring sale", "--report", "--flash",
                        "--at", "2026-12-01T09:00:00+01:00", "--kind", "bulk",
                        "--priority", "low", "--pool", "marketing",
                        "--id", "order-4711", "--validity", "2h", "-m", "hi",
                        "+15551234567", "s12345", "491721234567")
    assert rc == 0, (rc, err)
    path = out.strip()
    text = read(path).decode()
    for line in ["To: +15551234567", "To: s12345", "To: +491721234567",
                 "Kind: bulk", "Campaign: Spring sale", "Priority: low",
                 "Send-At: 2026-12-01T08:00:00Z", "Report: yes", "Flash: yes",
                 "Validity: 2h", "Pool: marketing", "Id: order-4711"]:
        assert line + "\n" in text, (line, text)
    got = check(path)
    assert got["recipients"] == ["+15551234567", "12345", "+491721234567"]
    assert (got["campaign"], got["priority"], got["kind"]) == \
        ("Spring sale", "low", "bulk"), got
    assert got["send_at"] == "2026-12-01T08:00:00Z", got
    assert got["report"] is True and got["flash"] is True, got
    assert got["validity_minutes"] == 120 and got["pool"] == "marketing"
    assert got["id"] == "order-4711", got
    os.unlink(path)


@t.test
def text_from_standard_input_and_sim_pinning():
    body = "Grüße aus Köln 😀\nZeile zwei\n".encode()
    rc, out, err = send("--sim", "m1/2", "--no-report", "+491721234567",
                        stdin=body)
    assert rc == 0, (rc, err)
    got = check(out.strip())
    assert got["body"] == "Grüße aus Köln 😀\nZeile zwei", got["body"]
    assert got["sim"] == "m1/2" and got["report"] is False, got
    assert got["encoding"] == "ucs2", got
    os.unlink(out.strip())


@t.test
def dry_run_writes_nothing_and_shows_the_message():
    before = files()
    rc, out, err = send("--dry-run", "--pool", "marketing", "-m", "x" * 200,
                        "01721234567", "+491721234567", "+15551234567")
    assert rc == 0, (rc, err)
    assert files() == before
    for want in ["recipients: 2 (1 duplicate removed)", "  +491721234567",
                 "  +15551234567", "kind:       bulk", "pool:       marketing",
                 "encoding:   gsm7, 2 parts"]:
        assert want in out, (want, out)
    rc, out, err = send("--dry-run", "--json", "-m", "Привет", "+15551234567")
    assert rc == 0, (rc, err)
    got = json.loads(out)
    assert got["dry_run"] is True and got["file"] is None, got
    assert got["encoding"] == "ucs2" and got["parts"] == 1, got
    assert got["pool"] is None and got["recipients_total"] == 1, got
    assert files() == before


@t.test
def json_after_a_real_send_names_the_file():
    rc, out, err = send("--json", "-m", "hello", "+15551234567")
    assert rc == 0, (rc, err)
    got = json.loads(out)
    assert got["dry_run"] is False and os.path.exists(got["file"]), got
    os.unlink(got["file"])


@t.test
def bad_input_exits_1_with_one_line():
    cases = [
        (["-m", "hi", "abc"], "invalid number 'abc': letter 'a'"),
        (["-m", "hi", "+4917212;34567"], "character ';' is not allowed"),
        (["-m", "hi", "112"], "too short"),
        (["--pool", "sales", "-m", "hi", "+15551234567"], "no pool 'sales'"),
        (["--sim", "m9/1", "-m", "hi", "+15551234567"], "no modem 'm9'"),
        (["-m", "y" * 700, "+15551234567"], "needs 5 parts; max_parts is 4"),
        (["-m", "Hi {{name}}", "+15551234567"], "{{placeholder}}"),
        (["-m", "bell\a", "+15551234567"], "control character U+0007"),
    ]
    for args, want in cases:
        rc, out, err = send(*args)
        assert rc == 1, (args, rc, err)
        assert want in err, (args, err)
        assert len(err.strip().splitlines()) == 1, err
        assert out == "", out
    rc, out, err = send("+15551234567", stdin=b"caf\xe9\n")
    assert rc == 1 and "not valid UTF-8" in err, err
    rc, out, err = send("+15551234567", stdin=b"")
    assert rc == 1 and "standard input is empty" in err, err
    rc, out, err = send("-m", "hi", "+15551234567",
                        config=os.path.join(work, "missing.conf"))
    assert rc == 1, (rc, err)
    assert files() == []


@t.test
def usage_errors_exit_2():
    cases = [
        [],
        ["-m", "hi"],
        ["--priority", "urgent", "-m", "hi", "+15551234567"],
        ["--kind", "maybe", "-m", "hi", "+15551234567"],
        ["--validity", "forever", "-m", "hi", "+15551234567"],
        ["--at", "tomorrow", "-m", "hi", "+15551234567"],
        ["--pool", "marketing", "--sim", "m1/1", "-m", "hi", "+15551234567"],
        ["--campaign", "a\nTo: +15550000000", "-m", "hi", "+15551234567"],
        ["--bogus", "+15551234567"],
        ["--check"],
    ]
    for args in cases:
        rc, out, err = send(*args)
        assert rc == 2, (args, rc, err)
        assert err.strip(), args
    assert files() == []


@t.test
def sends_in_parallel_get_unique_names():
    def one(i):
        return send("-m", f"message {i}", "+15551234567")
    with ThreadPoolExecutor(8) as ex:
        results = list(ex.map(one, range(24)))
    paths = [out.strip() for rc, out, err in results if rc == 0]
    assert len(paths) == 24, [r for r in results if r[0]]
    assert len(set(paths)) == 24
    assert len(files()) == 24
    bodies = sorted(check(p)["body"] for p in paths)
    assert bodies == sorted(f"message {i}" for i in range(24)), bodies
    for p in paths:
        os.unlink(p)


@t.test
def check_takes_smstools3_files_unchanged():
    d = os.path.join(work, "st3")
    os.makedirs(d)
    samples = {
        "easy": (b"To: 491721234567\n\nHello, this is the sms.\n",
                 "+491721234567", "Hello, this is the sms."),
        "complex": (b"To: 491721234567\nFlash: yes\nAlphabet: ISO\n\n"
                    b"Hello Stefan, how are you?\n", "+491721234567",
                    "Hello Stefan, how are you?"),
        "unicode": (b"To: 491721234567\nAlphabet: UCS2\n\n"
                    b"\x4e\x2d\x5c\x31\x81\xea\x5b\xb6\n", "+491721234567",
                    "中就自家"),
        "latin9": (b"To: 491721234567\nQueue: marketing\n\nGr\xfc\xdfe \xa4\n",
                   "+491721234567", "Grüße €"),
        "short": (b"To: s12345\nReport: yes\n\nSTOP\n", "12345", "STOP"),
    }
    for name, (data, number, body) in samples.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        got = check(os.path.join(d, name))
        assert got["recipients"] == [number], (name, got)
        assert got["body"] == body, (name, got["body"])
    got = check(os.path.join(d, "latin9"))
    assert got["pool"] == "marketing", got


@t.test
def check_refuses_with_category_and_line():
    d = os.path.join(work, "refused")
    os.makedirs(d)
    with open(os.path.join(d, "foo"), "wb") as f:
        f.write(b"To: +491721234567\nPriority: urgent\n\nx\n")
    os.symlink(os.path.join(d, "foo"), os.path.join(d, "link"))
    rc, out, err = send("--check", os.path.join(d, "foo"),
                        os.path.join(d, "link"))
    assert rc == 1, rc
    lines = err.strip().splitlines()
    assert lines == [
        f"smsgw: {d}/foo: line 2: Priority: 'urgent' is not high, normal or "
        "low (value)",
        f"smsgw: {d}/link: a symbolic link, not a regular file (file)",
    ], lines
    rc, out, err = send("--check", "--json", os.path.join(d, "foo"))
    got = json.loads(out)
    assert (got["ok"], got["category"], got["line"]) == \
        (False, "value", 2), got


t.done()
