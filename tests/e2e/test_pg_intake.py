"""INSERT INTO outbox, smsgw token and smsgw ussd on PostgreSQL (issue 17; README
"Queueing with SQL" and "More than one box"; doc/postgresql.md "INSERT
INTO outbox").

Boxes a and b (tests/lib/pgboxes.py: smsgwd, its spool, its simulated
modems) share one PostgreSQL 15, set up as the README says: the boxes log
in as a role owning the database, bob is in smsgw_read, carol in
smsgw_submit. A SQLite gateway beside them (its own simulator) takes the
same inserts, so the rows are compared with SQLite's. Shown:

- a row inserted with psql by carol is sent, and its outbox view row is
  SQLite's for the same insert (but ids, times and SIM names);
- bad rows become failed outbox rows with SQLite's reasons and a warning
  event each, a repeated id says it was queued before; nothing stays in
  outbox_in;
- an opted-out number is suppressed, a later send_at and a paused
  campaign deferred, as on SQLite;
- bob (smsgw_read) cannot insert; carol (smsgw_submit) can insert and
  nothing else;
- rows inserted while no smsgwd runs are sent once a box starts;
- a row leased to a box that died is taken by another once the lease
  lapsed;
- 200 rows inserted at once with both boxes running are each sent
  exactly once (the simulators' ground truth and the outbox view);
- smsgw token add/list/remove on PostgreSQL, the list as SQLite prints
  it; a token added by the CLI of box b authenticates a request to box
  a's HTTP API, and once removed it does not;
- smsgw ussd on PostgreSQL reaches this box's modem (also as a reader);
  another box's SIM is refused with the reason.
"""
import collections
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flow_helpers import rig  # noqa: E402
from gateway import SMSGW  # noqa: E402
from httpapi import Api, free_port, http_section  # noqa: E402
from pgboxes import Box, lit, pg_rows, pg_scalar  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
skip_without_postgres(t)

pg = PgServer().start()
for sql in ("CREATE ROLE gw LOGIN", "ALTER DATABASE smsgw OWNER TO gw",
            "CREATE ROLE smsgw_read NOLOGIN",
            "CREATE ROLE bob LOGIN IN ROLE smsgw_read",
            "CREATE ROLE smsgw_submit NOLOGIN",
            "CREATE ROLE carol LOGIN IN ROLE smsgw_submit"):
    pg.psql(sql, db="postgres")
GW_URL = pg.url.replace("user=smsgw", "user=gw")
PORT = free_port()
a = Box(pg, "a", modems=2, latency_ms=20, settings={"database": GW_URL})
a.extra = http_section(PORT)
a.write_config()
b = Box(pg, "b", modems=2, latency_ms=20, settings={"database": GW_URL})
a.start()
a.wait_ready()

# SQLite beside it, for the same inserts.
lsim, lite = rig(1, latency_ms=20)

# The outbox view's columns that differ by nature between two gateways.
VOLATILE = {"id", "created_at", "sim", "sent_at", "delivered_at", "sim_name",
            "sim_iccid", "sim_number", "not_before", "file_id", "updated_at",
            "send_at", "state"}


def psql_as(user, sql):
    """(returncode, stdout, stderr) of psql as user."""
    env = dict(pg.env(), PGUSER=user)
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c",
                        sql], env=env, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def insert_pg(sql, user="carol"):
    rc, out, err = psql_as(user, sql)
    assert rc == 0, err
    return out


def insert_lite(sql):
    subprocess.run(["sqlite3", "-cmd", ".timeout 5000", lite.database, sql],
                   check=True, capture_output=True, text=True)


def pg_outbox(where):
    return pg_rows(pg, f"select * from outbox where {where} order by id")


def lite_outbox(where):
    return lite.query(f"select * from outbox where {where} order by id")


def stable(row):
    return {k: v for k, v in row.items() if k not in VOLATILE}


def smsgw(box, *args, user=None):
    conf = box.conf
    if user:
        conf = os.path.join(box.dir, f"smsgw-{user}.conf")
        with open(box.conf) as f:
            text = f.read().replace("user=gw", f"user={user}")
        with open(conf, "w") as f:
            f.write(text)
    return subprocess.run([SMSGW, "-c", conf, *args], capture_output=True,
                          text=True)


def outbox_in():
    return int(pg_scalar(pg, "select count(*) from outbox_in") or 0)


@t.test
def an_insert_with_psql_is_sent_with_the_sqlite_row():
    ins = ("INSERT INTO outbox(recipient, body, campaign, priority, kind) "
           "VALUES ('+15552000001', 'from psql', 'sqlc', 'high', 'bulk')")
    insert_pg(ins)
    insert_lite(ins)
    m = a.sim.wait_message(lambda m: m["dest"] == "+15552000001", timeout=15)
    assert m["text"] == "from psql", m
    lsim.wait_message(lambda m: m["dest"] == "+15552000001", timeout=15)
    done = ("recipient = '+15552000001' and state in ('sent', 'delivered')")
    wait_for(lambda: len(pg_outbox(done)) == 1 and len(lite_outbox(done)) == 1,
             15, "both rows sent")
    p, s = pg_outbox(done)[0], lite_outbox(done)[0]
    assert stable(p) == stable(s), (p, s)
    assert p["origin"] == "sql" and p["campaign"] == "sqlc", p
    assert p["sim_name"].startswith("a/m"), p
    assert outbox_in() == 0


BAD = ("INSERT INTO outbox(recipient, body) VALUES ('not a number', 'x');"
       "INSERT INTO outbox(recipient, body, priority) "
       "VALUES ('+15552000002', 'y', 'urgent');"
       "INSERT INTO outbox(recipient, body) VALUES ('+15552000003', NULL);"
       "INSERT INTO outbox(recipient, body, send_at) "
       "VALUES ('+15552000005', 'z', 'tomorrow');"
       "INSERT INTO outbox(recipient, body, pool) "
       "VALUES ('+15552000006', 'w', 'no-such-pool');"
       "INSERT INTO outbox(recipient, body, id) VALUES ('+15552000004', 'a', 4242);"
       "INSERT INTO outbox(recipient, body, id) VALUES ('+15552000004', 'a', 4242)")


@t.test
def bad_rows_fail_with_sqlites_reasons():
    insert_pg(BAD)
    insert_lite(BAD)
    where = "recipient not in ('+15552000001') and recipient not like '+15553%'"
    n = len(BAD.split(";"))
    wait_for(lambda: len(pg_outbox(where)) == n and len(lite_outbox(where)) == n
             and outbox_in() == 0, 15, f"{n} rows on both")

    def summary(rows):
        return sorted((r["recipient"], r["state"], r["error"] or "", r["origin"])
                      for r in rows)
    p, s = summary(pg_outbox(where)), summary(lite_outbox(where))
    assert p == s, (p, s)
    failed = [r for r in p if r[1] == "failed"]
    assert len(failed) >= 5, p
    assert ("+15552000004", "failed", "id '4242' was queued before", "sql") in p, p
    assert "Priority: 'urgent' is not high, normal or low" in [r[2] for r in p]
    ev = pg_scalar(pg, "select count(*) from events where level = 'warning' "
                   "and message like 'INSERT INTO outbox (row %'")
    assert int(ev) == len(failed), (ev, failed)


@t.test
def opt_outs_send_at_and_paused_campaigns_as_on_sqlite():
    for box_cli in (lambda *x: smsgw(a, *x), lambda *x: lite.cli(*x, check=False)):
        p = box_cli("optout", "add", "+15552000030")
        assert p.returncode == 0, p.stderr
    first = ("INSERT INTO outbox(recipient, body, campaign) "
             "VALUES ('+15552000033', 'first of pz', 'pz')")
    insert_pg(first)
    insert_lite(first)
    wait_for(lambda: len(pg_outbox("campaign = 'pz'")) == 1 and
             len(lite_outbox("campaign = 'pz'")) == 1, 15, "campaign pz made")
    assert smsgw(a, "campaign", "pause", "pz").returncode == 0
    assert lite.cli("campaign", "pause", "pz").returncode == 0
    ins = ("INSERT INTO outbox(recipient, body) VALUES ('+15552000030', 'stop me');"
           "INSERT INTO outbox(recipient, body, send_at) "
           "VALUES ('+15552000031', 'later', '2099-01-01T00:00:00Z');"
           "INSERT INTO outbox(recipient, body, campaign) "
           "VALUES ('+15552000032', 'held', 'pz')")
    insert_pg(ins)
    insert_lite(ins)
    where = "recipient in ('+15552000030', '+15552000031', '+15552000032')"
    wait_for(lambda: len(pg_outbox(where)) == 3 and len(lite_outbox(where)) == 3,
             15, "three rows on both")

    def rows(rs):
        return sorted((r["recipient"], r["state"], r["send_at"] or "",
                       stable(r)) for r in rs)
    p, s = rows(pg_outbox(where)), rows(lite_outbox(where))
    assert [r[:2] for r in p] == [("+15552000030", "suppressed"),
                                  ("+15552000031", "deferred"),
                                  ("+15552000032", "deferred")], p
    assert p == s, (p, s)
    assert smsgw(a, "campaign", "cancel", "pz").returncode == 0
    assert lite.cli("campaign", "cancel", "pz").returncode == 0


@t.test
def a_textual_id_is_refused_by_the_insert_itself():
    """outbox.id is bigint on PostgreSQL (the view's type): the insert
    fails at once, saying so, and nothing is kept."""
    rc, _, err = psql_as("carol", "INSERT INTO outbox(recipient, body, id) "
                         "VALUES ('+15552000007', 'b', 'k1')")
    assert rc != 0 and "invalid input syntax for type bigint" in err, err
    assert outbox_in() == 0
    assert not pg_outbox("recipient = '+15552000007'")


@t.test
def the_reader_cannot_insert_and_the_submitter_only_inserts():
    rc, _, err = psql_as("bob", "INSERT INTO outbox(recipient, body) "
                         "VALUES ('+15552000008', 'no')")
    assert rc != 0 and "permission denied for view outbox" in err, err
    rc, out, err = psql_as("bob", "select count(*) from outbox")
    assert rc == 0, err
    for sql in ("select * from outbox", "select * from message",
                "INSERT INTO outbox_in (recipient, body) VALUES ('+1', 'x')",
                "select * from outbox_in", "select * from api_token"):
        rc, _, err = psql_as("carol", sql)
        assert rc != 0 and "permission denied" in err, (sql, err)
    rc, _, err = psql_as("carol", "UPDATE outbox SET body = 'x'")
    assert rc != 0, err
    assert outbox_in() == 0
    assert not pg_outbox("recipient = '+15552000008'")


@t.test
def rows_inserted_while_no_daemon_runs_are_sent_at_start():
    assert a.stop(timeout=15) == 0, a.log_text()[-2000:]
    insert_pg("INSERT INTO outbox(recipient, body) SELECT '+155520001' || g, "
              "'while stopped ' || g FROM generate_series(10, 14) g")
    assert outbox_in() == 5
    assert not pg_outbox("recipient like '+155520001%'")
    a.start()
    wait_for(lambda: len(pg_outbox("recipient like '+155520001%' and state "
                                   "in ('sent', 'delivered')")) == 5,
             30, "the five rows sent after the start")
    assert sorted(m["text"] for m in a.received()
                  if m["dest"].startswith("+155520001")) == \
        [f"while stopped {g}" for g in range(10, 15)]
    assert outbox_in() == 0


@t.test
def a_row_leased_to_a_dead_box_is_taken_once_its_lease_lapsed():
    # Box z took the row and died (its lease is in the past).
    pg.psql("INSERT INTO outbox_in (recipient, body, taken_by, taken_until)"
            " VALUES ('+15552000020', 'orphan', 'z', 1000)")
    pg.psql("NOTIFY smsgw_intake")
    m = a.sim.wait_message(lambda m: m["dest"] == "+15552000020", timeout=15)
    assert m["text"] == "orphan"
    wait_for(lambda: outbox_in() == 0, 10, "outbox_in empty")
    # One still leased to a live box is left alone.
    pg.psql("INSERT INTO outbox_in (recipient, body, taken_by, taken_until)"
            " VALUES ('+15552000021', 'held', 'y', 9000000000000)")
    pg.psql("NOTIFY smsgw_intake")
    insert_pg("INSERT INTO outbox(recipient, body) VALUES ('+15552000022', 'after')")
    a.sim.wait_message(lambda m: m["dest"] == "+15552000022", timeout=15)
    assert pg_scalar(pg, "select taken_by from outbox_in") == "y"
    assert not pg_outbox("recipient = '+15552000021'")
    pg.psql("DELETE FROM outbox_in WHERE taken_by = 'y'")


@t.test
def two_boxes_send_each_of_200_inserted_rows_exactly_once():
    b.start()
    b.wait_ready()
    n = 200
    # One statement of 150 rows, and 50 single-row transactions.
    insert_pg("INSERT INTO outbox(recipient, body) SELECT '+1555300' || "
              "lpad(g::text, 4, '0'), 'row ' || g FROM generate_series(1, 150) g")
    insert_pg(";".join(f"INSERT INTO outbox(recipient, body) VALUES "
                       f"('+1555300{g:04d}', 'row {g}')" for g in range(151, n + 1)))
    sent = "recipient like '+15553%' and state in ('sent', 'delivered')"
    wait_for(lambda: int(pg_scalar(pg, f"select count(*) from outbox where {sent}"))
             >= n, 90, f"{n} rows sent")
    got = [(m["dest"], m["text"]) for bx in (a, b) for m in bx.received()
           if m["dest"].startswith("+15553")]
    want = [(f"+1555300{g:04d}", f"row {g}") for g in range(1, n + 1)]
    dup = [k for k, c in collections.Counter(got).items() if c > 1]
    assert not dup, dup[:5]
    assert sorted(got) == sorted(want), (len(got), n)
    assert int(pg_scalar(pg, "select count(*) from outbox where recipient "
                         "like '+15553%'")) == n
    assert outbox_in() == 0
    by = dict((r["box"], r["n"]) for r in pg_rows(
        pg, "select box, count(*) as n from message where recipient like "
            "'+15553%' group by box"))
    print(f"# rows accepted by box: {by}")
    assert set(by) <= {"a", "b"} and sum(by.values()) == n, by


@t.test
def smsgw_token_works_on_postgresql_as_on_sqlite():
    p = smsgw(b, "token", "add", "crm", "--rights", "send,read")
    assert p.returncode == 0, p.stderr
    token = p.stdout.strip()
    assert token.startswith("smsgw_") and len(token) == 70, token
    p = smsgw(b, "token", "add", "crm")
    assert p.returncode == 1 and "a token named 'crm' exists" in p.stderr, p.stderr
    lp = lite.cli("token", "add", "crm", "--rights", "send,read")
    assert lp.returncode == 0
    # The list: the same header and columns as SQLite's (times differ).
    pl = smsgw(a, "token", "list")
    sl = lite.cli("token", "list").stdout.decode()
    assert pl.returncode == 0, pl.stderr
    assert pl.stdout.splitlines()[0] == sl.splitlines()[0], (pl.stdout, sl)
    assert pl.stdout.split()[4:6] == sl.split()[4:6] == ["crm", "send,read"], \
        (pl.stdout, sl)
    pj = smsgw(a, "token", "list", "--json")
    assert pj.returncode == 0 and '"name":"crm"' in pj.stdout.replace(" ", ""), \
        pj.stdout
    # Added on b's CLI, it authenticates a request to a's API.
    api = Api(PORT, token)
    wait_for(lambda: api.get("/v1/sims")[0] == 200, 10, "200 with the token")
    assert api.get("/v1/sims", token="smsgw_" + "0" * 64)[0] == 401
    assert int(pg_scalar(pg, "select count(*) from events where message = "
                         "'token crm added (send,read)'")) == 1
    # bob (smsgw_read) may not add one.
    p = smsgw(a, "token", "add", "eve", user="bob")
    assert p.returncode == 1 and "may read smsgw's rows but not change" \
        in p.stderr, p.stderr
    p = smsgw(a, "token", "remove", "crm")
    assert p.returncode == 0, p.stderr
    p = smsgw(a, "token", "remove", "crm")
    assert p.returncode == 1 and "no token named 'crm'" in p.stderr, p.stderr
    wait_for(lambda: api.get("/v1/sims")[0] == 401, 10, "401 once removed")
    lite.cli("token", "remove", "crm")
    assert smsgw(a, "token", "list").stdout == \
        lite.cli("token", "list").stdout.decode()


@t.test
def smsgw_ussd_reaches_this_boxs_modem_on_postgresql():
    p = smsgw(a, "ussd", "m0/1", "*100#")
    assert p.returncode == 0 and p.stdout.strip() == \
        "Balance: 5.00 EUR, valid until 31.12.", (p.stdout, p.stderr)
    p = smsgw(a, "ussd", "a/m1/1", "*102#")
    assert p.returncode == 0 and p.stdout.strip() == "Guthaben: 5,00\u20ac", \
        (p.stdout, p.stderr)
    # As a reader (smsgw_read: the views only).
    p = smsgw(a, "ussd", "m0/1", "*100#", user="bob")
    assert p.returncode == 0 and "Balance" in p.stdout, p.stderr
    p = smsgw(a, "ussd", "b/m0/1", "*100#")
    assert p.returncode == 1 and "another box's SIM; run smsgw ussd on box b" \
        in p.stderr, p.stderr
    p = smsgw(a, "ussd", "m9/1", "*100#")
    assert p.returncode == 1 and "no SIM a/m9/1" in p.stderr, p.stderr


@t.test
def the_boxes_stop_cleanly():
    for bx in (a, b):
        assert bx.stop(timeout=15) == 0, bx.log_text()[-2000:]
    assert "not available on PostgreSQL" not in a.log_text() + b.log_text()
    assert lite.stop() == 0


t.done()
