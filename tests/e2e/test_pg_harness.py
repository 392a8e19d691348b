"""The PostgreSQL test harness (tests/lib/pgserver.py): a server in a
temporary directory, as an unprivileged uid when we are root, on a unix
socket only; restartable; gone after the test process dies, even by
SIGKILL."""
import os
import signal
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
skip_without_postgres(t)
LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")


def postmaster_pid(pg):
    with open(os.path.join(pg.data, "postmaster.pid")) as f:
        return int(f.readline())


def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


@t.test
def server_starts_unprivileged_on_a_private_socket():
    pg = PgServer().start()
    try:
        assert pg.psql("select current_user").strip() == "smsgw"
        uid = uid_of(postmaster_pid(pg))
        if os.getuid() == 0:
            assert uid != 0, "the server runs as root"
        else:
            assert uid == os.getuid(), f"server uid {uid}"
        assert pg.psql("show listen_addresses").strip() == "", "TCP is open"
        assert os.path.exists(os.path.join(pg.socket_dir, ".s.PGSQL.5432"))
    finally:
        d = pg.dir
        pg.stop()
    assert not os.path.exists(d), f"{d} left behind"


@t.test
def restart_keeps_the_data():
    pg = PgServer().start()
    try:
        pg.psql("create table k (v int); insert into k values (42)")
        old = postmaster_pid(pg)
        pg.restart()
        assert postmaster_pid(pg) != old
        assert pg.psql("select v from k").strip() == "42"
    finally:
        d = pg.dir
        pg.stop()
    assert not os.path.exists(d), f"{d} left behind"


@t.test
def a_killed_test_leaves_no_server_behind():
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, sys.argv[1]);"
         "from pgserver import PgServer; s = PgServer().start();"
         "print(s.dir, open(s.data + '/postmaster.pid').readline().strip(),"
         " flush=True); time.sleep(120)", LIB],
        stdout=subprocess.PIPE, env=dict(os.environ, SMSGW_KEEP=""))
    line = child.stdout.readline().decode().split()
    assert len(line) == 2, f"child said {line!r}"
    d, pid = line[0], int(line[1])
    assert os.path.isdir(d)
    child.send_signal(signal.SIGKILL)
    child.wait()
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), 30,
             "the orphaned postmaster to stop")
    wait_for(lambda: not os.path.exists(d), 30, f"{d} to be removed")


t.done()
