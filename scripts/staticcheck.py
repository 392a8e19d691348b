#!/usr/bin/env python3
"""Statics are named by their module (doc/style.md): a file-local function
or variable in foo_bar.c starts with foo_bar_ or with its family's prefix
foo_ (at_chat_line.c may say at_chat_urc), so a stack trace or a grep
names the file. Run by `make lint` over the folders given.

    scripts/staticcheck.py gateway/modem gateway/at ...
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


def main():
    bad = 0
    for folder in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(folder, "*.c"))):
            stem = os.path.basename(path)[:-2]
            with open(path) as f:
                text = f.read()
            for name, at in statics(text):
                if not named_by_module(name, stem):
                    line = text.count("\n", 0, at) + 1
                    print(f"staticcheck: {path}:{line}: static "
                          f"{name} lacks its module's prefix "
                          f"({stem}_)")
                    bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
