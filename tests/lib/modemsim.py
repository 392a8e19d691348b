"""Drive smsgw-modemsim from Python tests (standard library and tap.py).

    from modemsim import ModemSim, Port

    with ModemSim(modems=2, personality="quectel",
                  specs={1: {"latency_ms": 250}}) as sim:
        port = Port(sim.path(0))             # talk AT to modem 0 directly
        port.command("AT+CMGF=0")
        sim.deliver(0, "+15550009999", "hello")   # an inbound SMS
        sim.set(0, cms_rate=0.1, cms_codes=[38, 42])
        msg = sim.wait_message(lambda m: m["dest"] == "+15551230000")

The simulator runs in a temporary directory (or `dir`); `sim.path(i)` is the
stable symlink of modem i that a gateway config names as `device`. The ground
truth is `sim.network()`: every line of DIR/network.jsonl as a dict. Events:

    submit     one accepted SMS-SUBMIT part: modem, port, slot, iccid, number,
               dest, mr, text (this part), encoding, concat, srr, pdu
    message    a whole message once all its parts arrived: dest, text,
               parts, mrs
    rejected   a send that ended in +CMS ERROR: code
    aborted    a send cut short by an unplug or reboot (not sent)
    deliver    an inbound SMS queued by deliver(): from, text, parts, order
    delivered  one inbound part or status report handed to the modem:
               kind (sms|report), seq, route (cmti|cmt|cds|cdsi|stored|
               dropped|acked|nacked|ack-timeout), index, pdu

Every wait polls with a deadline; nothing sleeps a fixed time.
"""
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import termios
import time
import tty

from tap import wait_for

ROOT = os.environ.get("SMSGW_ROOT") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ModemSimError(Exception):
    """The simulator failed to start, or refused a control command."""


def _binary():
    build = os.environ.get("BUILD", os.path.join(ROOT, "build"))
    if not os.path.isabs(build):
        build = os.path.join(ROOT, build)
    return os.path.join(build, "smsgw-modemsim")


class ModemSim:
    """One smsgw-modemsim process and its directory.

    modems:      number of simulated modems
    personality: for all modems (generic, huawei, huawei-e1752, simcom,
                 simcom-sim7600, quectel, quectel-eg25)
    specs:       {index or "all": {key: value}} start-up settings and knobs,
                 e.g. {0: {"slots": 2, "slot1.pin": "1234"}}
    dir:         directory to use (default: a fresh temporary one, removed
                 by stop() unless keep=True)
    args:        extra command-line arguments
    """

    def __init__(self, modems=1, personality=None, specs=None, dir=None,
                 seed=1, args=(), keep=False, binary=None):
        self.modems = modems
        self.personality = personality
        self.specs = specs or {}
        self.seed = seed
        self.args = list(args)
        # SMSGW_KEEP (as for the gateway's directories) keeps the logs.
        self.keep = keep or dir is not None or bool(os.environ.get("SMSGW_KEEP"))
        self.dir = dir
        self.binary = binary or _binary()
        self.proc = None
        self._sock = None
        self._rbuf = b""

    # ---- lifecycle ----

    def start(self, timeout=10.0):
        """Starts the simulator and waits until DIR/ready exists."""
        if self.dir is None:
            self.dir = tempfile.mkdtemp(prefix="modemsim-")
        os.makedirs(self.dir, exist_ok=True)
        argv = [self.binary, "--dir", self.dir, "--modems", str(self.modems),
                "--seed", str(self.seed)]
        if self.personality:
            argv += ["--personality", self.personality]
        for index, spec in self.specs.items():
            items = ",".join(f"{k}={_spec_value(v)}" for k, v in spec.items())
            argv += ["--modem", f"{index}:{items}"]
        argv += self.args
        self._log = open(os.path.join(self.dir, "modemsim.stderr"), "wb")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=self._log)
        ready = os.path.join(self.dir, "ready")

        def up():
            if self.proc.poll() is not None:
                raise ModemSimError(
                    f"smsgw-modemsim exited with {self.proc.returncode}: "
                    + self.stderr())
            return os.path.exists(ready)
        wait_for(up, timeout, what="the simulator to be ready")
        with open(ready) as f:
            self.ready = json.load(f)
        return self

    def stop(self, timeout=10.0):
        """SIGTERM, wait, and remove the temporary directory.

        Returns the exit status (0 for a clean exit).
        """
        code = None
        if self._sock:
            self._sock.close()
            self._sock = None
        if self.proc:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                code = self.proc.wait()
            self.proc = None
            self._log.close()
        if not self.keep and self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)
        return code

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def stderr(self):
        """What the simulator printed on stderr so far."""
        try:
            with open(os.path.join(self.dir, "modemsim.stderr")) as f:
                return f.read()
        except OSError:
            return ""

    # ---- paths and logs ----

    def path(self, modem, name=None):
        """The symlink of a modem (DIR/modemN, or DIR/name after a rename)."""
        return os.path.join(self.dir, name or f"modem{modem}")

    def log(self, modem):
        """The trace of everything modem exchanged (DIR/modemN.log)."""
        with open(os.path.join(self.dir, f"modem{modem}.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def commands(self, modem):
        """The command lines the modem received, in order (from its log)."""
        out, partial = [], ""
        for line in self.log(modem).splitlines():
            m = re.match(r"\S+ \S+ > (.*)$", line)
            if not m:
                continue
            partial += _unescape(m.group(1))
            while "\r" in partial:
                cmd, partial = partial.split("\r", 1)
                if cmd.strip():
                    out.append(cmd.strip())
        return out

    # ---- ground truth ----

    def network(self, event=None):
        """Every ground-truth line as a dict, optionally of one event."""
        try:
            with open(os.path.join(self.dir, "network.jsonl")) as f:
                lines = [json.loads(l) for l in f if l.endswith("\n")]
        except FileNotFoundError:
            return []
        return [l for l in lines if event is None or l["event"] == event]

    def messages(self, **match):
        """Whole messages the network accepted ("message" lines), filtered by
        equal fields, e.g. messages(dest="+1555…", modem=0)."""
        return [m for m in self.network("message")
                if all(m.get(k) == v for k, v in match.items())]

    def submits(self, **match):
        """Accepted parts ("submit" lines), filtered like messages()."""
        return [m for m in self.network("submit")
                if all(m.get(k) == v for k, v in match.items())]

    def wait_message(self, predicate=lambda m: True, timeout=10.0):
        """Waits for a "message" line for which predicate(line) is true."""
        return wait_for(
            lambda: next((m for m in self.network("message")
                          if predicate(m)), None),
            timeout, what="a message in the ground truth")

    def wait_event(self, event, predicate=lambda m: True, timeout=10.0):
        """Waits for a ground-truth line of event for which predicate is
        true, and returns it."""
        return wait_for(
            lambda: next((m for m in self.network(event) if predicate(m)),
                         None),
            timeout, what=f"a {event} event")

    # ---- control socket ----

    def control(self, **request):
        """Sends one control command; returns the reply dict.

        Raises ModemSimError when the simulator answers ok=false.
        """
        if self._sock is None:
            self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self._sock.connect(os.path.join(self.dir, "control"))
        self._sock.sendall(json.dumps(request).encode() + b"\n")
        while b"\n" not in self._rbuf:
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ModemSimError("control socket closed")
            self._rbuf += chunk
        line, self._rbuf = self._rbuf.split(b"\n", 1)
        reply = json.loads(line)
        if not reply.get("ok"):
            raise ModemSimError(reply.get("error", "control command failed"))
        return reply

    def status(self, modem=None):
        """The state of every modem (or one): power, registered, slots,
        knobs, queued inbound items, +CNMI, a send in progress…"""
        modems = self.control(cmd="status")["modems"]
        return modems if modem is None else modems[modem]

    def wait_registered(self, *modems, timeout=10.0):
        """Waits until the modems (default: all) finished booting and are
        registered, as a gateway would see from +CREG. A modem with a PIN
        registers only after AT+CPIN."""
        want = modems or range(self.modems)
        wait_for(lambda: all(self.status(i)["registered"] for i in want),
                   timeout, what=f"registration of modems {list(want)}")

    def deliver(self, modem, sender, text, slot=None, ucs2=False,
                concat16=False, shuffle=False, drop=(), duplicate=(),
                delay_ms=0, smsc=None):
        """Queues an SMS from sender to a modem (its active SIM, or slot).

        Long text becomes a concatenated set; drop / duplicate list part
        numbers (1-based) never sent / sent twice; shuffle mixes the order.
        Returns the number of parts.
        """
        req = dict(cmd="deliver", modem=modem, **{"from": sender},
                   text=text, ucs2=ucs2, concat16=concat16, shuffle=shuffle,
                   drop=list(drop), duplicate=list(duplicate),
                   delay_ms=delay_ms)
        if slot is not None:
            req["slot"] = slot
        if smsc:
            req["smsc"] = smsc
        return self.control(**req)["parts"]

    def set(self, modem=None, **knobs):
        """Changes knobs of one modem (or all when modem is None), e.g.
        set(0, latency_ms=250, jitter_ms=50, cms_rate=0.05)."""
        req = dict(cmd="set", knobs=knobs)
        if modem is not None:
            req["modem"] = modem
        self.control(**req)

    def fail_next(self, modem, count, code):
        """The next count sends of modem fail with +CMS ERROR: code."""
        self.set(modem, fail_next=count, fail_code=code)

    def status_reports(self, modem=None, delay_ms=None, status=None):
        """Status reports (for sends with TP-SRR) after delay_ms with TP-ST
        status (0 delivered, 0x40+ failed)."""
        knobs = {}
        if delay_ms is not None:
            knobs["report_delay_ms"] = delay_ms
        if status is not None:
            knobs["report_status"] = status
        self.set(modem, **knobs)

    def hang(self, modem, after_commands=None, in_ms=None):
        """Stops answering now, after N more commands, or in in_ms ms."""
        req = dict(cmd="hang", modem=modem)
        if after_commands is not None:
            req["after_commands"] = after_commands
        if in_ms is not None:
            req["in_ms"] = in_ms
        self.control(**req)

    def unhang(self, modem):
        self.control(cmd="unhang", modem=modem)

    def unplug(self, modem, seconds=None, rename=None):
        """Removes the pty and its symlink; replugs after seconds (never
        when None: call replug()). rename: the symlink's name after the
        replug."""
        req = dict(cmd="unplug", modem=modem)
        if seconds is not None:
            req["seconds"] = seconds
        if rename:
            req["rename"] = rename
        self.control(**req)

    def replug(self, modem, rename=None):
        req = dict(cmd="replug", modem=modem)
        if rename:
            req["rename"] = rename
        self.control(**req)

    def reboot(self, modem):
        """Power-cycles the modem (like AT+CFUN=1,1)."""
        self.control(cmd="reboot", modem=modem)

    def urc(self, modem, line):
        """Writes "\\r\\n<line>\\r\\n" to the port now."""
        self.control(cmd="urc", modem=modem, line=line)

    def garbage(self, modem, count=8, data=None):
        """Writes count random high bytes, or the string data, to the port."""
        req = dict(cmd="garbage", modem=modem, count=count)
        if data is not None:
            req["bytes"] = data
        self.control(**req)

    def storage(self, modem, slot=None, me=False):
        """Messages in a SIM's storage (me: the modem's own, "ME"):
        [{index, stat, report, pdu}]."""
        req = dict(cmd="storage", modem=modem)
        if slot is not None:
            req["slot"] = slot
        if me:
            req["me"] = True
        return self.control(**req)["messages"]


class Port:
    """A minimal AT client on a simulated modem's pty, for tests.

    command() sends one line and returns (lines, final) where final is
    "OK", "ERROR", "+CME ERROR: n", "+CMS ERROR: n" or "> ".
    """

    FINAL = re.compile(rb"\r\n(OK|ERROR|\+CM[ES] ERROR: [^\r]*)\r\n")

    def __init__(self, path, timeout=5.0):
        self.path = path
        self.timeout = timeout
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
        tty.setraw(self.fd)
        attrs = termios.tcgetattr(self.fd)
        attrs[3] &= ~termios.ECHO
        termios.tcsetattr(self.fd, termios.TCSANOW, attrs)
        self.buf = b""

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def write(self, data):
        if isinstance(data, str):
            data = data.encode()
        os.write(self.fd, data)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{self.path}: no answer; got {self.buf!r}")
        r, _, _ = select.select([self.fd], [], [], left)
        if r:
            chunk = os.read(self.fd, 4096)
            if not chunk:
                raise EOFError(self.path)
            self.buf += chunk

    def read_until(self, pattern, timeout=None):
        """Reads until the regex (bytes) matches; returns the bytes up to
        and including the match, leaving the rest buffered."""
        deadline = time.monotonic() + (timeout or self.timeout)
        rx = re.compile(pattern) if isinstance(pattern, bytes) else \
            re.compile(pattern.encode())
        while True:
            m = rx.search(self.buf)
            if m:
                out, self.buf = self.buf[:m.end()], self.buf[m.end():]
                return out
            self._fill(deadline)

    def drain(self, quiet=0.1):
        """Reads and returns whatever arrives until quiet seconds pass
        without a byte."""
        out = self.buf
        self.buf = b""
        while True:
            r, _, _ = select.select([self.fd], [], [], quiet)
            if not r:
                return out
            chunk = os.read(self.fd, 4096)
            if not chunk:
                return out
            out += chunk

    def command(self, line, timeout=None):
        """Sends line + CR; returns (info lines, final result)."""
        self.write(line + "\r")
        raw = self.read_until(self.FINAL.pattern + rb"|\r\n> ", timeout)
        text = raw.decode("latin-1")
        if text.endswith("\r\n> "):
            return _info(text[:-4]), "> "
        m = self.FINAL.search(raw)
        return _info(text[:m.start()].strip("\r\n")), \
            m.group(1).decode("latin-1")

    def send_pdu(self, pdu_hex, timeout=None):
        """AT+CMGS in PDU mode: returns (info lines, final result)."""
        smsc = int(pdu_hex[:2], 16)
        lines, final = self.command(f"AT+CMGS={len(pdu_hex) // 2 - 1 - smsc}",
                                    timeout)
        if final != "> ":
            return lines, final
        self.write(pdu_hex + "\x1a")
        raw = self.read_until(self.FINAL.pattern, timeout)
        m = self.FINAL.search(raw)
        return _info(raw[:m.start()].decode("latin-1")), \
            m.group(1).decode("latin-1")


def _info(text):
    """Information lines of a response: echo and empty lines removed."""
    lines = [l for l in text.split("\r\n") if l.strip()]
    return [l for l in lines if not l.upper().startswith("AT")]


def _spec_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "/".join(str(x) for x in v)
    return str(v)


def _unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            n = s[i + 1]
            if n == "x" and i + 3 < len(s):
                out.append(chr(int(s[i + 2:i + 4], 16)))
                i += 4
                continue
            out.append({"r": "\r", "n": "\n", "t": "\t"}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)
