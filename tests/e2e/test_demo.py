"""make demo (issue 10, item 6): plain text when not on a terminal, every
command shown as it can be pasted, SIMs named modem/slot in every table."""
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import BUILD, ROOT  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()

env = dict(os.environ, BUILD=BUILD, TERM="xterm")
p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "demo.py"), "--keep"],
                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                   timeout=240)
OUT = p.stdout.decode()
WORK = re.search(r"Everything is in (\S+)", OUT)


@t.test
def demo_runs():
    assert p.returncode == 0, p.stderr.decode()[-2000:]
    assert WORK, OUT[-500:]


@t.test
def plain_output_when_piped():
    assert "\x1b" not in OUT and "\x1b" not in p.stderr.decode(), repr(OUT[:200])
    assert "\n== Starting smsgwd on them" in OUT


@t.test
def commands_paste_as_shown():
    shown = [line[2:] for line in OUT.splitlines() if line.startswith("$ ")]
    assert len(shown) >= 6, shown
    sends = [shlex.split(c) for c in shown if " send " in c]
    assert any("Your table for two is ready at 8pm." in a for a in sends), sends
    # Pasted into a shell, from where make demo runs, they work: the
    # read commands run again on the kept database.
    for c in shown:
        if " send " in c:
            continue
        r = subprocess.run(["sh", "-c", c], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        assert r.returncode == 0, (c, r.stderr)
        assert r.stdout, c


@t.test
def sims_named_the_same_everywhere():
    assert not re.search(r"\bsim \d", OUT), OUT
    names = set(re.findall(r"\b(quectel|huawei)/1\b", OUT))
    assert names == {"quectel", "huawei"}, names
    block = OUT.split("optout list\n", 1)[1].split("\n\n")[0]
    assert re.search(r"\+15550102222 .* (quectel|huawei)/1 ", block), block
    net = [line for line in OUT.splitlines() if "->" in line]
    assert net and all(re.match(r"  (quectel|huawei)/1 +->", line) for line in net), net


if WORK:
    subprocess.run(["rm", "-rf", WORK.group(1)])
t.done()
