"""Faults: a hung modem climbs the recovery ladder and comes back while
the other modem carries on; an unplug during a send; garbage bytes, slow
output, errors from the network, a modem that restarts by itself."""
from modem_helpers import (start, send, wait_sent, wait_ready, wait_event,
                           events, outbox, states, trace_commands)
from tap import Tap, wait_for

t = Tap()
sim, gw = start(2, specs={0: {"personality": "quectel"}}, health="1s")


def ladder(name):
    return [e["message"] for e in events(gw, f"modem {name}",
                                         "recovery step")]


@t.test
def hang_escape_and_reinit_then_ready_while_the_other_sends():
    sim.hang(1)
    wait_event(gw, "modem m1", "recovery step 1: ESC and AT", 20)
    # The other modem is untouched meanwhile.
    send(gw, "+15550500000", "during the hang", sim_name="m0/1")
    sim.wait_message(lambda m: m["dest"] == "+15550500000")
    # The network has it; the daemon records it a moment later (busy →
    # ready): poll, do not read one instant.
    wait_for(lambda: states(gw)["m0/1"] == "ready", 5,
             f"m0/1 ready again ({states(gw)})")
    wait_event(gw, "modem m1", "recovery step 2: re-init", 20)
    assert states(gw)["m1/1"] == "error", states(gw)
    sim.unhang(1)
    wait_event(gw, "modem m1", "^recovered, ready", 30)
    wait_ready(gw)
    send(gw, "+15550500001", "after the hang", sim_name="m1/1")
    sim.wait_message(lambda m: m["dest"] == "+15550500001")


@t.test
def full_ladder_to_reset_and_reopen():
    n = len(ladder("m0"))

    def resets():
        # While hung, each command comes after an ESC (\x1b).
        return sum(c.endswith("AT+CFUN=1,1") for c in sim.commands(0))

    before = resets()
    sim.hang(0)
    wait_event(gw, "modem m0", "recovery step 3: soft reset", 40)
    # The event comes before the command is written: unhung too soon, the
    # modem would answer the reset and there were no step 4.
    wait_for(lambda: resets() > before, 20,
             "the reset written to the hung modem")
    sim.unhang(0)
    # The reset was written while hung: no answer, so the port is reopened.
    wait_event(gw, "modem m0", "recovery step 4: close and reopen", 40)
    wait_event(gw, "modem m0", "^recovered, ready", 40, count=1)
    steps = ladder("m0")[n:]
    assert [s.split("recovery step ")[1][0] for s in steps] == \
        ["1", "2", "3", "4"], steps
    wait_ready(gw)
    assert "AT+CFUN=1,1" in trace_commands(gw, "m0")
    send(gw, "+15550500002", "after the ladder", sim_name="m0/1")
    sim.wait_message(lambda m: m["dest"] == "+15550500002")


@t.test
def soft_reset_that_replugs_the_tty():
    # The modem answers the reset and re-enumerates (Quectel on USB).
    n = len(events(gw, "modem m0", "went away"))
    sim.hang(0)
    wait_event(gw, "modem m0", "recovery step 2", 30,
               count=len(events(gw, "modem m0", "recovery step 2")) + 1)
    sim.unhang(0)
    # Either the re-init now succeeds, or it climbs to the reset; both
    # must end ready.
    wait_event(gw, "modem m0", "^recovered, ready", 40, count=2)
    wait_ready(gw)
    assert len(events(gw, "modem m0", "went away")) >= n


@t.test
def unplug_during_a_send_resends_it_once():
    # The send must still be in the modem when the tty goes: a latency no
    # busy machine outlasts, and the unplug only once the simulator has the
    # PDU (the row is "sending" before the bytes are on the wire). The
    # replug waits until the latency is back, or the resend would take it.
    sim.set(1, latency_ms=600000)
    send(gw, "+15550510000", "cut short", sim_name="m1/1")
    wait_for(lambda: [r for r in outbox(gw, "sending")], 10, "sending")
    wait_for(lambda: sim.status(1)["sending"], 10, "the send in the modem")
    sim.unplug(1)
    sim.wait_event("aborted", lambda e: e["modem"] == 1, 10)
    sim.set(1, latency_ms=100)
    sim.replug(1)
    msg = sim.wait_message(lambda m: m["dest"] == "+15550510000", 30)
    assert msg
    wait_for(lambda: [r for r in outbox(gw) if r["recipient"] ==
                      "+15550510000" and r["state"] == "sent"], 20, "sent")
    assert len(sim.messages(dest="+15550510000")) == 1


@t.test
def garbage_and_slow_output_do_not_stop_sending():
    sim.set(0, garbage_ms=200, slow_ms=2)
    for k in range(3):
        sim.garbage(0, 32)
        send(gw, f"+1555052000{k}", f"through the garbage {k}",
             sim_name="m0/1")
    wait_for(lambda: len([m for m in sim.messages()
                          if m["dest"].startswith("+1555052000")]) == 3,
             30, "three messages through garbage")
    sim.set(0, garbage_ms=0, slow_ms=0)
    assert not outbox(gw, "failed"), outbox(gw, "failed")


@t.test
def network_errors_reach_the_outbox():
    sim.fail_next(1, 1, 21)
    send(gw, "+15550530000", "rejected", sim_name="m1/1")
    row = wait_for(lambda: [r for r in outbox(gw, "failed")
                            if r["recipient"] == "+15550530000"], 20,
                   "failed")
    assert "CMS ERROR: 21" in row[0]["error"], row


@t.test
def a_modem_that_restarts_by_itself_is_initialised_again():
    # m1 is a generic modem on a "UART": its tty stays, its settings go.
    n = len(events(gw, "modem m1", "restarted"))
    sim.reboot(1)
    wait_event(gw, "modem m1", "restarted", 20, count=n + 1)
    wait_ready(gw)
    sim.deliver(1, "+15550540001", "after the restart")
    wait_for(lambda: gw.query("select * from inbox where sender = "
                              "'+15550540001'"), 20, "inbox row")
    # m0 is a Quectel on USB: its tty goes and comes back.
    n = len(events(gw, "modem m0", "went away"))
    sim.reboot(0)
    wait_event(gw, "modem m0", "went away", 20, count=n + 1)
    wait_ready(gw)
    send(gw, "+15550540000", "after the reboot", sim_name="m0/1")
    sim.wait_message(lambda m: m["dest"] == "+15550540000", 20)


@t.test
def nothing_stuck_busy():
    wait_for(lambda: set(states(gw).values()) == {"ready"}, 20,
             f"all ready ({states(gw)})")
    assert not outbox(gw, "sending"), outbox(gw, "sending")
    assert gw.stop() == 0


t.done()
