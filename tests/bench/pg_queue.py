#!/usr/bin/env python3
"""make bench: the PostgreSQL queue alone (issue 17, doc/postgresql.md).

    python3 tests/bench/pg_queue.py [BOXES CLAIMERS MESSAGES]

Starts a throw-away PostgreSQL 15 (tests/lib/pgserver.py; fsync off, so
this is the queue's CPU and round trips, not the disk's) and runs
build/tests/test_pg_store in its bench mode: BOXES x CLAIMERS connections
(default 3 x 16, the issue's three boxes of 16 modems), each with its own
SIM, claim and record "sent" until MESSAGES (default 4,800) are gone.
Prints messages per second and checks each message was claimed once. No
modems: the daemon on PostgreSQL does not exist yet.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import BUILD  # noqa: E402
from pgserver import PgServer, missing_reason  # noqa: E402

spec = ",".join(sys.argv[1:4]) if len(sys.argv) >= 4 else "3,16,4800"
why = missing_reason()
if why:
    print(f"pg_queue: skipped: {why}")
    sys.exit(0)
pg = PgServer().start()
try:
    p = subprocess.run([os.path.join(BUILD, "tests", "test_pg_store")],
                       env=dict(os.environ, SMSGW_PG_URL=pg.url, SMSGW_PG_BENCH=spec),
                       capture_output=True, text=True, timeout=900)
    print("pg_queue: " + p.stdout.strip())
    if p.returncode:
        print(p.stderr[-2000:])
finally:
    pg.stop()
sys.exit(p.returncode)
