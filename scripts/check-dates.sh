#!/bin/sh
# Runs the unit tests under libfaketime at dates where clocks go wrong:
# a year ahead, a minute before Europe/Berlin springs forward (in that
# zone), and past 2038-01-19 (a 32-bit time_t wraps). Each run ends with
# tests/run's "N passed, N failed"; the last line sums them.
#
# The fake time is an offset from now ("+Ns"), not "@date": libfaketime
# parses a date in each process's own TZ, an offset means the same instant
# in every zone. Tests that inject their own clock (clock_set_source) keep
# it; the rest see the faked CLOCK_REALTIME.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
command -v faketime >/dev/null ||
	{ echo "check-dates: faketime is missing (apt-get install faketime)" >&2; exit 1; }

year_ahead=$(date -u -d '+1 year' '+%Y-%m-%d %H:%M:%S')
passed=0 failed=0
for spec in "UTC|$year_ahead" \
	    "Europe/Berlin|2027-03-28 00:59:00" \
	    "Europe/Berlin|2038-06-01 12:00:00"; do
	zone=${spec%%|*} when=${spec#*|}
	offset=$(( $(date -u -d "$when" +%s) - $(date -u +%s) ))
	echo "== unit tests at $when UTC, TZ=$zone (faketime +${offset}s):" \
		"the tests see $(TZ=$zone faketime -f "+${offset}s" date '+%F %T %Z')"
	out=$(TZ=$zone faketime -f "+${offset}s" python3 tests/run --only unit) || true
	printf '%s\n' "$out" | grep -v '^ok ' || true
	line=$(printf '%s\n' "$out" | tail -n 1)
	case "$line" in
	*" passed, "*" failed") ;;
	*) line="0 passed, 1 failed" ;;
	esac
	passed=$((passed + ${line%% passed*}))
	f=${line#* passed, }
	failed=$((failed + ${f%% failed*}))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
