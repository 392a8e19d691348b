#!/usr/bin/env python3
"""smsgw-modemsim on its own: AT dialect, sending, the ground truth, the
knobs and faults, over the pty and the control socket. TAP output."""
import errno
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from modemsim import ModemSim, Port  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;"
        "<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")


def semi_octets(number):
    digits = number.lstrip("+")
    toa = 0x91 if number.startswith("+") else 0x81
    padded = digits + ("F" if len(digits) % 2 else "")
    swapped = "".join(padded[i + 1] + padded[i]
                      for i in range(0, len(padded), 2))
    return f"{len(digits):02X}{toa:02X}{swapped}"


def pack7(septets, fill_bits=0):
    bits, nbits, out = 0, fill_bits, bytearray()
    for s in septets:
        bits |= s << nbits
        nbits += 7
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    return bytes(out)


def submit_pdu(dest, text, srr=False, concat=None):
    """An SMS-SUBMIT (GSM 7-bit, basic table) with SMSC "00"; concat is
    (ref, total, seq)."""
    septets = [GSM7.index(c) for c in text]
    fo = 0x01 | (0x20 if srr else 0) | (0x40 if concat else 0)
    if concat:
        udh = bytes([5, 0, 3, concat[0], concat[1], concat[2]])
        # One fill bit aligns the septets after the 6-octet UDH
        # (TS 23.040 §9.2.3.24): the header counts as 7 septets.
        ud = udh + pack7(septets, fill_bits=1)
        udl = 7 + len(septets)
    else:
        ud = pack7(septets)
        udl = len(septets)
    return ("00" + f"{fo:02X}" + "00" + semi_octets(dest) + "0000" +
            f"{udl:02X}" + ud.hex().upper())


t = Tap()
sim = ModemSim(modems=3, keep=True, dir=os.environ.get("SIMDIR"), specs={
    1: {"personality": "quectel", "slots": 2, "slot0.mr": 254},
    2: {"personality": "huawei", "size": 2, "pin": "1234"},
}).start()
sim.wait_registered(0, 1)


@t.test
def ready_file_and_distinct_identities():
    assert len(sim.ready["modems"]) == 3
    st = sim.status()
    imeis = {m["imei"] for m in st}
    iccids = {m["slots"][0]["iccid"] for m in st}
    numbers = {m["slots"][0]["number"] for m in st}
    assert len(imeis) == len(iccids) == len(numbers) == 3, st
    for i in range(3):
        assert os.path.realpath(sim.path(i)).startswith("/dev/pts/")


@t.test
def echo_on_at_start_then_off():
    with Port(sim.path(0)) as p:
        p.drain()   # boot URCs nobody read yet
        p.write("AT\r")
        raw = p.read_until(rb"OK\r\n")
        assert raw.startswith(b"AT\r"), raw
        assert p.command("ATE0") == ([], "OK")
        p.write("AT\r")
        assert p.read_until(rb"OK\r\n") == b"\r\nOK\r\n"


@t.test
def identification_and_chaining():
    with Port(sim.path(0)) as p:
        p.command("ATE0")
        lines, final = p.command("AT+CGMI;+CGSN;+CIMI")
        assert final == "OK"
        assert lines[1] == sim.status(0)["imei"], lines
        assert lines[2].startswith("310260"), lines
        assert p.command("AT+CCID")[0][0].startswith("+CCID: 89")


@t.test
def unknown_command_error_per_cmee():
    with Port(sim.path(0)) as p:
        p.command("ATE0")
        assert p.command("AT+CMEE=0;+NOSUCH")[1] == "ERROR"
        assert p.command("AT+CMEE=1")[1] == "OK"
        assert p.command("AT+NOSUCH")[1] == "+CME ERROR: 4"
        assert p.command("AT+CMEE=2;+NOSUCH")[1] == \
            "+CME ERROR: operation not supported"


@t.test
def pdu_send_reaches_ground_truth():
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=0")
        lines, final = p.send_pdu(submit_pdu("+15550001234", "hello"))
        assert final == "OK" and lines == ["+CMGS: 0"], (lines, final)
    msg = sim.wait_message(lambda m: m["dest"] == "+15550001234")
    assert msg["text"] == "hello" and msg["modem"] == 0
    assert msg["iccid"] == sim.status(0)["slots"][0]["iccid"]


@t.test
def escape_cancels_and_bad_length_is_refused():
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMEE=1;+CMGF=0")
        assert p.command("AT+CMGS=18")[1] == "> "
        p.write("0011\x1b")
        assert p.read_until(rb"OK\r\n")
        pdu = submit_pdu("+15550001235", "x")
        assert p.command("AT+CMGS=40")[1] == "> "
        p.write(pdu + "\x1a")
        assert b"+CMS ERROR: 304" in p.read_until(rb"ERROR[^\r]*\r\n")
    assert not sim.messages(dest="+15550001235")


@t.test
def message_reference_wraps_per_sim():
    with Port(sim.path(1)) as p:
        p.command("ATE0;+CMGF=0")
        mrs = [p.send_pdu(submit_pdu("+15550002000", "m"))[0][0]
               for _ in range(3)]
        assert mrs == ["+CMGS: 254", "+CMGS: 255", "+CMGS: 0"], mrs


@t.test
def multipart_send_is_reassembled():
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=0")
        for seq, part in ((2, "world"), (1, "hello ")):
            assert p.send_pdu(submit_pdu("+15550003000", part,
                                         concat=(7, 2, seq)))[1] == "OK"
    msg = sim.wait_message(lambda m: m["dest"] == "+15550003000")
    assert msg["text"] == "hello world" and msg["parts"] == 2, msg
    assert len(sim.submits(dest="+15550003000")) == 2


@t.test
def text_mode_send():
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=1")
        assert p.command('AT+CMGS="+15550004000"')[1] == "> "
        p.write("line one\rline two\x1a")
        assert b"+CMGS:" in p.read_until(rb"OK\r\n")
    msg = sim.wait_message(lambda m: m["dest"] == "+15550004000")
    assert msg["text"] == "line one\nline two", msg


@t.test
def fail_next_gives_cms_errors_then_success():
    sim.fail_next(0, 2, 21)
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMEE=1;+CMGF=0")
        pdu = submit_pdu("+15550005000", "retry")
        assert p.send_pdu(pdu)[1] == "+CMS ERROR: 21"
        assert p.send_pdu(pdu)[1] == "+CMS ERROR: 21"
        assert p.send_pdu(pdu)[1] == "OK"
    assert len(sim.network("rejected")) >= 2
    assert len(sim.messages(dest="+15550005000")) == 1


@t.test
def inbound_cmti_cmgr_cmgd():
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=0;+CNMI=2,1,0,0,0")
        sim.deliver(0, "+15559990001", "hi there")
        raw = p.read_until(rb'\+CMTI: "SM",\d+\r\n')
        index = int(raw.decode().rsplit(",", 1)[1])
        lines, final = p.command(f"AT+CMGR={index}")
        assert final == "OK" and lines[0].startswith("+CMGR: 0,,"), lines
        assert "5155990900F1" in lines[1], lines   # sender semi-octets
        assert p.command(f"AT+CMGD={index}")[1] == "OK"
        assert sim.storage(0) == []


@t.test
def inbound_multipart_shuffled_with_duplicate():
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=0;+CNMI=2,1,0,0,0")
        n = sim.deliver(0, "+15559990002", "x" * 400, shuffle=True,
                        duplicate=[2])
        assert n == 3
        for _ in range(4):
            p.read_until(rb'\+CMTI: "SM",\d+\r\n')
        assert len(sim.storage(0)) == 4, sim.storage(0)
        p.command("AT+CMGD=1,4")
        assert sim.storage(0) == []


@t.test
def storage_full_stops_cmti_until_cmgd():
    with Port(sim.path(2)) as p:
        p.command("ATE0")
        assert p.command("AT+CPIN?")[0] == ["+CPIN: SIM PIN"]
        assert p.command("AT+CMEE=1;+CPIN=\"0000\"")[1] == "+CME ERROR: 16"
        assert p.command('AT+CPIN="1234"')[1] == "OK"
        p.read_until(rb"\^SIMST:1")
        wait_for(lambda: sim.status(2)["registered"], what="registration")
        p.command("AT+CMGF=0;+CNMI=2,1,0,0,0")
        for i in range(3):
            sim.deliver(2, "+15559990003", f"msg {i}")
        p.read_until(rb'\+CMTI: "SM",0\r\n')
        p.read_until(rb'\+CMTI: "SM",1\r\n')
        p.read_until(rb'\^SMMEMFULL: "SM"\r\n')
        assert sim.status(2)["queued"] == 1
        assert p.command("AT+CMGD=0")[1] == "OK"
        p.read_until(rb'\+CMTI: "SM",0\r\n')
        assert sim.status(2)["queued"] == 0


@t.test
def direct_cmt_redelivered_without_cnma():
    sim.set(0, cnma_timeout_ms=300, redeliver_ms=100)
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=0;+CSMS=1;+CNMI=2,2,0,1,0")
        sim.deliver(0, "+15559990004", "direct")
        p.read_until(rb"\+CMT: ,\d+\r\n[0-9A-F]+\r\n")
        # No +CNMA: after the timeout routing falls back to storage
        # (TS 27.005 §3.4.4) and the network sends it again.
        sim.wait_event("delivered", lambda e: e["route"] == "ack-timeout")
        wait_for(lambda: sim.storage(0), what="redelivery to storage")
        assert sim.status(0)["cnmi"][1] == 0
        p.command("AT+CNMI=2,2,0,1,0")
        sim.deliver(0, "+15559990004", "acked")
        p.read_until(rb"\+CMT: ,\d+\r\n[0-9A-F]+\r\n")
        assert p.command("AT+CNMA")[1] == "OK"
        sim.wait_event("delivered", lambda e: e["route"] == "acked")
        p.command("AT+CMGD=0,4;+CSMS=0")


@t.test
def cnmi_mode_3_writes_cmt_during_a_send_never_into_the_entry():
    sim.set(0, latency_ms=400, cnma_timeout_ms=15000)

    def cmts():
        return len([e for e in sim.network("delivered")
                    if e["route"] == "cmt"])
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=0;+CSMS=1;+CNMI=3,2,0,1,0")
        pdu = submit_pdu("+15550007000", "mode 3")
        # In the "> " entry: held until the Ctrl-Z.
        assert p.command(f"AT+CMGS={len(pdu) // 2 - 1}")[1] == "> "
        before = cmts()
        sim.deliver(0, "+15559990005", "during the entry")
        wait_for(lambda: cmts() > before, what="the +CMT queued")
        assert b"+CMT" not in p.drain(0.1)
        p.write(pdu + "\x1a")
        # During the send (400 ms): before its +CMGS: answer.
        raw = p.read_until(rb"\r\nOK\r\n", timeout=5)
        assert re.search(rb"\+CMT: ,\d+\r\n[0-9A-F]+\r\n.*\+CMGS: \d+",
                         raw, re.S), raw
        assert p.command("AT+CNMA")[1] == "OK"
        # And while a command runs with nothing typed: at once.
        p.write("AT+CMGS=%d\r" % (len(pdu) // 2 - 1))
        p.read_until(rb"\r\n> ")
        p.write(pdu + "\x1a")
        sim.deliver(0, "+15559990005", "during the send")
        raw = p.read_until(rb"\r\nOK\r\n", timeout=5)
        assert raw.index(b"+CMT:") < raw.index(b"+CMGS:"), raw
        assert p.command("AT+CNMA")[1] == "OK"
        # The knobs: no mode 3, no <mt> 2, no +CSMS=1.
        sim.set(0, no_mode3=True, no_direct=True, no_csms1=True)
        lines, _ = p.command("AT+CNMI=?")
        assert lines == ["+CNMI: (0-2),(0,1),(0,2),(0-2),(0,1)"], lines
        assert p.command("AT+CNMI=3,1,0,1,0")[1] == "+CMS ERROR: 303"
        assert p.command("AT+CNMI=2,2,0,1,0")[1] == "+CMS ERROR: 303"
        assert p.command("AT+CSMS=1")[1] == "+CMS ERROR: 303"
        assert p.command("AT+CNMI=2,1,0,1,0")[1] == "OK"
        sim.set(0, latency_ms=100, no_mode3=False, no_direct=False,
                no_csms1=False)
        p.command("AT+CNMI=2,1,0,0,0;+CSMS=0")


@t.test
def status_report_after_srr():
    sim.status_reports(0, delay_ms=50, status=0)
    with Port(sim.path(0)) as p:
        p.command("ATE0;+CMGF=0;+CNMI=2,1,0,1,0")
        lines, final = p.send_pdu(submit_pdu("+15550006000", "rep",
                                             srr=True))
        assert final == "OK"
        raw = p.read_until(rb"\+CDS: \d+\r\n[0-9A-F]+\r\n")
        assert b"+CDS:" in raw


@t.test
def hang_after_commands_and_unhang():
    sim.hang(0, after_commands=2)
    with Port(sim.path(0)) as p:
        p.command("ATE0")
        try:
            p.command("AT", timeout=0.5)
            raise AssertionError("a hung modem answered")
        except TimeoutError:
            pass
        sim.unhang(0)
        assert p.command("AT")[1] == "OK"


@t.test
def unplug_gives_eio_and_replug_renames():
    p = Port(sim.path(0))
    sim.unplug(0, rename="modem0-b")
    assert not os.path.lexists(sim.path(0))
    try:
        wait_for(lambda: os.read(p.fd, 100) == b"", timeout=2,
                   what="EOF")
    except OSError as e:
        assert e.errno == errno.EIO, e
    p.close()
    sim.replug(0)
    wait_for(lambda: os.path.exists(sim.path(0, "modem0-b")),
               what="the new symlink")
    wait_for(lambda: sim.status(0)["registered"], what="registration")
    with Port(sim.path(0, "modem0-b")) as q:
        q.command("ATE0")
        assert q.command("AT+CGSN")[0] == [sim.status(0)["imei"]]


@t.test
def quectel_boot_urcs_and_dual_sim():
    sim.set(1, reset_replug=False)
    with Port(sim.path(1)) as p:
        p.command("ATE0")
        iccid0 = p.command("AT+QCCID")[0][0]
        p.write("AT+CFUN=1,1\r")
        raw = p.read_until(rb"\+QIND: PB DONE\r\n")
        for urc in (b"RDY", b"+CPIN: READY", b"+QUSIM: 1",
                    b"+QIND: SMS DONE"):
            assert urc in raw, raw
        p.command("ATE0")
        assert p.command("AT+QDSIM=1")[1] == "OK"
        p.read_until(rb"\+QIND: SMS DONE")
        assert p.command("AT+QDSIM?")[0] == ["+QDSIM: 1"]
        iccid1 = p.command("AT+QCCID")[0][0]
        assert iccid0 != iccid1, (iccid0, iccid1)


@t.test
def noise_inside_responses_and_slow_output():
    sim.set(2, noise_in_response=1.0, slow_ms=1)
    with Port(sim.path(2)) as p:
        p.command("ATE0")
        raw = p.drain(0.05)
        p.write("AT+CSQ\r")
        raw = p.read_until(rb"OK\r\n")
        assert b"+CSQ: 20,99" in raw and raw.count(b"\r\n") >= 6, raw
    sim.set(2, noise_in_response=0, slow_ms=0)


@t.test
def command_log_records_the_exchange():
    cmds = sim.commands(0)
    assert "ATE0" in cmds and any(c.startswith("AT+CMGS=") for c in cmds)


@t.test
def sigterm_exits_cleanly_and_removes_links():
    d = sim.dir
    assert sim.stop() == 0
    assert not os.path.lexists(os.path.join(d, "modem1"))
    assert not os.path.exists(os.path.join(d, "ready"))
    assert os.path.exists(os.path.join(d, "network.jsonl"))
    if not os.environ.get("SIMDIR"):
        shutil.rmtree(d)


t.done()
