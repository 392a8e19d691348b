#!/bin/sh
# make lint: cppcheck over the daemon's code, plus the project's own rules
# (doc/style.md): no sleeping in the daemon, SQL only with bound parameters
# and only in the store layer (scripts/sqlcheck.py),
# files of a readable size, and no call from a layer to a layer above it
# (scripts/layercheck.py, doc/architecture.md). Exits non-zero when a rule
# is broken. `make lint` builds the objects the layer check reads.
set -u
cd "$(dirname "$0")/.."
fail=0

if command -v cppcheck >/dev/null 2>&1; then
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability \
		--inline-suppr --suppress=missingIncludeSystem -Iinclude \
		-D_GNU_SOURCE gateway drivers tests/modemsim || fail=1
else
	echo "lint: cppcheck not installed (apt-get install cppcheck); skipped"
fi

# The daemon never sleeps: timers and the event loop only.
if grep -nE '\b(u?sleep|nanosleep)\s*\(' gateway/*/*.c drivers/*.c drivers/*/*.c 2>/dev/null; then
	echo "lint: the daemon must not sleep (doc/style.md, one event loop)"
	fail=1
fi

# SQL goes through prepared statements; sqlite3_exec only with literals.
# (store.c's own exec() helper runs the literal pragmas and migrations.)
if grep -nE 'sqlite3_exec\([^,]+, *[a-z_]+[,)]' gateway/*/*.c 2>/dev/null |
   grep -v '"' | grep -v '^gateway/store/store.c:'; then
	echo "lint: sqlite3_exec with a non-literal statement"
	fail=1
fi

# No SQL outside the store layer: no sqlite3_* call (in the source or the
# object), no sqlite3.h, no statement text (doc/architecture.md, "The
# storage interface"); the self-test shows an injected call is caught.
python3 scripts/sqlcheck.py --self-test || fail=1

# The modem's state machine (doc/modem-lifecycle.md): only modem_fsm.c
# assigns a state or starts the init program.
if grep -nE 'fsm\.state *=[^=]|&modem_prog_init\b' gateway/*/*.c 2>/dev/null |
   grep -v '^gateway/modem/modem_fsm.c:' | grep -v 'modem_prog_init = '; then
	echo "lint: a modem's state changes only in gateway/modem/modem_fsm.c"
	fail=1
fi
# ... and there in one function, modem_fsm_enter().
if awk '/^[a-z].*\(/ { fn = $0 } /fsm\.state *=[^=]/ && fn !~ /modem_fsm_enter\(/ {
	print FILENAME ":" FNR ": " $0 "  (in: " fn ")"; bad = 1 } END { exit !bad }' \
	gateway/modem/modem_fsm.c; then
	echo "lint: a modem's state is assigned only in modem_fsm_enter()"
	fail=1
fi

# Each capability of a modem writes only its own part of struct modem
# (doc/modem-lifecycle.md, "Who owns what").
python3 scripts/modemowners.py --self-test || fail=1

# Statics carry their module's prefix (doc/style.md), in every folder of
# the daemon's code (gateway/store/pg too).
python3 scripts/staticcheck.py --self-test $(find gateway drivers -type d) ||
	fail=1

# Files stay readable; past ~600 lines a file should split.
for f in gateway/*/*.[ch] drivers/*.c drivers/*/*.c include/*.h tests/modemsim/*.c; do
	[ -e "$f" ] || continue
	n=$(wc -l < "$f")
	[ "$n" -gt 700 ] && echo "lint: $f has $n lines (split it along its seams)" && fail=1
done

# Every .c has its header, or is a part named in doc/architecture.md with
# the header that declares it; every include/*.h is some layer's.
python3 scripts/headercheck.py --self-test || fail=1

# Sources live in a layer's folder, never in gateway/ itself.
for f in gateway/*.c gateway/*.h; do
	[ -e "$f" ] || continue
	echo "lint: $f is in no layer; move it to gateway/<layer>/ (doc/architecture.md)"
	fail=1
done

# No layer calls a layer above it; the self-test shows an injected upward
# call is caught, both by this check and by the link in layer order.
if command -v nm >/dev/null 2>&1; then
	python3 scripts/layercheck.py --self-test || fail=1
else
	echo "lint: nm not installed (binutils); layer check skipped"
fi

[ "$fail" -eq 0 ] && echo "lint: ok"
exit "$fail"
