"""The PostgreSQL connection on the loop (include/pg_conn.h) against a real
server: connect and apply the schema, LISTEN/NOTIFY to a callback, queries
that never block the loop, and reconnection with LISTEN again after the
server restarts or the backend is killed."""
import os
import queue
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import BUILD  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
skip_without_postgres(t)
# The sanitizer build when there is one (make check builds it): the
# connection's reconnects and frees run under ASan against a real server.
PROBE = next(p for p in (os.path.join(BUILD, "asan", "tests", "test_pg_conn"),
                         os.path.join(BUILD, "tests", "test_pg_conn"))
             if os.access(p, os.X_OK))
ENOTCONN, EIO = 107, 5


class Probe:
    def __init__(self, url):
        self.p = subprocess.Popen([PROBE], env=dict(os.environ, SMSGW_PG_PROBE=url),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.put(line.decode().rstrip("\n"))

    def send(self, cmd):
        self.p.stdin.write((cmd + "\n").encode())
        self.p.stdin.flush()

    def expect(self, prefix, timeout=15):
        """The next line starting with prefix (others are kept in seen)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no '{prefix}' within {timeout}s; saw {self.seen[-10:]}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def query(self, sql, timeout=15):
        self.send("query " + sql)
        return self.expect("result ", timeout)[len("result "):]

    def close(self):
        """quit; returns (exit status, stderr)."""
        try:
            self.send("quit")
            self.p.wait(timeout=20)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            self.p.kill()
            self.p.wait()
        return self.p.returncode, self.p.stderr.read().decode("utf-8", "replace")


pg = PgServer().start()
probe = Probe(pg.url)


@t.test
def connects_and_applies_the_schema():
    assert probe.expect("state up") == "state up 1"
    assert pg.psql("select version from smsgw_schema").strip() == "1"
    assert pg.psql("select count(*) from information_schema.views"
                   " where table_name = 'outbox'").strip() == "1"


@t.test
def queries_answer_with_results_and_errors():
    assert probe.query("select 41 + 1") == "0 42"
    r = probe.query("select * from no_such_table")
    assert r.startswith(f"-{EIO} ") and "no_such_table" in r, r
    assert probe.query("select count(*) from outbox") == "0 0"


@t.test
def notify_from_psql_reaches_the_callback():
    probe.send("listen smsgw_queue")
    # LISTEN is a query of its own, ordered before the next one.
    assert probe.query("select 1") == "0 1"
    pg.psql("NOTIFY smsgw_queue, 'box-a 17'")
    assert probe.expect("notify ") == "notify smsgw_queue box-a 17"


@t.test
def a_slow_query_does_not_block_the_loop():
    probe.send("query select pg_sleep(2), 'slept'")
    probe.send("ping")
    line = probe.expect("pong", 1.5)   # well before the query's 2 s
    assert line == "pong"
    r = probe.expect("result ", 10)
    assert r.startswith("result 0"), r


@t.test
def server_restart_reconnects_and_listens_again():
    pg.stop_server()
    assert probe.expect("state down") == "state down"
    # While the server is down: answered at once, not queued, not blocking.
    r = probe.query("select 1", timeout=3)
    assert r.startswith(f"-{ENOTCONN} "), r
    probe.send("ping")
    probe.expect("pong", 2)
    pg.start_server()
    assert probe.expect("state up", 30) == "state up 2"
    pg.psql("NOTIFY smsgw_queue, 'after restart'")
    assert probe.expect("notify ") == "notify smsgw_queue after restart"
    assert probe.query("select 7") == "0 7"


@t.test
def a_killed_backend_reconnects():
    pids = pg.backend_pids()
    assert pids, "no client backend to kill"
    pg.psql("select pg_terminate_backend(pid) from pg_stat_activity"
            " where backend_type = 'client backend' and pid <> pg_backend_pid()")
    assert probe.expect("state down") == "state down"
    assert probe.expect("state up", 30) == "state up 3"
    assert probe.query("select 8") == "0 8"


@t.test
def a_server_down_at_start_is_waited_for():
    """The daemon may start before its database: it keeps trying, on
    its backoff, without blocking, and connects once the server is up."""
    pg.stop_server()
    late = Probe(pg.url)
    try:
        r = late.query("select 1", timeout=5)
        assert r.startswith(f"-{ENOTCONN} "), r
        late.send("ping")
        late.expect("pong", 2)
        pg.start_server()
        assert late.expect("state up", 30) == "state up 1"
        assert late.query("select 9") == "0 9"
    finally:
        code, err = late.close()
    assert code == 0 and "Sanitizer" not in err, f"exit {code}:\n{err[-3000:]}"


@t.test
def the_probe_exits_cleanly():
    code, err = probe.close()
    assert code == 0 and "Sanitizer" not in err, f"exit {code}:\n{err[-3000:]}"


pg.stop()
t.done()
