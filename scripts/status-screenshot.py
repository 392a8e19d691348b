#!/usr/bin/env python3
"""Makes doc/status-page.png, the README's screenshot of the status page:
three simulated modems, a campaign with delivery reports and replies, a
rejected file, then headless Chromium on http://…/ with the token as the
basic-auth password.

    python3 scripts/status-screenshot.py [OUT.png]
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
os.environ.setdefault("SMSGW_ROOT", ROOT)
from flow_helpers import rig, close  # noqa: E402
from httpapi import Api, free_port, http_section  # noqa: E402
from tap import wait_for  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "doc", "status-page.png")
port = free_port()
sim, gw = rig(3, sims={0: {"daily_limit": 500}, 1: {"daily_limit": 200}},
              extra=http_section(port), latency_ms=50)
sim.status_reports(delay_ms=300)
token = gw.cli("token", "add", "ui", "--rights", "send,read").stdout.decode().strip()
api = Api(port, token)
to = [f"+1555200{i:04d}" for i in range(60)]
api.post("/v1/messages", {"to": to, "text": "Spring sale: 20% off until Sunday.",
                          "campaign": "spring-sale", "report": True})
api.post("/v1/messages", {"to": to[:20], "text": "Your order is ready.",
                          "campaign": "orders", "report": True})
wait_for(lambda: len(sim.messages()) >= 80, 60, "the sends")
for i in range(6):
    sim.deliver(i % 3, to[i], "Thanks!" if i else "STOP")
gw.drop("bad.txt", "To: 12\n\nx\n")
wait_for(lambda: gw.scalar("select count(*) from outbox where state = 'delivered'") >= 60,
         60, "delivery reports")
with tempfile.TemporaryDirectory() as profile:
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    f"--user-data-dir={profile}", "--hide-scrollbars",
                    "--window-size=1000,1250", f"--screenshot={out}",
                    f"http://ui:{token}@127.0.0.1:{port}/"],
                   check=True, capture_output=True)
close(sim, gw)
print(out)
