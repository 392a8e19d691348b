#!/usr/bin/env python3
"""POST /v1/messages when the store answers later (include/store_ops.h):
with SMSGW_TEST_STORE_LATE=1 every store operation answers from the loop's
next turn, as PostgreSQL does. The request waits suspended and is answered
from the acceptance's done: 202 with the stored ids after the commit, the
same id repeated is a duplicate, a refusal is 422 with the spool's reason,
and a burst of concurrent POSTs each gets its own answer. (Before, the API
answered 503 here: it could only take a synchronous store.)"""
import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
os.environ["SMSGW_TEST_STORE_LATE"] = "1"
from flow_helpers import rig, close  # noqa: E402
from httpapi import Api, free_port, http_section  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
port = free_port()
sim, gw = rig(1, extra=http_section(port, rate_limit=1000, rate_burst=1000),
              prefix="smsgw-http-late-")
TOKEN = gw.cli("token", "add", "late", "--rights",
               "send,read").stdout.decode().strip()
api = Api(port, TOKEN)


@t.test
def the_store_answers_late():
    assert "answer a loop turn later" in gw.log_text(), "the seam is off"


@t.test
def send_is_answered_from_the_commit():
    status, _, body = api.post("/v1/messages", {
        "to": ["+15552220001", "+15552220002"], "text": "late {{number}}",
        "id": "late-1"})
    assert status == 202, (status, body)
    ids = [m["id"] for m in body["messages"]]
    assert all(i > 0 for i in ids) and body["duplicate"] is False, body
    rows = gw.query("select id, recipient from outbox where id in (%s) order by id"
                    % ",".join(map(str, ids)))
    assert [r["recipient"] for r in rows] == ["+15552220001", "+15552220002"], rows
    # The status of what was sent, read back through the API.
    status, _, one = api.get(f"/v1/messages/{ids[0]}")
    assert status == 200 and one["recipient"] == "+15552220001", one


@t.test
def a_repeated_id_is_a_duplicate():
    before = gw.scalar("select count(*) from message")
    status, _, body = api.post("/v1/messages", {"to": "+15552220009",
                                                "text": "again", "id": "late-1"})
    assert status == 202 and body["duplicate"] is True, body
    assert {m["recipient"] for m in body["messages"]} == {"+15552220001", "+15552220002"}
    assert gw.scalar("select count(*) from message") == before


@t.test
def a_refusal_keeps_its_reason():
    status, _, body = api.post("/v1/messages", {"to": "+15552220003", "text": "x",
                                                "priority": "urgent"})
    assert status == 422 and body["field"] == "priority", (status, body)


@t.test
def a_burst_of_posts_each_gets_its_answer():
    def one(i):
        return api.post("/v1/messages", {"to": f"+1555223{i:04d}", "text": f"burst {i}"})

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        res = list(ex.map(one, range(64)))
    assert all(s == 202 for s, _, _ in res), [s for s, _, _ in res]
    got = {b["messages"][0]["recipient"]: b["messages"][0]["id"] for _, _, b in res}
    assert len(got) == 64 and len(set(got.values())) == 64, got
    rows = gw.query("select id, recipient from outbox where recipient like '+1555223%'")
    assert {r["recipient"]: r["id"] for r in rows} == got


@t.test
def stops_cleanly():
    close(sim, gw)


t.done()
