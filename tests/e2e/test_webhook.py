#!/usr/bin/env python3
"""Webhooks end to end: a message sent through the HTTP API, the simulated
network's reply, and that reply as a signed webhook at a receiver in this
test, with smsgwd killed -9 after the reply arrived and before the webhook
went through (the receiver answered 500 until then, and the retry is
pushed an hour away); after the restart it is delivered at once, with the
same event id and a valid signature.
"""
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from flow_helpers import rig, close  # noqa: E402
from httpapi import Api, Receiver, free_port, http_section, verify_signature  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

SECRET = "s3cret-for-the-crm-0123456789"
CUSTOMER = "+15557654321"

t = Tap()
rx = Receiver(status=500).start()
dead_rx = Receiver(status=503).start()
port = free_port()
extra = http_section(port) + f'''
webhook "crm" {{
    url = "{rx.url}"
    events = {{"received", "sent", "failed", "optout"}}
    secret = "{SECRET}"
}}
webhook "gone" {{
    url = "{dead_rx.url}"
    events = {{"sent"}}
    secret = "another-secret-0123456789"
    give_up = "3s"
}}
'''
sim, gw = rig(1, extra=extra, prefix="smsgw-webhook-")
token = gw.cli("token", "add", "crm", "--rights", "send,read").stdout.decode().strip()
api = Api(port, token)
state = {}


@t.test
def api_send_reaches_the_network():
    status, _, body = api.post("/v1/messages", {"to": CUSTOMER, "text": "Your table is ready. Reply YES to confirm."})
    assert status == 202, (status, body)
    state["id"] = body["messages"][0]["id"]
    sim.wait_message(lambda m: m["dest"] == CUSTOMER, timeout=20)


@t.test
def sent_event_is_signed():
    r = wait_for(lambda: next(iter(rx.events("sent")), None), 20, "a sent webhook")
    h = r["headers"]
    assert verify_signature(SECRET, h["Smsgw-Signature"], r["body"]), h
    assert not verify_signature("wrong" + SECRET, h["Smsgw-Signature"], r["body"])
    b = json.loads(r["body"])
    assert b["event"] == "sent" and b["id"] == state["id"], b
    assert b["event_id"] == h["Smsgw-Event-Id"], (b, h)


@t.test
def reply_survives_kill_9_before_delivery():
    sim.deliver(0, CUSTOMER, "YES see you at 8")
    # The receiver said 500 at least once: the delivery is due, not done.
    first = wait_for(lambda: next(iter(rx.events("received")), None), 20,
                     "a first attempt of the received webhook")
    assert first["status"] == 500
    pending = gw.query("select uid, state from webhook_delivery where event = 'received'")
    assert pending and pending[0]["state"] == "pending", pending
    gw.kill()
    # As if the backoff had grown to an hour: only "at once after a
    # restart" can deliver it within this test's deadline.
    con = sqlite3.connect(gw.database)
    con.execute("update webhook_delivery set next_at = next_at + 3600000"
                " where state = 'pending'")
    con.commit()
    con.close()
    rx.status = 200
    gw.start()
    ok = wait_for(lambda: next(iter(rx.events("received", status=200)), None), 20,
                  "the received webhook after the restart")
    h = ok["headers"]
    assert h["Smsgw-Event-Id"] == first["headers"]["Smsgw-Event-Id"] == pending[0]["uid"]
    assert verify_signature(SECRET, h["Smsgw-Signature"], ok["body"]), h
    b = json.loads(ok["body"])
    assert b["sender"] == CUSTOMER and b["body"] == "YES see you at 8", b
    wait_for(lambda: gw.scalar("select state from webhook_delivery where event = 'received'")
             == "delivered", 10, "the delivery marked delivered")


@t.test
def optout_event():
    rx.status = 200
    sim.deliver(0, "+15550001111", "STOP")
    r = wait_for(lambda: next(iter(rx.events("optout", status=200)), None), 20, "an optout webhook")
    b = json.loads(r["body"])
    assert b["number"] == "+15550001111", b
    assert verify_signature(SECRET, r["headers"]["Smsgw-Signature"], r["body"])


@t.test
def optout_by_cli_is_told_at_once():
    # smsgw optout add writes the database and kicks the daemon.
    gw.cli("optout", "add", "+15550002222")
    r = wait_for(lambda: next((x for x in rx.events("optout", status=200)
                               if json.loads(x["body"])["number"] == "+15550002222"), None),
                 10, "the CLI's opt-out as a webhook")
    assert json.loads(r["body"])["source"] == "manual"


@t.test
def retries_back_off_then_dead_in_events():
    # "gone" answers 503 every time and gives up after 3 s.
    wait_for(lambda: gw.scalar("select count(*) from webhook_delivery where webhook = 'gone'"
                               " and state = 'dead'"), 30, "a dead delivery")
    uid = gw.scalar("select uid from webhook_delivery where webhook = 'gone'"
                    " and state = 'dead' order by id limit 1")
    tries = [r for r in dead_rx.events("sent") if r["headers"]["Smsgw-Event-Id"] == uid]
    # 1 s, then 2 s: a backoff, not a hammer (fewer when this machine is
    # so slow that the 3 s went by before the second try).
    assert 1 <= len(tries) <= 4, len(tries)
    # The event is its own statement after the delivery's state: poll.
    wait_for(lambda: any("gone" in m and "dead" in m and uid in m for m in
                         [r["message"] for r in gw.query(
                             "select message from events where source = 'webhook'")]),
             10, "the dead delivery's event")
    # and `smsgw events` shows it to an operator, as an error.
    ev = gw.cli_json("events", "--level", "error", "--json")
    assert any(e["source"] == "webhook" and uid in e["message"] and "dead" in e["message"]
               for e in ev), ev
    metrics = gw.cli("metrics").stdout.decode()
    assert 'smsgw_webhook_deliveries{state="dead"}' in metrics, metrics


@t.test
def daemon_stops_cleanly():
    close(sim, gw)
    rx.stop()
    dead_rx.stop()


t.done()
