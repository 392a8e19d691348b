#!/usr/bin/env python3
"""The upward-call check of `make lint` (doc/architecture.md, "Layers").

Every layer is a folder built into its own archive; programs link the
archives top layer first without --start-group, so a function in a lower
layer that calls one in a higher layer does not link. This script says so
before the linker does, and says where: for every object file of layer L,
every undefined symbol must be defined in L, in a layer below L, or
outside the project (libc, SQLite, ...). A symbol defined in a layer above
L is reported with the calling file, the defining file and both layers.

    scripts/layercheck.py              check $BUILD/obj (after `make all`)
    scripts/layercheck.py --self-test  show the check and the link catch an
                                       injected upward call, then check

Environment: BUILD (default build); LAYERS, the layers top first as
"name:folder ..." (default: `make -s print-layers`); CC; LDLIBS.
"""
import os
import shutil
import subprocess
import sys
import tempfile

BUILD = os.environ.get("BUILD", "build")


def layers():
    """[(name, folder)], top layer first, as the Makefile links them."""
    spec = os.environ.get("LAYERS")
    if not spec:
        spec = subprocess.run(["make", "-s", "--no-print-directory",
                               "print-layers"], check=True,
                              capture_output=True, text=True).stdout
    return [tuple(w.split(":", 1)) for w in spec.split()]


def symbols(obj):
    """(defined, undefined) global symbols of one object file."""
    out = subprocess.run(["nm", "-P", obj], check=True, capture_output=True,
                         text=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        f = line.split()
        if len(f) < 2:
            continue
        if f[1] == "U":
            undefined.add(f[0])
        elif f[1].isupper() or f[1] in "vw":
            defined.add(f[0])
    return defined, undefined


def objects(layer_list):
    """{layer: [(source, object)]} for every .c in each layer's folder."""
    res = {}
    for name, folder in layer_list:
        res[name] = []
        for src in sorted(os.listdir(folder)):
            if not src.endswith(".c"):
                continue
            src = os.path.join(folder, src)
            obj = os.path.join(BUILD, "obj", src[:-2] + ".o")
            if not os.path.exists(obj):
                sys.exit(f"layercheck: {obj} missing; run `make all` first")
            res[name].append((src, obj))
    return res


def check(layer_list, objs):
    """The upward calls, as messages; empty when the order holds."""
    rank = {name: i for i, (name, _) in enumerate(layer_list)}
    where = {}                               # symbol -> (layer, source)
    table = []
    for name, _ in layer_list:
        for src, obj in objs[name]:
            d, u = symbols(obj)
            table.append((name, src, u))
            for s in d:
                where.setdefault(s, (name, src))
    bad = []
    for name, src, undefined in table:
        for s in sorted(undefined):
            if s not in where:
                continue                     # a system library's
            lname, lsrc = where[s]
            if rank[lname] < rank[name]:
                bad.append(f"layercheck: {src} ({name}) calls {s}, defined "
                           f"in {lsrc} ({lname}), a layer above {name}")
    return bad


PROBE = """/* injected by scripts/layercheck.py --self-test */
int %(sym)s(void);
int layercheck_probe(void);
int layercheck_probe(void) { return %(body)s; }
"""

# (layer the call is injected into, the symbol it calls, the file that
# defines it): the general rule (the bottom layer calls the top one), and
# the edge removed by issue 12 (the modem layer writes no database row; it
# reports upward through struct modem_listener).
PROBES = [
    (None, "daemon_run", "gateway/daemon/daemon.c", "daemon"),
    ("modem", "store_event", "gateway/store/store.c", "store"),
]


def self_test_one(layer_list, objs, tmp, into, sym, lsrc, lname):
    """Inject a call from layer into to sym (defined in lsrc, layer lname)
    and require both the check and the link in layer order to reject it."""
    cc = os.environ.get("CC", "cc")
    ldlibs = os.environ.get("LDLIBS", "").split()

    def build(body, tag):
        src = os.path.join(tmp, f"probe_{into}_{tag}.c")
        obj = src[:-2] + ".o"
        with open(src, "w") as f:
            f.write(PROBE % {"sym": sym, "body": body})
        subprocess.run([cc, "-c", "-o", obj, src], check=True)
        return obj

    def link(probe):
        libs = []
        for name, _ in layer_list:
            lib = os.path.join(BUILD, f"lib{name}.a")
            if name == into:
                lib2 = os.path.join(tmp, f"lib{name}.a")
                shutil.copy(lib, lib2)
                subprocess.run(["ar", "rs", lib2, probe], check=True)
                lib = lib2
            libs.append(lib)
        main = os.path.join(tmp, "main.c")
        with open(main, "w") as f:
            f.write("int layercheck_probe(void);\n"
                    "int main(void) { return layercheck_probe(); }\n")
        return subprocess.run([cc, "-o", os.path.join(tmp, "a.out"),
                               main] + libs + ldlibs,
                              capture_output=True, text=True)

    up = build(f"{sym}()", "up")
    ok = build("0", "ok")
    folder = dict(layer_list)[into]
    fake = f"{folder}/injected.c"
    injected = dict(objs)
    injected[into] = objs[into] + [(fake, up)]
    bad = check(layer_list, injected)
    want = (f"layercheck: {fake} ({into}) calls {sym}, defined in "
            f"{lsrc} ({lname})")
    if len(bad) != 1 or not bad[0].startswith(want):
        print("layercheck: self-test: the check missed an injected "
              f"upward call {into} -> {sym}; got {bad!r}")
        return False
    r_up, r_ok = link(up), link(ok)
    if r_up.returncode == 0 or sym not in r_up.stderr:
        print(f"layercheck: self-test: an upward call {into} -> {sym} "
              "linked; the archives are not linked in layer order")
        return False
    if r_ok.returncode != 0:
        print("layercheck: self-test: the control link failed:\n"
              + r_ok.stderr)
        return False
    print(f"layercheck: self-test ok (injected {into} -> {sym}: "
          "reported, and the link in layer order failed)")
    return True


def self_test(layer_list, objs):
    """Every probe of PROBES must be reported and must fail to link."""
    bottom = layer_list[-1][0]
    tmp = tempfile.mkdtemp(prefix="layercheck.")
    try:
        ok = True
        for into, sym, lsrc, lname in PROBES:
            ok = self_test_one(layer_list, objs, tmp, into or bottom, sym,
                               lsrc, lname) and ok
        return ok
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    layer_list = layers()
    objs = objects(layer_list)
    ok = True
    if "--self-test" in sys.argv[1:]:
        ok = self_test(layer_list, objs)
    bad = check(layer_list, objs)
    for m in bad:
        print(m)
    if bad:
        print("layercheck: move the caller up or the callee down, or pass "
              "the call in as a callback (doc/architecture.md)")
    return 0 if ok and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
