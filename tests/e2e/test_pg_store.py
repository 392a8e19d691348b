"""The PostgreSQL queue operations (include/store_pg.h,
gateway/store/pg/pg_queue.sql) against a real PostgreSQL 15: several boxes
on one database claim each message exactly once, a stale attempt records
nothing, a lapsed lease becomes unknown or queued again, a STOP on one box
suppresses on every box, a queued row wakes the other boxes. The checks
are the C program build/tests/test_pg_store (its sanitizer build when
there is one); this script gives it a server."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import BUILD  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
skip_without_postgres(t)
PROG = next(p for p in (os.path.join(BUILD, "asan", "tests", "test_pg_store"),
                        os.path.join(BUILD, "tests", "test_pg_store"))
            if os.access(p, os.X_OK))

pg = PgServer().start()
p = subprocess.run([PROG], env=dict(os.environ, SMSGW_PG_URL=pg.url),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=240)
out = p.stdout.decode("utf-8", "replace")
err = p.stderr.decode("utf-8", "replace")
# The program's own TAP lines count as this script's.
for line in out.splitlines():
    if line.startswith("ok") or line.startswith("not ok") or line.startswith("#"):
        if not (line.startswith("# ") and " passed, " in line):
            print(line)
t.check("test_pg_store_exits_cleanly", p.returncode == 0 and "Sanitizer" not in err,
        f"exit {p.returncode}\n{err[-3000:]}")
t.check("test_pg_store_ran_its_tests", "SKIP" not in out and out.count("ok - ") >= 13, out)
pg.stop()
t.done()
