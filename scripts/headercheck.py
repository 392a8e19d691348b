#!/usr/bin/env python3
"""Every .c has its header: the check of `make lint` (doc/architecture.md,
"Every file has its header").

For every source of a layer (gateway/<layer>/*.c, gateway/store/pg/*.c,
drivers/*.c, drivers/<vendor>/*.c) one of these holds:

  - its own header exists, include/X.h or X.h beside X.c (what only its
    layer calls may be in a header private to the layer, *_priv.h);
  - it is a program's main (main_*.c, defining main only) or a vendor's
    table (drivers/<v>/<v>.c, defining driver_<v> only: the generated
    table declares it, doc/adding-a-vendor.md);
  - it is a part of a module, named with that module's header in the
    table of doc/architecture.md, "Files without a header of their own"
    (one row: | `path.c` | `header.h`, `other.h` | why |), and those
    headers declare every global symbol the part defines.

A row for a file that has its own header, or for one that is gone, is
reported too, so the table only shrinks.

    scripts/headercheck.py              check (after `make all`: reads $BUILD/obj)
    scripts/headercheck.py --self-test  show a headerless file and an
                                        undeclared symbol reported, then check
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

BUILD = os.environ.get("BUILD", "build")
DOC = "doc/architecture.md"
SECTION = "## Files without a header of their own"


def sources(root="."):
    pats = ["gateway/*/*.c", "gateway/store/pg/*.c", "drivers/*.c",
            "drivers/*/*.c"]
    out = []
    for p in pats:
        out += glob.glob(os.path.join(root, p))
    return sorted(os.path.relpath(f, root) for f in out)


def section_lines(root="."):
    """The lines of the doc's section SECTION."""
    inside = False
    with open(os.path.join(root, DOC), encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                inside = line.strip() == SECTION
            elif inside:
                yield line


def parts_table(root="."):
    """{source: header} from the doc's table."""
    rows = {}
    for line in section_lines(root):
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 4:
            continue
        m = re.fullmatch(r"`([^`]+\.c)`", cells[1])
        if m:
            rows[m.group(1)] = re.findall(r"`([^`]+\.h)`", cells[2])
    return rows


def header_layers(root="."):
    """Headers of include/ with no .c of their name: {name: layer}, from the
    doc's rows | `include/x.h` | layer | why |."""
    rows = {}
    for line in section_lines(root):
        m = re.match(r"\|\s*`include/([^`]+\.h)`\s*\|\s*(\w+)", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def defined(root, src):
    """Global symbols the object of src defines; None when not built."""
    obj = os.path.join(root, BUILD, "obj", src[:-2] + ".o")
    if not os.path.exists(obj):
        return None
    out = subprocess.run(["nm", "-P", "--defined-only", obj], check=True,
                         capture_output=True, text=True).stdout
    syms = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and (f[1] in "TDRBCGS" or f[1] in "VW"):
            syms.add(f[0])
    return syms


def find_header(root, src, name):
    """The path of header name for src: beside it, or in include/."""
    for d in (os.path.dirname(src), "include"):
        p = os.path.join(d, name)
        if os.path.exists(os.path.join(root, p)):
            return p
    return None


def undeclared(root, headers, syms, src):
    # A symbol the file declares extern itself (an .incbin label) is its own.
    with open(os.path.join(root, src), encoding="utf-8") as f:
        own = f.read()
    syms = {s for s in syms
            if not re.search(r"\bextern\b[^;]*\b%s\b" % re.escape(s), own)}
    text = ""
    for h in headers:
        with open(os.path.join(root, h), encoding="utf-8") as f:
            text += f.read()
    return sorted(s for s in syms
                  if not re.search(r"\b%s\b" % re.escape(s), text))


def check(root="."):
    problems = []
    table = parts_table(root)
    srcs = sources(root)
    for src in srcs:
        base = os.path.basename(src)[:-2]
        syms = defined(root, src)
        own = find_header(root, src, base + ".h")
        if own:
            if src in table:
                problems.append("%s: has its own header %s; remove its row "
                                "from %s" % (src, own, DOC))
            continue
        elif base.startswith("main_"):
            if syms is not None and syms - {"main"}:
                problems.append("%s: a program's main file defines more "
                                "than main: %s" % (src,
                                                   ", ".join(sorted(syms))))
            continue
        elif (src.startswith("drivers/") and
              os.path.basename(os.path.dirname(src)) == base):
            if syms is not None and syms - {"driver_" + base}:
                problems.append("%s: a vendor's table defines more than "
                                "driver_%s: %s" % (src, base,
                                                   ", ".join(sorted(syms))))
            continue
        elif src in table:
            headers = [find_header(root, src, n) for n in table[src]]
            if not table[src] or None in headers:
                problems.append("%s: %s names %s; each must be beside it "
                                "or in include/" % (src, DOC,
                                                    ", ".join(table[src])))
                continue
        else:
            problems.append("%s: no header of its own (include/%s.h or "
                            "%s/%s.h), and no row in %s, \"%s\""
                            % (src, base, os.path.dirname(src), base, DOC,
                               SECTION[3:]))
            continue
        if syms:
            missing = undeclared(root, headers, syms, src)
            if missing:
                problems.append("%s: %s does not declare %s" %
                                (src, ", ".join(headers), ", ".join(missing)))
    # Every public header is some layer's: it declares a source of the
    # same name, or the parts table names it, or the doc lists it.
    named = {n for hs in table.values() for n in hs}
    bases = {os.path.basename(x)[:-2] for x in srcs}
    listed = header_layers(root)
    for h in sorted(glob.glob(os.path.join(root, "include/*.h"))):
        n = os.path.basename(h)
        if n[:-2] not in bases and n not in named and n not in listed:
            problems.append("include/%s: declares no file of a layer; name "
                            "its layer in %s, \"%s\"" % (n, DOC, SECTION[3:]))
    for src in table:
        if src not in srcs:
            problems.append("%s: named in %s but no such file" % (src, DOC))
    return problems


def self_test():
    """A headerless file and a part whose symbol its header lacks are
    reported; a file with its header is not."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "gateway/base"))
        os.makedirs(os.path.join(tmp, "include"))
        os.makedirs(os.path.join(tmp, "doc"))
        os.makedirs(os.path.join(tmp, BUILD, "obj/gateway/base"))
        files = {
            "gateway/base/good.c": "int good_fn(void);\nint good_fn(void) { return 1; }\n",
            "include/good.h": "int good_fn(void);\n",
            "gateway/base/orphan.c": "int orphan_fn(void);\nint orphan_fn(void) { return 2; }\n",
            "gateway/base/part.c": "int part_fn(void);\nint part_fn(void) { return 3; }\n",
            DOC: "# x\n\n%s\n\n| `gateway/base/part.c` | `good.h` | a part |\n"
                 % SECTION,
        }
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        for name in ("good", "orphan", "part"):
            subprocess.run(["cc", "-c", "-o",
                            os.path.join(tmp, BUILD, "obj/gateway/base",
                                         name + ".o"),
                            os.path.join(tmp, "gateway/base", name + ".c")],
                           check=True)
        got = check(tmp)
        want = ["gateway/base/orphan.c: no header of its own",
                "gateway/base/part.c: include/good.h does not declare part_fn"]
        ok = len(got) == 2 and all(any(p.startswith(w) for p in got)
                                    for w in want)
        if not ok:
            print("headercheck: self-test FAILED; reported:")
            for p in got:
                print("  " + p)
            return False
    print("headercheck: self-test ok (a file with no header and a part's "
          "undeclared symbol: reported)")
    return True


def main():
    if "--self-test" in sys.argv[1:] and not self_test():
        return 1
    problems = check()
    for p in problems:
        print("headercheck: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
