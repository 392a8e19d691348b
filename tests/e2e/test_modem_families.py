"""Every modem family against its simulated personality (issue "real
modems"): driver = auto picks the family's driver from the modem's own
+CGMI answer (a pty has no USB id); messages stored before start are
imported; a multipart message goes out; a multipart reply comes in with
the family's own URC between the +CMGR header and its PDU (each part,
checked in the trace); a STOP is honoured; every SIM is ready in `smsgw
status`. Nothing is left in the modems' storage (the SIM's, and the
phone's own "ME" where the family keeps messages there), and no command
of the whole session was answered ERROR except the 3GPP ones a family
lacks (+CEREG without LTE, +CMMS)."""
import os
import re
import subprocess

from modem_helpers import (Gateway, ModemSim, modem_conf, send, wait_ready,
                           events, trace_commands)
from tap import Tap, wait_for
import modemsim  # noqa: E402  (the binary, as ModemSim finds it)

# Every vendor folder of drivers/ is a family, tested against the
# simulator's personality of the same name (doc/adding-a-vendor.md): a new
# folder is tested here without an edit. A Qualcomm OEM stick has no quirk
# of its own: the generic driver. Old phones (Sony Ericsson, Nokia) are
# drivers/phone.
ROOT = os.environ.get("SMSGW_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENDORS = sorted(d for d in os.listdir(os.path.join(ROOT, "drivers"))
                 if d != "generic" and
                 os.path.isdir(os.path.join(ROOT, "drivers", d)))
FAMILIES = VENDORS + ["qualcomm"]
DRIVER = {p: p for p in FAMILIES}
DRIVER["qualcomm"] = "generic"
LONG_IN = ("A reply long enough for three parts, so that every family shows "
           "how it reads a concatenated message with its own chatter between "
           "the header of +CMGR and the PDU line: ZTE says +ZEND, Wavecom "
           "+WIND: 7, Cinterion +CIEV. Nothing may be lost, nothing doubled, "
           "and every part is deleted only after it is stored. The end.")
LONG_OUT = "multipart from smsgw " * 12

t = Tap()


@t.test
def every_vendor_folder_has_a_personality():
    p = subprocess.run([modemsim._binary(), "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=10)
    names = re.findall(r"[a-z0-9-]+", p.stdout.decode().split(
        "--personality P", 2)[-1].split("--modem", 1)[0])
    missing = [v for v in FAMILIES if v not in names]
    assert not missing, f"no simulator personality for {missing}"
    # The twelve families of the issue at least: Huawei, ZTE,
    # Qualcomm-based, Quectel, SIMCom, Sierra, Telit, u-blox, Cinterion,
    # Wavecom, Fibocom, old phones.
    assert len(FAMILIES) >= 12, FAMILIES
    for f in ("huawei", "zte", "qualcomm", "quectel", "simcom", "sierra",
              "telit", "ublox", "cinterion", "wavecom", "fibocom", "phone"):
        assert f in FAMILIES, (f, FAMILIES)


sim = ModemSim(modems=len(FAMILIES),
               specs={i: {"personality": p} for i, p in enumerate(FAMILIES)})
sim.start()
import atexit
atexit.register(sim.stop)


def stored(i):
    """Every message modem i holds: its SIM's and its own ("ME")."""
    return sim.storage(i) + sim.storage(i, me=True)


# Stored before smsgwd starts: imported at ready.
for i in range(len(FAMILIES)):
    sim.deliver(i, f"+155570000{i:02d}", f"stored before start {i}")
    wait_for(lambda: stored(i), 10, f"a stored message in modem {i}")
# The phone keeps what it receives in itself, not on the SIM.
assert sim.storage(FAMILIES.index("phone"), me=True)
assert not sim.storage(FAMILIES.index("phone"))
# The line each personality puts between a +CMGR header and its PDU: one
# of the family's own URCs (tests/modemsim/ms_pers.c says whose manual or
# capture shows it).
NOISE = {m["index"]: m["header_noise"] for m in sim.status()}
FAMILY_NOISE = {"huawei": "^RSSI:14", "zte": "+ZEND",
                "qualcomm": "+CREG: 1", "quectel": '+QIND: "csq",20,99',
                "simcom": "+CSQN: 20,0", "sierra": "+PACSP1",
                "telit": "#PSNT: 4", "ublox": "+UUPSDD: 0",
                "cinterion": "+CIEV: service,1", "wavecom": "+WIND: 7",
                "fibocom": "+XREG: 5", "phone": "+CIEV: 2,3"}
gw = Gateway(modems=[modem_conf(sim, i) for i in range(len(FAMILIES))],
             settings={"send_timeout": "10s", "prompt_timeout": "5s",
                       # the checks below read PDUs in the trace
                       "trace_full": "yes"})
gw.start()
atexit.register(gw.kill)
wait_ready(gw, timeout=60)


@t.test
def auto_picks_each_familys_driver():
    for i, p in enumerate(FAMILIES):
        ev = events(gw, f"modem m{i}", "^driver ")
        if DRIVER[p] == "generic":
            assert not ev, (p, ev)
            continue
        assert ev and ev[-1]["message"].startswith(
            f"driver {DRIVER[p]} chosen"), (p, ev)


@t.test
def every_sim_ready_in_smsgw_status():
    sims = gw.cli_json("status", "--json")["sims"]
    assert len(sims) == len(FAMILIES), sims
    assert all(s["state"] == "ready" for s in sims), sims


@t.test
def messages_stored_before_start_are_imported():
    for i, p in enumerate(FAMILIES):
        wait_for(lambda: gw.query("select * from inbox where sender = ?",
                                  f"+155570000{i:02d}"), 15, f"{p}: import")
        row = gw.query("select * from inbox where sender = ?",
                       f"+155570000{i:02d}")
        assert len(row) == 1 and row[0]["body"] == \
            f"stored before start {i}", (p, row)


@t.test
def a_multipart_message_goes_out():
    for i, p in enumerate(FAMILIES):
        send(gw, f"+155571000{i:02d}", LONG_OUT, sim_name=f"m{i}/1")
    for i, p in enumerate(FAMILIES):
        msg = sim.wait_message(lambda m: m["dest"] == f"+155571000{i:02d}",
                               30)
        assert msg["parts"] > 1 and msg["text"] == LONG_OUT, (p, msg)
        assert msg["modem"] == i, (p, msg)


@t.test
def a_multipart_reply_comes_in_through_the_familys_noise():
    for i, p in enumerate(FAMILIES):
        n = sim.deliver(i, f"+155572000{i:02d}", LONG_IN)
        assert n >= 2, (p, n)
    for i, p in enumerate(FAMILIES):
        wait_for(lambda: gw.query("select * from inbox where sender = ?",
                                  f"+155572000{i:02d}"), 20, f"{p}: reply")
        row = gw.query("select * from inbox where sender = ?",
                       f"+155572000{i:02d}")
        assert len(row) == 1 and row[0]["body"] == LONG_IN, (p, row)
        assert not row[0]["partial"], (p, row)
    for i, p in enumerate(FAMILIES):
        wait_for(lambda: stored(i) == [], 15, f"{p}: storage empty")


def cmgr_answers(i):
    """The +CMGR answers of modem m<i> in the trace (CR LF escaped), each
    whole: the trace may cut an answer into several records as it
    arrived, so what the modem said between two commands is joined."""
    with open(os.path.join(gw.dir, "at.log"), encoding="utf-8",
              errors="replace") as f:
        lines = f.read().splitlines()
    out, answer = [], ""
    for ln in lines + [f"- m{i} > end"]:
        m = re.match(r"(\S+) (\S+) ([<>]) (.*)$", ln)
        if not m or m.group(2) != f"m{i}":
            continue
        if m.group(3) == "<":
            answer += m.group(4)
            continue
        if "+CMGR: " in answer:
            out.append(answer)
        answer = ""
    return out


@t.test
def each_familys_own_urc_came_between_header_and_pdu():
    for i, p in enumerate(FAMILIES):
        noise = NOISE[i]
        assert noise, (p, "the personality puts no line inside +CMGR")
        if p in FAMILY_NOISE:
            assert noise == FAMILY_NOISE[p], (p, noise)
        # Header, the family's line, then the PDU: at least the three
        # parts of the reply, all read (the test above). The trace
        # escapes quotes too.
        traced = re.escape(noise.replace('"', '\\"'))
        hits = [ln for ln in cmgr_answers(i)
                if re.search(r"\+CMGR: [^\\]*\\r\\n" + traced +
                             r"\\r\\n[0-9A-Fa-f]{20,}", ln)]
        assert len(hits) >= 3, (p, noise, cmgr_answers(i)[:2])


@t.test
def stop_is_honoured():
    for i, p in enumerate(FAMILIES):
        sim.deliver(i, f"+155573000{i:02d}", "STOP")
    for i, p in enumerate(FAMILIES):
        wait_for(lambda: gw.scalar(
            "select count(*) from optouts where number = ? and active = 1",
            f"+155573000{i:02d}") == 1, 15, f"{p}: opt-out")
        # Nothing lost: the STOP itself is in the inbox, and the modem
        # keeps nothing.
        assert gw.query("select * from inbox where sender = ?",
                        f"+155573000{i:02d}"), p
        wait_for(lambda: stored(i) == [], 15, f"{p}: storage empty")
    for i, p in enumerate(FAMILIES):
        # Confirmed once, through the modem that received the STOP ...
        who = f"+155573000{i:02d}"
        msg = sim.wait_message(lambda m: m["dest"] == who and
                               "unsubscribed" in m["text"], 20)
        assert msg["modem"] == i, (p, msg)
        # ... and nothing is sent to the number after it.
        send(gw, who, "an offer after the STOP", sim_name=f"m{i}/1")
        wait_for(lambda: gw.scalar(
            "select count(*) from outbox where recipient = ? and "
            "state = 'suppressed'", who) == 1, 15, f"{p}: suppressed")
        assert not [m for m in sim.messages(dest=who)
                    if m["text"] == "an offer after the STOP"], p


@t.test
def a_voice_call_is_rejected_and_its_caller_recorded():
    i = FAMILIES.index("telit")
    before = trace_commands(gw, f"m{i}").count("AT+CHUP")
    sim.urc(i, "RING")
    sim.urc(i, '+CLIP: "+15550009999",145,,,,0')
    wait_for(lambda: events(gw, f"modem m{i}",
                            "incoming call from \\+15550009999 rejected"),
             10, "the call event")
    wait_for(lambda: trace_commands(gw, f"m{i}").count("AT+CHUP") > before,
             10, "AT+CHUP")
    # Sending goes on.
    send(gw, "+15557400000", "after the call", sim_name=f"m{i}/1")
    sim.wait_message(lambda m: m["dest"] == "+15557400000", 20)


@t.test
def the_familys_own_behaviour_was_met():
    # (Each family's line inside +CMGR: the test above.)
    # Qualcomm: no <stat>, lower-case hex with padding, read all the same.
    i = FAMILIES.index("qualcomm")
    assert any("+CMGR: ,," in a and
               re.search(r"\\r\\n[0-9a-f]{20,}FFFF\\r\\n", a)
               for a in cmgr_answers(i)), "qualcomm +CMGR"
    # Cinterion: <bfr> 1, built from its AT+CNMI=? ranges.
    cnmi = [c for c in trace_commands(gw, f"m{FAMILIES.index('cinterion')}")
            if c.startswith("AT+CNMI=") and c != "AT+CNMI=?"]
    assert cnmi and cnmi[-1].endswith(",1"), cnmi
    # Identity read with the family's own commands and prefixes: the
    # ICCID the simulator holds, from the family's first ICCID command
    # alone (an answer its driver could not read would have sent init on
    # to the next candidate, the AT+CCID fallback).
    rows = {r["name"]: r for r in gw.query("select * from sims")}
    assert all(r["iccid"] for r in rows.values()), rows
    st = sim.status()
    for i, f in enumerate(FAMILIES):
        got = rows[f"m{i}/1"]["iccid"]
        want = st[i]["slots"][0]["iccid"]
        assert got.rstrip("Ff") == want.rstrip("Ff"), (f, got, want)
        asked = {c for c in trace_commands(gw, f"m{i}")
                 if re.search(r"CCID|SCID|CRSM=176,12258", c)}
        assert len(asked) == 1, (f, asked)
    # The old phone: no AT+CSMS=1 (phase 2 only), the storage where it
    # keeps what it receives ("ME" for all three: <mem3> is where +CMTI
    # points and the import reads), +CNMI <mode> 2 with stored reports,
    # "+CMGR: <length>" without <stat>, the ICCID by AT+CRSM.
    i = FAMILIES.index("phone")
    cmds = trace_commands(gw, f"m{i}")
    assert not [c for c in cmds if c.startswith("AT+CSMS=1")], cmds
    assert 'AT+CPMS="ME","ME","ME"' in cmds, cmds
    cnmi = [c for c in cmds if c.startswith("AT+CNMI=") and c != "AT+CNMI=?"]
    assert cnmi == ["AT+CNMI=2,1,0,2,0"], cnmi
    assert any(re.search(r"\+CMGR: \d+\\r\\n", ln)
               for ln in cmgr_answers(i)), cmgr_answers(i)[:2]
    assert "AT+CRSM=176,12258,0,0,10" in cmds, cmds


# A modem without LTE answers ERROR to +CEREG (TS 27.007 §10.1.22 is for
# E-UTRAN): MF626, SARA-U270, EHS5 and M7227 are UMTS, SIM800 GSM, while
# their drivers also serve LTE models (MF823, LARA, PLS8, SIM7600). The
# only ERROR init may see, and only from these. (The wavecom driver, GSM
# only, does not ask, nor does the phone driver.)
NO_LTE = {"zte", "ublox", "cinterion", "simcom", "qualcomm"}


def init_errors(port, path=None, whole=False):
    """(command, error) for every ERROR answer smsgwd got from one modem
    before its first send (AT+CMMS or AT+CMGS): its init, the vendor's
    commands included; whole: in the whole session."""
    with open(path or os.path.join(gw.dir, "at.log"), encoding="utf-8",
              errors="replace") as f:
        lines = f.read().splitlines()
    cmd, answer, out = "", "", []

    def flush():
        # The trace escapes CR LF; an answer may span several lines.
        for e in re.findall(r"\\r\\n((?:\+CM[ES] )?ERROR(?:: \d+)?|"
                            r"COMMAND NOT SUPPORT)\\r\\n", answer):
            out.append((cmd, e))

    for ln in lines:
        m = re.match(r"(\S+) (\S+) ([<>]) (.*)$", ln)
        if not m or m.group(2) != port:
            continue
        if m.group(3) == "<":
            answer += m.group(4)
            continue
        c = m.group(4).replace("\\r", "").replace('\\"', '"').strip()
        if not c:
            continue
        flush()
        if not whole and (c.startswith("AT+CMMS") or
                          c.startswith("AT+CMGS")):
            return out
        cmd, answer = c, ""
    flush()
    return out


@t.test
def init_sees_no_error_in_any_family():
    for i, p in enumerate(FAMILIES):
        errs = init_errors(f"m{i}")
        if p in NO_LTE:
            errs = [e for e in errs if not e[0].startswith("AT+CEREG")]
        assert not errs, (p, errs)
    # The vendors' own commands were sent, and answered (not ERROR).
    for p, cmd in (("zte", "AT+ZOPRT=5"), ("zte", "AT+ZGETICCID"),
                   ("sierra", "AT!ICCID?"), ("telit", "AT#QSS=2"),
                   ("telit", "AT#CCID"), ("ublox", "AT+USIMSTAT=7"),
                   ("cinterion", "AT^SSET=1"), ("cinterion", "AT^SMGO=1"),
                   ("cinterion", "AT^SCID"), ("wavecom", "AT+WIND=16397"),
                   ("fibocom", "AT+XSIMSTATE=1"),
                   ("phone", "AT+CRSM=176,12258,0,0,10")):
        assert cmd in trace_commands(gw, f"m{FAMILIES.index(p)}"), (p, cmd)


@t.test
def no_command_of_the_session_was_refused_but_optional_3gpp_ones():
    # The vendors' own commands (health, reads, deletes, sends) answered
    # as their manuals say, never ERROR; +CMMS (TS 27.005 §3.5.6) is
    # optional and several families lack it.
    for i, p in enumerate(FAMILIES):
        errs = [e for e in init_errors(f"m{i}", whole=True)
                if not e[0].startswith("AT+CMMS") and
                not (p in NO_LTE and e[0].startswith("AT+CEREG"))]
        assert not errs, (p, errs)


@t.test
def nothing_went_wrong():
    bad = [e for e in events(gw) if e["level"] == "error" or
           "recovery step" in e["message"]]
    assert not bad, bad
    assert gw.stop() == 0


# The soft reset of each family's driver (recovery step 3), as its manual
# names it; the others use TS 27.007 §8.2 AT+CFUN=1,1.
RESET = {"sierra": "AT!RESET", "telit": "AT#REBOOT", "ublox": "AT+CFUN=16",
         "fibocom": "AT+CFUN=15", "wavecom": "AT+CFUN=1"}


@t.test
def each_familys_soft_reset_is_answered_and_restarts_it():
    # smsgwd has stopped: the test speaks to each modem itself. A USB
    # modem's tty vanishes right after the OK (re-enumeration), so the
    # answer is read in the simulator's own log.
    from modemsim import Port
    def answer(i, cmd):
        """The simulator's answer to the last cmd in its log, or None."""
        log = sim.log(i).splitlines()
        at = [k for k, ln in enumerate(log)
              if re.search(r" > " + re.escape(cmd) + r"\\r$", ln)]
        return next((ln for ln in log[at[-1] + 1:] if " < " in ln),
                    None) if at else None

    boots = {i: sim.status(i)["boots"] for i in range(len(FAMILIES))}
    for i, p in enumerate(FAMILIES):
        cmd = RESET.get(p, "AT+CFUN=1,1")
        with Port(sim.path(i)) as port:
            port.drain()
            port.write(cmd + "\r")
            got = wait_for(lambda: answer(i, cmd), 10, f"{p}: {cmd} answered")
        assert got.endswith("< \\r\\nOK\\r\\n"), (p, cmd, got)
        wait_for(lambda: sim.status(i)["boots"] > boots[i] and
                 sim.status(i)["power"] == "on", 30, f"{p}: restarted")


t.done()
