#!/usr/bin/env python3
"""Each capability of a modem owns its sub-state (doc/modem-lifecycle.md,
"Who owns what"): only the files listed for a member of struct modem
(gateway/modem/modem_priv.h) write it -- assign it, count it up or down,
or take its address (timers, buffers, memset). The others read it or call
the owner's functions. Run by `make lint`.

    scripts/modemowners.py              check gateway/modem
    scripts/modemowners.py --self-test  first show that injected writes
                                        are caught, then check
"""
import glob
import os
import re
import sys

# member of struct modem -> the files that may write it
OWNERS = {
    "loop": ["modem.c"],
    "cfg": ["modem.c"],
    "mcfg": ["modem.c"],
    "listener": ["modem.c"],
    "source": ["modem.c"],
    "drv": ["modem.c", "modem_init.c"],     # resolved at open and by auto
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
    "recv": ["modem_recv.c", "modem_recv_mem.c"],
    "call": ["modem_call.c"],
    "ussd": ["modem_ussd.c"],
    "link": ["modem_link.c"],
    "hub": ["modem_hub.c"],
    "watch": ["modem_watch.c"],
}

MEMBER = r"(?:\bm|->m)->(%s)\b" % "|".join(OWNERS)
# the member and the fields or elements inside it, not what its pointers
# point to (m->slot.sims[i]->signal_dbm is the SIM's, not the slot's)
PATH = MEMBER + r"(?:\.\w+|\[[^\]=;]*\])*"
WRITE = re.compile(
    r"(?<!&)&(?!&)\s*" + PATH + r"(?=\s*[),;])"    # address taken
    r"|\b(?:v?snprintf|strn?cpy|memcpy|memmove|memset)\(\s*" + PATH +
    r"\s*,"                                        # into an array
    r"|(?:\+\+|--)\s*" + PATH +                     # ++m->x.y
    r"|" + PATH + r"\s*(?:[-+*/|&^]?=(?!=)|\+\+|--)")  # m->x.y = / ++ / --


def check_lines(path, lines):
    """The messages for the writes in lines (of file path) outside owners."""
    name = os.path.basename(path)
    bad = []
    for no, line in enumerate(lines, 1):
        for m in WRITE.finditer(line):
            member = next(g for g in m.groups() if g)
            if name not in OWNERS[member]:
                owners = OWNERS[member]
                bad.append(f"modemowners: {path}:{no}: writes m->{member}, "
                           f"which {', '.join(owners)} own"
                           f"{'s' if len(owners) == 1 else ''}: call the "
                           "owner instead")
    return bad


# (file, line, caught?): writes from the wrong file are caught, reads and
# the owner's own writes are not.
PROBES = [
    ("modem_recv.c", "\tm->send.active = true;", True),
    ("modem.c", "\tloop_timer_disarm(&m->health.timer);", True),
    ("modem_send.c", "\tm->slot.fault[i] = SIM_STATE_READY;", False),
    ("modem_health.c", "\tm->slot.sims[0]->signal_dbm = -70;", False),
    ("modem.c", "\tsnprintf(m->slot.sims[i]->device, 9, \"%s\", x);", False),
    ("modem_fsm.c", "\t++m->recv.nreads;", True),
    ("modem_link.c", "\tif (m->send.active && m->sms.ready)", False),
    ("modem_init.c", "\tm->fsm.state = MODEM_STATE_READY;", True),
    ("modem_recv.c", "\tsnprintf(m->ident.imei, 24, \"%s\", x);", True),
    ("modem_init.c", "\tsnprintf(m->ident.imei, 24, \"%s\", x);", False),
]


def self_test():
    ok = True
    for name, line, caught in PROBES:
        if bool(check_lines(name, [line])) != caught:
            print(f"modemowners: self-test: {name}: {line.strip()!r} "
                  f"{'missed' if caught else 'reported'}")
            ok = False
    if ok:
        print("modemowners: self-test ok (writes from a non-owner caught)")
    return ok


def main(args):
    ok = self_test() if "--self-test" in args else True
    args = [a for a in args if a != "--self-test"]
    folder = args[0] if args else "gateway/modem"
    bad = []
    for path in sorted(glob.glob(os.path.join(folder, "*.c"))):
        with open(path) as f:
            bad += check_lines(path, f.read().split("\n"))
    for b in bad:
        print(b)
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
