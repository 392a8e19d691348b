#!/usr/bin/env python3
"""The no-SQL-outside-the-store check of `make lint` (doc/architecture.md,
"The storage interface").

Every query lives in gateway/store/ behind a named function or a named
query (include/store_query.h), so that a second backend (PostgreSQL,
doc/reliability.md) replaces one folder. Outside gateway/store/ and
tests/, this check fails on

  - a call of a sqlite3_* function, in the source or as an undefined
    symbol of the object file (a macro cannot hide it there);
  - an #include of <sqlite3.h> (include/store.h, the store modules' shared
    header, is the one header that still carries SQLite's types);
  - a string literal that starts a statement: "SELECT ", "INSERT INTO",
    "UPDATE x SET", "DELETE FROM", "WITH x AS", "PRAGMA ", "VACUUM",
    "ATTACH ".

    scripts/sqlcheck.py              check the tree (objects: after make)
    scripts/sqlcheck.py --self-test  show an injected call, include and
                                     statement are caught, then check

Environment: BUILD (default build); CC.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

BUILD = os.environ.get("BUILD", "build")

# Files outside gateway/store/ that still speak SQLite, each with why.
# The list may only shrink; the check fails on a file here that no longer
# needs it, so a stale entry does not hide a new call.
ALLOW = {
    # Empty: sqlin's reads of the SQLite file (PRAGMA data_version,
    # outbox_in, sqlite_schema) are store/store_intake.c's. A file that
    # must keep SQL for a while is named here with the reason.
}

CALL = re.compile(r"\bsqlite3_[a-z0-9_]+\s*\(")
INCLUDE = re.compile(r"#\s*include\s*[<\"]sqlite3\.h[>\"]")
STATEMENT = re.compile(r"\"\s*(SELECT\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|"
                       r"UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|"
                       r"WITH\s+\w+\s+AS\b|PRAGMA\s|VACUUM\b|ATTACH\s)")


def sources():
    """The C sources and headers outside the store layer and the tests."""
    files = glob.glob("gateway/*/*.[ch]") + glob.glob("drivers/*.[ch]") + \
        glob.glob("drivers/*/*.[ch]") + glob.glob("include/*.h")
    return sorted(f for f in files
                  if not f.startswith("gateway/store/")
                  and f != "include/store.h")


def strip_comments(text):
    """The text with /* */ and // comments blanked (lines kept)."""
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group()),
                  text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def check_text(path, text):
    """The findings in one file's text, as messages."""
    bad = []
    for n, line in enumerate(strip_comments(text).splitlines(), 1):
        for rx, what in ((CALL, "calls SQLite"),
                         (INCLUDE, "includes sqlite3.h"),
                         (STATEMENT, "holds an SQL statement")):
            m = rx.search(line)
            if m:
                found = m.group().strip().rstrip("(").strip().lstrip('"')
                bad.append(f"sqlcheck: {path}:{n}: {what} "
                           f"({found.strip()}) outside gateway/store/")
    return bad


def check_object(src, obj):
    """sqlite3_* symbols the object file of src needs."""
    out = subprocess.run(["nm", "-P", obj], check=True, capture_output=True,
                         text=True).stdout
    return [f"sqlcheck: {src} ({obj}) links {f[0]} outside gateway/store/"
            for f in (line.split() for line in out.splitlines())
            if len(f) >= 2 and f[1] == "U" and f[0].startswith("sqlite3_")]


def check():
    bad = []
    stale = []
    for path in sources():
        with open(path, encoding="utf-8", errors="replace") as f:
            found = check_text(path, f.read())
        obj = os.path.join(BUILD, "obj", path[:-2] + ".o")
        if path.endswith(".c") and os.path.exists(obj):
            found += check_object(path, obj)
        if path in ALLOW:
            if not found:
                stale.append(f"sqlcheck: {path} is allowed SQL but has "
                             "none; take it off ALLOW in scripts/sqlcheck.py")
            continue
        bad += found
    return bad + stale


def self_test():
    """An injected call, include and statement in a copy of a daemon file,
    and an object that calls SQLite, must each be reported."""
    src = "gateway/daemon/http.c"
    with open(src, encoding="utf-8") as f:
        text = f.read()
    if check_text(src, text):
        print(f"sqlcheck: self-test: {src} is not clean to start with")
        return False
    cases = {
        "call": "static int probe(void *db) { return sqlite3_exec(db, "
                "0, 0, 0, 0); }\n",
        "include": "#include <sqlite3.h>\n",
        "statement": "static const char probe[] = \"SELECT id FROM "
                     "message\";\n",
    }
    for what, inject in cases.items():
        if not check_text(src, text + inject):
            print(f"sqlcheck: self-test: an injected {what} was missed")
            return False
    cc = os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory(prefix="sqlcheck.") as tmp:
        probe = os.path.join(tmp, "probe.c")
        obj = os.path.join(tmp, "probe.o")
        with open(probe, "w") as f:
            # Through a macro: the source check cannot see this call.
            f.write("#define V(x) x##_libversion\n"
                    "const char *V(sqlite3)(void);\n"
                    "const char *probe(void) { return V(sqlite3)(); }\n")
        subprocess.run([cc, "-c", "-o", obj, probe], check=True)
        with open(probe) as f:
            if check_text(probe, f.read()) or not check_object(probe, obj):
                print("sqlcheck: self-test: a call through a macro was not "
                      "caught by its object's symbols")
                return False
    print("sqlcheck: self-test ok (injected sqlite3_exec call, sqlite3.h "
          "include, SELECT statement and a macro-hidden call: reported)")
    return True


def main():
    ok = True
    if "--self-test" in sys.argv[1:]:
        ok = self_test()
    bad = check()
    for m in bad:
        print(m)
    if bad:
        print("sqlcheck: queries live in gateway/store/, behind a function "
              "or a named query of include/store_query.h "
              "(doc/architecture.md)")
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
