#!/usr/bin/env python3
"""Malformed spool files, each one the daemon must refuse with a reason.

    python3 tests/lib/spool_malformed.py [--seed N] [--count 1000] [--fs] OUTDIR

Writes OUTDIR/bad-NNNN-<category> files and OUTDIR/manifest.json, a list of
{"name", "category", "why"}: the file name (bytes as latin-1 when --fs makes
odd names), the reason category the daemon's .reason file and
`smsgw send --check --json` give (spool_error_code_name() in
include/spool_parse.h), and what is wrong with it. The same seed gives the
same files.

Every family of doc/contract.md §4's hostile input is covered, round robin, each
with random variations around a valid file (numbers, header order,
bodies): syntax, unknown and repeated headers, bad values, smstools3
features we refuse, bad numbers (CR, LF, NUL, ';', '"' in them…), no
recipient, bad UTF-8 / UCS-2 / NUL / control bytes, limits, placeholders
without values, broken CSV sections. With --fs it also makes what only a
file system can hold: symbolic links, FIFOs, directories, hard links
(category "file") and odd names (category "name").

The expectations assume the default limits: max_parts at most 20 (so a
body over 20,000 bytes is too long), lines of at most 8192 bytes, 64 header
lines, and a max_file_size of at least 1 MB.

Import it to use from a test:

    import spool_malformed
    entries = spool_malformed.generate(outdir, seed=1, count=1000, fs=True)
"""
import argparse
import json
import os
import random

# Headers that may appear once, with a valid value each.
SINGLE = [
    ("Kind", "bulk"), ("Campaign", "spring"), ("Priority", "high"),
    ("Send-At", "2026-11-27T08:00:00+02:00"), ("Report", "yes"),
    ("Flash", "no"), ("Validity", "1d"), ("Pool", "default"),
    ("Id", "order-1"), ("Alphabet", "UTF-8"), ("Retries", "2"),
    ("Language", "Spanish"), ("Class", "1"), ("SIM", "m1/1"),
]

WORDS = ["Your", "table", "is", "ready", "Grüße", "código", "€5", "thanks",
         "see", "you", "soon", "ok", "Zoë", "مرحبا", "日本"]


def number(rng):
    return rng.choice([
        "+49172%07d" % rng.randrange(10**7),
        "49172%07d" % rng.randrange(10**7),
        "+1555%07d" % rng.randrange(10**7),
        "+44 7700 9%05d" % rng.randrange(10**5),
        "s%d" % rng.randrange(100, 99999),
    ])


def body(rng):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 12)))


def headers(rng, n=None, exclude=()):
    """A few valid single-valued headers (no SIM: it needs a config), none
    of those named in exclude."""
    skip = {"SIM", "Pool"} | set(exclude)
    pool = [h for h in SINGLE if h[0] not in skip]
    return rng.sample(pool, rng.randrange(0, 4) if n is None else n)


def lines(hdrs):
    return "".join(f"{k}: {v}\n" for k, v in hdrs)


def valid(rng, extra=""):
    """A valid file with extra header text spliced in at a random place."""
    names = [ln.split(":", 1)[0] for ln in extra.splitlines()]
    hs = [f"To: {number(rng)}\n"] + [f"{k}: {v}\n"
                                     for k, v in headers(rng, None, names)]
    hs.insert(rng.randrange(len(hs) + 1), extra)
    return ("".join(hs) + "\n" + body(rng) + "\n").encode()


# Each family returns (bytes, why); the category is its key.

def f_syntax(rng):
    to = f"To: {number(rng)}\n"
    return rng.choice([
        (b"", "empty file"),
        ((to + lines(headers(rng))).encode(), "headers only, no blank line"),
        ((to + body(rng) + "\n").encode(), "body without the blank line"),
        ((to + " Report: yes\n\nx\n").encode(), "header line starting with a space"),
        ((to + ": value\n\nx\n").encode(), "header without a name"),
        ((to + "Send At: now\n\nx\n").encode(), "space inside a header name"),
        ((to + "Report=yes\n\nx\n").encode(), "no colon"),
    ])


def f_unknown(rng):
    name = rng.choice(["Foo", "Subject", "Cc", "Bcc", "Date", "Content-Type",
                       "Priority2", "Sender", "To2", "Tos", "Xfoo", "X"])
    return valid(rng, f"{name}: {body(rng)}\n"), f"unknown header {name}"


def f_duplicate(rng):
    k, v = rng.choice(SINGLE[:-1])
    alias = {"Pool": rng.choice(["Queue", "Provider", "pool"])}.get(k, k.upper())
    between = lines(headers(rng, 1, [k]))
    text = f"To: {number(rng)}\n{k}: {v}\n{between}{alias}: {v}\n\nx\n"
    return text.encode(), f"{k} twice"


def f_value(rng):
    k, v = rng.choice([
        ("Priority", "urgent"), ("Kind", "maybe"), ("Report", "perhaps"),
        ("Flash", "sometimes"), ("Validity", "5x"), ("Validity", "300"),
        ("Validity", "64w"), ("Send-At", "2026-11-27 08:00"),
        ("Send-At", "tomorrow"), ("Alphabet", "EBCDIC"), ("Recipients", "xml"),
        ("Retries", "-1"), ("Class", "9"), ("Language", "Klingon"),
        ("Campaign", "c" * 129), ("Id", ""), ("To_TOA", "Martian"),
        ("Macro", "=x"), ("SIM", "a/b/c"), ("SIM", "+1555x"),
    ])
    return valid(rng, f"{k}: {v}\n"), f"{k}: {v[:20]!r}"


def f_value_pool_sim(rng):
    return valid(rng, "Pool: default\nSIM: m1/1\n"), "Pool and SIM"


def f_unsupported(rng):
    k, v = rng.choice([
        ("Alphabet", "binary"), ("Alphabet", "GSM"), ("Binary", "true"),
        ("Hex", "yes"), ("Include", "/etc/passwd"), ("UDH-DATA", "050003010201"),
        ("DCS_hex", "F4"), ("Voicecall", "yes"), ("Ping", "yes"),
        ("Text_is_pdu", "yes"), ("System_message", "ToSIM"),
        ("To_TOA", "National"),
    ])
    return valid(rng, f"{k}: {v}\n"), f"{k}: {v}"


def f_recipient(rng):
    good = "+49172%07d" % rng.randrange(10**7)
    cut = rng.randrange(4, len(good) - 1)
    v, why = rng.choice([
        ("abc", "letters"), (good[:cut] + ";" + good[cut:], "';' inside"),
        (good + ";ATD112;", "command after ';'"),
        ('"' + good + '"', "quotes"), (good + "99999", "too long"),
        ("112", "too short"), ("+0" + good[2:], "country code 0"),
        (good + ",", "empty list item"), (good[:cut] + "+" + good[cut:], "'+' inside"),
        (good[:cut] + "\u00a0" + good[cut:], "no-break space"),
        (good + "; number=1", "field named number"),
        (good + "; a=1; a=2", "field twice"), (good + '; a="open', "open quote"),
        ("tel:" + good, "tel: URI"), ("", "empty To:"),
    ])
    text = f"To: {v}\n{lines(headers(rng))}\n{body(rng)}\n"
    return text.encode(), f"To: {why}"


def f_no_recipient(rng):
    return (lines(headers(rng)) + "\n" + body(rng) + "\n").encode(), "no To:"


def f_encoding(rng):
    good = "+49172%07d" % rng.randrange(10**7)
    cut = rng.randrange(4, len(good) - 1)
    b = body(rng).encode()
    return rng.choice([
        (f"To: {good[:cut]}\r{good[cut:]}\n\nx\n".encode(), "CR in a number"),
        (f"To: {good[:cut]}".encode() + b"\0" + f"{good[cut:]}\n\nx\n".encode(),
         "NUL in a number"),
        (f"To: {good}\nCampaign: a\x1b[2Jb\n\nx\n".encode(), "ESC in a header"),
        (f"To: {good}\nCampaign: caf".encode() + b"\xe9\n\nx\n", "Latin-1 in a header"),
        (f"To: {good}\nAlphabet: UTF-8\n\n".encode() + b + b"\xff\xfe\n",
         "bad UTF-8 body"),
        (f"To: {good}\n\n".encode() + b + b"\0" + b, "NUL in the body"),
        (f"To: {good}\n\n".encode() + b + b"\x07\n", "BEL in the body"),
        (f"To: {good}\n\n".encode() + b"\x81" + b, "0x81 in an ISO body"),
        (f"To: {good}\nAlphabet: UCS2\n\n".encode() + b"\x00H\x00", "odd UCS-2"),
        (f"To: {good}\nAlphabet: UCS2\n\n".encode() + b"\x00H\xd8\x3d",
         "lone surrogate"),
        (f"To: {good}\nAlphabet: UCS2\n\n".encode() + b"\x00H\x00\x00", "UCS-2 NUL"),
    ])


def f_limit(rng):
    good = number(rng)
    return rng.choice([
        (f"To: {good}\nCampaign: {'x' * 9000}\n\nx\n".encode(), "9000-byte line"),
        (f"To: {good}\n\n{'a' * 20001}\n".encode(), "20 kB body"),
        ((f"To: {good}\n" + "".join(f"X-H{i}: v\n" for i in range(70)) +
          "\nx\n").encode(), "70 header lines"),
        (f"To: {good}\nMacro: @A@={'y' * 500}\n\n{'@A@' * 60}\n".encode(),
         "macro past the body limit"),
    ])


def f_placeholder(rng):
    a, b = "+49172%07d" % rng.randrange(10**7), "+1555%07d" % rng.randrange(10**7)
    return rng.choice([
        (f"To: {a}\n\nHi {{{{name}}}}\n".encode(), "no fields at all"),
        (f"To: {a}; name=Ann\nTo: {b}\n\nHi {{{{name}}}}\n".encode(),
         "second recipient without name"),
        (f"To: {a}; name=Ann\nTo: {b}; name=\n\nHi {{{{name}}}}\n".encode(),
         "empty value"),
        (f"Recipients: csv\n\n{{{{code}}}}\n--- recipients ---\nnumber,name\n"
         f"{a},Ann\n".encode(), "CSV lacks the column"),
    ])


def f_csv(rng):
    a = "+49172%07d" % rng.randrange(10**7)
    head = "Recipients: csv\n\nHi {{name}}\n"
    return rng.choice([
        ("Recipients: csv\n\nHi\n".encode(), "no marker"),
        ((head + "--- recipients ---\n\n").encode(), "no header row"),
        ((head + "--- recipients ---\nname,code\nAnn,1\n").encode(),
         "no number column"),
        ((head + "--- recipients ---\nnumber,to\n").encode(), "two number columns"),
        ((head + f"--- recipients ---\nnumber,name\n{a}\n").encode(), "short row"),
        ((head + f"--- recipients ---\nnumber,name\n{a},Ann,extra\n").encode(),
         "long row"),
        ((head + f'--- recipients ---\nnumber,name\n{a},"Ann\n').encode(),
         "open quote"),
        ((head + "--- recipients ---\nnumber,first name\n").encode(),
         "bad column name"),
        ((head + "--- recipients ---\nnumber,name,name\n").encode(),
         "column twice"),
    ])


FAMILIES = [
    ("syntax", f_syntax), ("unknown-header", f_unknown),
    ("duplicate-header", f_duplicate), ("value", f_value),
    ("value", f_value_pool_sim), ("unsupported", f_unsupported),
    ("recipient", f_recipient), ("no-recipient", f_no_recipient),
    ("encoding", f_encoding), ("limit", f_limit),
    ("placeholder", f_placeholder), ("csv", f_csv),
]


def fs_entries(rng, outdir, start):
    """Things only a file system holds; returns manifest entries."""
    out = []
    ok = b"To: +491721234567\n\nhello\n"

    def name(cat):
        return f"bad-{start + len(out):04d}-{cat}"

    n = name("file")
    os.symlink("/etc/passwd", os.path.join(outdir, n))
    out.append({"name": n, "category": "file", "why": "symlink to /etc/passwd"})
    n = name("file")
    target = os.path.join(outdir, "..", os.path.basename(outdir) + "-target")
    with open(target, "wb") as f:
        f.write(ok)
    os.symlink(target, os.path.join(outdir, n))
    out.append({"name": n, "category": "file", "why": "symlink to a valid file"})
    n = name("file")
    os.mkfifo(os.path.join(outdir, n))
    out.append({"name": n, "category": "file", "why": "FIFO"})
    n = name("file")
    os.mkdir(os.path.join(outdir, n))
    out.append({"name": n, "category": "file", "why": "directory"})
    n1 = name("file")
    with open(os.path.join(outdir, n1), "wb") as f:
        f.write(ok)
    out.append({"name": n1, "category": "file", "why": "hard link (1 of 2)"})
    n2 = name("file")
    os.link(os.path.join(outdir, n1), os.path.join(outdir, n2))
    out.append({"name": n2, "category": "file", "why": "hard link (2 of 2)"})
    # Spaces, UTF-8 letters and shell characters are ordinary names; what
    # is refused is a control byte, bytes that are not UTF-8, a long name.
    for odd in [b"x\ny", b"tab\there", b"esc\x1b[31m", b"caf\xe9",
                b"bad\xc3", b"a" * 129, b"del\x7f"]:
        path = os.path.join(os.fsencode(outdir), odd)
        with open(path, "wb") as f:
            f.write(ok)
        out.append({"name": odd.decode("latin-1"), "category": "name",
                    "why": f"odd name {odd[:20]!r}"})
    return out


def generate(outdir, seed=1, count=1000, fs=False):
    """Writes the files; returns the manifest entries."""
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    entries = []
    extra = fs_entries(rng, outdir, 0) if fs else []
    for i in range(len(extra), count):
        cat, fn = FAMILIES[i % len(FAMILIES)]
        data, why = fn(rng)
        name = f"bad-{i:04d}-{cat}"
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        entries.append({"name": name, "category": cat, "why": why})
    entries = extra + entries
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(entries, f, indent=1)
    return entries


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--fs", action="store_true",
                    help="also symlinks, FIFOs, directories, hard links, odd names")
    ap.add_argument("outdir")
    a = ap.parse_args()
    entries = generate(a.outdir, a.seed, a.count, a.fs)
    print(f"{len(entries)} files in {a.outdir}")


if __name__ == "__main__":
    main()
