#!/usr/bin/env python3
"""smsgwd under valgrind serving the HTTP API and a webhook: accepted,
duplicate, refused, bad JSON and oversized POSTs, every GET, campaign
control, a reply delivered as a webhook after a failed attempt; then
SIGTERM. No invalid read or write, nothing definitely lost. Skipped
without valgrind."""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import gateway as gwmod  # noqa: E402
from flow_helpers import rig, close  # noqa: E402
from httpapi import Api, Receiver, free_port, http_section  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
VALGRIND = shutil.which("valgrind")


@t.test
def http_and_webhooks_under_valgrind_are_clean():
    if not VALGRIND:
        print("# SKIP valgrind not installed")
        return
    work = tempfile.mkdtemp(prefix="smsgw-http-vg-")
    log = os.path.join(work, "valgrind.log")
    wrapper = os.path.join(work, "smsgwd-valgrind")
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\nexec {VALGRIND} --log-file={log} --leak-check=full "
                "--errors-for-leak-kinds=definite --track-fds=no "
                f"{os.path.abspath(gwmod.SMSGWD)} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    gwmod.SMSGWD = wrapper
    gwmod.START_TIMEOUT = gwmod.STOP_TIMEOUT = 60.0
    rx = Receiver(status=500).start()
    port = free_port()
    sim, gw = rig(1, extra=http_section(port, max_body=1000)
                  + f'webhook "a" {{\n    url = "{rx.url}"\n'
                  '    secret = "0123456789abcdefgh"\n}\n', prefix="smsgw-http-vg-")
    tok = gw.cli("token", "add", "t", "--rights", "send,read,admin").stdout.decode().strip()
    api = Api(port, tok)
    msg = {"to": ["+15551234567", "+15551234568"], "text": "hi", "campaign": "c", "id": "k"}
    assert api.post("/v1/messages", msg)[0] == 202
    assert api.post("/v1/messages", msg)[0] == 202
    assert api.post("/v1/messages", {"to": ["12"], "text": "hi"})[0] == 422
    assert api.post("/v1/messages", raw="{bad")[0] == 400
    assert api.post("/v1/messages", {"text": "x" * 2000})[0] == 413
    assert api.get("/v1/sims", token="smsgw_nope")[0] == 401
    for p in ("/", "/metrics", "/v1/sims", "/v1/inbox", "/v1/messages",
              "/v1/messages/1", "/v1/campaigns/c", "/v1/openapi.json"):
        assert api.get(p)[0] == 200, p
    assert api.post("/v1/campaigns/c/pause")[0] == 200
    sim.deliver(0, "+15551234567", "hello")
    wait_for(lambda: rx.events("received"), 60, "a webhook attempt")
    rx.status = 200
    wait_for(lambda: rx.events("received", status=200), 60, "the webhook delivered")
    close(sim, gw)
    rx.stop()
    with open(log) as f:
        text = f.read()
    m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
    assert m and m.group(1) == "0", text[-3000:]


t.done()
