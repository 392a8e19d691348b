#!/usr/bin/env python3
"""Statics are named by their module (doc/style.md): a file-local function
or variable in foo_bar.c starts with foo_bar_ or with its family's prefix
foo_ (at_chat_line.c may say at_chat_urc), so a stack trace or a grep
names the file. Run by `make lint` over the folders given.

    scripts/staticcheck.py [--self-test] gateway/modem gateway/at ...
"""
import glob
import os
import re
import sys

STATIC = re.compile(
    r'^static[ \t]+(?:inline[ \t]+)?(?:const[ \t]+)?'
    r'(?:struct[ \t]+|enum[ \t]+|unsigned[ \t]+|signed[ \t]+)?'
    r'[A-Za-z_][A-Za-z_0-9]*(?:[ \t]+const)?(?:[ \t]+|[ \t]*\*+[ \t]*)'
    r'(?:const[ \t]+)?\**([A-Za-z_][A-Za-z_0-9]*)[ \t]*[\(\[=;]', re.M)


# The name after an anonymous struct: "static const struct {" ... "} name[] =".
CLOSING = re.compile(r'^\}[ \t]*([A-Za-z_][A-Za-z_0-9]*)[ \t]*(?:\[[^\]]*\])*'
                     r'[ \t]*[=;]', re.M)


def statics(text):
    """(name, offset) of every file-level static the file defines."""
    for m in STATIC.finditer(text):
        yield m.group(1), m.start()
    for m in CLOSING.finditer(text):
        # the line at column 0 that opened the block
        lines = text[:m.start()].split("\n")
        opener = next((ln for ln in reversed(lines)
                       if ln and not ln[0].isspace() and ln[0] not in "{}"),
                      "")
        if opener.startswith("static"):
            yield m.group(1), m.start()


def named_by_module(name, stem):
    parts = stem.split("_")
    return any(name == "_".join(parts[:k]) or
               name.startswith("_".join(parts[:k]) + "_")
               for k in range(1, len(parts) + 1))


def check_text(path, text):
    """The messages for the statics of one file that lack its prefix."""
    stem = os.path.basename(path)[:-2]
    bad = []
    for name, at in statics(text):
        if not named_by_module(name, stem):
            line = text.count("\n", 0, at) + 1
            bad.append(f"staticcheck: {path}:{line}: static {name} lacks "
                       f"its module's prefix ({stem}_)")
    return bad


# (file, text, names reported)
PROBES = [
    ("spool.c", "static void work(void *ud)\n{\n}\n", ["work"]),
    ("spool.c", "static void spool_work(void *ud)\n{\n}\n", []),
    ("at_chat_line.c", "static int at_chat_urc(int x)\n{\n}\n", []),
    ("loop.c", "static const struct {\n\tint a;\n} table[] = {\n\t{ 1 },\n};\n",
     ["table"]),
    ("loop.c", "static int64_t (*source)(void);\nstatic int hits;\n",
     ["hits"]),
]


def self_test():
    ok = True
    for path, text, want in PROBES:
        got = [b.split("static ", 1)[1].split()[0]
               for b in check_text(path, text)]
        if got != want:
            print(f"staticcheck: self-test: {path}: want {want}, got {got}")
            ok = False
    if ok:
        print("staticcheck: self-test ok (bare statics caught)")
    return ok


def main():
    args = sys.argv[1:]
    ok = self_test() if "--self-test" in args else True
    bad = []
    for folder in [a for a in args if a != "--self-test"]:
        for path in sorted(glob.glob(os.path.join(folder, "*.c"))):
            with open(path) as f:
                bad += check_text(path, f.read())
    for b in bad:
        print(b)
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
