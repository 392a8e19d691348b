"""SIM matters: the PIN (right: ready; none or wrong: blocked and never
retried), storage full at start and announced by the modem, a dual-SIM
modem switching slots when the active SIM's daily limit is reached,
receive = false, and a configured IMEI that does not match."""
from modem_helpers import (Gateway, ModemSim, modem_conf, send, wait_sent,
                           wait_state, events, wait_event, trace_commands,
                           states, wait_ready)
from tap import Tap, wait_for

t = Tap()


def sim_and_gateway(n=1, specs=None, **modem):
    sim = ModemSim(modems=n, specs=specs or {})
    sim.start()
    gw = Gateway(modems=[modem_conf(sim, i, **modem) for i in range(n)],
                 settings={"send_timeout": "10s"})
    return sim, gw


def cpin_entries(gw):
    return [c for c in trace_commands(gw, "m0") if c.startswith("AT+CPIN=")]


@t.test
def right_pin_gets_ready():
    sim, gw = sim_and_gateway(specs={0: {"pin": "4321"}}, pin="4321")
    try:
        gw.start()
        wait_ready(gw)
        # One entry; the trace masks the PIN like a one-time code.
        assert cpin_entries(gw) == ['AT+CPIN="****"'], cpin_entries(gw)
        send(gw, "+15550400001", "after the PIN")
        sim.wait_message(lambda m: m["dest"] == "+15550400001")
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def no_pin_configured_is_blocked_and_never_guessed():
    sim, gw = sim_and_gateway(specs={0: {"pin": "4321"}})
    try:
        gw.start()
        wait_state(gw, "m0/1", "blocked")
        assert wait_event(gw, "modem m0", "asks for a PIN and none")
        assert cpin_entries(gw) == [], cpin_entries(gw)
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def wrong_pin_is_tried_once_even_after_a_replug():
    sim, gw = sim_and_gateway(specs={0: {"pin": "4321"}}, pin="1111")
    try:
        gw.start()
        wait_state(gw, "m0/1", "blocked")
        assert wait_event(gw, "modem m0", "refused the configured PIN")
        assert len(cpin_entries(gw)) == 1, cpin_entries(gw)
        # A replug opens the modem again: it must not try the PIN again.
        sim.unplug(0)
        sim.replug(0)
        wait_event(gw, "modem m0", "still asks for its PIN")
        wait_state(gw, "m0/1", "blocked")
        assert len(cpin_entries(gw)) == 1, cpin_entries(gw)
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def storage_full_at_start_is_imported_and_emptied():
    sim, gw = sim_and_gateway(specs={0: {"slot0.size": 5}})
    try:
        sim.wait_registered(0)
        for k in range(7):
            sim.deliver(0, f"+155504100{k:02d}", f"stored {k}")
        wait_for(lambda: len(sim.storage(0)) == 5, 10, "storage full")
        gw.start()
        rows = wait_for(lambda: (lambda r: r if len(r) == 7 else None)(
            gw.query("select * from inbox")), 20, "seven inbox rows")
        assert sorted(r["body"] for r in rows) == \
            [f"stored {k}" for k in range(7)], rows
        wait_for(lambda: sim.storage(0) == [], 10, "storage empty")
        assert events(gw, "modem m0", "storage full"), events(gw)
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def storage_full_urc_makes_an_import():
    sim, gw = sim_and_gateway(specs={0: {"personality": "huawei"}})
    try:
        gw.start()
        wait_ready(gw)
        n = trace_commands(gw, "m0").count("AT+CMGL=4")
        sim.urc(0, '^SMMEMFULL: "SM"')
        wait_event(gw, "modem m0", "storage full")
        wait_for(lambda: trace_commands(gw, "m0").count("AT+CMGL=4") > n,
                 10, "a listing")
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def dual_sim_switches_when_the_daily_limit_is_reached():
    sim = ModemSim(modems=1, specs={0: {"personality": "quectel",
                                        "slots": 2}})
    sim.start()
    try:
        conf = modem_conf(sim, 0, slots=2)
        conf["sims"][0]["daily_limit"] = 2
        gw = Gateway(modems=[conf])
        gw.start()
        wait_for(lambda: states(gw).get("m0/1") == "ready", 20, "slot 1")
        for k in range(4):
            send(gw, f"+155504200{k:02d}", f"dual {k}")
        wait_sent(gw, 4, timeout=40)
        st = sim.status(0)
        by_iccid = {}
        for s in sim.submits():
            by_iccid.setdefault(s["iccid"], []).append(s["dest"])
        assert len(by_iccid.get(st["slots"][0]["iccid"], [])) == 2, by_iccid
        assert len(by_iccid.get(st["slots"][1]["iccid"], [])) == 2, by_iccid
        assert len(sim.messages()) == 4
        assert events(gw, "modem m0", "switching from SIM m0/1 to SIM m0/2")
        rows = {r["name"]: r for r in gw.query("select * from sims")}
        assert rows["m0/2"]["iccid"] == st["slots"][1]["iccid"], rows
        assert rows["m0/1"]["state"] == "quota-exhausted", rows
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def receive_false_leaves_sms_in_the_modem():
    sim, gw = sim_and_gateway(receive=False)
    try:
        gw.start()
        wait_ready(gw)
        assert "AT+CNMI=2,0,0,1,0" in trace_commands(gw, "m0")
        sim.deliver(0, "+15550430000", "not for us")
        wait_for(lambda: len(sim.storage(0)) == 1, 10, "stored")
        n = len(trace_commands(gw, "m0"))
        send(gw, "+15550430001", "sending still works")
        wait_sent(gw, 1)
        assert gw.query("select * from inbox") == []
        assert len(sim.storage(0)) == 1
        assert not [c for c in trace_commands(gw, "m0")[n:]
                    if c.startswith(("AT+CMGR", "AT+CMGD"))]
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def a_different_imei_is_refused():
    sim, gw = sim_and_gateway(imei="490154203237518")
    try:
        gw.start()
        wait_event(gw, "modem m0", "not 490154203237518 as configured")
        wait_state(gw, "m0/1", "error")
        assert not [c for c in trace_commands(gw, "m0")
                    if c.startswith("AT+CPIN")], "went on after the IMEI"
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def device_in_a_directory_that_appears_later():
    # Like /dev/serial/by-id, which exists only while a USB serial device
    # does: the daemon waits on the nearest directory, without polling.
    import os
    sim = ModemSim(modems=1)
    sim.start()
    try:
        base = os.path.join(sim.dir, "later")
        conf = modem_conf(sim, 0)
        conf["device"] = os.path.join(base, "by-id", "modem")
        gw = Gateway(modems=[conf])
        gw.start()
        wait_state(gw, "m0/1", "absent")
        os.makedirs(os.path.join(base, "by-id"))
        os.symlink(sim.path(0), conf["device"])
        wait_ready(gw)
        send(gw, "+15550440000", "found it")
        sim.wait_message(lambda m: m["dest"] == "+15550440000")
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def smsc_from_the_configuration():
    sim, gw = sim_and_gateway(smsc="+15559998888")
    try:
        gw.start()
        wait_ready(gw)
        assert sim.status(0)["slots"][0]["smsc"] == "+15559998888"
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def reports_stored_with_cdsi_are_read_and_deleted():
    sim, gw = sim_and_gateway(init=["AT+CNMI=2,1,0,2,0"])
    try:
        sim.status_reports(0, delay_ms=50, status=0)
        gw.start()
        wait_ready(gw)
        send(gw, "+15550450000", "report me", report=True)
        wait_for(lambda: [r for r in gw.query("select * from outbox")
                          if r["state"] == "delivered"], 15, "delivered")
        routes = [d["route"] for d in sim.network("delivered")
                  if d["kind"] == "report"]
        assert routes == ["cdsi"], routes
        wait_for(lambda: sim.storage(0) == [], 10, "report deleted")
        assert gw.stop() == 0
    finally:
        sim.stop()


@t.test
def a_message_the_database_refused_is_read_again():
    import sqlite3
    sim, gw = sim_and_gateway(health_interval="1s")
    try:
        gw.start()
        wait_ready(gw)
        lock = sqlite3.connect(gw.database, timeout=10)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            sim.deliver(0, "+15550460000", "while locked")
            wait_for(lambda: "not stored" in gw.log_text(), 20,
                     "the failed commit")
            assert len(sim.storage(0)) == 1, "deleted without a commit"
        finally:
            lock.rollback()
            lock.close()
        wait_for(lambda: gw.query("select * from inbox where sender = "
                                  "'+15550460000'"), 20, "inbox row")
        wait_for(lambda: sim.storage(0) == [], 10, "deleted after commit")
        assert gw.stop() == 0
    finally:
        sim.stop()


t.done()
