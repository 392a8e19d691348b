"""--help of every command (issue 10, item 4): stdout, exit 0, and the same
options as man/smsgw.1 and README.md say; smsgwd --help and --version."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from gateway import ROOT, SMSGW, SMSGWD  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()

COMMANDS = ["send", "status", "outbox", "inbox", "events", "stats", "optout",
            "campaign", "report", "metrics", "ports", "rules", "pdu", "migrate",
            "token"]
COMMON = {"--help", "--config"}
LONG = re.compile(r"(?<![\w-])--[a-z0-9][a-z0-9-]*")


def options(text):
    return set(LONG.findall(text)) - COMMON


def helptext(cmd):
    p = subprocess.run([SMSGW, cmd, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env={"PATH": os.environ["PATH"]})
    assert p.returncode == 0 and not p.stderr, (cmd, p.returncode, p.stderr)
    return p.stdout.decode()


def man_sections():
    text = open(os.path.join(ROOT, "man", "smsgw.1")).read().replace("\\-", "-")
    out = {}
    for part in re.split(r"^\.SS ", text, flags=re.M)[1:]:
        name = part.split()[0]
        out[name] = part.split("\n.SH")[0]
    return out


def readme_synopsis():
    """The synopsis block of README's "The command line: smsgw": lines
    starting "smsgw CMD" and the indented lines that continue them."""
    text = open(os.path.join(ROOT, "README.md")).read()
    sec = text.split("## The command line: smsgw", 1)[1].split("\n## ", 1)[0]
    out, cur = {}, None
    for line in sec.splitlines():
        m = re.match(r"    smsgw (\w+)", line)
        if m:
            cur = m.group(1)
            out[cur] = out.get(cur, "") + line + "\n"
        elif cur and line.startswith("        "):
            out[cur] += line + "\n"
        elif not line.startswith("    "):
            if cur and out:
                break
    return out


MAN = man_sections()
README = readme_synopsis()

for cmd in COMMANDS:
    def check(cmd=cmd):
        h = helptext(cmd)
        usage = h.split("\n\n")[0]
        body = h.split("\n\n", 2)[-1]
        assert usage.startswith(f"usage: smsgw {cmd}"), usage
        # The synopsis writes -m and -o short; the list names both forms.
        aliases = {"--message", "--output"}
        assert options(usage) - aliases == options(body) - aliases, \
            (options(usage) ^ options(body))
        assert cmd in MAN, f"no .SS {cmd} in man/smsgw.1"
        assert options(h) == options(MAN[cmd]), ("help vs man", options(h) ^ options(MAN[cmd]))
        assert cmd in README, f"no 'smsgw {cmd}' in README's synopsis"
        assert options(h) == options(README[cmd]), ("help vs README",
                                                   options(h) ^ options(README[cmd]))
        # -c and --help work after the command, with its verbs too.
        assert "-c, --config FILE" in h and "-h, --help" in h, h
        check.__name__ = f"help_{cmd}_matches_man_and_readme"
    check.__name__ = f"help_{cmd}_matches_man_and_readme"
    t.test(check)


@t.test
def help_after_a_verb_and_short_h():
    for args in (["optout", "add", "--help"], ["outbox", "show", "1", "-h"],
                 ["campaign", "pause", "--help"], ["pdu", "encode", "--help"],
                 ["rules", "test", "-h"]):
        p = subprocess.run([SMSGW, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert p.returncode == 0 and p.stdout.startswith(b"usage: smsgw " + args[0].encode()), \
            (args, p.stdout[:80], p.stderr)


@t.test
def top_level_help_names_every_command():
    p = subprocess.run([SMSGW, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode == 0 and not p.stderr
    listed = set(re.findall(r"^  (\w+) ", p.stdout.decode(), re.M))
    assert listed >= set(COMMANDS), set(COMMANDS) - listed
    assert set(MAN) >= set(COMMANDS), set(COMMANDS) - set(MAN)
    # Every command listed, also one added later, answers --help (and
    # takes -c after its name).
    for cmd in sorted(listed):
        for args in ([cmd, "--help"], [cmd, "-c", "/nonexistent.conf", "-h"]):
            h = subprocess.run([SMSGW, *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
            assert h.returncode == 0 and not h.stderr, (args, h.returncode, h.stderr)
            assert h.stdout.startswith(f"usage: smsgw {cmd}".encode()), (args, h.stdout[:80])


@t.test
def smsgwd_help_and_version():
    for arg in ("--help", "-h"):
        p = subprocess.run([SMSGWD, arg], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert p.returncode == 0 and p.stdout.startswith(b"usage: smsgwd") and not p.stderr, p
    version = open(os.path.join(ROOT, "VERSION")).read().strip()
    for arg in ("--version", "-V"):
        p = subprocess.run([SMSGWD, arg], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert p.returncode == 0 and p.stdout.decode().strip() == f"smsgwd {version}", p
    # Every long option of smsgwd --help is in its man page.
    h = subprocess.run([SMSGWD, "--help"], stdout=subprocess.PIPE).stdout.decode()
    man = open(os.path.join(ROOT, "man", "smsgwd.8")).read().replace("\\-", "-")
    assert set(LONG.findall(h)) <= set(LONG.findall(man)), set(LONG.findall(h)) - set(LONG.findall(man))


t.done()
