#!/usr/bin/env python3
"""make demo: the gateway on simulated modems, in a temporary directory.

Starts smsgw-modemsim with two modems (a Quectel and a Huawei), smsgwd on
them, then sends a personalised bulk message and a one-to-one message,
lets a customer reply and another opt out, and shows what a user sees:
`smsgw status`, the outbox, the inbox, the opt-outs, the funnel and the
network's ground truth. Everything is removed at the end unless you pass
--keep (then the directory and the commands to look around are printed).
"""
import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
os.environ.setdefault("SMSGW_ROOT", ROOT)
from modemsim import ModemSim  # noqa: E402
from tap import wait_for  # noqa: E402

BUILD = os.environ.get("BUILD", "build")
BUILD = BUILD if os.path.isabs(BUILD) else os.path.join(ROOT, BUILD)
SMSGWD = os.path.join(BUILD, "smsgwd")
SMSGW = os.path.join(BUILD, "smsgw")

MODEMS = ["quectel", "huawei"]  # simulator modems 0 and 1
CUSTOMER = "+15550104444"
BULK = [("+15550101111", "Ann"), ("+15550102222", "Bob"), ("+15550103333", "Cleo")]


def styled():
    """Bold headings only on a terminal that wants them: a pipe or a log
    gets plain text, never a raw escape sequence."""
    return (sys.stdout.isatty() and os.environ.get("TERM", "dumb") != "dumb"
            and "NO_COLOR" not in os.environ)


def say(text):
    if styled():
        print(f"\n\033[1m== {text}\033[0m", flush=True)
    else:
        print(f"\n== {text}", flush=True)


def shown(path):
    """A program's path as it can be typed from here."""
    rel = os.path.relpath(path)
    return rel if not rel.startswith("..") else path


def sim_name(modem):
    """The simulator's modem index as every smsgw table names the SIM."""
    return f"{MODEMS[modem]}/1"


def wait(cond, what, timeout=20.0):
    try:
        wait_for(cond, timeout, what, interval=0.05)
    except AssertionError as e:
        sys.exit(f"demo: {e}")


class Demo:
    def __init__(self, workdir):
        self.dir = workdir
        self.spool = os.path.join(workdir, "spool")
        self.db = os.path.join(workdir, "smsgw.db")
        self.conf = os.path.join(workdir, "smsgw.conf")
        self.sim = ModemSim(modems=2, dir=os.path.join(workdir, "sim"),
                            specs={0: {"personality": "quectel"},
                                   1: {"personality": "huawei"}})
        self.daemon = None

    def cli(self, *args, show=True):
        cmd = [SMSGW, "-c", self.conf, *args]
        if show:
            # Exactly what one can paste (quoted where the shell needs it).
            print("$ " + shlex.join([shown(SMSGW), "-c", self.conf, *args]),
                  flush=True)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if show:
            sys.stdout.write(p.stdout)
            sys.stderr.write(p.stderr)
        return p

    def sql(self, query):
        # Read-only and only once the daemon made it: sqlite3 would
        # otherwise create an empty file, which smsgwd refuses to start on.
        if not os.path.exists(self.db):
            return ""
        p = subprocess.run(["sqlite3", "-readonly", self.db, query],
                           capture_output=True, text=True)
        return p.stdout.strip()

    def start(self):
        say("Starting two simulated modems (smsgw-modemsim)")
        self.sim.start()
        with open(self.conf, "w") as f:
            f.write(f'spool = "{self.spool}"\ndatabase = "{self.db}"\n'
                    f'default_country = "1"\n'
                    f'modem "quectel" {{\n  device = "{self.sim.path(0)}"\n}}\n'
                    f'modem "huawei" {{\n  device = "{self.sim.path(1)}"\n}}\n')
        print(open(self.conf).read(), end="")
        say("Starting smsgwd on them")
        self.log = open(os.path.join(self.dir, "smsgwd.log"), "w")
        self.daemon = subprocess.Popen([SMSGWD, "-f", "-c", self.conf],
                                       stdout=self.log, stderr=subprocess.STDOUT)
        wait(lambda: self.sql("select count(*) from sims where state = 'ready'") == "2",
             "both SIMs to be ready")
        self.cli("status")

    def send(self):
        say("A personalised bulk campaign: a spool file dropped into outgoing/")
        lines = "".join(f"To: {n}; name={who}\n" for n, who in BULK)
        text = lines + "Campaign: spring\n\nHi {{name}}, our spring menu is out!\n"
        print(text, end="")
        tmp = os.path.join(self.spool, "tmp", "spring.txt")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, os.path.join(self.spool, "outgoing", "spring.txt"))
        say("A one-to-one message")
        self.cli("send", CUSTOMER, "-m", "Your table for two is ready at 8pm.")
        wait(lambda: len(self.sim.messages()) >= 4, "four messages on the network")
        wait(lambda: self.sql("select count(*) from outbox where state = 'sent'") == "4",
             "four sent rows")
        say("What the network received (the simulator's ground truth)")
        for m in self.sim.messages():
            print(f"  {sim_name(m['modem']):10} ->  {m['dest']}: {m['text']}")
        say("The outbox")
        self.cli("outbox")

    def replies(self):
        say("The customer answers; Bob says STOP")
        modem_of = {r.split("|")[0]: r.split("|")[1] for r in self.sql(
            "select recipient, substr(sim_name, 1, instr(sim_name, '/') - 1)"
            " from outbox").splitlines()}
        names = MODEMS
        self.sim.deliver(names.index(modem_of[CUSTOMER]), CUSTOMER,
                         "Thanks! Could we make it 8:30?")
        self.sim.deliver(names.index(modem_of[BULK[1][0]]), BULK[1][0], "Stop")
        wait(lambda: self.sql("select count(*) from inbox") == "2", "two replies")
        wait(lambda: any("unsubscribed" in m["text"] for m in self.sim.messages()),
             "the opt-out confirmation")
        self.cli("inbox")
        say("The opt-out list, and the one confirmation that went back")
        self.cli("optout", "list")
        for m in self.sim.messages():
            if m["dest"] == BULK[1][0] and "unsubscribed" in m["text"]:
                print(f"  {sim_name(m['modem']):10} ->  {m['dest']}: {m['text']}")
        say("A new message to Bob is suppressed")
        self.cli("send", BULK[1][0], "-m", "Last chance!")
        wait(lambda: self.sql("select count(*) from outbox where state = 'suppressed'") == "1",
             "the suppressed row")
        self.cli("outbox", "--state", "suppressed")
        say("The campaign's funnel")
        self.cli("stats", "--campaign", "spring")

    def stop(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            self.daemon.wait(10)
        self.sim.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keep", action="store_true", help="keep the directory")
    a = ap.parse_args()
    for prog in (SMSGWD, SMSGW):
        if not os.access(prog, os.X_OK):
            sys.exit(f"demo: {prog} is missing; run make first")
    work = tempfile.mkdtemp(prefix="smsgw-demo-")
    demo = Demo(work)
    try:
        demo.start()
        demo.send()
        demo.replies()
    finally:
        demo.stop()
        if a.keep:
            say(f"Everything is in {work}")
            db = shlex.quote(os.path.join(work, "smsgw.db"))
            print(f"  sqlite3 {db} 'select * from events'\n"
                  f"  less {shlex.quote(os.path.join(work, 'smsgwd.log'))}\n"
                  f"  {shlex.join([shown(SMSGW), '-c', os.path.join(work, 'smsgw.conf'), 'events'])}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    say("Done. `make demo` again any time; `python3 scripts/demo.py --keep` keeps the files.")


if __name__ == "__main__":
    main()
