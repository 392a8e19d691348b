"""Runs the real smsgwd and smsgw for end-to-end tests.

    gw = Gateway(tmpdir, modems=[{"name": "m1", "device": sim.path(0)}])
    gw.start()                 # waits for the "started" event in the database
    gw.query("select * from outbox")
    gw.cli("status", "--json")
    gw.stop()                  # SIGTERM; returns the exit status

Everything lives in one temporary directory: config, spool, database, logs.
"""
import atexit
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time

from tap import wait_for

ROOT = os.environ.get("SMSGW_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("BUILD") or os.path.join(ROOT, "build")
if not os.path.isabs(BUILD):
    BUILD = os.path.join(ROOT, BUILD)
SMSGWD = os.path.join(BUILD, "smsgwd")
# Seconds start() waits for the started event and stop() for the exit;
# a daemon under valgrind on a busy machine needs more (its tests raise
# them with SMSGWD).
START_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
SMSGW = os.path.join(BUILD, "smsgw")


_dirs = []


@atexit.register
def _cleanup():
    if os.environ.get("SMSGW_KEEP"):
        for d in _dirs:
            print(f"# kept {d}")
        return
    for d in _dirs:
        shutil.rmtree(d, ignore_errors=True)


def tempdir(prefix="smsgw-e2e-"):
    """A temporary directory removed at exit (kept when SMSGW_KEEP is set)."""
    d = tempfile.mkdtemp(prefix=prefix)
    _dirs.append(d)
    return d


def conf_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "{" + ", ".join(conf_value(x) for x in v) + "}"
    return json.dumps(str(v))


def render_config(settings, modems, rules=(), hooks=None, extra=""):
    """smsgw.conf text from dicts; modem dicts may hold a "sims" list;
    extra is appended as it is (http and webhook sections)."""
    out = []
    for k, v in settings.items():
        if isinstance(v, dict):     # a section: retention { … }
            out.append(f"{k} {{")
            out += [f"    {kk} = {conf_value(vv)}" for kk, vv in v.items()]
            out.append("}")
        else:
            out.append(f"{k} = {conf_value(v)}")
    if extra:
        out.append(extra)
    for r in rules:
        r = dict(r)
        out.append(f'rule "{r.pop("name")}" {{')
        out += [f"    {k} = {conf_value(v)}" for k, v in r.items()]
        out.append("}")
    if hooks:
        out.append("hooks {")
        out += [f"    {k} = {conf_value(v)}" for k, v in hooks.items()]
        out.append("}")
    for m in modems:
        m = dict(m)
        sims = m.pop("sims", [])
        out.append(f'modem "{m.pop("name")}" {{')
        out += [f"    {k} = {conf_value(v)}" for k, v in m.items()]
        for s in sims:
            s = dict(s)
            out.append(f'    sim "{s.pop("name", "1")}" {{')
            out += [f"        {k} = {conf_value(v)}" for k, v in s.items()]
            out.append("    }")
        out.append("}")
    return "\n".join(out) + "\n"


class Gateway:
    def __init__(self, workdir=None, modems=(), settings=None, rules=(), hooks=None,
                 extra=""):
        self.dir = workdir or tempdir()
        self.spool = os.path.join(self.dir, "spool")
        self.database = os.path.join(self.dir, "smsgw.db")
        self.conf = os.path.join(self.dir, "smsgw.conf")
        self.log = os.path.join(self.dir, "smsgwd.log")
        s = {"spool": self.spool, "database": self.database,
             "log_level": "info", "at_trace": os.path.join(self.dir, "at.log")}
        s.update(settings or {})
        self.settings = s
        self.modems = list(modems)
        self.rules = list(rules)
        self.hooks = hooks
        self.extra = extra
        self.proc = None
        self.write_config()

    def write_config(self):
        with open(self.conf, "w") as f:
            f.write(render_config(self.settings, self.modems, self.rules, self.hooks,
                                  self.extra))

    # ---- the daemon ----
    def start(self, wait=True, args=()):
        self.logf = open(self.log, "ab")
        self.started_events = self.count_events("started") if os.path.exists(self.database) else 0
        self.proc = subprocess.Popen([SMSGWD, "-f", "-c", self.conf, *args],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        if wait:
            wait_for(lambda: self.proc.poll() is not None
                     or self.count_events("started") > self.started_events,
                     START_TIMEOUT, "the daemon's started event")
            if self.proc.poll() is not None:
                raise AssertionError(f"smsgwd exited with {self.proc.returncode}:\n"
                                     + self.log_text()[-2000:])
        return self

    def stop(self, sig=signal.SIGTERM, timeout=None):
        """Signals the daemon and returns its exit status."""
        if not self.proc:
            return None
        if timeout is None:
            timeout = STOP_TIMEOUT
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise AssertionError(f"smsgwd did not exit within {timeout}s of {sig}")
        finally:
            self.logf.close()
        self.proc = None
        return rc

    def __del__(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()

    def kill(self):
        """kill -9, as a crash would."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc:
            self.logf.close()
        self.proc = None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    # ---- the database ----
    def db(self):
        con = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=10)
        con.row_factory = sqlite3.Row
        return con

    def query(self, sql, *args):
        if not os.path.exists(self.database):
            return []
        con = self.db()
        try:
            return [dict(r) for r in con.execute(sql, args)]
        except sqlite3.OperationalError as e:
            if "no such table" in str(e) or "no such view" in str(e):
                return []
            raise
        finally:
            con.close()

    def scalar(self, sql, *args):
        rows = self.query(sql, *args)
        return list(rows[0].values())[0] if rows else None

    def count_events(self, word):
        return self.scalar("select count(*) from events where message like ?",
                           f"%{word}%") or 0

    # ---- the CLI and the spool ----
    def cli(self, *args, input=None, check=True):
        p = subprocess.run([SMSGW, "-c", self.conf, *args], input=input,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and p.returncode != 0:
            raise AssertionError(f"smsgw {' '.join(args)} exited {p.returncode}: "
                                 f"{p.stderr.decode(errors='replace')}")
        return p

    def cli_json(self, *args):
        return json.loads(self.cli(*args).stdout)

    def drop(self, name, text, atomic=True):
        """Puts a spool file into outgoing/ (via tmp/ and rename when atomic)."""
        data = text.encode() if isinstance(text, str) else text
        out = os.path.join(self.spool, "outgoing", name)
        if atomic:
            tmp = os.path.join(self.spool, "tmp", name)
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, out)
        else:
            with open(out, "wb") as f:
                f.write(data)
        return out

    def wait(self, cond, timeout=10.0, what="condition"):
        return wait_for(cond, timeout, what)
