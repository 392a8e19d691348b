"""One contract, two backends (issue 17, doc/postgresql.md): the views
inbox, outbox, optouts, sims and events of the PostgreSQL schema
(gateway/store/pg/pg_schema.sql) have the SQLite views' columns, in order,
with compatible types, and the same rows written into both read back the
same through psql as through sqlite3."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import ROOT, SMSGW, tempdir  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
skip_without_postgres(t)

VIEWS = ("inbox", "outbox", "optouts", "sims", "events")
SCHEMA = [os.path.join(ROOT, "gateway", "store", "pg", f)
          for f in ("pg_schema.sql", "pg_queue.sql", "pg_ops.sql", "pg_cli.sql",
                    "pg_http.sql", "pg_intake.sql")]
INTS = {"bigint", "integer", "smallint"}


def sqlite_db():
    """A database created by smsgw itself (the newest SQLite schema)."""
    d = tempdir("smsgw-pgc-")
    conf = os.path.join(d, "smsgw.conf")
    db = os.path.join(d, "smsgw.db")
    with open(conf, "w") as f:
        f.write(f'spool = "{d}/spool"\ndatabase = "{db}"\n')
    subprocess.run([SMSGW, "-c", conf, "status"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    assert os.path.exists(db), "smsgw status did not create the database"
    return db


def sqlite3(db, sql):
    p = subprocess.run(["sqlite3", "-bail", db], input=sql.encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout.decode()


pg = PgServer().start()
lite = sqlite_db()


def lite_columns(view):
    out = sqlite3(lite, f"select name, type from pragma_table_info('{view}');")
    return [tuple(line.split("|")) for line in out.splitlines()]


def pg_columns(view):
    out = pg.psql("select column_name, data_type from information_schema.columns"
                  f" where table_name = '{view}' order by ordinal_position")
    return [tuple(line.split("|")) for line in out.splitlines()]


@t.test
def schema_applies_twice():
    for _ in range(2):       # idempotent: every box applies it at connect
        for f in SCHEMA:
            pg.psql_file(f)
    assert pg.psql("select version from smsgw_schema").strip() == "1"


@t.test
def views_have_the_sqlite_columns_in_order():
    for v in VIEWS:
        lc, pc = lite_columns(v), pg_columns(v)
        assert lc, f"sqlite has no view {v}"
        assert [c for c, _ in lc] == [c for c, _ in pc], \
            f"{v}: sqlite {[c for c, _ in lc]} != postgresql {[c for c, _ in pc]}"
        for (name, ltype), (_, ptype) in zip(lc, pc):
            if ltype == "INTEGER":
                assert ptype in INTS, f"{v}.{name}: INTEGER vs {ptype}"
            elif ltype == "TEXT":
                assert ptype == "text", f"{v}.{name}: TEXT vs {ptype}"


# Rows written the same way into both databases' tables (plain SQL both
# dialects read); box, which SQLite has not, takes its default ''.
ROWS = """
INSERT INTO sim (id, modem, slot, iccid, imsi, number, operator, signal,
  registered, pool, daily_limit, state, updated_at)
  VALUES (1, 'm1', '1', '8949000000000000001', '262011234567890',
  '+15550000001', 'Op', -71, 1, 'default', 300, 'ready', 1764720000123);
INSERT INTO campaign (id, name, created_at) VALUES (1, 'spring', 1764720000000);
INSERT INTO message (id, created_at, recipient, body, kind, class,
  campaign_id, priority, state, not_before, pool, sim_id, parts, attempts,
  sent_at, error, origin, updated_at, from_header, smsc, msg_class)
  VALUES (1, 1764720000123, '+15551230001', 'héllo ✓', 'bulk', 1, 1, 0,
  'sent', 0, 'marketing', 1, 2, 1, 1764720001999, NULL, 'spool',
  1764720002000, 'Shop', '+15550009999', 1);
INSERT INTO message (id, created_at, recipient, body, kind, class,
  priority, state, not_before, pool, parts, attempts, error, origin,
  updated_at)
  VALUES (2, 1764720000500, '+15551230002', 'pinned', 'direct', 0, 2,
  'failed', 1764723600000, '@1', 1, 3, 'CMS 500', 'spool', 1764720003000);
INSERT INTO inbound (id, received_at, sender, sender_type, recipient,
  sim_id, body, parts, total, partial, keyword, in_reply_to, scts,
  updated_at)
  VALUES (1, 1764720010010, '+15551230001', 'international',
  '+15550000001', 1, 'STOP', 1, 1, 0, 'optout', 1, '25120300001000+04',
  1764720010010);
INSERT INTO optout (number, opted_out_at, keyword, sim_id, active, source,
  how, updated_at)
  VALUES ('+15551230001', 1764720010010, 'STOP', 1, 1, 'keyword', 'exact',
  1764720010010);
INSERT INTO event (id, at, level, source, message)
  VALUES (1, 1764720000001, 'info', 'daemon', 'started');
"""


@t.test
def the_same_rows_read_back_the_same():
    sqlite3(lite, "BEGIN;" + ROWS + "COMMIT;")
    pg.psql(ROWS)
    for v in VIEWS:
        order = "number" if v == "optouts" else "id"
        # psql -At and sqlite3's list mode both print NULL as an empty
        # field and separate with '|'.
        lrows = sqlite3(lite, f"select * from {v} order by {order};").splitlines()
        prows = pg.psql(f"select * from {v} order by {order}").splitlines()
        assert len(lrows) == len(prows) and lrows, f"{v}: {lrows} vs {prows}"
        # SIM names carry the box on PostgreSQL: '' + '/' + modem/slot.
        prows = [r.replace("|/m1/1", "|m1/1") for r in prows]
        assert lrows == prows, f"{v}:\n sqlite     {lrows}\n postgresql {prows}"


def as_reader(sql):
    """sql as the role smsgw_read: (stdout, stderr)."""
    p = subprocess.run(["psql", "-X", "-q", "-At", "-c",
                        f"SET ROLE smsgw_read; {sql}"],
                       env=pg.env(), capture_output=True, text=True)
    return p.stdout.strip(), p.stderr


@t.test
def the_reader_role_sees_the_views_and_nothing_else():
    pg.psql("CREATE ROLE smsgw_read")
    for f in SCHEMA:          # the grant is made when the schema applies
        pg.psql_file(f)
    assert as_reader("SELECT count(*) FROM outbox") == ("2", "")
    for v in VIEWS:
        out, err = as_reader(f"SELECT * FROM {v} LIMIT 1")
        assert err == "", f"{v}: {err}"
    # smsgw_key: the key of forgotten numbers' hashes (pg_ops.sql).
    for sql in ("SELECT count(*) FROM message", "UPDATE optout SET active = 0",
                "DELETE FROM optouts", "SELECT key FROM smsgw_key",
                "SELECT smsgw_forget_hash('+15550001')"):
        out, err = as_reader(sql)
        assert "permission denied" in err, f"{sql}: {out!r} {err!r}"


@t.test
def a_broken_view_fails_the_comparison():
    """The comparison can fail: a renamed column is caught."""
    pg.psql("create view sims_renamed as select id, modem AS modem_name from sim")
    lc = [c for c, _ in lite_columns("sims")][:2]
    pc = [c for c, _ in pg_columns("sims_renamed")]
    assert lc != pc


t.done()
