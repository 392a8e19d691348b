#!/bin/sh
# make lint: cppcheck over the daemon's code, plus the project's own rules
# (STYLE.md): no sleeping in the daemon, SQL only with bound parameters,
# files of a readable size. Exits non-zero when a rule is broken.
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
if grep -nE '\b(u?sleep|nanosleep)\s*\(' gateway/*.c drivers/*.c drivers/*/*.c 2>/dev/null; then
	echo "lint: the daemon must not sleep (STYLE.md, one event loop)"
	fail=1
fi

# SQL goes through prepared statements; sqlite3_exec only with literals.
# (store.c's own exec() helper runs the literal pragmas and migrations.)
if grep -nE 'sqlite3_exec\([^,]+, *[a-z_]+[,)]' gateway/*.c 2>/dev/null |
   grep -v '"' | grep -v '^gateway/store.c:'; then
	echo "lint: sqlite3_exec with a non-literal statement"
	fail=1
fi

# The modem's state machine (doc/modem-lifecycle.md): only modem_fsm.c
# assigns a state or starts the init program.
if grep -nE 'fsm\.state *=[^=]|&modem_prog_init\b' gateway/*.c 2>/dev/null |
   grep -v '^gateway/modem_fsm.c:' | grep -v 'modem_prog_init = '; then
	echo "lint: a modem's state changes only in gateway/modem_fsm.c"
	fail=1
fi

# Files stay readable; past ~600 lines a file should split.
for f in gateway/*.c drivers/*.c drivers/*/*.c include/*.h tests/modemsim/*.c; do
	[ -e "$f" ] || continue
	n=$(wc -l < "$f")
	[ "$n" -gt 700 ] && echo "lint: $f has $n lines (split it along its seams)" && fail=1
done

[ "$fail" -eq 0 ] && echo "lint: ok"
exit "$fail"
