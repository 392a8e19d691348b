#!/usr/bin/env python3
"""`smsgw ports`: exit status, table and JSON agree, usage errors.

The machine's ports are whatever it has (often none, or an on-board ttyS0);
the test checks the contract, not a particular list.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from gateway import SMSGW  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
check = t.check


def run(*args):
    p = subprocess.run([SMSGW, *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=30,
                       env=dict(os.environ, SMSGW_CONFIG="/nonexistent"))
    return p.returncode, p.stdout.decode(), p.stderr.decode()


rc, table, err = run("ports")
check("ports exits 0", rc == 0, f"rc={rc} {err}")
rc, out, err = run("ports", "--json")
check("ports --json exits 0", rc == 0, f"rc={rc} {err}")
try:
    doc = json.loads(out)
except ValueError as e:
    doc = None
    check("ports --json is JSON", False, str(e))
else:
    check("ports --json is JSON", isinstance(doc.get("ports"), list))

if doc is not None:
    ports = doc["ports"]
    keys = {"path", "by_id", "usb", "manufacturer", "product", "serial",
            "description", "vendor", "driver"}
    check("every port has every key",
          all(keys <= set(p) for p in ports))
    check("paths are devices",
          all(p["path"].startswith("/dev/") for p in ports))
    check("usb ids are 4 hex digits",
          all(p["usb"] is None or (len(p["usb"]["vid"]) == 4 and
                                   len(p["usb"]["pid"]) == 4)
              for p in ports))
    check("a driver is suggested for each",
          all(isinstance(p["driver"], str) and p["driver"] for p in ports))
    if ports:
        lines = table.splitlines()
        check("table has a header and one line per port",
              lines[0].startswith("PATH") and len(lines) == len(ports) + 1,
              repr(table))
        check("table and JSON list the same paths",
              [ln.split()[0] for ln in lines[1:]] ==
              [p["path"] for p in ports])
    else:
        check("no ports is said plainly",
              table == "no serial ports found\n", repr(table))

rc, out, err = run("ports", "extra")
check("an argument is a usage error", rc == 2 and out == "", f"rc={rc}")
rc, out, err = run("ports", "--bogus")
check("an unknown option is a usage error",
      rc == 2 and "--bogus" in err and err.count("\n") == 2, repr(err))
rc, out, err = run("ports", "--help")
check("--help prints usage", rc == 0 and "smsgw ports" in out)
t.done()
