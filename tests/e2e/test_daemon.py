"""The daemon's life: start, directories, database, readers, signals, config checks."""
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from gateway import Gateway, SMSGWD, SMSGW, ROOT, tempdir  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()


@t.test
def config_check_accepts_the_annotated_example():
    p = subprocess.run([SMSGWD, "-t", "-c", os.path.join(ROOT, "conf", "smsgw.conf")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "configuration ok" in p.stdout


@t.test
def config_check_rejects_with_file_line_option():
    gw = Gateway(settings={"max_attempts": 0})
    p = subprocess.run([SMSGWD, "-t", "-c", gw.conf], capture_output=True, text=True)
    assert p.returncode == 1, p
    assert f"{gw.conf}:" in p.stderr and "max_attempts" in p.stderr, p.stderr
    # And the daemon refuses to start on it.
    p = subprocess.run([SMSGWD, "-f", "-c", gw.conf], capture_output=True, text=True,
                       timeout=10)
    assert p.returncode == 1 and "max_attempts" in p.stderr, p


@t.test
def config_check_is_about_the_file_not_the_machine():
    # Modems are plugged in later and the spool is made at the first start:
    # -t checks syntax and values only.
    d = tempdir("smsgw-t-")
    conf = os.path.join(d, "smsgw.conf")
    with open(conf, "w") as f:
        f.write('spool = "/nonexistent/smsgw/spool"\n'
                'database = "/nonexistent/smsgw/smsgw.db"\n'
                'timezone = "Europe/Berlin"\n'
                'modem "m1" { device = "/dev/smsgw/not-plugged-in" }\n')
    p = subprocess.run([SMSGWD, "-t", "-c", conf], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "configuration ok (1 modem)" in p.stdout, p.stdout
    assert p.stderr == "", p.stderr


@t.test
def config_check_warns_on_zero_modems_and_names_bad_values():
    d = tempdir("smsgw-t-")
    conf = os.path.join(d, "smsgw.conf")
    with open(conf, "w") as f:
        f.write('# no modem yet\nspool = "/tmp/x"\n')
    p = subprocess.run([SMSGWD, "-t", "-c", conf], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert f"{conf}: warning: no modem section" in p.stderr, p.stderr
    for text, want in (
            ('# zone\ntimezone = "Berlin"\n',
             f"{conf}:2: timezone: 'Berlin' is not a time zone in tzdata"),
            ('# country\n\ndefault_country = "+49"\n',
             f"{conf}:3: default_country: '+49' starts with '+'")):
        with open(conf, "w") as f:
            f.write(text)
        p = subprocess.run([SMSGWD, "-t", "-c", conf], capture_output=True, text=True)
        assert p.returncode == 1, p
        assert want in p.stderr, p.stderr


@t.test
def daemon_creates_spool_and_database_and_stops_on_sigterm():
    gw = Gateway()
    gw.start()
    for sub in ("outgoing", "tmp", "rejected"):
        assert os.path.isdir(os.path.join(gw.spool, sub)), sub
    assert os.path.exists(gw.database)
    assert gw.scalar("pragma journal_mode") == "wal"
    assert gw.count_events("started") == 1
    # A reader works while the daemon runs.
    p = subprocess.run(["sqlite3", gw.database, "select * from inbox"],
                       capture_output=True, text=True, timeout=10)
    assert p.returncode == 0, p.stderr
    start = time.monotonic()
    rc = gw.stop(signal.SIGTERM, timeout=5)
    took = time.monotonic() - start
    assert rc == 0, rc
    assert took < 1.0, f"took {took:.2f}s to stop"
    assert gw.count_events("stopped") == 1
    con = sqlite3.connect(gw.database)
    assert con.execute("pragma integrity_check").fetchone()[0] == "ok"
    con.close()


@t.test
def second_daemon_on_the_same_spool_is_refused():
    gw = Gateway()
    gw.start()
    p = subprocess.run([SMSGWD, "-f", "-c", gw.conf], capture_output=True, text=True,
                       timeout=10)
    assert p.returncode == 1, p
    assert "already serves" in p.stderr, p.stderr
    assert gw.stop() == 0


@t.test
def sighup_reloads_and_a_broken_file_keeps_the_running_config():
    gw = Gateway()
    gw.start()
    gw.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: gw.count_events("configuration reloaded") == 1, 5, "reload event")
    # Behind comment lines (libconfuse 3.3 counts each as three): the event
    # names the line the mistake is on.
    with open(gw.conf) as f:
        before = f.read().count("\n")
    with open(gw.conf, "a") as f:
        f.write("# a comment\n# another one\n\n# and one more\nnonsense = 1\n")
    gw.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: gw.count_events("reload refused") == 1, 5, "refused event")
    msg = gw.scalar("select message from events where message like '%reload refused%'")
    assert f"{gw.conf}:{before + 5}: no such option 'nonsense'" in msg, msg
    assert gw.running()
    assert gw.stop() == 0


@t.test
def daemon_watches_for_wall_clock_steps():
    # The watch is a CLOCK_REALTIME timerfd armed with TFD_TIMER_ABSTIME |
    # TFD_TIMER_CANCEL_ON_SET ("settime flags: 03" in fdinfo, timerfd_create(2)).
    gw = Gateway()
    gw.start()
    infos = []
    for fd in os.listdir(f"/proc/{gw.proc.pid}/fdinfo"):
        try:
            with open(f"/proc/{gw.proc.pid}/fdinfo/{fd}") as f:
                infos.append(f.read())
        except OSError:
            pass
    assert any("clockid: 0" in i and "settime flags: 03" in i for i in infos), infos
    # Stepping the clock needs CAP_SYS_TIME; opt in to set it to its own
    # value (a step of microseconds) and see the daemon notice.
    if os.environ.get("SMSGW_TEST_SET_CLOCK") and os.geteuid() == 0:
        time.clock_settime(time.CLOCK_REALTIME, time.clock_gettime(time.CLOCK_REALTIME))
        wait_for(lambda: gw.count_events("the wall clock was set") == 1, 5,
                 "the clock-step event")
    assert gw.stop() == 0


@t.test
def sigint_stops_too_and_restart_keeps_history():
    gw = Gateway()
    gw.start()
    assert gw.stop(signal.SIGINT) == 0
    gw.start()
    assert gw.count_events("started") == 2
    assert gw.stop() == 0


@t.test
def usage_errors_exit_2():
    assert subprocess.run([SMSGWD, "-x"], capture_output=True).returncode == 2
    assert subprocess.run([SMSGW], capture_output=True).returncode == 2
    assert subprocess.run([SMSGW, "frobnicate"], capture_output=True).returncode == 2
    p = subprocess.run([SMSGW, "--version"], capture_output=True, text=True)
    assert p.returncode == 0 and p.stdout.startswith("smsgw "), p


t.done()
