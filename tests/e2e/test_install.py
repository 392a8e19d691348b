"""`make install` into a DESTDIR: the files, their modes, the unit's user and
groups; as root also who may read the installed configuration (setpriv with
test uids, no real users needed) and `make install-users` on a copy of
/etc/passwd and /etc/group."""
import grp
import os
import pwd
import shutil
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from gateway import BUILD, ROOT, tempdir  # noqa: E402
from tap import Tap  # noqa: E402

t = Tap()
ROOT_USER = os.geteuid() == 0


def make(*args, env=None):
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, f"BUILD={BUILD}",
                        *args], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, **(env or {})))
    assert p.returncode == 0, p.stdout + p.stderr
    return p.stdout


def installed():
    d = tempdir("smsgw-install-")
    os.chmod(d, 0o755)      # test uids must reach the files inside
    # -o: install what `make check` built, never relink it here, since
    # other tests run build/smsgwd meanwhile (a relink mid-run made one
    # fail with "Permission denied").
    keep = [a for p in ("smsgwd", "smsgw", "smsgw-modemsim", "90-smsgw.rules")
            for a in ("-o", os.path.join(BUILD, p))]
    out = make("install", f"DESTDIR={d}", "PREFIX=/usr", *keep)
    return d, out


def free_ids(n, start=64100):
    """n numbers unused as uid and gid on this machine."""
    ids, i = [], start
    while len(ids) < n:
        try:
            pwd.getpwuid(i)
        except KeyError:
            try:
                grp.getgrgid(i)
            except KeyError:
                ids.append(i)
        i += 1
    return ids


def as_uid(uid, gid, groups, *argv):
    g = ",".join(str(x) for x in groups) if groups else None
    cmd = ["setpriv", f"--reuid={uid}", f"--regid={gid}"]
    cmd += [f"--groups={g}"] if g else ["--clear-groups"]
    return subprocess.run(cmd + list(argv), capture_output=True, text=True, timeout=30)


@t.test
def destdir_install_needs_no_users_and_keeps_the_config_private():
    with open("/etc/group") as f:
        groups_before = f.read()
    d, out = installed()
    with open("/etc/group") as f:
        assert f.read() == groups_before, "a DESTDIR install changed /etc/group"
    assert "make install-users" in out, out
    conf = os.path.join(d, "etc/smsgw/smsgw.conf")
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o640, oct(os.stat(conf).st_mode)
    for f in ("usr/sbin/smsgwd", "usr/bin/smsgw", "lib/udev/rules.d/90-smsgw.rules",
              "usr/share/man/man5/smsgw.conf.5"):
        assert os.path.exists(os.path.join(d, f)), f
    with open(os.path.join(d, "lib/systemd/system/smsgw.service")) as f:
        unit = f.read().splitlines()
    for want in ("User=smsgw", "Group=smsgw", "UMask=0007",
                 "ExecStartPre=/usr/sbin/smsgwd -t -c /etc/smsgw/smsgw.conf"):
        assert want in unit, want
    supp = [x for x in unit if x.startswith("SupplementaryGroups=")]
    assert supp and "smsgw-send" in supp[0].split("=")[1].split(), supp
    # Neither the senders' nor the readers' group is the daemon's group.
    assert "smsgw-read" not in supp[0]


@t.test
def daemon_uid_checks_the_installed_config_a_sender_cannot_read_it():
    if not ROOT_USER:
        print("# skipped: needs root (setpriv to test uids)")
        return
    d, _ = installed()
    conf = os.path.join(d, "etc/smsgw/smsgw.conf")
    smsgwd = os.path.join(d, "usr/sbin/smsgwd")
    daemon, send, sender, read, reader = free_ids(5)
    # What install-users does with the real group smsgw, with a test gid.
    os.chown(conf, 0, daemon)
    p = as_uid(daemon, daemon, [send], smsgwd, "-t", "-c", conf)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "configuration ok" in p.stdout, p.stdout
    # A sender (in the spool's group) and a reader of replies cannot.
    for uid, gid in ((sender, send), (reader, read)):
        p = as_uid(uid, uid, [gid], smsgwd, "-t", "-c", conf)
        assert p.returncode == 1, p
        assert f"{conf}: Permission denied" in p.stderr, p.stderr
        p = as_uid(uid, uid, [gid], "cat", conf)
        assert p.returncode != 0 and p.stdout == "", p
    # The CLI of a sender falls back to the default spool and says so.
    p = as_uid(sender, sender, [send], os.path.join(d, "usr/bin/smsgw"), "-c", conf,
               "status")
    assert "readable only by smsgwd and administrators; using the default spool" \
        " /var/spool/smsgw" in p.stderr, p.stderr
    # The same check would notice a config that leaks.
    os.chmod(conf, 0o644)
    p = as_uid(sender, sender, [send], "cat", conf)
    assert p.returncode == 0, "the setpriv check cannot fail"


@t.test
def install_users_creates_groups_and_owners_in_a_tree():
    if not ROOT_USER:
        print("# skipped: needs root (useradd --prefix, chown)")
        return
    d, _ = installed()
    etc = os.path.join(d, "etc")
    for f in ("passwd", "group", "shadow", "gshadow", "login.defs"):
        if os.path.exists(os.path.join("/etc", f)):
            shutil.copy2(os.path.join("/etc", f), os.path.join(etc, f))
    with open("/etc/group") as f:
        groups_before = f.read()
    for _ in range(2):      # idempotent
        make("install-users", f"DESTDIR={d}")
    # A sender left in the daemon's group (the old instructions) is named.
    subprocess.run(["groupadd", "--prefix", d, "smsgw-old-sender"], check=True)
    subprocess.run(["useradd", "--prefix", d, "--no-create-home", "-G", "smsgw",
                    "-g", "smsgw-old-sender", "oldsender"], check=True)
    p = subprocess.run(["make", "--no-print-directory", "-C", ROOT, f"BUILD={BUILD}",
                        "install-users", f"DESTDIR={d}"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "group smsgw has members who can read" in p.stderr and "oldsender" in p.stderr, \
        p.stderr
    with open("/etc/group") as f:
        assert f.read() == groups_before, "install-users with DESTDIR changed /etc/group"

    def table(name):
        with open(os.path.join(etc, name)) as f:
            return {x.split(":")[0]: x.rstrip("\n").split(":") for x in f}
    groups, users = table("group"), table("passwd")
    for g in ("smsgw", "smsgw-send", "smsgw-read"):
        assert g in groups, g
    assert users["smsgw"][3] == groups["smsgw"][2], "primary group is smsgw"
    assert "smsgw" in groups["smsgw-send"][3].split(","), groups["smsgw-send"]
    assert "smsgw" not in groups["smsgw-read"][3].split(","), groups["smsgw-read"]
    assert groups["smsgw"][3].split(",") == ["oldsender"], groups["smsgw"]
    if "dialout" in groups:
        assert "smsgw" in groups["dialout"][3].split(","), groups["dialout"]
    uid, gid = int(users["smsgw"][2]), int(groups["smsgw"][2])
    send, read = int(groups["smsgw-send"][2]), int(groups["smsgw-read"][2])
    st = os.stat(os.path.join(d, "etc/smsgw/smsgw.conf"))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, gid, 0o640), st
    st = os.stat(os.path.join(d, "var/spool/smsgw"))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, send, 0o2770), st
    st = os.stat(os.path.join(d, "var/lib/smsgw"))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (uid, read, 0o2750), st


t.done()
