"""A throw-away PostgreSQL 15 server for tests (doc/postgresql.md).

    from pgserver import PgServer, skip_without_postgres
    skip_without_postgres(t)          # prints a SKIP line and exits 0 if absent
    pg = PgServer().start()           # initdb + pg_ctl start in a temp dir
    pg.url                            # "postgresql:///smsgw?host=/tmp/...&user=smsgw"
    pg.psql("select 1")               # stdout of psql -At, raises on error
    pg.restart(); pg.stop()           # stopped at exit in any case

The cluster lives in a temporary directory and listens only on a unix
socket inside it (no TCP port, so parallel tests never collide). PostgreSQL
refuses to run as root, and CI runs as root: then initdb and the server run
as an unprivileged system user (`postgres` if the package created it, else
`nobody`) through setpriv, and the directory is handed to that user.
Clients (psql, smsgwd) connect as the database user "smsgw" with trust
authentication on that private socket.

The server is stopped at exit (atexit) and also when the test process dies
without running atexit (SIGKILL from a timeout): a guard process holds the
read end of a pipe whose write end only the test process has; at EOF it
stops the server and removes the directory.
"""
import atexit
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

PG_BIN = os.environ.get("SMSGW_PG_BIN", "/usr/lib/postgresql/15/bin")
DB_USER = "smsgw"
DB_NAME = "smsgw"


def missing_reason():
    """None when PostgreSQL 15 can be started here, else why not."""
    for prog in ("initdb", "pg_ctl", "postgres"):
        if not os.access(os.path.join(PG_BIN, prog), os.X_OK):
            return (f"PostgreSQL 15 is not installed ({PG_BIN}/{prog} missing; "
                    "scripts/deps.sh installs postgresql-15)")
    if not shutil.which("psql"):
        return "psql is not installed (postgresql-client-15)"
    if os.getuid() == 0 and not shutil.which("setpriv"):
        return "running as root and setpriv (util-linux) is missing"
    return None


def skip_without_postgres(t, name="postgresql"):
    """Ends the test script with a TAP skip when PostgreSQL is absent."""
    why = missing_reason()
    if why:
        print(f"ok - {name} # SKIP {why}")
        t.done()


def _server_user():
    """(uid, gid, name) the server runs as; None: as ourselves."""
    if os.getuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return pw.pw_uid, pw.pw_gid, name
    raise RuntimeError("running as root and neither the postgres nor the "
                       "nobody user exists to run PostgreSQL as")


class PgServer:
    def __init__(self):
        self.dir = None
        self.guard = None
        self._guard_w = None
        self.running = False
        self.user = _server_user()

    # ---- paths ----
    @property
    def data(self):
        return os.path.join(self.dir, "data")

    @property
    def socket_dir(self):
        return self.dir

    @property
    def log(self):
        return os.path.join(self.dir, "server.log")

    @property
    def url(self):
        return f"postgresql:///{DB_NAME}?host={self.socket_dir}&user={DB_USER}"

    def env(self):
        """Environment for psql and other libpq clients."""
        return dict(os.environ, PGHOST=self.socket_dir, PGUSER=DB_USER,
                    PGDATABASE=DB_NAME, PGCONNECT_TIMEOUT="10")

    # ---- running as the server's user ----
    def _as_server(self, argv):
        if not self.user:
            return argv
        uid, gid, _ = self.user
        return ["setpriv", f"--reuid={uid}", f"--regid={gid}",
                "--clear-groups", "--"] + argv

    def _run(self, argv, **kw):
        p = subprocess.run(self._as_server(argv), stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, cwd=self.dir, **kw)
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}):\n"
                               + p.stdout.decode("utf-8", "replace")
                               + self.log_text())
        return p.stdout.decode("utf-8", "replace")

    def log_text(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # ---- life cycle ----
    def start(self):
        why = missing_reason()
        if why:
            raise RuntimeError(why)
        # /tmp, not $TMPDIR: the server's user must reach the directory,
        # and the socket path must stay under 107 bytes.
        self.dir = tempfile.mkdtemp(prefix="smsgw-pg-", dir="/tmp")
        if self.user:
            os.chown(self.dir, self.user[0], self.user[1])
        os.chmod(self.dir, 0o755)
        self._run([os.path.join(PG_BIN, "initdb"), "-D", self.data,
                   "-U", DB_USER, "--auth=trust", "-E", "UTF8",
                   "--locale=C", "--no-sync"])
        self._start_guard()
        self.start_server()
        out = subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c",
                              f"CREATE DATABASE {DB_NAME}"], env=self.env(),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if out.returncode != 0:
            raise RuntimeError("CREATE DATABASE failed: "
                               + out.stdout.decode("utf-8", "replace"))
        return self

    def start_server(self):
        # fsync off: a test cluster that dies is thrown away anyway.
        opts = (f"-k {self.socket_dir} -c listen_addresses='' -c fsync=off "
                "-c full_page_writes=off -c synchronous_commit=off "
                "-c max_connections=60")
        self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data, "-l",
                   self.log, "-o", opts, "-w", "-t", "30", "start"])
        self.running = True

    def stop_server(self, mode="fast"):
        if self.running:
            self.running = False
            self._run([os.path.join(PG_BIN, "pg_ctl"), "-D", self.data,
                       "-m", mode, "-w", "-t", "30", "stop"])

    def restart(self, mode="fast"):
        self.stop_server(mode)
        self.start_server()

    def stop(self):
        if not self.dir:
            return
        try:
            self.stop_server()
        finally:
            if self._guard_w is not None:
                os.close(self._guard_w)
                self._guard_w = None
                self.guard.wait(timeout=30)
            if os.environ.get("SMSGW_KEEP"):
                print(f"# kept {self.dir}")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def _start_guard(self):
        r, w = os.pipe()        # both ends non-inheritable by default
        pg_ctl = os.path.join(PG_BIN, "pg_ctl")
        stop = " ".join(self._as_server([pg_ctl, "-D", self.data, "-m",
                                         "immediate", "-w", "stop"]))
        keep = "1" if os.environ.get("SMSGW_KEEP") else ""
        script = (f"cat >/dev/null; "
                  f"if [ -e {self.data}/postmaster.pid ]; then "
                  f"{stop} >/dev/null 2>&1; fi; "
                  f"[ -n '{keep}' ] || rm -rf {self.dir}")
        self.guard = subprocess.Popen(["sh", "-c", script], stdin=r,
                                      start_new_session=True, pass_fds=())
        os.close(r)
        self._guard_w = w
        atexit.register(self.stop)

    # ---- clients ----
    def psql(self, sql, db=DB_NAME, check=True):
        """Runs sql with psql -At (unaligned, tuples only); returns stdout."""
        p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
                            "-d", db, "-c", sql], env=self.env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and p.returncode != 0:
            raise RuntimeError(f"psql failed: {sql}\n"
                               + p.stderr.decode("utf-8", "replace"))
        return p.stdout.decode("utf-8", "replace")

    def psql_file(self, path, db=DB_NAME):
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                            "-d", db, "-f", path], env=self.env(),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode != 0:
            raise RuntimeError(f"psql -f {path} failed:\n"
                               + p.stderr.decode("utf-8", "replace"))

    def backend_pids(self):
        """PIDs of client backends (for tests that cut connections)."""
        out = self.psql("select pid from pg_stat_activity where "
                        "backend_type = 'client backend' and "
                        "pid <> pg_backend_pid()")
        return [int(x) for x in out.split()]


if __name__ == "__main__":
    # python3 tests/lib/pgserver.py: start one, print how to reach it, stop.
    why = missing_reason()
    if why:
        sys.exit(why)
    s = PgServer().start()
    print(s.url)
    print(s.psql("select version()"))
    s.stop()
