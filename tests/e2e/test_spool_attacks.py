"""The spool as a trust boundary (issue 11): a member of the spool's group
attacks a real daemon.

Run as root (CI does): the daemon runs as its own uid (DUID, primary group
DGID, supplementary SGID, umask 0007 as in conf/smsgw.service) and the
attacker as another uid (AUID) whose only group is the spool's group (SGID),
both through `setpriv`; no user database entries are needed. Each attack runs
against a running daemon and against a stopped one that is then started.
After each one: the database passes quick_check and its rows are unchanged
(the opt-out list, earlier messages), never two daemons, SIGTERM honoured
within 2 s, every file accepted before is sent, nothing outside the spool
was touched. Without root every test is skipped.
"""
import atexit
import hashlib
import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import SMSGW, SMSGWD, render_config, tempdir  # noqa: E402
from modemsim import ModemSim  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()

DUID, DGID = 4201, 4201     # the daemon
AUID = 4202                 # the attacker, a sender
SGID = 4300                 # the spool's group


def as_user(uid, gid, groups, argv, umask=None, **kw):
    pre = ["setpriv", f"--reuid={uid}", f"--regid={gid}",
           f"--groups={','.join(str(g) for g in groups)}", "--inh-caps=-all"]
    return pre + list(argv)


def attacker(script):
    """Runs a shell script as the attacker in the rig's directory; returns
    (exit status, output)."""
    p = subprocess.run(as_user(AUID, SGID, [SGID], ["sh", "-c", script]),
                       cwd=R.dir, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    return p.returncode, p.stdout.decode(errors="replace")


def digest(path):
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for n in sorted(files):
            p = os.path.join(root, n)
            st = os.lstat(p)
            h.update(f"{p} {st.st_mode:o} {st.st_uid} {st.st_size}".encode())
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


class Rig:
    """Simulated modem, config, spool, database and the daemon, owned as on
    a real box."""

    def __init__(self):
        self.dir = tempdir("smsgw-attack-")
        os.chmod(self.dir, 0o755)
        self.sim = ModemSim(modems=1, dir=os.path.join(self.dir, "sim"),
                            specs={"all": {"latency_ms": 20}})
        self.sim.start()
        os.chmod(self.sim.dir, 0o755)
        os.chown(os.path.realpath(self.sim.path(0)), DUID, DGID)
        self.sim.wait_registered(timeout=30)
        self.lib = os.path.join(self.dir, "lib")
        self.spool = os.path.join(self.dir, "spool")
        self.database = os.path.join(self.lib, "smsgw.db")
        os.mkdir(self.lib, 0o750)
        os.chown(self.lib, DUID, DGID)
        os.mkdir(self.spool)
        os.chown(self.spool, DUID, SGID)
        os.chmod(self.spool, 0o2770)
        # Outside the spool: a file a link may point at, never to change.
        self.outside = os.path.join(self.dir, "outside")
        os.mkdir(self.outside, 0o755)
        with open(os.path.join(self.outside, "precious"), "w") as f:
            f.write("do not touch\n")
        os.chmod(os.path.join(self.outside, "precious"), 0o666)
        self.conf = os.path.join(self.dir, "smsgw.conf")
        with open(self.conf, "w") as f:
            f.write(render_config(
                {"spool": self.spool, "database": self.database,
                 "log_level": "info", "default_country": "1",
                 "at_trace": os.path.join(self.lib, "at.log")},
                [{"name": "m1", "device": self.sim.path(0)}]))
        os.chmod(self.conf, 0o644)
        self.log = os.path.join(self.dir, "smsgwd.log")
        self.proc = None
        self.sent_before = 0

    def daemon_argv(self, *args):
        return as_user(DUID, DGID, [DGID, SGID], [SMSGWD, "-f", "-c", self.conf, *args])

    def start(self, umask=0o007, expect_ok=True, args=()):
        started = self.count_events("started")
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(self.daemon_argv(*args), stdout=logf,
                                     stderr=subprocess.STDOUT, umask=umask)
        logf.close()
        if not expect_ok:
            return self.proc
        wait_for(lambda: self.proc.poll() is not None
                 or self.count_events("started") > started, 15, "started")
        assert self.proc.poll() is None, self.log_tail()
        wait_for(lambda: self.scalar("select count(*) from sims"
                                     " where state in ('ready', 'busy')") == 1,
                 30, "the SIM ready")
        return self.proc

    def stop(self):
        """SIGTERM, which must end the daemon within 2 s, with status 0."""
        if not self.proc:
            return
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(2.0)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("smsgwd ignored SIGTERM for 2 s")
        self.proc = None
        assert rc == 0, (rc, self.log_tail())
        return time.monotonic() - t0

    def cli(self, *args):
        return subprocess.run(as_user(DUID, DGID, [DGID, SGID],
                                      [SMSGW, "-c", self.conf, *args]),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def log_tail(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")[-3000:]

    def db(self):
        return sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)

    def scalar(self, sql, *a):
        if not os.path.exists(self.database):
            return 0
        con = self.db()
        try:
            return con.execute(sql, a).fetchone()[0]
        except sqlite3.OperationalError:
            return 0
        finally:
            con.close()

    def count_events(self, word):
        return self.scalar("select count(*) from events where message like ?", f"%{word}%")

    def daemons(self):
        """smsgwd processes running on this rig's config."""
        n = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"smsgwd") and self.conf.encode() in argv:
                n += 1
        return n

    def send_file(self, name, number, text):
        """A sender drops a file (as the attacker uid: any sender)."""
        rc, out = attacker(f"printf 'To: {number}\\n\\n{text}\\n' > spool/tmp/.t && "
                           f"mv spool/tmp/.t 'spool/outgoing/{name}'")
        assert rc == 0, out

    def wait_sent(self, number, timeout=20):
        wait_for(lambda: self.sim.messages(dest=number), timeout, f"a message to {number}")

    # ---- what every attack must leave intact ----
    def baseline(self):
        self.optouts = self.rows("select number, active from optout order by number")
        self.messages = self.rows("select id, recipient, body from message order by id")
        self.outside_digest = digest(self.outside)
        self.lib_names = sorted(n for n in os.listdir(self.lib))

    def rows(self, sql):
        con = self.db()
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()

    def intact(self, what):
        con = self.db()
        try:
            assert con.execute("pragma quick_check").fetchone()[0] == "ok", what
        finally:
            con.close()
        assert self.rows("select number, active from optout order by number") == self.optouts, what
        now = self.rows("select id, recipient, body from message order by id")
        assert now[:len(self.messages)] == self.messages, what
        assert digest(self.outside) == self.outside_digest, f"{what}: outside touched"
        extra = set(os.listdir(self.lib)) - set(self.lib_names) - {
            "smsgw.db-wal", "smsgw.db-shm", "smsgw.db.pid", "smsgw.db.lock", "at.log"}
        assert not extra, (what, extra)
        assert self.daemons() <= 1, f"{what}: two daemons"


R = None
SEQ = [0]


def number():
    SEQ[0] += 1
    return f"+1555777{SEQ[0]:04d}"


def both(attack):
    """Runs attack(running) against the running daemon, then against a
    stopped one that is then started; checks the invariants after each."""
    for running in (True, False):
        if not running:
            R.stop()
        before = number()
        R.send_file(f"before-{SEQ[0]}", before, "accepted before")
        if running:
            R.wait_sent(before)
        R.baseline()
        attack(running)
        if R.proc is None:
            R.start()
        R.wait_sent(before)
        after = number()
        R.send_file(f"after {SEQ[0]} é", after, "after the attack")
        R.wait_sent(after)
        R.intact(f"{attack.__name__} ({'running' if running else 'stopped'})")


def skip_all(why):
    print(f"ok - spool_attacks # SKIP {why}")
    t.done()


if os.geteuid() != 0:
    skip_all("needs root to run the daemon and the attacker as their own uids")
try:
    subprocess.run(["setpriv", "--version"], stdout=subprocess.DEVNULL, check=True)
except (OSError, subprocess.CalledProcessError):
    skip_all("setpriv (util-linux) is missing")

R = Rig()
atexit.register(R.sim.stop)


@t.test
def setup_a_daemon_and_an_opt_out():
    R.start()
    p = R.cli("optout", "add", "+15559990001")
    assert p.returncode == 0, p.stderr
    st = os.stat(R.spool)
    assert st.st_mode & stat.S_ISVTX, oct(st.st_mode)
    for sub, mode in (("outgoing", 0o1730), ("tmp", 0o1730), ("rejected", 0o1770),
                      ("active", 0o700)):
        m = os.stat(os.path.join(R.spool, sub)).st_mode & 0o1777
        assert m == mode, (sub, oct(m))
    assert os.stat(R.database).st_mode & 0o007 == 0


@t.test
def attack1_active_replaced_by_a_link_to_the_database():
    def attack(running):
        rc, out = attacker("mv spool/active spool/.x")
        assert rc != 0, "a sender renamed the daemon's active/: " + out
        rc, out = attacker("ln -s ../lib spool/active2 && mv -T spool/active2 spool/active")
        assert rc != 0, "a sender replaced active/: " + out
        attacker("rm -f spool/active2")
    both(attack)


@t.test
def attack1_link_planted_before_the_first_start():
    # The deepest form: the link is there before the daemon ever made
    # active/ (a fresh spool without the sticky bit yet).
    R.stop()
    R.baseline()
    os.rename(os.path.join(R.spool, "active"), os.path.join(R.dir, "active.saved"))
    os.chmod(R.spool, 0o2770)
    rc, out = attacker("ln -s ../lib spool/active")
    assert rc == 0, out
    p = R.start(expect_ok=False)
    assert p.wait(5) != 0, "started on a symlinked active/"
    assert "active" in R.log_tail()
    R.intact("active/ symlinked before start")
    os.unlink(os.path.join(R.spool, "active"))
    os.rename(os.path.join(R.dir, "active.saved"), os.path.join(R.spool, "active"))
    R.start()
    R.intact("after the link was removed")


@t.test
def attack2_pid_file_link_and_second_daemon():
    def attack(running):
        # The lock is beside the database, where senders cannot write.
        rc, _ = attacker("ln -s smsgw.db lib/smsgw.db.pid2")
        assert rc != 0
        rc, _ = attacker("rm -f spool/.smsgwd.pid; ln -sf ../lib/smsgw.db spool/.smsgwd.pid")
        if running:
            second = subprocess.Popen(R.daemon_argv(), stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
            assert second.wait(5) != 0, "a second daemon ran"
            assert R.daemons() == 1
    both(attack)
    with open(R.database, "rb") as f:
        assert f.read(16) == b"SQLite format 3\0"


@t.test
def attack3_fifo_as_reason_file():
    def attack(running):
        tag = SEQ[0]
        rc, out = attacker(f"mkfifo spool/rejected/bad{tag}.reason && "
                           f"printf 'garbage\\n' > spool/tmp/.b && "
                           f"mv spool/tmp/.b spool/outgoing/bad{tag}")
        assert rc == 0, out
        if not running:
            R.start()
        rej = os.path.join(R.spool, "rejected")

        def stored():
            for n in os.listdir(rej):
                if n.startswith(f"bad{tag}") and not n.endswith(".reason"):
                    r = os.path.join(rej, n + ".reason")
                    if os.path.exists(r) and stat.S_ISREG(os.lstat(r).st_mode):
                        return n
        n = wait_for(stored, 10, "the bad file rejected with a reason")
        assert stat.S_ISREG(os.lstat(os.path.join(rej, n)).st_mode)
    both(attack)


@t.test
def attack4_isolation_and_umask():
    def attack(running):
        n = number()
        R.send_file(f"secret{SEQ[0]}", n, "private")
        rc, out = attacker("ls spool/outgoing spool/tmp")
        assert rc != 0, "a sender listed outgoing/: " + out
        # ... and still sends with smsgw send, which cannot list them.
        m = number()
        rc, out = attacker(f"{SMSGW} -c {R.conf} send {m} -m 'by smsgw send'")
        assert rc == 0, out
        if running:
            R.wait_sent(m)
        rc, _ = attacker("mv spool/outgoing spool/out2 || mv spool/tmp spool/tmp2")
        assert rc != 0
        rc, _ = attacker("rm -rf spool/tmp && ln -s ../outside spool/tmp")
        assert rc != 0
        if running:
            R.wait_sent(n)
    both(attack)
    # Started with umask 022 by hand: modes are still the daemon's.
    R.stop()
    R.start(umask=0o022)
    assert os.stat(os.path.join(R.spool, "outgoing")).st_mode & 0o1777 == 0o1730
    assert os.stat(R.database).st_mode & 0o007 == 0


@t.test
def attack6_huge_file_and_sigterm_during_its_intake():
    n_rows = 100000

    def attack(running):
        tag = SEQ[0]
        script = (f"python3 -c \"import sys; sys.stdout.write(''.join("
                  f"'To: +1666{{:07d}}\\\\n'.format(i) for i in range({n_rows}))"
                  f" + '\\\\nbulk\\\\n')\" > spool/tmp/.big{tag} && "
                  f"mv spool/tmp/.big{tag} spool/outgoing/big{tag}")
        rc, out = attacker(script)
        assert rc == 0, out
        try:
            if running:
                # SIGTERM in the middle of the intake: honoured in 2 s.
                wait_for(lambda: R.scalar("select count(*) from message m"
                                          " join spool_file f on f.id = m.file_id"
                                          " where f.name = ?", f"big{tag}") > 0,
                         30, "the big file being taken in")
                R.stop()
            R.start()
            wait_for(lambda: R.count_events(f"accepted big{tag}") == 1, 60,
                     "the big file accepted")
            rows = R.scalar("select count(*) from message m join spool_file f"
                            " on f.id = m.file_id where f.name = ?", f"big{tag}")
            assert rows == n_rows, rows
        finally:
            # The modem would take a while for 100,000: cancel them.
            con = sqlite3.connect(R.database, timeout=10)
            con.execute("update message set state = 'cancelled' where"
                        " recipient like '+1666%' and state in ('queued', 'deferred')")
            con.commit()
            con.close()
    both(attack)


@t.test
def attack7_control_socket_flood():
    def attack(running):
        if not running:
            return
        sock = os.path.join(R.spool, ".smsgwd.sock")
        script = ("import socket,sys\n"
                  "s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\n"
                  "s.setblocking(False)\n"
                  "n=0\n"
                  "for i in range(50000):\n"
                  "  try: s.sendto(b'\\x1b[2J\\x1b]0;pwned\\x07' + str(i).encode(), sys.argv[1]); n+=1\n"
                  "  except OSError: pass\n"
                  "print(n)\n")
        before = R.log_tail().count("unknown request")
        rc, out = attacker(f"python3 -c \"{script}\" {sock}")
        assert rc == 0, out
        n = number()
        R.send_file(f"during-flood-{SEQ[0]}", n, "still serving")
        R.wait_sent(n)
        with open(R.log, "rb") as f:
            text = f.read()
        assert b"\x1b" not in text, "an escape sequence reached the log"
        assert text.decode(errors="replace").count("unknown request") - before < 20
    both(attack)


@t.test
def attack10_odd_entries_and_names():
    def attack(running):
        tag = SEQ[0]
        rc, out = attacker(
            f"cd spool/outgoing && ln -s ../../outside/precious link{tag} && "
            f"mkfifo fifo{tag} && mkdir dir{tag} && "
            f"python3 -c \"import socket; socket.socket(socket.AF_UNIX).bind('sock{tag}')\" && "
            f"printf 'To: +15550000001\\n\\nx\\n' > ../tmp/.h{tag} && ln ../tmp/.h{tag} hard{tag} && "
            f"printf 'To: +15550000001\\n\\nx\\n' > ../tmp/.n{tag} && mv ../tmp/.n{tag} \"$(printf 'bad\\033name{tag}')\"")
        assert rc == 0, out
        rej = os.path.join(R.spool, "rejected")
        want = [f"link{tag}", f"fifo{tag}", f"sock{tag}", f"hard{tag}"]
        if not running:
            R.start()
        wait_for(lambda: all(os.path.lexists(os.path.join(rej, w)) for w in want)
                 and all(os.path.exists(os.path.join(rej, w + ".reason"))
                         for w in want + [f"dir{tag}"]),
                 15, f"every odd entry in rejected/ ({sorted(os.listdir(rej))})")
        assert os.path.islink(os.path.join(rej, f"link{tag}"))
        # A sender's directory cannot be moved (that needs write access to
        # it): it stays, with a reason, until its owner removes it.
        wait_for(lambda: os.listdir(os.path.join(R.spool, "outgoing")) == [f"dir{tag}"],
                 15, "outgoing/ empty but for the directory")
        with open(os.path.join(rej, f"dir{tag}.reason")) as f:
            assert "directory" in f.read()
        attacker(f"rmdir spool/outgoing/dir{tag}")
        reasons = [open(os.path.join(rej, n), "rb").read() for n in os.listdir(rej)
                   if n.startswith("badname-") and n.endswith(".reason")]
        assert any(f"bad\\x1bname{tag}".encode() in r for r in reasons), reasons
        attacker(f"rm -f ../tmp/.h{tag}")
    both(attack)


@t.test
def attack9_empty_database_refused():
    R.stop()
    R.baseline()
    saved = R.database + ".saved"
    os.rename(R.database, saved)
    for ext in ("-wal", "-shm"):
        if os.path.exists(R.database + ext):
            os.unlink(R.database + ext)
    open(R.database, "w").close()
    os.chown(R.database, DUID, DGID)
    p = R.start(expect_ok=False)
    assert p.wait(5) != 0, "started on an empty database file"
    assert "empty" in R.log_tail()
    assert os.path.getsize(R.database) == 0
    os.replace(saved, R.database)
    R.start()
    R.intact("after the empty database was refused")


@t.test
def sigterm_within_two_seconds_and_one_daemon():
    assert R.daemons() == 1
    assert R.stop() < 2.0
    assert R.daemons() == 0


t.done()
