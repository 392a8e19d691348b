"""Outbound end to end (issue 6): the real daemon on simulated modems, checked
against the simulator's ground truth and the outbox view."""
import collections
import random

from flow_helpers import close, rig
from tap import Tap, wait_for

t = Tap()


def bulk(gw, name, numbers, body="Bulk {{n}}", extra=""):
    lines = "".join(f"To: {x}; n={i}\n" for i, x in enumerate(numbers))
    gw.drop(name, lines + extra + "\n" + body + "\n")


def states(gw):
    return collections.Counter(r["state"] for r in gw.query("select state from outbox"))


@t.test
def four_modems_hundred_each_exactly_once():
    sim, gw = rig(4)
    numbers = [f"+1555200{i:04d}" for i in range(400)]
    bulk(gw, "burst", numbers)
    wait_for(lambda: states(gw).get("sent") == 400, 60, "400 sent rows")
    msgs = sim.messages()
    by_dest = collections.Counter(m["dest"] for m in msgs)
    assert len(msgs) == 400 and set(by_dest) == set(numbers), len(msgs)
    assert max(by_dest.values()) == 1
    per_modem = collections.Counter(m["modem"] for m in msgs)
    assert len(per_modem) == 4 and min(per_modem.values()) >= 80, per_modem
    # Each outbox row names the SIM the network saw it from.
    row_sim = {r["recipient"]: r["sim_name"] for r in gw.query(
        "select recipient, sim_name from outbox")}
    assert all(row_sim[m["dest"]] == f"m{m['modem']}/1" for m in msgs)
    close(sim, gw)


@t.test
def sticky_sender_holds_for_one_to_one():
    sim, gw = rig(3)
    gw.cli("send", "+15553000001", "-m", "first")
    first = sim.wait_message(lambda m: m["dest"] == "+15553000001")
    # Busy the others with bulk, then talk to the same number again.
    bulk(gw, "noise", [f"+1555301{i:04d}" for i in range(30)])
    for k in range(3):
        gw.cli("send", "+15553000001", "-m", f"again {k}")
    wait_for(lambda: len(sim.messages(dest="+15553000001")) == 4, 20, "four messages")
    assert {m["modem"] for m in sim.messages(dest="+15553000001")} == {first["modem"]}
    # A reply on that SIM keeps it, too.
    sim.deliver(first["modem"], "+15553000001", "thanks")
    wait_for(lambda: gw.scalar("select count(*) from inbox") == 1, 10, "the reply")
    gw.cli("send", "+15553000001", "-m", "you're welcome")
    wait_for(lambda: len(sim.messages(dest="+15553000001")) == 5, 10, "the answer")
    assert {m["modem"] for m in sim.messages(dest="+15553000001")} == {first["modem"]}
    close(sim, gw)


@t.test
def quota_moves_bulk_then_defers_the_rest():
    sim, gw = rig(2, sims={0: {"daily_limit": 3}, 1: {"daily_limit": 5}})
    bulk(gw, "q", [f"+1555400{i:04d}" for i in range(10)])
    wait_for(lambda: states(gw).get("sent") == 8, 20, "eight sent")
    wait_for(lambda: states(gw).get("deferred") == 2, 10, "two deferred")
    per_modem = collections.Counter(m["modem"] for m in sim.messages())
    assert per_modem == {0: 3, 1: 5}, per_modem
    wait_for(lambda: gw.scalar("select count(*) from sims where state = 'quota-exhausted'") == 2,
             10, "both SIMs quota-exhausted")
    sims = gw.cli_json("status", "--json")["sims"]
    assert sorted(s["sent_today"] for s in sims) == [3, 5], sims
    close(sim, gw)


@t.test
def cms_500_storm_moves_traffic_to_the_other_modem():
    sim, gw = rig(2, settings={"retry_min": "1s", "retry_max": "2s",
                               "max_attempts": 50})
    sim.set(0, cms_rate=1.0, cms_codes=[500])
    bulk(gw, "storm", [f"+1555500{i:04d}" for i in range(20)])
    wait_for(lambda: states(gw).get("sent") == 20, 60, "all twenty sent")
    assert {m["modem"] for m in sim.messages()} == {1}
    rejected = sim.network("rejected")
    assert rejected and all(r["modem"] == 0 and r["code"] == 500 for r in rejected)
    assert gw.scalar("select count(*) from outbox where sim_name = 'm1/1'") == 20
    close(sim, gw)


@t.test
def permanent_error_fails_one_message_only():
    sim, gw = rig(1)
    sim.fail_next(0, 1, 21)
    bulk(gw, "perm", [f"+1555600{i:04d}" for i in range(3)])
    wait_for(lambda: states(gw) == {"failed": 1, "sent": 2}, 20, "one failed, two sent")
    row = gw.query("select error from outbox where state = 'failed'")[0]
    assert "+CMS ERROR: 21" in row["error"], row
    close(sim, gw)


@t.test
def kill_9_during_a_campaign_loses_nothing():
    sim, gw = rig(2, latency_ms=150, settings={"resend_unknown_bulk": False})
    numbers = [f"+1555700{i:04d}" for i in range(120)]
    bulk(gw, "campaign", numbers)
    rng = random.Random(4)
    kills = 0
    for _ in range(3):
        # Let some go out, then pull the plug at a random moment.
        target = len(sim.messages()) + rng.randint(5, 20)
        wait_for(lambda: len(sim.messages()) >= min(target, 110), 30, "progress")
        gw.kill()
        kills += 1
        gw.start()
    wait_for(lambda: not states(gw).keys() & {"queued", "sending", "deferred"},
             60, "the queue to drain")
    st = states(gw)
    assert set(st) <= {"sent", "unknown"}, st
    assert st.get("unknown", 0) <= 2 * kills, st
    assert sum(st.values()) == 120
    by_dest = collections.Counter(m["dest"] for m in sim.messages())
    # Bulk is never resent after an unknown outcome: no duplicates at all.
    assert max(by_dest.values()) == 1, [d for d, c in by_dest.items() if c > 1]
    # Every row the database calls sent was really sent.
    sent = {r["recipient"] for r in gw.query("select recipient from outbox where state = 'sent'")}
    assert sent <= set(by_dest)
    # Every recipient was either sent or is honestly unknown.
    assert set(numbers) <= set(by_dest) | {r["recipient"] for r in gw.query(
        "select recipient from outbox where state = 'unknown'")}
    close(sim, gw)


@t.test
def status_reports_turn_sent_into_delivered():
    sim, gw = rig(1)
    sim.status_reports(0, delay_ms=50, status=0)
    gw.cli("send", "--report", "+15558000001", "-m", "track me")
    wait_for(lambda: gw.scalar("select state from outbox") == "delivered", 15, "delivered")
    assert gw.scalar("select delivered_at from outbox") is not None
    close(sim, gw)


t.done()
