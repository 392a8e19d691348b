#!/usr/bin/env python3
"""The status page at / rendered by headless Chromium from a running
smsgwd: the browser authenticates with basic auth (the token as the
password) and the rendered DOM shows the SIMs with state, signal and
quota, the queue, the sends-per-minute chart, a recent error and the
campaign's funnel as inline SVG. Also `smsgw report` with its charts.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from flow_helpers import rig, close  # noqa: E402
from httpapi import Api, free_port, http_section  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
port = free_port()
sim, gw = rig(2, sims={0: {"daily_limit": 100}}, extra=http_section(port),
              prefix="smsgw-page-")
token = gw.cli("token", "add", "ui", "--rights", "send,read").stdout.decode().strip()
api = Api(port, token)
profile = tempfile.mkdtemp(prefix="smsgw-chromium-")


def render(url, *extra):
    assert CHROMIUM, "chromium is not installed (scripts/deps.sh installs it)"
    r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        f"--user-data-dir={profile}", *extra, url],
                       capture_output=True, timeout=90)
    assert r.returncode == 0, r.stderr[-2000:]
    return r.stdout.decode("utf-8", "replace")


@t.test
def page_shows_the_gateway():
    status, _, body = api.post("/v1/messages", {
        "to": ["+15551230001", "+15551230002", "+15551230003"],
        "text": "Spring sale", "campaign": "spring"})
    assert status == 202, body
    wait_for(lambda: len(sim.messages()) >= 3, 20, "three messages sent")
    gw.drop("bad.txt", "To: 12\n\nx\n")
    wait_for(lambda: os.path.exists(os.path.join(gw.spool, "rejected", "bad.txt")), 10, "a rejection")
    dom = render(f"http://ui:{token}@127.0.0.1:{port}/", "--dump-dom")
    assert "<h1>smsgw status</h1>" in dom, dom[:500]
    rows = re.findall(r'<tr class="sim"><td>(m\d/1)</td><td class="state (\w[\w-]*)">', dom)
    assert rows == [("m0/1", "ready"), ("m1/1", "ready")], rows
    assert 'aria-label="-73 dBm"' in dom
    assert "97 of 100" in dom or "98 of 100" in dom or "99 of 100" in dom, "quota left"
    assert re.search(r'<p id="queue"><b>\d+</b> queued', dom)
    sends = re.search(r'<svg id="sends-per-minute".*?</svg>', dom, re.S).group(0)
    assert len(re.findall(r'<rect class="bar"', sends)) == 60
    assert re.search(r"<title>\d\d:\d\d: 3 parts</title>", sends), "this minute's 3 sends"
    assert "rejected bad.txt" in dom
    funnel = re.search(r'<figcaption>spring \(active\)</figcaption>.*?</svg>', dom, re.S)
    assert funnel and "<title>messages: 3</title>" in funnel.group(0), dom[-3000:]


@t.test
def page_needs_read():
    dom = render(f"http://127.0.0.1:{port}/", "--dump-dom")
    assert "smsgw status" not in dom and "<svg" not in dom, dom[:300]


@t.test
def report_has_charts():
    out = os.path.join(gw.dir, "spring.html")
    gw.cli("report", "--campaign", "spring", "-o", out)
    dom = render("file://" + out, "--dump-dom")
    for chart in ("sends-per-hour", "funnel", "time-to-delivery"):
        assert f'<svg id="{chart}"' in dom, chart
    assert "<title>messages: 3</title>" in dom


@t.test
def stops_cleanly():
    close(sim, gw)
    shutil.rmtree(profile, ignore_errors=True)


t.done()
