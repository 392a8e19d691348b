"""The daemon's spool intake: files in outgoing/ become outbox rows exactly
once; bad files go to rejected/ with a reason; crashes and restarts lose and
duplicate nothing. These run without modems: messages stay queued."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import spool_malformed  # noqa: E402
from gateway import Gateway, tempdir  # noqa: E402
from tap import Tap, wait_for  # noqa: E402

t = Tap()


def gateway(**settings):
    return Gateway(settings={"default_country": "49", **settings}).start()


def outbox(gw, where="1=1"):
    return gw.query(f"select * from outbox where {where} order by id")


def gone(gw, name):
    """Neither waiting in outgoing/ nor claimed (name@…) in active/."""
    active = os.listdir(os.path.join(gw.spool, "active"))
    return not os.path.exists(os.path.join(gw.spool, "outgoing", name)) and \
        not any(a == name or a.startswith(name + "@") for a in active)


def rejected_reason(gw, name):
    """Waits for rejected/NAME.reason and returns its text."""
    path = os.path.join(gw.spool, "rejected", name + ".reason")
    # Written after the move: wait for its text, not just its name.
    wait_for(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 5, f"{name}.reason")
    with open(path) as f:
        return f.read()


@t.test
def smstools3_file_is_accepted_unchanged():
    gw = gateway()
    gw.drop("sms1", "To: 491721234567\n\nHello from smstools3\n")
    wait_for(lambda: len(outbox(gw)) == 1, 5, "the outbox row")
    row = outbox(gw)[0]
    assert row["recipient"] == "+491721234567", row
    assert row["body"] == "Hello from smstools3", row
    assert row["kind"] == "direct" and row["state"] == "queued", row
    wait_for(lambda: gone(gw, "sms1"), 5, "the spool file to be removed")
    assert gw.stop() == 0


@t.test
def written_in_place_is_taken_on_close():
    gw = gateway()
    path = os.path.join(gw.spool, "outgoing", "inplace")
    f = open(path, "w")
    f.write("To: +4917000000001\n")
    f.flush()
    # Another file, atomically: once it is in, the open one was seen too.
    gw.drop("marker", "To: +4917000000002\n\nmarker\n")
    wait_for(lambda: len(outbox(gw)) == 1, 5, "the marker")
    assert os.path.exists(path), "a file still being written was taken"
    f.write("\nwritten in place\n")
    f.close()
    wait_for(lambda: len(outbox(gw)) == 2, 5, "the in-place file")
    assert outbox(gw)[1]["body"] == "written in place"
    assert gw.stop() == 0


@t.test
def bulk_personalised_with_duplicates_and_campaign():
    gw = gateway()
    gw.drop("bulk", "To: +4917000000001; name=Ann\n"
                    "To: +4917000000002; name=Bob\n"
                    "To: 0170 00000001; name=Ann again\n"
                    "Campaign: spring\n\nHi {{name}}!\n")
    wait_for(lambda: len(outbox(gw)) == 2, 5, "two rows")
    rows = outbox(gw)
    assert [r["body"] for r in rows] == ["Hi Ann!", "Hi Bob!"], rows
    assert all(r["kind"] == "bulk" and r["campaign"] == "spring" for r in rows)
    assert gw.scalar("select duplicates from spool_file") == 1
    # The event follows the commit that made the rows visible.
    wait_for(lambda: gw.count_events("1 duplicate removed") == 1, 5, "the accepted event")
    assert gw.stop() == 0


@t.test
def bad_file_is_rejected_with_a_reason():
    gw = gateway(strict_headers=True)
    gw.drop("bad", "To: +4917000000001\nSubject: hi\n\nbody\n")
    text = rejected_reason(gw, "bad")
    assert text.startswith("line 2:") and "Subject" in text, text
    assert text.rstrip().endswith("[unknown-header]"), text
    assert os.path.exists(os.path.join(gw.spool, "rejected", "bad"))
    assert outbox(gw) == []
    # The event follows the move to rejected/.
    wait_for(lambda: gw.count_events("rejected bad") == 1, 5, "the rejected event")
    # The same name again: both kept.
    gw.drop("bad", "Kind: sideways\nTo: +4917000000001\n\nbody\n")
    rejected_reason(gw, "bad.1")
    assert gw.stop() == 0


@t.test
def unknown_sim_pin_is_rejected():
    gw = gateway()
    gw.drop("pinned", "To: +4917000000001\nSIM: 8944000000000000001\n\nx\n")
    assert "no configured SIM" in rejected_reason(gw, "pinned")
    assert gw.stop() == 0


@t.test
def same_id_is_queued_once():
    gw = gateway()
    gw.drop("a", "To: +4917000000001\nId: order-77\n\nYour order\n")
    wait_for(lambda: len(outbox(gw)) == 1, 5, "the first")
    gw.drop("b", "To: +4917000000001\nId: order-77\n\nYour order\n")
    wait_for(lambda: gone(gw, "b"), 5, "the duplicate to be taken")
    assert len(outbox(gw)) == 1
    wait_for(lambda: gw.count_events("Id 'order-77' was accepted before") == 1,
             5, "the duplicate event")
    assert gw.stop() == 0


@t.test
def files_waiting_before_start_and_crash_leftovers():
    gw = gateway()
    gw.drop("first", "To: +4917000000001\n\none\n")
    wait_for(lambda: len(outbox(gw)) == 1, 5, "the first file")
    assert gw.stop() == 0
    # Claimed but not committed when the daemon died: done at start.
    with open(os.path.join(gw.spool, "active", "claimed"), "w") as f:
        f.write("To: +4917000000002\n\ntwo\n")
    # Committed, but the daemon died before removing it: not again. (It
    # sits in active/ under its claim name, which the database knows.)
    claim = gw.scalar("select claim from spool_file where name = 'first'")
    assert claim and claim.startswith("first@"), claim
    with open(os.path.join(gw.spool, "active", claim), "w") as f:
        f.write("To: +4917000000001\n\none\n")
    # The same name and text dropped again later is a new message.
    with open(os.path.join(gw.spool, "outgoing", "first"), "w") as f:
        f.write("To: +4917000000001\n\none\n")
    # Dropped while the daemon was down.
    with open(os.path.join(gw.spool, "outgoing", "waiting"), "w") as f:
        f.write("To: +4917000000003\n\nthree\n")
    gw.start()
    wait_for(lambda: len(outbox(gw)) == 4, 5, "four rows")
    assert sorted(r["body"] for r in outbox(gw)) == ["one", "one", "three", "two"]
    for name in ("claimed", "first", "waiting", claim):
        wait_for(lambda: gone(gw, name), 5, f"{name} to be removed")
    assert os.listdir(os.path.join(gw.spool, "active")) == []
    assert gw.stop() == 0


@t.test
def a_thousand_malformed_files_all_rejected_daemon_alive():
    # Malformed by the strict rules (unknown headers, odd yes/no values).
    gw = gateway(strict_headers=True)
    src = tempdir("smsgw-bad-")
    entries = spool_malformed.generate(src, seed=7, count=1000, fs=True)
    for e in entries:
        name = e["name"].encode("latin-1")
        s = os.path.join(os.fsencode(src), name)
        d = os.path.join(os.fsencode(gw.spool), b"outgoing", name)
        if os.path.islink(s):
            os.symlink(os.readlink(s), d)
        elif os.path.isdir(s):
            os.mkdir(d)
        else:
            try:
                os.rename(s, d)
            except OSError:
                shutil.copyfile(s, d)
    # Symlinks, FIFOs and directories created in place give no close-write
    # event; a good file after them wakes nothing either, so the check is
    # on what inotify reports: every regular file and renamed entry.
    gw.drop("good", "To: +4917000000001\n\nstill working\n")
    wait_for(lambda: len(outbox(gw)) == 1, 30, "the good file after the bad ones")
    reasons = [n for n in os.listdir(os.path.join(gw.spool, "rejected"))
               if n.endswith(".reason")]
    regular = [e for e in entries if e["category"] not in ("file", "name")]
    assert len(reasons) >= len(regular), (len(reasons), len(regular))
    assert gw.running()
    assert gw.stop() == 0


t.done()
