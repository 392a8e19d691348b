#!/usr/bin/env python3
"""`smsgw rules test`: keyword classes, custom rules, replies, JSON and exit
codes, run on the built CLI with a temporary configuration."""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from gateway import SMSGW  # noqa: E402
from tap import Tap  # noqa: E402

CONF = r'''
database = "%(dir)s/smsgw.db"
help_reply = "Acme: reply STOP to end. Help: {{sim_number}}"
rule "order" {
    match  = "^order (?<code>[a-z]{2}-?\\d+)$"
    action = "reply"
    reply  = "Order {{code}} received, {{sender}}."
}
rule "sales" {
    match   = "\\b(price|quote)\\b"
    action  = "forward"
    forward = "+15551230009"
}
rule "callback" { match = "^call ?back" action = "hook" hook = "/usr/local/bin/cb" }
rule "dash" { match = "^-x-$" }
modem "m1" { device = "/dev/null" sim "1" { number = "+15551230001" } }
modem "m2" { device = "/dev/zero" sim "2" { number = "+15551230002" } }
'''

tap = Tap()
check = tap.check



def run(conf, *args):
    p = subprocess.run([SMSGW, "-c", conf, "rules", *args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=30)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def run_json(conf, *args):
    rc, out, err = run(conf, "test", "--json", *args)
    try:
        return rc, json.loads(out), err
    except ValueError:
        return rc, None, out + err


def main():
    with tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "smsgw.conf")
        with open(conf, "w") as f:
            f.write(CONF % {"dir": d})

        rc, out, err = run(conf, "test", "STOP")
        check("plain STOP is an exact opt-out with the default reply",
              rc == 0 and "class:      optout (exact, keyword \"STOP\")" in out
              and "reply:      You are unsubscribed" in out, out + err)

        rc, j, err = run_json(conf, "Stop", "texting", "me", "please!")
        check("words are joined and the broad rule applies",
              rc == 0 and j and j["text"] == "Stop texting me please!"
              and j["normalised"] == "stop texting me please"
              and j["class"] == "optout" and j["match"] == "broad"
              and j["keyword"] == "optout", j or err)

        rc, j, err = run_json(conf, "ＳＴＯＰ！")
        check("full-width STOP", rc == 0 and j and j["class"] == "optout"
              and j["match"] == "exact", j or err)

        rc, j, err = run_json(conf, "stop by the office tomorrow at 5")
        check("a sentence starting with stop is not an opt-out",
              rc == 0 and j and j["class"] == "none" and j["keyword"] is None
              and j["reply"] is None and j["rule"] is None, j or err)

        rc, j, err = run_json(conf, "--sim", "m2/2", "HELP")
        check("help reply uses the chosen SIM's number",
              rc == 0 and j and j["class"] == "help" and j["sim"] == "m2/2"
              and j["reply"] == "Acme: reply STOP to end. Help: +15551230002",
              j or err)

        rc, j, err = run_json(conf, "--from", "+447700900123", "Order AB-42")
        check("custom rule with a named group and {{sender}}",
              rc == 0 and j and j["class"] == "rule" and j["keyword"] == "order"
              and j["rule"]["action"] == "reply"
              and j["groups"] == {"code": "ab-42"}
              and j["reply"] == "Order ab-42 received, +447700900123.", j or err)

        rc, j, err = run_json(conf, "what's", "the", "price?")
        check("forward rule shows the forwarded text",
              rc == 0 and j and j["keyword"] == "sales"
              and j["rule"]["forward"] == "+15551230009" and j["reply"] is None
              and j["forward_text"] == "From +15555550100: what's the price?",
              j or err)

        rc, out, err = run(conf, "test", "call back later")
        check("hook rule names its command",
              rc == 0 and "hook:       /usr/local/bin/cb" in out, out + err)

        rc, j, err = run_json(conf, "--", "-x-")
        check("-- lets a text start with a dash",
              rc == 0 and j and j["normalised"] == "x", j or err)

        rc, j, err = run_json(conf, "yes")
        check("opt-in wins over rules",
              rc == 0 and j and j["class"] == "optin", j or err)

        rc, out, err = run(conf, "test")
        check("no text is a usage error", rc == 2 and "TEXT" in err, err)
        rc, out, err = run(conf, "frobnicate")
        check("unknown rules subcommand is a usage error", rc == 2, err)
        rc, out, err = run(conf, "test", "--sim", "m9/9", "x")
        check("unknown SIM is a user error",
              rc == 1 and "no SIM m9/9" in err and err.count("\n") == 1, err)
        rc, out, err = run(conf, "--help")
        check("--help prints the usage", rc == 0 and "rules test" in out, out)
        check("nothing is written: no database created",
              not os.path.exists(os.path.join(d, "smsgw.db")))

        bad = os.path.join(d, "bad.conf")
        with open(bad, "w") as f:
            f.write('optout_reply = "bye {{nobody}}"\n')
        rc, out, err = run(bad, "test", "stop")
        check("a reply template with an unknown placeholder is refused",
              rc == 1 and "optout_reply uses {{nobody}}" in err, err)
        with open(bad, "w") as f:
            f.write('rule "r" { match = "(" }\n')
        rc, out, err = run(bad, "test", "stop")
        check("an invalid pattern names file and line",
              rc == 1 and "bad.conf:1" in err and "regular expression" in err,
              err)
    tap.done()


if __name__ == "__main__":
    sys.exit(main())
