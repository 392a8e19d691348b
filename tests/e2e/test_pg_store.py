"""The PostgreSQL queue operations (include/store_pg.h,
gateway/store/pg/pg_queue.sql) against a real PostgreSQL 15: several boxes
on one database claim each message exactly once, a stale attempt records
nothing, a lapsed lease becomes unknown or queued again, a STOP on one box
suppresses on every box, a queued row wakes the other boxes; inbound PDUs
and fragments, big files in steps, quiet hours and forgotten numbers; the
CLI's writers of a message's state (test_pg_cli_moves). The
checks are the C programs build/tests/test_pg_store*, and the PostgreSQL half of
test_store_backends (one conformance suite for both backends), their
sanitizer builds when there are; this script gives them a server."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import BUILD  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
skip_without_postgres(t)


def prog(name):
    return next(p for p in (os.path.join(BUILD, "asan", "tests", name),
                            os.path.join(BUILD, "tests", name))
                if os.access(p, os.X_OK))


def run(argv, min_tests):
    """Runs a C test program against the server; its TAP lines count as
    this script's."""
    name = os.path.basename(argv[0])
    p = subprocess.run(argv, env=dict(os.environ, SMSGW_PG_URL=pg.url),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=240)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    for line in out.splitlines():
        if line.startswith("ok") or line.startswith("not ok") or line.startswith("#"):
            if not (line.startswith("# ") and " passed, " in line):
                print(line)
    t.check(f"{name}_exits_cleanly", p.returncode == 0 and "Sanitizer" not in err,
            f"exit {p.returncode}\n{err[-3000:]}")
    t.check(f"{name}_ran_its_tests",
            "SKIP" not in out and out.count("ok - ") >= min_tests, out)


pg = PgServer().start()
run([prog("test_pg_store")], 9)
# Beside the claim: Id:, refusals, reports, pins, campaigns, Send-At.
run([prog("test_pg_store_box")], 6)
# The twins of inbound, staging, refuse, defer_pool, quiet hours, forget.
run([prog("test_pg_store_inbound")], 6)
run([prog("test_pg_store_stage")], 10)
# The CLI's writers of a message's state, held to the transition table.
run([prog("test_pg_cli_moves")], 2)
# The conformance suite's PostgreSQL half (its SQLite half runs alone).
run([prog("test_store_backends"), "postgresql"], 4)
run([prog("test_store_backends_ops"), "postgresql"], 6)
pg.stop()
t.done()
