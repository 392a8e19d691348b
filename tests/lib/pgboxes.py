"""Several smsgwd ("boxes") on one PostgreSQL, each with its own simulated
modems and spool (issue 17; README "More than one box").

    pg = PgServer().start()
    a = Box(pg, "a", modems=4, latency_ms=30).start()
    a.wait_ready()                      # its SIMs ready in the sims view
    a.drop("f1", "To: +15550001\\n\\nhi\\n")
    pg_rows(pg, "select * from outbox")  # every box's rows, as dicts
    a.kill(); a.start()                 # kill -9, restart on the same spool

A box is a Gateway (tests/lib/gateway.py) whose database is the server's
URL: its own directory (config, spool, log, AT trace) and its own
smsgw-modemsim with `modems` modems named m0…; its SIMs are
"<box>/m<i>/1" in the views. Reads go through psql (the same views an
operator reads). Used by tests/e2e/test_pg_multibox.py and
tests/bench/pg_multibox.py.
"""
import atexit
import datetime
import json
import os
import subprocess

from gateway import Gateway, SMSGWD, tempdir
from modemsim import ModemSim
from tap import wait_for

# The config option with the lease length (how long a box's claim holds a
# message before another box may take it over).
LEASE_OPTION = "lease"

# How often tests poll the database: each poll is a psql process.
POLL = 0.1


def lit(value):
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _psql(pg, sql):
    try:
        return pg.psql(sql)
    except RuntimeError as e:
        # Before the first box connected, the schema is not there yet
        # (it may be committed between the query and this check: then
        # the query is asked again).
        if "does not exist" not in str(e):
            raise
        if not pg.psql("select 1 from pg_tables where tablename = 'smsgw_schema'"):
            return ""
        return pg.psql(sql)


def pg_rows(pg, sql):
    """The rows of sql as a list of dicts (json_agg, so types survive);
    none before a box created the schema."""
    out = _psql(pg, f"select coalesce(json_agg(q), '[]'::json) from ({sql}) q")
    return json.loads(out or "[]")


def pg_scalar(pg, sql):
    out = _psql(pg, sql).strip()
    return out.splitlines()[0] if out else None


def luhn(digits):
    """digits with their Luhn check digit appended (ICCID, IMEI)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return digits + str((10 - total % 10) % 10)


def iso_ms(s):
    """'2026-11-27T07:34:31.201Z' → ms since the epoch."""
    d = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000


def iso_in(seconds):
    """Now + seconds as ISO-8601 with an offset (Send-At:)."""
    t = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def refusal(pg, lease=True):
    """None when smsgwd -t accepts a config on this server; else
    ("unsupported", sentence) when smsgwd refuses PostgreSQL itself (its
    config_pg_unsupported() sentence: a feature not there yet), or
    ("error", message) for anything else (e.g. no lease option)."""
    d = tempdir("smsgw-pgcheck-")
    conf = os.path.join(d, "smsgw.conf")

    def check(extra):
        with open(conf, "w") as f:
            f.write(f'spool = "{d}/spool"\ndatabase = "{pg.url}"\n'
                    f'box = "check"\n{extra}')
        p = subprocess.run([SMSGWD, "-t", "-c", conf], capture_output=True,
                           text=True, timeout=30)
        return p.returncode, p.stderr + p.stdout

    rc, out = check("")
    said = [l for l in out.splitlines() if "database = postgresql://" in l]
    if rc and said:
        return "unsupported", said[0].split(": ", 2)[-1]
    if lease:
        rc, out = check(f'{LEASE_OPTION} = "5s"\n')
    if rc:
        return "error", out.strip()
    return None


class Box(Gateway):
    def __init__(self, pg, name, modems=4, latency_ms=30, settings=None,
                 knobs=None, at_trace=True, health="120s"):
        self.pg = pg
        self.name = name
        work = tempdir(f"smsgw-box-{name}-")
        spec = {"latency_ms": latency_ms}
        spec.update(knobs or {})
        specs = {"all": spec}
        # Every simulator numbers its modems' cards alike (by index); boxes
        # sharing a database must not share an ICCID (usage and quotas are
        # the card's), an IMEI or a number.
        k = 1 + "abcdefghijklmnopqrstuvwxyz".find(name[0].lower())
        for i in range(modems):
            specs[i] = {"iccid": luhn(f"890126{k:02d}{i:03d}0000000"),
                        "imsi": f"310260{k:02d}{i:03d}0000",
                        "number": f"+1666{k:02d}{i:03d}01",
                        "imei": luhn(f"3569380{k:02d}{i:05d}")}
        self.sim = ModemSim(modems=modems, specs=specs,
                            dir=os.path.join(work, "sim"))
        self.sim.start()
        atexit.register(self.close)
        s = {"database": pg.url, "box": name, LEASE_OPTION: "3s",
             "send_timeout": "10s", "prompt_timeout": "5s",
             "log_level": "info", "default_country": "1"}
        s.update(settings or {})
        super().__init__(work, modems=[
            {"name": f"m{i}", "device": self.sim.path(i),
             "health_interval": health} for i in range(modems)], settings=s)
        if not at_trace:
            self.settings.pop("at_trace", None)
            self.write_config()
        self.nmodems = modems

    # ---- the daemon ----
    def start(self, wait=True, args=(), timeout=30):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen([SMSGWD, "-f", "-c", self.conf, *args],
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        if wait:
            # The box's daemon row carries the pid of the smsgwd that wrote
            # it (smsgw_daemon start): this process, not a previous one.
            wait_for(lambda: self.proc.poll() is not None or self.scalar(
                f"select count(*) from daemon where box = {lit(self.name)}"
                f" and pid = {self.proc.pid} and stopped_at is null"),
                timeout, f"box {self.name}'s daemon row", interval=POLL)
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"smsgwd of box {self.name} exited with "
                    f"{self.proc.returncode}:\n" + self.log_text()[-2000:])
        return self

    def close(self):
        try:
            if self.running():
                self.stop(timeout=15)
        finally:
            self.kill()
            self.sim.stop()

    # ---- the shared database ----
    def query(self, sql, *args):
        if args:
            raise ValueError("Box.query takes no parameters; use lit()")
        return pg_rows(self.pg, sql)

    def scalar(self, sql, *args):
        v = pg_scalar(self.pg, sql)
        return int(v) if v is not None and v.lstrip("-").isdigit() else v

    def count_events(self, word):
        return self.scalar(f"select count(*) from event where box = "
                           f"{lit(self.name)} and message like "
                           f"{lit('%' + word + '%')}") or 0

    def sim_states(self):
        """{name: state} of this box's SIMs in the sims view."""
        return {r["name"]: r["state"] for r in self.query(
            f"select name, state from sims where name like "
            f"{lit(self.name + '/%')}")}

    def wait_ready(self, timeout=60):
        """Until the sims view shows every SIM of this box ready."""
        def ok():
            st = self.sim_states()
            return len(st) == self.nmodems and all(
                v == "ready" for v in st.values())
        try:
            wait_for(ok, timeout, "", interval=POLL)
        except AssertionError:
            raise AssertionError(
                f"timed out after {timeout}s waiting for box {self.name}'s"
                f" {self.nmodems} SIMs ready (sims view: {self.sim_states()})"
            ) from None

    def wait_not_ready(self, timeout=30):
        wait_for(lambda: all(v != "ready" for v in self.sim_states().values()),
                 timeout, f"box {self.name}'s SIMs not ready (sims view: "
                 f"{self.sim_states()})", interval=POLL)

    # ---- the spool ----
    def drop(self, name, text, atomic=True):
        """Like Gateway.drop; returns the time of the rename (time.time())."""
        import time
        super().drop(name, text, atomic)
        return time.time()

    # ---- ground truth ----
    def received(self):
        """Whole messages this box's simulated network accepted, each with
        "box" added."""
        return [dict(m, box=self.name) for m in self.sim.network("message")]


class Count:
    """How many "message" lines the boxes' network.jsonl hold, read
    incrementally (re-parsing 1,200 lines every poll costs a core)."""

    def __init__(self, boxes, prefix=None):
        self.files = {b.name: [os.path.join(b.sim.dir, "network.jsonl"), 0]
                      for b in boxes}
        self.count = 0
        self.needle = (b'"event":"message"' if prefix is None else None)
        self.prefix = prefix

    def __call__(self):
        for f in self.files.values():
            try:
                with open(f[0], "rb") as fh:
                    fh.seek(f[1])
                    data = fh.read()
            except FileNotFoundError:
                continue
            end = data.rfind(b"\n") + 1
            f[1] += end
            if self.needle:
                self.count += data[:end].count(self.needle)
            else:
                for line in data[:end].splitlines():
                    m = json.loads(line)
                    if m["event"] == "message" and \
                            m["dest"].startswith(self.prefix):
                        self.count += 1
        return self.count


def bulk(recipients, body, extra=""):
    """A spool file: several To: lines (kind bulk), one body."""
    return "".join(f"To: {r}\n" for r in recipients) + extra + f"\n{body}\n"
