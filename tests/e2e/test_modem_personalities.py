"""Every personality of the simulator reaches ready with driver = auto
choosing its vendor driver, sends and receives; the same with the driver
named in the configuration."""
from modem_helpers import (start, send, wait_sent, events, modem_conf,
                           trace_commands)
from tap import Tap, wait_for

PERS = ["generic", "huawei", "huawei-e1752", "simcom", "simcom-sim7600",
        "quectel", "quectel-eg25"]
DRIVER = {"generic": "generic", "huawei": "huawei", "huawei-e1752": "huawei",
          "simcom": "simcom", "simcom-sim7600": "simcom",
          "quectel": "quectel", "quectel-eg25": "quectel"}

t = Tap()
sim, gw = start(len(PERS), specs={i: {"personality": p, "noise_ms": 500}
                                  for i, p in enumerate(PERS)})


@t.test
def auto_chooses_the_vendor_driver():
    # The event rows are written after the modem says ready (the turn's
    # group commit): wait for the vendors' before looking for none.
    for i, p in enumerate(PERS):
        if DRIVER[p] == "generic":
            continue
        ev = wait_for(lambda: events(gw, f"modem m{i}", "^driver "), 15,
                      f"m{i}'s driver event")
        assert ev[-1]["message"].startswith(
            f"driver {DRIVER[p]} chosen"), (p, ev)
    for i, p in enumerate(PERS):
        if DRIVER[p] == "generic":
            ev = events(gw, f"modem m{i}", "^driver ")
            assert not ev, (p, ev)


@t.test
def every_personality_sends():
    for i, p in enumerate(PERS):
        send(gw, f"+155501000{i:02d}", f"to {p}", sim_name=f"m{i}/1")
    wait_sent(gw, len(PERS))
    for i, p in enumerate(PERS):
        msgs = sim.messages(dest=f"+155501000{i:02d}")
        assert len(msgs) == 1 and msgs[0]["modem"] == i, (p, msgs)


@t.test
def every_personality_receives():
    for i, p in enumerate(PERS):
        sim.deliver(i, f"+155502000{i:02d}", f"from {p}")
    rows = wait_for(lambda: (lambda r: r if len(r) == len(PERS) else None)(
        gw.query("select * from inbox where sender like '+155502000%'")),
        15, "an inbox row per personality")
    got = {r["sender"]: r["body"] for r in rows}
    for i, p in enumerate(PERS):
        assert got[f"+155502000{i:02d}"] == f"from {p}", got
    for i in range(len(PERS)):
        wait_for(lambda: sim.storage(i) == [], 10, f"storage {i} empty")


@t.test
def named_drivers_work_too():
    from modemsim import ModemSim
    from gateway import Gateway
    s2 = ModemSim(modems=3, specs={0: {"personality": "huawei"},
                                   1: {"personality": "simcom"},
                                   2: {"personality": "quectel"}})
    s2.start()
    try:
        g2 = Gateway(modems=[modem_conf(s2, i, driver=d) for i, d in
                             enumerate(["huawei", "simcom", "quectel"])])
        g2.start()
        wait_for(lambda: [r["state"] for r in g2.query(
            "select * from sims")] == ["ready"] * 3, 20, "three ready")
        opened = [e["message"] for e in g2.query(
            "select * from events where message like 'opened %'")]
        assert all("driver auto" not in o for o in opened), opened
        for i in range(3):
            send(g2, f"+15550300{i}", "named", sim_name=f"m{i}/1")
        wait_sent(g2, 3)
        assert g2.stop() == 0
    finally:
        s2.stop()


@t.test
def an_old_phone_works_with_the_generic_driver_too():
    # What the phone driver says is mostly found out generically: the
    # storage from AT+CPMS=? with <mem3> where smsgw reads ("ME" on a
    # phone that keeps what it receives in itself), +CNMI from its
    # ranges, AT+CSMS=1 refused and so no +CNMA, the ICCID by AT+CRSM.
    from modemsim import ModemSim
    from gateway import Gateway
    s2 = ModemSim(modems=1, specs={0: {"personality": "phone"}})
    s2.start()
    try:
        s2.deliver(0, "+15550310001", "kept in the phone before start")
        wait_for(lambda: s2.storage(0, me=True), 10, "stored in ME")
        g2 = Gateway(modems=[modem_conf(s2, 0, driver="generic")],
                     settings={"trace_full": "yes"})
        g2.start()
        wait_for(lambda: [r["state"] for r in g2.query(
            "select * from sims")] == ["ready"], 20, "ready")
        wait_for(lambda: g2.query("select * from inbox where sender = ?",
                                  "+15550310001"), 15, "the import")
        s2.deliver(0, "+15550310002", "received while running")
        wait_for(lambda: g2.query("select * from inbox where sender = ?",
                                  "+15550310002"), 15, "the +CMTI read")
        wait_for(lambda: s2.storage(0, me=True) == [], 10, "ME empty")
        cmds = trace_commands(g2, "m0")
        assert 'AT+CPMS="ME","ME","ME"' in cmds, cmds
        assert "AT+CNMI=2,1,0,2,0" in cmds, cmds
        assert g2.scalar("select iccid from sims"), "no ICCID"
        send(g2, "+15550310003", "from the phone", sim_name="m0/1")
        s2.wait_message(lambda m: m["dest"] == "+15550310003", 20)
        assert g2.stop() == 0
    finally:
        s2.stop()


@t.test
def each_family_reads_its_own_signal_reports_only():
    # No noise and a health check an hour apart: after the first one
    # (+CSQ: 20 = -73 dBm) only a report the driver reads moves a SIM's
    # signal. m3 is a Huawei under driver = generic, which declares no
    # report: its ^RSSI is not heard.
    from modemsim import ModemSim
    from gateway import Gateway
    pers = ["huawei", "simcom", "quectel", "huawei"]
    drivers = ["auto", "auto", "auto", "generic"]
    own = ["^RSSI:7", "+CSQN: 8,0", '+QIND: "csq",9,99', "^RSSI:7"]
    foreign = ["^RSSI:3", "+CSQN: 3,0", '+QIND: "csq",3,99']   # -107
    s2 = ModemSim(modems=4, specs={i: {"personality": p}
                                   for i, p in enumerate(pers)})
    s2.start()
    try:
        g2 = Gateway(modems=[modem_conf(s2, i, driver=d,
                                        health_interval="1h")
                             for i, d in enumerate(drivers)])
        g2.start()

        def signals():
            return {r["name"]: r["signal"]
                    for r in g2.query("select * from sims")}
        wait_for(lambda: list(signals().values()) == [-73] * 4, 20,
                 "every SIM at -73 dBm from its first +CSQ")
        for i, line in enumerate(own):
            s2.urc(i, line)
        want = {"m0/1": -99, "m1/1": -97, "m2/1": -95}
        wait_for(lambda: {k: v for k, v in signals().items()
                          if k in want} == want, 10,
                 f"each family's own report read (now {signals()})")
        # Every other family's report, then a message sent: the reports
        # were on the port before AT+CMGS went out, so once it is sent
        # they were heard or not. (A message received would not do:
        # the simulators put the family's own report inside +CMGR.)
        for i in range(4):
            for line in foreign:
                if line.split(":")[0] != own[i].split(":")[0]:
                    s2.urc(i, line)
            send(g2, f"+15550320{i:03d}", "after the reports",
                 sim_name=f"m{i}/1")
        wait_sent(g2, 4)
        want["m3/1"] = -73
        assert signals() == want, signals()
        assert g2.stop() == 0
    finally:
        s2.stop()


t.done()
