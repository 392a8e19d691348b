"""Inbound end to end (issue 7): replies from the simulated network into the
inbox view, reassembly, keywords, opt-outs, replies and hooks."""
import os

from flow_helpers import close, rig
from gateway import tempdir
from tap import Tap, wait_for

t = Tap()

LONG = ("Thank you for the offer. I would like to come on Friday with three "
        "friends, if the table by the window is still free. Could you also "
        "tell me whether you have vegetarian dishes on the menu and whether "
        "we can bring a cake for a birthday? We would arrive around eight "
        "in the evening and stay until ten or so. Best regards, Dana. "
        "PS: my friend is allergic to nuts, please let the kitchen know!!")


def inbox(gw):
    return gw.query("select * from inbox order by id")


@t.test
def multipart_shuffled_duplicated_and_missing():
    sim, gw = rig(settings={"reassembly_timeout": "2s"})
    for k, parts_text in enumerate((LONG[:200], LONG, LONG * 2)):
        sender = f"+1555100000{k}"
        n = sim.deliver(0, sender, parts_text, shuffle=True, duplicate=[2])
        assert 2 <= n <= 8, n
        wait_for(lambda: any(r["sender"] == sender for r in inbox(gw)), 15,
                 f"message {k}")
        row = [r for r in inbox(gw) if r["sender"] == sender][0]
        assert row["body"] == parts_text and row["parts"] == n, row
    # UCS-2 with emoji, 16-bit reference.
    emoji = "Grüße 😀 " * 30
    sim.deliver(0, "+15551000009", emoji, ucs2=True, concat16=True, shuffle=True)
    wait_for(lambda: any(r["sender"] == "+15551000009" for r in inbox(gw)), 15, "UCS-2")
    assert [r for r in inbox(gw) if r["sender"] == "+15551000009"][0]["body"] == emoji
    # A missing part: stored partial after the timeout, never a second row.
    sim.deliver(0, "+15551000008", LONG, drop=[2])
    wait_for(lambda: any(r["sender"] == "+15551000008" for r in inbox(gw)), 15, "partial")
    row = [r for r in inbox(gw) if r["sender"] == "+15551000008"][0]
    assert row["partial"] == 1 and "[missing part 2/" in row["body"], row
    assert len(inbox(gw)) == 5
    # Each PDU was deleted from the SIM only after it was stored.
    wait_for(lambda: not sim.storage(0), 10, "empty SIM storage")
    close(sim, gw)


@t.test
def stop_while_messages_are_queued_confirms_once_sends_nothing_after():
    sim, gw = rig(n=2, latency_ms=300)
    victim = "+15552000000"
    others = [f"+1555200{i:04d}" for i in range(1, 30)]
    # The victim is last in a campaign and alone in a later one.
    body = "".join(f"To: {x}\n" for x in others + [victim])
    gw.drop("camp", body + "\nSpring offer\n")
    gw.drop("camp2", f"To: {victim}\nKind: bulk\n\nSummer offer\n")
    wait_for(lambda: gw.scalar("select count(*) from outbox where recipient = ?",
                               victim) == 2, 10, "both queued")
    wait_for(lambda: len(sim.messages()) >= 2, 20, "sending to begin")
    sim.deliver(0, victim, "STOP")
    wait_for(lambda: gw.scalar("select count(*) from optouts where number = ? and active = 1",
                               victim) == 1, 10, "the opt-out")
    opted_at = gw.scalar("select opted_out_at from optouts where number = ?", victim)
    wait_for(lambda: not gw.scalar(
        "select count(*) from outbox where state in ('queued', 'deferred', 'sending')"),
        60, "the queue to drain")
    after = [m for m in sim.messages(dest=victim) if m["time"] > opted_at]
    confirmations = [m for m in after if "unsubscribed" in m["text"]]
    assert len(confirmations) == 1, after
    # Anything else that reached the network after the opt-out was already
    # claimed (in the modem's hands) before the opt-out committed.
    opted_ms = gw.scalar("select opted_out_at from optout where number = ?", victim)
    for m in after:
        if m in confirmations:
            continue
        claimed = gw.scalar("select min(a.started_at) from attempt a join message x"
                            " on x.id = a.message_id where x.recipient = ? and x.body = ?",
                            victim, m["text"])
        assert claimed is not None and claimed <= opted_ms, (m, claimed, opted_ms)
    assert gw.scalar("select count(*) from outbox where recipient = ? and state = 'suppressed'",
                     victim) == 2
    # A second STOP: no second confirmation.
    sim.deliver(0, victim, "stop")
    wait_for(lambda: gw.scalar("select count(*) from inbox where sender = ?", victim) == 2,
             10, "the second STOP")
    gw.cli("send", "+15552009999", "-m", "marker")
    sim.wait_message(lambda m: m["dest"] == "+15552009999", timeout=10)
    assert len([m for m in sim.messages(dest=victim) if "unsubscribed" in m["text"]]) == 1
    close(sim, gw)


@t.test
def help_and_custom_rule_reply_from_the_receiving_sim():
    rules = [{"name": "hours", "match": "^(opening )?hours\\??$", "action": "reply",
              "reply": "We are open 9-17, {{sender}}."}]
    sim, gw = rig(n=2, rules=rules,
                     settings={"help_reply": "Acme alerts. Reply STOP to end."})
    sim.deliver(1, "+15553000001", "help")
    m = sim.wait_message(lambda m: m["dest"] == "+15553000001", timeout=10)
    assert m["text"] == "Acme alerts. Reply STOP to end." and m["modem"] == 1, m
    sim.deliver(0, "+15553000002", "Opening hours?")
    m = sim.wait_message(lambda m: m["dest"] == "+15553000002", timeout=10)
    assert m["text"] == "We are open 9-17, +15553000002." and m["modem"] == 0, m
    kw = {r["sender"]: r["keyword"] for r in inbox(gw)}
    assert kw == {"+15553000001": "help", "+15553000002": "hours"}, kw
    close(sim, gw)


@t.test
def reply_is_linked_to_the_message_it_answers():
    sim, gw = rig()
    gw.cli("send", "+15554000001", "-m", "Your table is ready")
    sim.wait_message(lambda m: m["dest"] == "+15554000001", timeout=10)
    wait_for(lambda: gw.scalar("select state from outbox") == "sent", 10, "sent")
    sim.deliver(0, "+15554000001", "On my way")
    wait_for(lambda: len(inbox(gw)) == 1, 10, "the reply")
    rows = gw.cli_json("inbox", "--json")
    assert rows[0]["in_reply_to_body"] == "Your table is ready", rows
    close(sim, gw)


@t.test
def slow_hook_does_not_delay_the_next_message():
    work = tempdir("smsgw-hook-")
    marker = os.path.join(work, "ran")
    hook = f"echo $SMSGW_NUMBER >> {marker}; sleep 30"
    sim, gw = rig(hooks={"on_received": hook, "timeout": "60s"})
    sim.deliver(0, "+15555000001", "first")
    wait_for(lambda: os.path.exists(marker), 10, "the first hook to start")
    sim.deliver(0, "+15555000002", "second")
    wait_for(lambda: len(inbox(gw)) == 2, 3, "the second message while the hook sleeps")
    wait_for(lambda: open(marker).read().count("\n") == 2, 5, "the second hook")
    close(sim, gw)


t.done()
