#!/usr/bin/env python3
"""End-to-end test of `smsgw pdu decode` and `pdu encode` (doc/contract.md §6).

Runs build/smsgw, parses its JSON, and checks the contract's keys and values,
the exit statuses (0, 1 with one line on stderr, 2 for usage), and that
encode's output decodes back to the same message. Prints TAP lines.
"""
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from gateway import SMSGW  # noqa: E402
from tap import Tap  # noqa: E402

tap = Tap()
check = tap.check


def run(*args, stdin=None):
    p = subprocess.run([SMSGW, "pdu", *args], input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")



def decode(hexpdu):
    rc, out, err = run("decode", hexpdu)
    if rc != 0:
        raise AssertionError(f"decode {hexpdu}: rc {rc}: {err}")
    return json.loads(out)


def encode(*args):
    rc, out, err = run("encode", *args)
    if rc != 0:
        raise AssertionError(f"encode {args}: rc {rc}: {err}")
    return json.loads(out)


def joined(enc, ref=None):
    """Decodes every part and joins the texts in concat order."""
    parts = [decode(p["pdu"]) for p in enc["parts"]]
    if len(parts) > 1:
        refs = {p["concat"]["ref"] for p in parts}
        assert len(refs) == 1, refs
        assert [p["concat"]["seq"] for p in parts] == \
            list(range(1, len(parts) + 1))
        assert all(p["concat"]["total"] == len(parts) for p in parts)
    return "".join(p["text"] for p in parts), parts


def test_decode_deliver():
    # oFono unit/test-sms.c "simple_deliver"
    d = decode("07911326040000F0040B911346610089F60000208062917314480CC8F7"
               "1D14969741F977FD07")
    want = {"type": "deliver", "smsc": "+31624000000",
            "sender": "+31641600986", "sender_type": "international",
            "timestamp": "2002-08-26T19:37:41-01:00", "dcs": 0,
            "encoding": "gsm7", "text": "How are you?", "concat": None,
            "status_report_indication": False}
    check("decode deliver: contract keys and values",
          all(d.get(k) == v for k, v in want.items()), d)
    # oFono "alnum_sender"
    d = decode("0791447758100650040DD0F334FC1CA6970100008080312170224008D4"
               "F29CDE0EA7D9")
    check("decode deliver: alphanumeric sender",
          d["sender"] == "sipgate" and d["sender_type"] == "alphanumeric",
          d)
    # ModemManager test_pdu_multipart part 2: concat IE 0x00
    d = decode("07912160130320F6440B916171056429F5000021405291651569320500"
               "034C0202E9E8301D44479741F0B09C3E0785E56590BCCC0ED3CB6410FD"
               "0D7ABBCBA0B0FB4D4797E52E10")
    check("decode deliver: concat object",
          d["concat"] == {"ref": 0x4c, "total": 2, "seq": 2}, d)


def test_decode_report_and_submit():
    # ModemManager test_pdu_not_stored
    d = decode("07914356060013F1065A098136397339F721901170046380219011700"
               "4638030")
    want = {"type": "status-report", "mr": 90, "recipient": "639337937",
            "scts": "2012-09-11T07:40:36+02:00",
            "discharge": "2012-09-11T07:40:36+02:00", "status": 48}
    check("decode status report: contract keys and values",
          all(d.get(k) == v for k, v in want.items()), d)
    d = decode("0011000B916407281553F80000AA0AE8329BFD4697D9EC37")
    check("decode submit (stored sent message)",
          d["type"] == "submit" and d["recipient"] == "+46708251358" and
          d["text"] == "hellohello" and d["validity_minutes"] == 5760, d)
    rc, out, err = run("decode", "-", stdin=b"0011000B916407281553F80000AA"
                       b"0AE8329BFD4697D9EC37\r\n")
    check("decode - reads standard input",
          rc == 0 and json.loads(out)["text"] == "hellohello", err)


def test_decode_errors():
    bad = ["", "0", "zz", "00", "0003", "00040B91", "07911326040000F004",
           "00040B915155552143F500002131724150000005E8329BFD06",
           "00040B915155552143F5000021307241500000A1"]
    for h in bad:
        rc, out, err = run("decode", h)
        lines = err.strip().split("\n")
        check(f"decode {h!r}: exit 1, one line on stderr",
              rc == 1 and out == "" and len(lines) == 1 and
              lines[0].startswith("smsgw: pdu decode: "), (rc, out, err))
    rc, out, err = run("decode")
    check("decode without HEX: usage, exit 2", rc == 2, (rc, err))
    rc, out, err = run("frobnicate")
    check("unknown pdu subcommand: usage, exit 2", rc == 2, (rc, err))


def test_decode_garbage_never_crashes():
    rnd = random.Random(1127)
    crashed = []
    for i in range(300):
        n = rnd.randrange(0, 120)
        h = "".join(rnd.choice("0123456789ABCDEF") for _ in range(2 * n))
        if i % 3 == 0:  # start from a valid PDU and corrupt it
            h = ("0011000B916407281553F80000AA0AE8329BFD4697D9EC37"[:2 * n])
            h = h[:len(h) // 2 * 2]
        rc, out, err = run("decode", h)
        if rc not in (0, 1) or (rc == 1 and err.count("\n") != 1):
            crashed.append((h, rc, err))
        elif rc == 0:
            json.loads(out)
    check("decode 300 random PDUs: exit 0 or 1, never a crash",
          not crashed, crashed[:3])


def test_encode_single():
    e = encode("+15551234567", "Hello world")
    p = e["parts"]
    check("encode: contract keys",
          e["encoding"] == "gsm7" and len(p) == 1 and
          set(p[0]) == {"pdu", "tpdu_length"}, e)
    check("encode: SMSC prefix 00 and TPDU length",
          p[0]["pdu"].startswith("00") and
          p[0]["tpdu_length"] * 2 + 2 == len(p[0]["pdu"]), p)
    d = decode(p[0]["pdu"])
    check("encode then decode: same recipient and text",
          d["type"] == "submit" and d["recipient"] == "+15551234567" and
          d["text"] == "Hello world" and not d["status_report_request"], d)


def test_encode_options():
    e = encode("--report", "--flash", "--validity", "1d", "0171234567",
               "Code 1234")
    d = decode(e["parts"][0]["pdu"])
    check("encode --report --flash --validity 1d",
          d["status_report_request"] and d["class"] == 0 and
          d["validity_minutes"] == 1440 and
          d["recipient"] == "0171234567" and
          d["recipient_type"] == "national", d)
    for v, minutes in (("30m", 30), ("12h", 720), ("1d", 1440),
                       ("1w", 10080), ("90", 90), ("7", 10)):
        d = decode(encode("--validity", v, "+15551234567",
                          "x")["parts"][0]["pdu"])
        check(f"encode --validity {v}: TP-VP {minutes} minutes",
              d["validity_minutes"] == minutes, d)
    e = encode("--ucs2", "+15551234567", "plain")
    check("encode --ucs2", e["encoding"] == "ucs2" and
          decode(e["parts"][0]["pdu"])["text"] == "plain", e)
    e = encode("--smart", "+15551234567", "“Quotes” — and…")
    check("encode --smart maps look-alikes to GSM",
          e["encoding"] == "gsm7" and e["smart_applied"] and
          joined(e)[0] == '"Quotes" - and...', e)


def test_encode_multipart():
    text = ("Multipart {test} with € and more. " * 12).strip()
    e = encode("--ref", "77", "+15551234567", text)
    got, parts = joined(e)
    check("encode long GSM text: parts join back",
          got == text and len(parts) == e["parts"].__len__() > 1 and
          parts[0]["concat"]["ref"] == 77, (len(parts), got[:40]))
    text = "Emoji 😀 and кириллица, " * 10
    e = encode("--ref16", "--ref", "4660", "+15551234567", text)
    got, parts = joined(e)
    check("encode long UCS-2 text with emoji: parts join back",
          e["encoding"] == "ucs2" and got == text and len(parts) > 1 and
          parts[0]["concat"]["ref"] == 4660, (len(parts), got[:40]))
    e = encode("--language", "tr", "+905321234567", "Işık ğüşöç " * 20)
    got, parts = joined(e)
    check("encode --language tr: GSM 7-bit with Turkish shift",
          e["encoding"] == "gsm7" and e["language"] == "turkish" and
          got == "Işık ğüşöç " * 20, e["encoding"])


def test_encode_errors():
    for args, rc_want, what in (
            (["--validity", "2x", "+15551234567", "x"], 2, "bad validity"),
            (["--validity", "64w", "+15551234567", "x"], 2, "validity > 63w"),
            (["--language", "xx", "+15551234567", "x"], 2, "bad language"),
            (["--bogus", "+15551234567", "x"], 2, "unknown option"),
            (["+15551234567"], 2, "missing TEXT"),
            (["abc", "x"], 1, "bad number"),
            (["+12", "x"], 1, "too short international number"),
            (["+15551234567", "a" * 40000], 1, "over 255 parts")):
        rc, out, err = run("encode", *args)
        check(f"encode {what}: exit {rc_want}",
              rc == rc_want and out == "" and err.startswith("smsgw: "),
              (rc, err))
    p = subprocess.run([SMSGW, "pdu", "encode", "+15551234567", b"ab\xff"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check("encode invalid UTF-8: exit 1 naming the byte",
          p.returncode == 1 and b"UTF-8 at byte 2" in p.stderr, p.stderr)


def main():
    if not os.access(SMSGW, os.X_OK):
        print(f"not ok - {SMSGW} not built")
        return 1
    for test in (test_decode_deliver, test_decode_report_and_submit,
                 test_decode_errors, test_decode_garbage_never_crashes,
                 test_encode_single, test_encode_options,
                 test_encode_multipart,
                 test_encode_errors):
        try:
            test()
        except Exception as ex:  # a failed decode/encode inside a test
            check(test.__name__, False, repr(ex))
    tap.done()


if __name__ == "__main__":
    sys.exit(main())
