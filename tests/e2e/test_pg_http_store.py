#!/usr/bin/env python3
"""The HTTP API's reads, the token lookup, the webhook queue (each
delivery claimed by one box: FOR UPDATE SKIP LOCKED and a lease) and the
hooks' rows on PostgreSQL (include/store_pg_http.h,
gateway/store/pg/pg_http.sql) against a real PostgreSQL 15: the checks are
the C program build/tests/test_pg_http (its sanitizer build when there is
one); this script gives it a server."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import BUILD  # noqa: E402
from pgserver import PgServer, skip_without_postgres  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
skip_without_postgres(t)
prog = next(p for p in (os.path.join(BUILD, "asan", "tests", "test_pg_http"),
                        os.path.join(BUILD, "tests", "test_pg_http"))
            if os.access(p, os.X_OK))
pg = PgServer().start()
p = subprocess.run([prog], env=dict(os.environ, SMSGW_PG_URL=pg.url),
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=240)
out = p.stdout.decode("utf-8", "replace")
err = p.stderr.decode("utf-8", "replace")
for line in out.splitlines():
    if line.startswith("ok") or line.startswith("not ok") or \
       (line.startswith("#") and " passed, " not in line):
        print(line)
t.check("test_pg_http_exits_cleanly", p.returncode == 0 and "Sanitizer" not in err,
        f"exit {p.returncode}\n{err[-3000:]}")
t.check("test_pg_http_ran_its_tests", "SKIP" not in out and out.count("ok - ") >= 6, out)
pg.stop()
t.done()
