"""smsgw (the CLI) on PostgreSQL (issue 17, doc/postgresql.md "The CLI"):
the same rows in a SQLite and a PostgreSQL database print the same text
through every read command; the writes (optout add/remove, campaign
pause/resume/cancel, outbox resend/cancel) change every box's rows and are
fenced against a box that holds the message; a reader's role reads the
views; commands that cannot work on PostgreSQL say so by name; retention
(smsgw_prune) prunes like SQLite's, one box at a time."""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import BUILD, ROOT, SMSGW, Gateway, tempdir  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
skip_without_postgres(t)

pg = PgServer().start()
D = tempdir("smsgw-pgcli-")


def conf(name, database, box=None):
    path = os.path.join(D, name + ".conf")
    with open(path, "w") as f:
        f.write(f'spool = "{D}/spool-{name}"\ndatabase = "{database}"\n'
                'timezone = "UTC"\n')
        if box:
            f.write(f'box = "{box}"\n')
    return path


PG = conf("pg", pg.url, box="a")
LITE = conf("lite", os.path.join(D, "smsgw.db"))


def smsgw(cfg, *args, rc=0):
    p = subprocess.run([SMSGW, "-c", cfg] + list(args), capture_output=True,
                       text=True)
    assert p.returncode == rc, \
        f"smsgw {' '.join(args)}: rc {p.returncode}\n{p.stdout}{p.stderr}"
    return p.stdout, p.stderr


def sqlite3(sql):
    p = subprocess.run(["sqlite3", "-bail", os.path.join(D, "smsgw.db")],
                       input=sql.encode(), capture_output=True)
    assert p.returncode == 0, p.stderr.decode()
    return p.stdout.decode()


# Rows both dialects read, written into the tables of each. Counts differ
# everywhere a query orders by a count (no ties to order by chance).
H = 1764720000000       # 2025-12-03T00:00:00Z
ROWS = f"""
INSERT INTO sim (id, modem, slot, iccid, number, operator, signal,
  registered, pool, daily_limit, state, updated_at) VALUES
  (1, 'm1', '1', '8949000000000000001', '+15550000001', 'Op', -71, 1,
   'default', 300, 'ready', {H}),
  (2, 'm2', '1', '8949000000000000002', NULL, NULL, NULL, 0,
   'default', NULL, 'no-network', {H});
INSERT INTO campaign (id, name, created_at, state) VALUES
  (1, 'spring', {H}, 'active'), (2, 'autumn', {H + 5000}, 'active');
INSERT INTO spool_file (id, name, hash, idem_key, accepted_at, recipients)
  VALUES (1, 'f1.txt', 'abc', 'key-1', {H}, 6);
INSERT INTO message (id, file_id, created_at, recipient, body, kind, class,
  campaign_id, priority, state, not_before, sim_id, parts, attempts,
  sent_at, delivered_at, error, updated_at) VALUES
  (1, 1, {H + 1}, '+15551230001', 'Hello
 spring, a long text', 'bulk', 1, 1, 1, 'sent', 0, 1, 2, 1, {H + 3600000},
   NULL, NULL, {H + 3600000}),
  (2, 1, {H + 2}, '+15551230002', 'b', 'bulk', 1, 1, 1, 'sent', 0, 1, 1, 1,
   {H + 3600001}, NULL, NULL, {H + 3600001}),
  (3, 1, {H + 3}, '+15551230003', 'c', 'bulk', 1, 1, 1, 'sent', 0, 2, 1, 1,
   {H + 7200000}, NULL, NULL, {H + 7200000}),
  (4, 1, {H + 4}, '+15551230004', 'd', 'bulk', 1, 1, 1, 'delivered', 0, 1,
   1, 1, {H + 3600002}, {H + 3605000}, NULL, {H + 3605000}),
  (5, 1, {H + 5}, '+15551230005', 'é ✓', 'bulk', 1, 1, 0, 'delivered', 0,
   2, 1, 1, {H + 3600003}, {H + 3700000}, NULL, {H + 3700000}),
  (6, 1, {H + 6}, '+15551230006', 'f', 'bulk', 1, 1, 1, 'failed', 0, NULL,
   1, 3, NULL, NULL, 'CMS 500: a permanent error', {H + 6}),
  (7, NULL, {H + 7}, '+15551230007', 'queued one', 'direct', 0, NULL, 1,
   'queued', 0, NULL, 1, 0, NULL, NULL, NULL, {H + 7}),
  (8, NULL, {H + 8}, '+15551230008', 'later', 'bulk', 1, 2, 2, 'deferred',
   {H + 86400000}, NULL, 1, 0, NULL, NULL, NULL, {H + 8}),
  (9, NULL, {H + 9}, '+15551230009', 'direct fail', 'direct', 0, NULL, 1,
   'failed', 0, NULL, 1, 1, NULL, NULL, 'CMS 38', {H + 9});
INSERT INTO attempt (id, message_id, sim_id, started_at, ended_at, result,
  error, next_at) VALUES
  (1, 1, 2, {H + 100}, {H + 200}, 'retry', 'CMS 38', {H + 300}),
  (2, 1, 1, {H + 3599000}, {H + 3600000}, 'sent', NULL, NULL);
INSERT INTO inbound (id, received_at, sender, recipient, sim_id, body, parts,
  total, partial, keyword, in_reply_to, updated_at) VALUES
  (1, {H + 4000000}, '+15551230001', '+15550000001', 1, 'STOP', 1, 1, 0,
   'optout', 1, {H + 4000000}),
  (2, {H + 4000001}, 'Bank', '+15550000001', 1, 'code 1234', 1, 1, 0, NULL,
   NULL, {H + 4000001});
INSERT INTO optout (number, opted_out_at, keyword, sim_id, active, source,
  updated_at) VALUES
  ('+15551230001', {H + 4000000}, 'STOP', 1, 1, 'keyword', {H + 4000000}),
  ('+15551230099', {H + 10}, NULL, NULL, 0, 'manual', {H + 20});
INSERT INTO event (id, at, level, source, message) VALUES
  (1, {H}, 'info', 'spool', 'accepted f1.txt: 6 messages'),
  (2, {H + 1000}, 'warning', 'modem m1', 'message #1 retried'),
  (3, {H + 2000}, 'error', 'modem m2', 'message #10 failed'),
  (4, {H + 3000}, 'info', 'daemon', 'started');
INSERT INTO daily_stats (day, campaign_id, messages, sent, delivered,
  failed, replied, opted_out, opted_out_all, sms_parts, received) VALUES
  ('2025-11-01', 1, 7, 5, 4, 2, 1, 1, 1, 6, 3);
"""
FAR = 4102444800000     # 2100-01-01: not due at any wall-clock time we run
SEQUENCES = ("sim", "campaign", "spool_file", "message", "attempt",
             "inbound", "event")


def fill_both():
    smsgw(LITE, "status")                  # creates the SQLite database
    sqlite3("BEGIN;" + ROWS + "COMMIT;")
    smsgw(PG, "status")                    # applies the schema (no daemon yet)
    pg.psql(ROWS)
    for tbl in SEQUENCES:
        pg.psql(f"SELECT setval(pg_get_serial_sequence('{tbl}', 'id'),"
                f" (SELECT max(id) FROM {tbl}))")


def same(text):
    """PostgreSQL names a SIM box/modem/slot; the box here is ''."""
    return text.replace("/m1/1", "m1/1").replace("/m2/1", "m2/1")


def table(text):
    """A table's cells, whatever the padding."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]


READS = [
    ["outbox"], ["outbox", "--json"], ["outbox", "--csv"],
    ["outbox", "--state", "sent"], ["outbox", "--campaign", "spring", "--json"],
    ["outbox", "--to", "+15551230007", "--json"], ["outbox", "--limit", "3"],
    ["inbox"], ["inbox", "--json"], ["inbox", "--from", "Bank", "--json"],
    ["inbox", "--since", "2025-12-03T01:06:40.001Z", "--json"],
    ["inbox", "--limit", "1"],
    ["events"], ["events", "--json"], ["events", "--level", "warning"],
    ["events", "--since", "2025-12-03T00:00:01Z", "--csv"],
    ["events", "--limit", "2"],
    ["optout", "list"], ["optout", "list", "--all", "--json"],
    ["optout", "list", "--csv"],
    ["campaign", "list"], ["campaign", "list", "--json"],
    ["campaign", "show", "spring"], ["campaign", "show", "spring", "--json"],
    ["stats"], ["stats", "--json"], ["stats", "--campaign", "spring"],
    ["stats", "--campaign", "spring", "--csv"],
    ["outbox", "show", "1"], ["outbox", "show", "1", "--json"],
    ["outbox", "show", "1", "--csv"],
]


@t.test
def the_same_rows_print_the_same_on_both_backends():
    fill_both()
    for args in READS:
        lite, _ = smsgw(LITE, *args)
        post, _ = smsgw(PG, *args)
        post = same(post)
        assert lite.strip(), f"{args}: nothing printed"
        if "--json" in args or "--csv" in args:
            assert lite == post, f"{args}:\nsqlite:\n{lite}\npostgresql:\n{post}"
        else:
            assert table(lite) == table(post), \
                f"{args}:\nsqlite:\n{lite}\npostgresql:\n{post}"


@t.test
def the_report_is_the_same_on_both_backends():
    for cfg in (LITE, PG):
        smsgw(cfg, "report", "--campaign", "spring", "-o",
              os.path.join(D, f"report-{cfg == PG}.html"))
    texts = []
    for which in (False, True):
        with open(os.path.join(D, f"report-{which}.html")) as f:
            texts.append(re.sub(r"Report of \S+", "Report of", f.read()))
    assert texts[0] == same(texts[1]).replace(">/m1/1<", ">m1/1<")
    assert "<svg" in texts[1] and "CMS 500" in texts[1]


@t.test
def status_shows_the_sims_queue_and_boxes():
    # No daemon runs: SQLite's SIMs are offline; on PostgreSQL those of
    # a box that recorded its stop.
    pg.psql("INSERT INTO daemon (box, pid, started_at, stopped_at)"
            " VALUES ('', 1, 0, 1)")
    lite, _ = smsgw(LITE, "status", "--json")
    post, _ = smsgw(PG, "status", "--json")
    sims = re.compile(r'"queue":.*?\n\]', re.S)
    assert sims.search(lite).group(0) == same(sims.search(post).group(0))
    pg.psql(f"INSERT INTO daemon (box, pid, started_at, heartbeat_at)"
            f" VALUES ('a', 4242, smsgw_now_ms(), smsgw_now_ms()),"
            f" ('b', 77, 0, 0)")
    out, _ = smsgw(PG, "status")
    assert "smsgwd is running (pid 4242)" in out, out
    boxes = [r for r in table(out) if r and r[0] in ("a", "b")]
    assert [r[:3] for r in boxes] == [["a", "running", "4242"],
                                      ["b", "silent", "77"]], out
    # A silent box's SIMs are offline (the view says so).
    pg.psql("UPDATE sim SET box = 'b' WHERE id = 2")
    out, _ = smsgw(PG, "status")
    assert re.search(r"b/m2/1\s+offline", out), out


@t.test
def metrics_give_the_same_figures_on_both_backends():
    lite, _ = smsgw(LITE, "metrics")
    post, _ = smsgw(PG, "metrics")
    # Not compared: SIMs (the test above moved one to box b), the
    # files' sizes, webhooks (SQLite's), up (box a's row says running).
    skip = ("smsgw_db_", "smsgw_webhook", "smsgw_sim_", "smsgw_up")

    def lines(text):
        return [x for x in text.splitlines() if not x.startswith(skip)
                and not any(k in x for k in skip)]
    assert lines(lite) == lines(post), f"{lite}\n---\n{post}"
    assert 'smsgw_sim_sent_today{sim="b/m2/1"} 0' in post, post
    assert "smsgw_up 1" in post and "smsgw_up 0" in lite
    assert "smsgw_db_bytes " in post


def _schema(name):
    return os.path.join(ROOT, "gateway", "store", "pg", name)


def state(i):
    return pg.psql(f"SELECT state FROM message WHERE id = {i}").strip()


@t.test
def optout_add_suppresses_every_boxs_queued_rows():
    pg.psql(f"INSERT INTO message (box, created_at, recipient, body, kind,"
            f" class, state, updated_at) VALUES"
            f" ('b', {H}, '+15551230077', 'x', 'bulk', 1, 'queued', {H}),"
            f" ('c', {H}, '+15551230077', 'y', 'bulk', 1, 'deferred', {H})")
    out, _ = smsgw(PG, "optout", "add", "+15551230077")
    assert out == "+15551230077 opted out (2 queued messages suppressed)\n", out
    assert pg.psql("SELECT count(*) FROM message WHERE recipient ="
                   " '+15551230077' AND state = 'suppressed'").strip() == "2"
    out, _ = smsgw(PG, "optout", "add", "+15551230077")
    assert "already opted out" in out
    assert "opted out by hand; 2 queued messages suppressed" in \
        pg.psql("SELECT message || '|' || box FROM event ORDER BY id DESC"
                " LIMIT 1") + "|a"
    out, _ = smsgw(PG, "optout", "remove", "+15551230077")
    assert "removed from the opt-out list" in out
    _, err = smsgw(PG, "optout", "remove", "+15551230077", rc=1)
    assert "is not opted out" in err


@t.test
def a_campaign_paused_from_the_cli_is_paused_for_every_box():
    pg.psql(f"INSERT INTO message (box, created_at, recipient, body, kind,"
            f" class, campaign_id, state, not_before, updated_at) VALUES"
            f" ('b', {H}, '+15551230101', 'x', 'bulk', 1, 2, 'deferred',"
            f" {FAR}, {H})")
    out, _ = smsgw(PG, "campaign", "pause", "autumn")
    assert out == "campaign autumn: paused (2 messages)\n", out
    assert pg.psql("SELECT state || hold FROM message WHERE campaign_id = 2"
                   " ORDER BY id").split() == ["deferredpaused"] * 2
    out, _ = smsgw(PG, "campaign", "resume", "autumn")
    assert "resumed" in out
    assert pg.psql("SELECT state FROM message WHERE campaign_id = 2"
                   " ORDER BY id").split() == ["queued", "deferred"]
    out, _ = smsgw(PG, "campaign", "cancel", "autumn")
    assert out == "campaign autumn: cancelled (2 messages)\n", out
    _, err = smsgw(PG, "campaign", "pause", "winter", rc=1)
    assert "no campaign named 'winter'" in err


@t.test
def outbox_resend_and_cancel_go_through_the_transitions_fenced():
    out, _ = smsgw(PG, "outbox", "cancel", "7")
    assert out == "message #7 cancelled (was queued)\n" and \
        state(7) == "cancelled"
    # A box holds message 9 (a lease, attempt 41), stalls; the lease
    # lapsed and the message became unknown; a person resends it.
    pg.psql("UPDATE message SET state = 'unknown', attempt_id = 41,"
            " lease_until = 1 WHERE id = 9")
    out, _ = smsgw(PG, "outbox", "resend", "9")
    assert out == "message #9 queued again (was unknown)\n", out
    assert pg.psql("SELECT state, attempt_id IS NULL FROM message"
                   " WHERE id = 9").strip() == "queued|t"
    # The stalled box comes back with its old attempt: nothing changes.
    got = pg.psql("SELECT smsgw_record(9, 41, 'final', 'failed', 'late',"
                  " 1, 0, true, NULL, NULL, false)").strip()
    assert got == "0" and state(9) == "queued", got
    # Being sent by a box: neither verb touches it.
    pg.psql("UPDATE message SET state = 'sending', attempt_id = 42 WHERE id = 9")
    for verb in ("resend", "cancel"):
        _, err = smsgw(PG, "outbox", verb, "9", rc=1)
        assert "it is being sent right now" in err, err
    assert state(9) == "sending"
    _, err = smsgw(PG, "outbox", "resend", "999", rc=1)
    assert "no message #999" in err


@t.test
def a_reader_role_reads_the_views_and_may_not_write():
    pg.psql("CREATE ROLE smsgw_read; CREATE ROLE alice LOGIN IN ROLE smsgw_read")
    pg.psql_file(_schema("pg_schema.sql"))   # grants when it applies
    reader = conf("alice", pg.url.replace("user=smsgw", "user=alice"))
    for args in (["outbox"], ["inbox"], ["events"], ["optout", "list"],
                 ["status"]):
        smsgw(reader, *args)
    _, err = smsgw(reader, "optout", "add", "+15551230123", rc=1)
    assert "may read smsgw's rows but not change them" in err, err


@t.test
def query_reads_the_views_as_the_reader_role_would():
    sql = ("SELECT id, recipient, state FROM outbox WHERE id < 7"
           " ORDER BY id")
    for fmt in ([], ["--json"], ["--csv"]):
        lite, _ = smsgw(LITE, "query", *fmt, sql)
        post, _ = smsgw(PG, "query", *fmt, sql)
        assert lite == post and "+15551230005" in lite, f"{lite}\n{post}"
    # smsgw_read exists (the test above): the tables are not the views.
    _, err = smsgw(PG, "query", "SELECT count(*) FROM message", rc=1)
    assert "permission denied" in err, err
    for bad in ("DELETE FROM optout", "SELECT 1; SELECT 2"):
        _, err = smsgw(PG, "query", bad, rc=1)
        _, err2 = smsgw(LITE, "query", bad, rc=1)
        assert err.startswith("smsgw: query: ") and \
            err2.startswith("smsgw: query: "), (err, err2)
    assert pg.psql("SELECT count(*) FROM optout").strip() != "0"


@t.test
def send_writes_a_spool_file_as_on_sqlite():
    out, _ = smsgw(PG, "send", "+15551230321", "-m", "hello")
    path = out.strip()
    assert path.startswith(os.path.join(D, "spool-pg", "outgoing")), out
    with open(path) as f:
        text = f.read()
    assert "To: +15551230321" in text and text.rstrip().endswith("hello"), text


@t.test
def token_and_ussd_run_on_postgresql_too():
    """No command refuses PostgreSQL any more (test_pg_intake.py runs them
    against daemons): token list prints, ussd looks for this box's SIM
    or smsgwd."""
    out, _ = smsgw(PG, "token", "list")
    assert out.startswith("name"), out
    _, err = smsgw(PG, "ussd", "m1/1", "*100#", rc=1)
    assert "is not running" in err or "no SIM " in err, err
    assert "PostgreSQL database" not in err, err
    assert not os.path.exists(pg.url)


def prune(cut, n=1000, after=0, settled=None):
    """One batch of smsgw_prune with every cut at cut: (removed, after)."""
    settled = cut if settled is None else settled
    out = pg.psql(f"SELECT removed, after FROM smsgw_prune({cut}, {settled},"
                  f" {cut}, {cut}, {cut}, {after}, {n})").strip()
    return tuple(int(x) for x in out.split("|"))


@t.test
def retention_prunes_like_sqlite_and_the_funnel_survives():
    before, _ = smsgw(PG, "stats", "--json")
    spring, _ = smsgw(PG, "stats", "--campaign", "spring", "--json")
    queued = pg.psql("SELECT count(*) FROM message WHERE state IN"
                     " ('queued', 'deferred', 'sending')").strip()
    # One box at a time: another session holds the round's lock.
    holder = subprocess.Popen(["psql", "-X", "-q", "-At"], env=pg.env(),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    holder.stdin.write("SELECT pg_advisory_lock(1936548712);\n\\echo held\n")
    holder.stdin.flush()
    while holder.stdout.readline().strip() != "held":
        pass
    assert prune(FAR) == (-1, 0)
    holder.stdin.close()
    holder.wait()
    # A sent message may still get its status report: kept until settled.
    sent = pg.psql("SELECT count(*) FROM message WHERE state = 'sent'")
    assert int(sent) > 0
    assert prune(FAR, settled=H)[0] > 0
    assert pg.psql("SELECT count(*) FROM message WHERE state = 'sent'") == sent
    assert pg.psql("SELECT count(*) FROM message WHERE state"
                   " = 'delivered'").strip() == "0"
    # Batches of 2 messages walk the ids until nothing is left.
    after, removed = 0, 0
    for _ in range(100):
        n, nxt = prune(FAR, n=2, after=after)
        if n == 0 and nxt == after:
            break
        removed, after = removed + n, nxt
    assert removed > 0
    left = pg.psql("SELECT count(*) FROM message").strip()
    assert left == queued, f"{left} left, {queued} in flight"
    for tbl in ("event", "inbound", "attempt", "spool_file"):
        assert pg.psql(f"SELECT count(*) FROM {tbl}").strip() == "0", tbl
    assert pg.psql("SELECT count(*) FROM optout").strip() != "0"
    after_stats, _ = smsgw(PG, "stats", "--json")
    assert json.loads(after_stats) == json.loads(before), \
        f"{before} -> {after_stats}"
    out, _ = smsgw(PG, "stats", "--campaign", "spring", "--json")
    assert json.loads(out) == json.loads(spring)


@t.test
def forget_erases_a_number_on_every_box_and_keeps_it_suppressed():
    n = "+15551230555"
    pg.psql(f"INSERT INTO message (box, created_at, recipient, body, kind,"
            f" class, state, updated_at) VALUES"
            f" ('b', {H}, '{n}', 'to forget', 'bulk', 1, 'queued', {H}),"
            f" ('c', {H}, '{n}', 'sent one', 'bulk', 1, 'delivered', {H}),"
            f" ('c', {H}, '+15551230556', 'call {n} back', 'bulk', 1,"
            f"  'queued', {H});"
            f"INSERT INTO inbound (received_at, sender, body, updated_at)"
            f" VALUES ({H}, '{n}', 'STOP', {H});"
            f"INSERT INTO optout (number, opted_out_at, updated_at)"
            f" VALUES ('{n}', {H}, {H});"
            f"INSERT INTO event (at, level, source, message)"
            f" VALUES ({H}, 'info', 'cli', '{n} opted out by hand')")
    before, _ = smsgw(PG, "stats", "--json")
    out, _ = smsgw(PG, "forget", "--json", n)
    got = json.loads(out)
    assert (got["messages"], got["received"], got["optouts"]) == (2, 1, 1), got
    assert got["texts_redacted"] >= 2, got
    dump = pg.psql("SELECT string_agg(t::text, ' ') FROM (SELECT * FROM"
                   " message) t") + pg.psql("SELECT string_agg(message, ' ')"
                                            " FROM event")
    assert n not in dump and "[forgotten]" in dump, dump
    stats, _ = smsgw(PG, "stats", "--json")
    assert json.loads(stats)["messages"] == json.loads(before)["messages"]
    assert pg.psql(f"SELECT smsgw_opted_out('{n}')").strip() == "t"
    out, _ = smsgw(PG, "optout", "add", n)
    assert "already opted out" in out, out
    smsgw(PG, "optout", "remove", n)
    assert pg.psql(f"SELECT smsgw_opted_out('{n}')").strip() == "f"
    assert pg.psql("SELECT count(*) FROM forgotten").strip() == "0"


@t.test
def backup_is_pg_dump_and_restore_says_what_to_run():
    f = os.path.join(D, "smsgw.dump")
    out, _ = smsgw(PG, "backup", f)
    assert out.startswith(f), out
    listing = subprocess.run(["pg_restore", "--list", f], capture_output=True,
                             text=True, check=True).stdout
    for what in ("TABLE public message", "TABLE public smsgw_key",
                 "TABLE DATA public optout"):
        assert what in listing, what
    _, err = smsgw(PG, "restore", f, rc=1)
    assert "pg_restore --clean --if-exists" in err and f in err, err


@t.test
def a_daemons_retention_round_runs_from_its_loop():
    """tests/unit/test_pg_retention.c (include/pg_retention.h), on a
    database of its own (it empties the tables)."""
    pg.psql("CREATE DATABASE retention")
    prog = next(p for p in (os.path.join(BUILD, "asan", "tests",
                                         "test_pg_retention"),
                            os.path.join(BUILD, "tests", "test_pg_retention"))
                if os.access(p, os.X_OK))
    url = pg.url.replace(":///smsgw?", ":///retention?")
    p = subprocess.run([prog], env=dict(os.environ, SMSGW_PG_URL=url),
                       capture_output=True, text=True, timeout=240)
    assert p.returncode == 0 and "Sanitizer" not in p.stderr, \
        p.stdout + p.stderr[-3000:]
    assert "SKIP" not in p.stdout and p.stdout.count("ok - ") >= 2, p.stdout


@t.test
def the_daemons_retention_timer_prunes_the_shared_database():
    pg.psql("CREATE DATABASE daemon_ret")
    url = pg.url.replace(":///smsgw?", ":///daemon_ret?")
    os.makedirs(os.path.join(D, "gw"))
    gw = Gateway(os.path.join(D, "gw"), modems=[],
                 settings={"database": url, "box": "r"},
                 extra='retention {\n    messages = "1d"\n'
                       '    events = "1d"\n    prune_interval = "1s"\n}\n')
    gw.start(wait=False)
    try:
        def q(sql):
            try:
                return subprocess.run(
                    ["psql", "-X", "-At", "-d", "daemon_ret", "-c", sql],
                    env=pg.env(), capture_output=True, text=True).stdout.strip()
            except OSError:
                return ""
        wait_for(lambda: q("SELECT count(*) FROM daemon WHERE box = 'r'")
                 == "1" or gw.proc.poll() is not None, 20, "the box's row")
        assert gw.proc.poll() is None, gw.log_text()[-3000:]
        # Two days old by the database's clock, and young ones.
        q("INSERT INTO message (created_at, recipient, body, kind, class,"
          " state, updated_at) SELECT smsgw_now_ms() - 172800000 + g,"
          " '+1555' || g, 'x', 'bulk', 1, CASE WHEN g < 5 THEN 'queued'"
          " ELSE 'delivered' END, smsgw_now_ms() - 172800000 + g"
          " FROM generate_series(1, 30) g;"
          "INSERT INTO message (created_at, recipient, body, kind, class,"
          " state, updated_at) VALUES (smsgw_now_ms(), '+15559', 'y',"
          " 'bulk', 1, 'delivered', smsgw_now_ms());"
          "INSERT INTO event (at, level, source, message) VALUES"
          " (smsgw_now_ms() - 172800000, 'info', 't', 'old')")
        wait_for(lambda: q("SELECT count(*) FROM message") == "5", 30,
                 "the old delivered rows pruned")
        assert q("SELECT count(*) FROM message WHERE state = 'queued'") == "4"
        assert q("SELECT sum(delivered) FROM daily_stats") == "26"
        wait_for(lambda: q("SELECT count(*) FROM event WHERE message ="
                           " 'old'") == "0", 30, "the old event pruned")
        assert "rows removed" in gw.log_text(), gw.log_text()[-2000:]
    finally:
        assert gw.stop(timeout=15) == 0, gw.log_text()[-3000:]


t.done()
