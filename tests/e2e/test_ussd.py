"""smsgw ussd SIM CODE: the code goes through the running daemon's modem
(AT+CUSD), the network's answer comes back decoded by its DCS, a menu says
it waits for a reply, and what cannot be sent says why."""
from modem_helpers import (Gateway, ModemSim, modem_conf, start,
                           trace_commands, wait_ready)
from tap import Tap, wait_for

t = Tap()
sim, gw = start(1)


def ussd(*args, check=False):
    p = gw.cli("ussd", *args, check=check)
    return p.returncode, p.stdout.decode().strip(), p.stderr.decode().strip()


@t.test
def balance_in_the_gsm_alphabet():
    rc, out, err = ussd("m0/1", "*100#")
    assert rc == 0 and out == "Balance: 5.00 EUR, valid until 31.12.", \
        (rc, out, err)
    assert 'AT+CUSD=1,"*100#",15' in trace_commands(gw, "m0")


@t.test
def an_answer_in_ucs2_is_decoded():
    rc, out, err = ussd("m0/1", "*102#")
    assert rc == 0 and out == "Guthaben: 5,00\u20ac", (rc, out, err)


@t.test
def a_menu_says_it_waits_for_a_reply():
    rc, out, err = ussd("m0/1", "*111#")
    assert rc == 0 and out == "1 Balance 2 Offers (a reply is expected)", \
        (rc, out, err)


@t.test
def a_menu_is_answered_in_the_same_session():
    rc, out, err = ussd("m0/1", "*111#")
    assert out.endswith("(a reply is expected)"), (rc, out, err)
    rc, out, err = ussd("m0/1", "2")
    assert rc == 0 and out == "1 Data 1 GB 2 Back (a reply is expected)", \
        (rc, out, err)
    rc, out, err = ussd("m0/1", "1")
    assert rc == 0 and out == "Data 1 GB booked", (rc, out, err)
    cmds = trace_commands(gw, "m0")
    assert 'AT+CUSD=1,"2",15' in cmds and 'AT+CUSD=1,"1",15' in cmds


LONG = "*100*" + "*".join(str(i % 10) for i in range(1, 78)) + "1#"


@t.test
def a_long_code_goes_through_whole():
    assert len(LONG) == 160, len(LONG)
    rc, out, err = ussd("m0/1", LONG)
    assert rc == 0 and out == "Accepted: " + LONG, (rc, out, err)
    assert f'AT+CUSD=1,"{LONG}",15' in trace_commands(gw, "m0")


@t.test
def a_code_longer_than_160_is_refused_clearly():
    rc, out, err = ussd("m0/1", LONG[:-1] + "2#")
    assert rc == 2 and "161 characters" in err and "at most 160" in err, \
        (rc, out, err)


@t.test
def what_cannot_be_answered_says_why():
    rc, out, err = ussd("m0/1", "*999#")
    assert rc == 1 and "ended by the network" in err, (rc, out, err)
    rc, out, err = ussd("nosuch/1", "*100#")
    assert rc == 1 and "no SIM nosuch/1" in err, (rc, out, err)
    rc, out, err = ussd("m0/1", "balance")
    assert rc == 2 and "not a USSD code" in err, (rc, out, err)


@t.test
def own_number_by_ussd_where_cnum_is_empty():
    s2 = ModemSim(modems=1, specs={0: {"number": ""}})
    s2.start()
    try:
        conf = modem_conf(s2, 0)
        conf["sims"] = [{"name": "1", "number_ussd": "*135#"}]
        g2 = Gateway(modems=[conf])
        g2.start()
        wait_ready(g2)
        imsi = s2.status(0)["slots"][0]["imsi"]
        want = "+1555" + imsi[-7:]
        wait_for(lambda: g2.scalar("select number from sims") == want, 15,
                 f"number {want}")
        assert 'AT+CUSD=1,"*135#",15' in trace_commands(g2, "m0")
        assert g2.stop() == 0
    finally:
        s2.stop()


t.done()
