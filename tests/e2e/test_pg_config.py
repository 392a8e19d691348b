"""database = "postgresql://…" in the configuration (doc/postgresql.md):
smsgwd -t names the backend (never a password), libpq's own parser judges
the URI, and what the PostgreSQL backend cannot do yet is refused by name
before anything starts — by smsgwd and by the CLI, which never mistakes
the URI for a file path."""
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import SMSGW, SMSGWD, tempdir  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
D = tempdir("smsgw-pgcfg-")


def check(database, extra=""):
    conf = os.path.join(D, "smsgw.conf")
    with open(conf, "w") as f:
        f.write(f'spool = "{D}/spool"\ndatabase = "{database}"\n{extra}')
    p = subprocess.run([SMSGWD, "-t", "-c", conf], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr, conf


@t.test
def sqlite_is_named_and_accepted():
    rc, out, err, _ = check(f"{D}/smsgw.db")
    assert rc == 0, err
    assert f"database: SQLite {D}/smsgw.db" in out, out
    assert "configuration ok" in out


@t.test
def postgresql_is_named_without_its_password():
    rc, out, err, _ = check("postgresql://gw:s3cret@db.example:5433/smsgw",
                            'box = "east-1"\n')
    assert "database: PostgreSQL database smsgw on db.example port 5433 as user gw" in out, out
    assert "box: east-1" in out, out
    assert "s3cret" not in out + err
    # smsgwd runs on PostgreSQL (test_pg_daemon.py).
    assert rc == 0, err
    assert "configuration ok" in out, out


@t.test
def the_box_defaults_to_the_host_name():
    rc, out, err, _ = check("postgresql:///smsgw")
    assert f"box: {socket.gethostname()}" in out, out


@t.test
def a_bad_uri_is_refused_with_libpqs_reason():
    rc, out, err, conf = check("postgresql://db.example/smsgw?bogus=1")
    assert rc == 1
    assert "database" in err and "is not a PostgreSQL URI" in err and "bogus" in err, err


@t.test
def the_http_api_webhooks_and_eventhandler_are_not_refused_on_postgresql():
    rc, out, err, _ = check("postgres:///smsgw",
                            'http {\n    listen = "127.0.0.1:8080"\n}\n'
                            'webhook crm {\n    url = "http://127.0.0.1:9/x"\n'
                            '    secret = "0123456789abcdef"\n'
                            '    events = "received"\n}\n'
                            'eventhandler = "/bin/true"\n')
    assert "HTTP API" not in err and "webhook" not in err and "eventhandler" not in err, err


@t.test
def a_bad_box_name_is_refused():
    rc, out, err, _ = check(f"{D}/smsgw.db", 'box = "two words"\n')
    assert rc == 1 and "box" in err, err


@t.test
def what_postgresql_lacks_yet_is_refused_by_name():
    rc, out, err, _ = check("postgres:///smsgw",
                            'retention {\n    events = "30d"\n}\n')
    assert rc == 0, err     # one box a round (doc/postgresql.md, Retention)
    # Quiet hours work on PostgreSQL (the claiming box decides).
    rc, out, err, _ = check("postgres:///smsgw", 'quiet_hours = "21:00-08:00"\n')
    assert rc == 0, err


@t.test
def the_lease_is_a_duration_in_range():
    rc, out, err, _ = check("postgres:///smsgw", 'lease = "1s"\n')
    assert rc == 1 and "lease" in err and "2s to 1h" in err, err
    rc, out, err, _ = check("postgres:///smsgw", 'lease = "30s"\n')
    assert rc == 0, err


@t.test
def the_cli_names_the_server_it_cannot_reach_and_creates_no_directory():
    cwd = tempdir("smsgw-pgcfg-cwd-")
    _, _, _, conf = check("postgresql:///smsgw?host=/nonexistent")
    p = subprocess.run([SMSGW, "-c", conf, "status"], capture_output=True,
                       text=True, cwd=cwd, timeout=20)
    assert p.returncode == 1
    assert "PostgreSQL: connection to server" in p.stderr, p.stderr
    p = subprocess.run([SMSGW, "-c", conf, "token", "list"],
                       capture_output=True, text=True, cwd=cwd, timeout=20)
    assert p.returncode == 1
    assert "PostgreSQL: connection to server" in p.stderr, p.stderr
    assert os.listdir(cwd) == [], os.listdir(cwd)


t.done()
