"""Senders from outside are untrusted (issue 11): automatic replies (HELP,
confirmations, rule replies) are bounded per sender, never go to short codes,
and carry no control characters from the inbound text."""
import time

from flow_helpers import close, rig
from tap import Tap, wait_for

t = Tap()


def inbox_count(gw, sender):
    return gw.scalar("select count(*) from inbox where sender = ?", sender) or 0


@t.test
def two_auto_responders_stop_after_a_few_turns():
    sim, gw = rig(settings={"help_reply": "Acme alerts. Reply STOP to end."})
    bot = "+15556000001"
    for i, word in enumerate(["help", "HELP", "Help", "hElp", "heLp", "helP"]):
        sim.deliver(0, bot, word)
        wait_for(lambda: inbox_count(gw, bot) == i + 1, 10, f"help {i + 1} stored")
    wait_for(lambda: gw.count_events("repeat") >= 1, 10, "the event about the loop")
    replies = gw.scalar("select count(*) from outbox where recipient = ?"
                        " and origin = 'help-reply'", bot)
    assert replies == 3, replies
    wait_for(lambda: len(sim.messages(dest=bot)) == 3, 10, "three replies sent")
    close(sim, gw)


@t.test
def no_reply_to_a_short_code_and_no_control_characters():
    rules = [{"name": "echo", "match": "^echo", "action": "reply",
              "reply": "You said: {{text}}"}]
    sim, gw = rig(rules=rules, settings={"help_reply": "Acme alerts."})
    sim.deliver(0, "12345", "help")
    wait_for(lambda: inbox_count(gw, "12345") == 1, 10, "the short code's message")
    wait_for(lambda: gw.count_events("short code") == 1, 10, "the event")
    person = "+15556000002"
    sim.deliver(0, person, "echo \x07bell\x1b[2J", ucs2=True)
    m = sim.wait_message(lambda m: m["dest"] == person, timeout=10)
    assert m["text"] == "You said: echo bell[2J", repr(m["text"])
    assert not sim.messages(dest="12345")
    close(sim, gw)


t.done()
