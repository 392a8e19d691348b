"""delivery = direct (issue 15): +CNMI <mt> 2 in mode 3, so a +CMT comes
with its PDU even while an AT+CMGS runs; every SMS lands once, multipart
ones reassembled, status reports still matched; +CNMA only after the
commit (kill -9 before it: the simulator delivers again after its
cnma_timeout_ms and nothing is lost or doubled); a modem that refuses
<mt> 2 or +CSMS=1 falls back to stored with an event naming why."""
import re
import sqlite3

from modem_helpers import (start, send, events, trace_commands, wait_event,
                           wait_ready)
from tap import Tap, wait_for

t = Tap()


def sim_lines(sim, i):
    """(direction, text) of the simulator's log of modem i."""
    out = []
    for line in sim.log(i).splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4:
            out.append((parts[2], parts[3]))
    return out


def cmt_inside_sends(sim, i):
    """How many +CMT the modem wrote while an AT+CMGS ran: after the PDU's
    Ctrl-Z and before that send's +CMGS: answer."""
    n, sending = 0, False
    for d, text in sim_lines(sim, i):
        if d == ">" and "\\x1a" in text:
            sending = True
        if d == "<" and sending:
            pos_cmt = text.find("+CMT:")
            pos_ans = text.find("+CMGS:")
            if pos_cmt >= 0 and (pos_ans < 0 or pos_cmt < pos_ans):
                n += text.count("+CMT:")
            if pos_ans >= 0:
                sending = False
    return n


def sent_any(gw, prefix):
    return [c for c in trace_commands(gw, "m0") if c.startswith(prefix)]


def inbox(gw, sender):
    return gw.query("select * from inbox where sender = ?", sender)


@t.test
def direct_during_a_burst_every_sms_once():
    sim, gw = start(1, specs={"all": {"latency_ms": 250}},
                    delivery="direct")
    cmds = trace_commands(gw, "m0")
    assert "AT+CSMS=1" in cmds and "AT+CNMI=3,2,0,1,0" in cmds, cmds
    assert sim.status(0)["cnmi"] == [3, 2, 0, 1, 0], sim.status(0)
    assert wait_event(gw, "modem m0", r"^ready: .*SMS delivered directly")
    sim.status_reports(0, delay_ms=100, status=0)
    send(gw, "+15550710000", "report me", report=True)
    body = "".join(f"To: +155507{i:05d}\n" for i in range(1, 25)) + "\nburst\n"
    gw.drop("burst", body)
    wait_for(lambda: "AT+CMGS" in sim.log(0), 20, "the burst started")
    long_text = "direct and long " * 20       # 320 characters: 3 parts
    senders = [f"+1555072{i:04d}" for i in range(6)]
    parts = 0
    for i, s in enumerate(senders):
        sim.deliver(0, s, long_text if i == 2 else f"reply {i}")
        parts += 3 if i == 2 else 1
        # The next one once this one is on the wire (no sleeping): they
        # spread over the burst's sends.
        wait_for(lambda: sum(text.count("+CMT:") for d, text
                             in sim_lines(sim, 0) if d == "<") >= parts,
                 20, f"+CMT of SMS {i}")
    for s in senders:
        wait_for(lambda: inbox(gw, s), 20, f"inbox row of {s}")
    wait_for(lambda: gw.scalar("select count(*) from outbox where state = 'sent'"
                               " or state = 'delivered'") == 25, 60, "the burst sent")
    wait_for(lambda: gw.scalar("select state from outbox where recipient ="
                               " '+15550710000'") == "delivered", 20,
             "the status report (+CDS, acked with +CNMA)")
    for s in senders:
        rows = inbox(gw, s)
        assert len(rows) == 1, rows
    row = inbox(gw, senders[2])[0]
    assert row["body"] == long_text and row["parts"] == 3, row
    # Every +CMT and +CDS acknowledged, none left with the modem, nothing
    # stored on the SIM.
    wait_for(lambda: len([d for d in sim.network("delivered")
                          if d["route"] == "acked"]) == 9, 20,
             "8 SMS parts and 1 report acknowledged")
    routes = {d["route"] for d in sim.network("delivered")}
    assert routes == {"cmt", "cds", "acked"}, routes
    assert sim.storage(0) == []
    assert not sent_any(gw, "AT+CMGR")
    # Mode 3: at least one came while a send ran (the point of it).
    assert cmt_inside_sends(sim, 0) >= 1, sim.log(0)[-3000:]
    assert not [e for e in events(gw) if e["level"] != "info"], events(gw)
    assert gw.stop() == 0
    sim.stop()


@t.test
def cnma_only_after_the_commit_kill_9_loses_and_doubles_nothing():
    sim, gw = start(1, specs={"all": {"cnma_timeout_ms": 1500,
                                      "redeliver_ms": 300}},
                    delivery="direct")
    # Another writer holds the database: the inbound row cannot commit.
    con = sqlite3.connect(gw.database, timeout=10, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        sim.deliver(0, "+15550730001", "before the commit")
        wait_for(lambda: [d for d in sim.network("delivered")
                          if d["route"] == "cmt"], 10, "the +CMT")
        wait_for(lambda: "not stored" in gw.log_text(), 40,
                 "the commit refused by the database")
        # No commit, so no +CNMA.
        assert not sent_any(gw, "AT+CNMA")
        gw.kill()
    finally:
        con.execute("ROLLBACK")
        con.close()
    # The modem gives up on the acknowledgement and the network delivers
    # it again (into storage: the ack timeout turned routing off).
    wait_for(lambda: [d for d in sim.network("delivered")
                      if d["route"] == "ack-timeout"], 10, "ack timeout")
    gw.start()
    wait_ready(gw)
    wait_for(lambda: inbox(gw, "+15550730001"), 20, "stored after the restart")

    wait_for(lambda: sim.storage(0) == [] and not sim.status(0)["queued"],
             30, "nothing left with the modem or the network")

    # Committed, then the +CNMA is lost (the modem stops answering at
    # it): the network delivers it again, and it is stored once.
    def timeouts():
        return len([d for d in sim.network("delivered")
                    if d["route"] == "ack-timeout"])
    before = timeouts()
    sim.hang(0, after_commands=1)
    sim.deliver(0, "+15550730002", "after the commit")
    wait_for(lambda: inbox(gw, "+15550730002"), 10, "committed")
    wait_for(lambda: timeouts() > before, 10, "the second ack timeout")
    gw.kill()
    sim.unhang(0)
    gw.start()
    wait_ready(gw)
    wait_for(lambda: sim.storage(0) == [] and not sim.status(0)["queued"],
             30, "nothing left with the modem or the network")
    assert len(inbox(gw, "+15550730001")) == 1, gw.query("select * from inbox")
    assert len(inbox(gw, "+15550730002")) == 1, gw.query("select * from inbox")
    assert gw.scalar("select count(*) from inbox") == 2
    assert gw.stop() == 0
    sim.stop()


@t.test
def a_modem_refusing_mt_2_falls_back_to_stored():
    sim, gw = start(1, specs={"all": {"no_direct": True}}, delivery="direct")
    e = wait_event(gw, "modem m0", "delivery = direct not possible")[0]
    assert "offers no <mt> 2" in e["message"], e
    assert sim.status(0)["cnmi"][1] == 1, sim.status(0)
    sim.deliver(0, "+15550740001", "stored instead")
    wait_for(lambda: inbox(gw, "+15550740001"), 10, "inbox row")
    assert sent_any(gw, "AT+CMGR=")
    assert gw.stop() == 0
    sim.stop()


@t.test
def a_modem_refusing_what_it_lists_falls_back_naming_the_refusal():
    sim, gw = start(1, specs={"all": {"no_direct": True,
                                      "cnmi_test_lies": True}},
                    delivery="direct")
    e = wait_event(gw, "modem m0", "delivery = direct not possible")[0]
    assert re.search(r"the modem refused AT\+CNMI=2,2,0,\d,0 \(\+CMS ERROR: "
                     r"303\)", e["message"]), e
    # Every direct setting was tried, then a stored one taken.
    assert sent_any(gw, "AT+CNMI=3,2") and sent_any(gw, "AT+CNMI=2,2")
    assert sim.status(0)["cnmi"][1] == 1, sim.status(0)
    sim.deliver(0, "+15550740002", "stored instead")
    wait_for(lambda: inbox(gw, "+15550740002"), 10, "inbox row")
    assert gw.stop() == 0
    sim.stop()


@t.test
def a_modem_without_mode_3_gets_mode_2():
    sim, gw = start(1, specs={"all": {"no_mode3": True}}, delivery="direct")
    assert sim.status(0)["cnmi"][:2] == [2, 2], sim.status(0)
    sim.deliver(0, "+15550750001", "mode 2")
    wait_for(lambda: inbox(gw, "+15550750001"), 10, "inbox row")
    assert sent_any(gw, "AT+CNMA")
    assert not events(gw, "modem m0", "delivery = direct")
    assert gw.stop() == 0
    sim.stop()


@t.test
def a_modem_refusing_csms_1_falls_back_to_stored_and_says_why():
    sim, gw = start(1, specs={"all": {"no_csms1": True}}, delivery="direct")
    e = wait_event(gw, "modem m0", "delivery = direct not possible")[0]
    assert "AT+CSMS=1" in e["message"] and "lost on a crash" in e["message"], e
    assert sim.status(0)["cnmi"][1] == 1, sim.status(0)
    assert not sent_any(gw, "AT+CNMI=3,2")
    assert gw.stop() == 0
    sim.stop()


@t.test
def sighup_switches_delivery_without_a_reinit():
    import signal
    sim, gw = start(1)
    assert sim.status(0)["cnmi"][1] == 1, sim.status(0)
    inits = gw.count_events("ready:")
    gw.modems[0]["delivery"] = "direct"
    gw.write_config()
    gw.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: sim.status(0)["cnmi"][:2] == [3, 2], 10, "+CNMI=3,2")
    sim.deliver(0, "+15550760001", "after the reload")
    wait_for(lambda: inbox(gw, "+15550760001"), 10, "inbox row")
    assert sent_any(gw, "AT+CNMA")
    assert gw.count_events("ready:") == inits
    assert gw.stop() == 0
    sim.stop()


@t.test
def an_unreadable_cmt_is_refused_not_left_unanswered():
    sim, gw = start(1, delivery="direct")
    sim.urc(0, "+CMT: ,21")
    sim.urc(0, "NOT A PDU")
    wait_event(gw, "modem m0", "without a readable PDU: refused with AT\\+CNMA=2")
    wait_for(lambda: sent_any(gw, "AT+CNMA=2"), 10, "AT+CNMA=2")
    # Nothing was pending in the simulator (+CMS ERROR: 340): +CNMI again.
    wait_event(gw, "modem m0", "gave up waiting")
    wait_for(lambda: len(sent_any(gw, "AT+CNMI=3,2")) == 2, 10, "+CNMI again")
    sim.deliver(0, "+15550770001", "still direct")
    wait_for(lambda: inbox(gw, "+15550770001"), 10, "inbox row")
    assert gw.stop() == 0
    sim.stop()


@t.test
def delivery_is_checked():
    import subprocess
    from gateway import Gateway, SMSGWD
    gw = Gateway(modems=[{"name": "m0", "device": "/dev/null",
                          "delivery": "cmt"}])
    r = subprocess.run([SMSGWD, "-t", "-c", gw.conf], capture_output=True,
                       text=True)
    out = (r.stdout or "") + (r.stderr or "")
    assert r.returncode != 0 and "delivery" in out and \
        "stored or direct" in out, out


t.done()
