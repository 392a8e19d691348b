#!/usr/bin/env python3
"""Each capability of a modem owns its sub-state (doc/modem-lifecycle.md,
"Who owns what"): only the files listed for a member of struct modem
(gateway/modem/modem_priv.h) write it -- assign it, count it up or down,
or take its address (timers, buffers, memset). The others read it or call
the owner's functions. Run by `make lint`.

    scripts/modemowners.py
"""
import glob
import os
import re
import sys

# member of struct modem -> the files that may write it
OWNERS = {
    "fsm": ["modem_fsm.c"],
    "seq": ["modem_seq.c", "modem_init.c", "modem_setup.c",
            "modem_health.c"],          # the programs' steps move cursors
    "port": ["modem.c"],
    "trace": ["modem.c"],
    "choice": ["modem.c", "modem_init.c"],
    "ident": ["modem_init.c"],
    "slot": ["modem_send.c", "modem_setup.c"],
    "net": ["modem_health.c"],
    "health": ["modem_health.c"],
    "sms": ["modem_init.c", "modem_setup.c", "modem_smsready.c"],
    "send": ["modem_send.c"],
    "recv": ["modem_recv.c"],
    "call": ["modem_call.c"],
    "ussd": ["modem_ussd.c"],
    "link": ["modem_link.c"],
    "hub": ["modem_hub.c"],
    "watch": ["modem_watch.c"],
}

MEMBER = r"(?:\bm|->m)->(%s)\b" % "|".join(OWNERS)
WRITE = re.compile(
    r"(?<!&)&(?!&)\s*" + MEMBER +                  # address taken
    r"|(?:\+\+|--)\s*" + MEMBER +                   # ++m->x.y
    r"|" + MEMBER + r"(?:(?:\.|->)\w+|\[[^\]=;]*\])*"
    r"\s*(?:[-+*/|&^]?=(?!=)|\+\+|--)")             # m->x.y = / ++ / --


def main(folder="gateway/modem"):
    bad = 0
    for path in sorted(glob.glob(os.path.join(folder, "*.c"))):
        name = os.path.basename(path)
        with open(path) as f:
            for no, line in enumerate(f, 1):
                for m in WRITE.finditer(line):
                    member = next(g for g in m.groups() if g)
                    if name not in OWNERS[member]:
                        print(f"modemowners: {path}:{no}: writes "
                              f"m->{member}, which "
                              f"{', '.join(OWNERS[member])} own"
                              f"{'s' if len(OWNERS[member]) == 1 else ''}:"
                              f" call the owner instead")
                        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
