"""Hooks carry every variable the man page promises for every event (issue
10, item 5): received, rule, sent, failed, delivered, rejected, modem. The
table below is smsgwd(8)'s HOOKS section; each event's test asserts each of
its variables, with the values they must have."""
import glob
import os
import re

from flow_helpers import close, rig
import subprocess

from gateway import ROOT, SMSGWD, Gateway, tempdir
from tap import Tap, wait_for

t = Tap()

ALWAYS = {"SMSGW_EVENT", "SMSGW_TIME", "SMSGW_CONFIG"}
MSG = {"SMSGW_ID", "SMSGW_NUMBER", "SMSGW_TEXT", "SMSGW_SIM", "SMSGW_SIM_NUMBER",
       "SMSGW_ICCID", "SMSGW_PARTS"}
PROMISED = {
    "received": ALWAYS | MSG | {"SMSGW_PARTIAL", "SMSGW_CAMPAIGN"},
    "rule": ALWAYS | MSG | {"SMSGW_PARTIAL", "SMSGW_KEYWORD", "SMSGW_RULE"},
    "sent": ALWAYS | MSG | {"SMSGW_STATE", "SMSGW_CAMPAIGN", "SMSGW_FILE", "SMSGW_FILE_ID"},
    "failed": ALWAYS | MSG | {"SMSGW_STATE", "SMSGW_ERROR", "SMSGW_CAMPAIGN",
                              "SMSGW_FILE", "SMSGW_FILE_ID"},
    "delivered": ALWAYS | MSG | {"SMSGW_STATE", "SMSGW_CAMPAIGN", "SMSGW_FILE",
                                 "SMSGW_FILE_ID"},
    "rejected": ALWAYS | {"SMSGW_FILE", "SMSGW_ERROR"},
    "modem": ALWAYS | {"SMSGW_SIM", "SMSGW_SIM_NUMBER", "SMSGW_ICCID", "SMSGW_STATE"},
}
ALL_VARS = {"SMSGW_EVENT", "SMSGW_ID", "SMSGW_NUMBER", "SMSGW_TEXT", "SMSGW_SIM",
            "SMSGW_SIM_NUMBER", "SMSGW_ICCID", "SMSGW_STATE", "SMSGW_ERROR",
            "SMSGW_KEYWORD", "SMSGW_RULE", "SMSGW_CAMPAIGN", "SMSGW_PARTS",
            "SMSGW_PARTIAL", "SMSGW_FILE", "SMSGW_FILE_ID", "SMSGW_TIME", "SMSGW_CONFIG"}


def man_promises():
    """event -> set of variables, from the HOOKS section of smsgwd.8."""
    text = open(os.path.join(ROOT, "man", "smsgwd.8")).read().replace("\\-", "-")
    sec = text.split(".SH HOOKS", 1)[1].split("\n.SH", 1)[0]
    sec = sec.split(".SS Events", 1)[1]
    out = {}
    for m in re.finditer(r'^\.TP\n\.B (\w+)\n(.*?)(?=^\.TP|\Z)', sec, re.M | re.S):
        out[m.group(1)] = set(re.findall(r"SMSGW_[A-Z_]+", m.group(2)))
    return out


def dump(d):
    # The whole environment, one file per run, so nothing is lost.
    return f'f=$(mktemp {d}/$SMSGW_EVENT.XXXXXX) && env -0 > "$f.tmp" && mv "$f.tmp" "$f.env"'


def runs(d, event):
    out = []
    for p in sorted(glob.glob(os.path.join(d, f"{event}.*.env"))):
        env = {}
        for item in open(p, "rb").read().split(b"\0"):
            if item.startswith(b"SMSGW_"):
                k, _, v = item.decode().partition("=")
                env[k] = v
        out.append(env)
    return out


def wait_run(d, event, n=1, timeout=30):
    wait_for(lambda: len(runs(d, event)) >= n, timeout, f"{n} {event} hook(s)")
    return runs(d, event)


def check_promise(event, env):
    assert set(env) == ALL_VARS, set(env) ^ ALL_VARS
    missing = [k for k in PROMISED[event] if not env.get(k)]
    assert not missing, (event, missing, env)
    assert env["SMSGW_EVENT"] == event
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", env["SMSGW_TIME"])
    assert os.path.isabs(env["SMSGW_CONFIG"]) and os.path.exists(env["SMSGW_CONFIG"]), env


def setup(**kw):
    hooks = {}
    # The hook directory must exist before the daemon runs the commands.
    d = tempdir("smsgw-hooks-")
    for ev in ("received", "sent", "failed", "delivered", "rejected", "modem"):
        hooks[f"on_{ev}"] = dump(d)
    sim, gw = rig(1, hooks=hooks, **kw)
    return sim, gw, d


@t.test
def man_page_promises_what_the_test_checks():
    promised = man_promises()
    assert set(promised) == set(PROMISED), set(promised) ^ set(PROMISED)
    for ev, want in PROMISED.items():
        assert promised[ev] == want, (ev, promised[ev] ^ want)


@t.test
def sent_delivered_and_received_carry_every_field():
    sim, gw, d = setup(settings={"report": True})
    sim.status_reports(0, delay_ms=50, status=0)
    gw.drop("promo-1", "To: +15559000001\nCampaign: spring\nId: key-77\n\n"
            + "Spring sale! " * 20 + "\n")
    sent = wait_run(d, "sent")[0]
    check_promise("sent", sent)
    row = gw.query("select * from outbox")[0]
    simrow = gw.query("select * from sims")[0]
    assert sent["SMSGW_ID"] == str(row["id"]) and sent["SMSGW_NUMBER"] == "+15559000001"
    assert sent["SMSGW_CAMPAIGN"] == "spring" and sent["SMSGW_PARTS"] == "2", sent
    assert sent["SMSGW_FILE"] == "promo-1" and sent["SMSGW_FILE_ID"] == "key-77", sent
    assert sent["SMSGW_ICCID"] == simrow["iccid"] and sent["SMSGW_SIM_NUMBER"] == simrow["number"]
    assert sent["SMSGW_SIM"] == "m0/1" and sent["SMSGW_STATE"] == "sent"
    assert sent["SMSGW_TEXT"].startswith("Spring sale!")
    dl = wait_run(d, "delivered")[0]
    check_promise("delivered", dl)
    assert dl["SMSGW_TEXT"].startswith("Spring sale!") and dl["SMSGW_STATE"] == "delivered"
    assert dl["SMSGW_CAMPAIGN"] == "spring" and dl["SMSGW_FILE_ID"] == "key-77", dl
    sim.deliver(0, "+15559000001", "how much?")
    rc = wait_run(d, "received")[0]
    check_promise("received", rc)
    assert rc["SMSGW_TEXT"] == "how much?" and rc["SMSGW_ICCID"] == simrow["iccid"], rc
    assert rc["SMSGW_CAMPAIGN"] == "spring" and rc["SMSGW_PARTS"] == "1", rc
    assert rc["SMSGW_STATE"] == "" and rc["SMSGW_FILE"] == "", rc
    close(sim, gw)


@t.test
def failed_carries_the_error():
    sim, gw, d = setup()
    sim.fail_next(0, 1, 21)
    gw.cli("send", "+15559100001", "-m", "doomed", "--id", "k-fail", "--campaign", "c2")
    f = wait_run(d, "failed")[0]
    check_promise("failed", f)
    assert "21" in f["SMSGW_ERROR"] and f["SMSGW_STATE"] == "failed", f
    assert f["SMSGW_FILE_ID"] == "k-fail" and f["SMSGW_FILE"].startswith("send-"), f
    assert f["SMSGW_CAMPAIGN"] == "c2" and f["SMSGW_TEXT"] == "doomed", f
    close(sim, gw)


@t.test
def a_rule_hook_carries_every_field():
    d = tempdir("smsgw-hooks-")
    rules = [{"name": "pricing", "match": "price", "action": "hook", "hook": dump(d)}]
    sim, gw = rig(1, rules=rules)
    sim.deliver(0, "+15559200001", "what is the price?")
    r = wait_run(d, "rule")[0]
    check_promise("rule", r)
    assert r["SMSGW_RULE"] == "pricing" and r["SMSGW_KEYWORD"] == "pricing", r
    close(sim, gw)


@t.test
def rejected_names_the_file_and_the_reason():
    sim, gw, d = setup()
    gw.drop("bad-file-1", "To: not-a-number\n\nhello\n")
    r = wait_run(d, "rejected")[0]
    check_promise("rejected", r)
    assert r["SMSGW_FILE"] == "bad-file-1", r
    assert "not-a-number" in r["SMSGW_ERROR"], r
    reason = open(os.path.join(gw.spool, "rejected", "bad-file-1.reason")).read()
    assert r["SMSGW_ERROR"] in reason, (r, reason)
    close(sim, gw)


@t.test
def rejected_while_recovering_active_at_start():
    # Claims a crash left in active/ are taken again at start; refused then
    # (a bad value, a file big enough to be taken in steps, what is not a
    # regular file, a name without the claim's @), each is a rejection like
    # any other, hook included.
    sim, gw, d = setup()
    assert gw.stop() == 0
    act = os.path.join(gw.spool, "active")
    with open(os.path.join(act, "left-bad@1795773600000.0"), "w") as f:
        f.write("To: not-a-number\n\nhello\n")
    with open(os.path.join(act, "left-big@1795773600000.1"), "w") as f:
        f.write("".join(f"To: +1555{i:07d}\n" for i in range(20000))
                + "To: not-a-number\n\nhello\n")
    os.symlink("/etc/passwd", os.path.join(act, "left-link@1795773600000.2"))
    with open(os.path.join(act, "left-plain"), "w") as f:
        f.write("To: not-a-number\n\nhello\n")
    gw.start()
    want = {"left-bad", "left-big", "left-link", "left-plain"}
    got = {r["SMSGW_FILE"]: r for r in wait_run(d, "rejected", len(want))}
    assert set(got) == want, set(got) ^ want
    for name, r in got.items():
        check_promise("rejected", r)
        reason = open(os.path.join(gw.spool, "rejected", name + ".reason")).read()
        assert r["SMSGW_ERROR"] in reason, (r, reason)
    assert "not-a-number" in got["left-bad"]["SMSGW_ERROR"], got["left-bad"]
    assert not os.listdir(act)
    close(sim, gw)


@t.test
def modem_out_of_service_and_back():
    sim, gw, d = setup()
    assert runs(d, "modem") == [], "a SIM coming up at start is no news"
    sim.unplug(0)
    out = wait_run(d, "modem")[0]
    check_promise("modem", out)
    assert out["SMSGW_STATE"] == "absent" and out["SMSGW_ERROR"], out
    assert out["SMSGW_SIM"] == "m0/1", out
    sim.replug(0)
    back = wait_run(d, "modem", 2, timeout=30)
    back = [e for e in back if e["SMSGW_STATE"] == "ready"]
    assert back and back[0]["SMSGW_ERROR"] == "", back
    check_promise("modem", back[0])
    close(sim, gw)


@t.test
def a_sim_paused_for_barring_errors_is_out_of_service():
    sim, gw, d = setup(settings={"pause_after_errors": 2, "pause_for": "1h"})
    sim.fail_next(0, 2, 8)
    gw.cli("send", "+15559300001", "-m", "one")
    gw.cli("send", "+15559300002", "-m", "two")
    out = wait_run(d, "modem")[0]
    check_promise("modem", out)
    assert out["SMSGW_STATE"] == "blocked" and "barring" in out["SMSGW_ERROR"], out
    close(sim, gw)


@t.test
def config_path_is_absolute_when_the_daemon_got_a_relative_one():
    d = tempdir("smsgw-hooks-")
    gw = Gateway(modems=[], hooks={"on_rejected": dump(d)})
    log = open(gw.log, "ab")
    proc = subprocess.Popen([SMSGWD, "-f", "-c", "smsgw.conf"], cwd=gw.dir,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: gw.count_events("started") == 1 or proc.poll() is not None,
                 10, "started")
        gw.drop("bad-2", "To: nobody\n\nhi\n")
        r = wait_run(d, "rejected")[0]
        assert r["SMSGW_CONFIG"] == os.path.realpath(gw.conf), r["SMSGW_CONFIG"]
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


t.done()
