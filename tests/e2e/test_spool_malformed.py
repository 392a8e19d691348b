#!/usr/bin/env python3
"""The 1,000 malformed spool files of tests/lib/spool_malformed.py, checked
with `smsgw send --check --json` (which reads a file exactly as the daemon
does): every one refused, with the category the generator expects, and a
reason that names the line where one applies. Prints TAP lines.
"""
import hashlib
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool_malformed  # noqa: E402
from gateway import SMSGW, tempdir  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
work = tempdir("smsgw-malformed-")
conf = os.path.join(work, "smsgw.conf")
with open(conf, "w") as f:
    f.write(f'spool = "{work}/spool"\ndatabase = "{work}/db.sqlite"\n'
            'default_country = "49"\n'
            # The corpus is malformed by the strict rules; smstools3's
            # lenient reading is test_compat.py's.
            'strict_headers = true\n'
            'modem "m1" {\n  device = "/dev/null"\n  sim "1" { }\n}\n')
bad = os.path.join(work, "bad")
entries = spool_malformed.generate(bad, seed=1, count=1000, fs=True)


def check_all(names):
    paths = [os.path.join(os.fsencode(bad), n.encode("latin-1")) for n in names]
    p = subprocess.run([SMSGW, "-c", conf, "send", "--check", "--json", "--",
                        *paths], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    return p.returncode, [json.loads(x) for x in p.stdout.splitlines()]


@t.test
def generator_makes_1000_files_over_every_category():
    assert len(entries) == 1000, len(entries)
    cats = {e["category"] for e in entries}
    want = {"syntax", "unknown-header", "duplicate-header", "value",
            "unsupported", "recipient", "no-recipient", "encoding", "limit",
            "placeholder", "csv", "file", "name"}
    assert cats == want, cats ^ want


@t.test
def generator_is_deterministic():
    def digest(d):
        h = hashlib.sha256()
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            h.update(name.encode())
            if os.path.isfile(p) and not os.path.islink(p):
                with open(p, "rb") as f:
                    h.update(f.read())
        return h.hexdigest()
    again = os.path.join(work, "again")
    spool_malformed.generate(again, seed=1, count=1000, fs=False)
    other = os.path.join(work, "other")
    spool_malformed.generate(other, seed=2, count=1000, fs=False)
    third = os.path.join(work, "third")
    spool_malformed.generate(third, seed=1, count=1000, fs=False)
    assert digest(again) == digest(third)
    assert digest(again) != digest(other)


@t.test
def every_malformed_file_is_refused_with_its_category():
    rc, out = check_all([e["name"] for e in entries])
    assert rc == 1, rc
    assert len(out) == len(entries), (len(out), len(entries))
    wrong = []
    for e, o in zip(entries, out):
        if o["ok"] or o["category"] != e["category"] or not o["reason"]:
            wrong.append((e["name"], e["why"], o.get("category"),
                          o.get("reason")))
    assert not wrong, wrong[:10]


@t.test
def reasons_name_the_line_for_content_errors():
    rc, out = check_all([e["name"] for e in entries])
    lined = {"syntax", "unknown-header", "duplicate-header", "recipient",
             "encoding", "csv", "unsupported"}
    missing = [o for e, o in zip(entries, out)
               if e["category"] in lined and e["why"] != "empty file"
               and not o["reason"].startswith("line ")]
    assert not missing, missing[:5]


@t.test
def a_valid_file_next_to_them_is_accepted():
    good = os.path.join(bad, "good-1")
    with open(good, "wb") as f:
        f.write(b"To: 01721234567\nCampaign: ok\n\nHello\n")
    rc, out = check_all(["good-1"])
    assert rc == 0 and out[0]["ok"], out
    assert out[0]["recipients"] == ["+491721234567"], out


t.done()
