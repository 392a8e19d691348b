#!/bin/sh
# Build every tests/fuzz/fuzz_*.c as a libFuzzer target and run each one for
# FUZZ_SECONDS on its corpus (`make fuzz`).
#
#   scripts/fuzz.sh              every target
#   scripts/fuzz.sh pdu spool    only fuzz_pdu and fuzz_spool
#
# Environment: BUILD (default build), FUZZ_SECONDS (default 60 per target),
# CLANG (default clang), FUZZ_FLAGS (extra libFuzzer flags, e.g. -jobs=2).
#
# The library sources (gateway/<layer>/*.c, drivers/*.c, drivers/<vendor>/*.c
# and the generated driver table, but the mains) are
# compiled with clang, ASan and UBSan and coverage instrumentation
# (-fsanitize=fuzzer-no-link); only the target itself gets
# -fsanitize=fuzzer, which links libFuzzer's main. New interesting inputs
# go to $BUILD/fuzz/corpus/<name>/, never to the committed corpus in
# tests/fuzz/corpus/<name>/; crashes go to $BUILD/fuzz/artifacts/.
set -eu

BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
FUZZ_FLAGS=${FUZZ_FLAGS:-}
out=$BUILD/fuzz

command -v "$CLANG" >/dev/null 2>&1 || {
	echo "fuzz: $CLANG not found (Debian: apt-get install clang)" >&2
	exit 1
}

version=$(cat VERSION 2>/dev/null || echo 0.0.0)
pkgs="libserialport sqlite3 libconfuse libpcre2-8 libmicrohttpd jansson libcurl libcrypto libpq"
# shellcheck disable=SC2086
pkg_cflags=$(pkg-config --cflags $pkgs 2>/dev/null || true)
# shellcheck disable=SC2086
pkg_libs=$(pkg-config --libs $pkgs 2>/dev/null || true)
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
cflags="-g -O1 -fno-omit-frame-pointer -std=gnu11 -Iinclude -Itests
	-D_GNU_SOURCE -DSMSGW_VERSION=\"$version\" $pkg_cflags"

mkdir -p "$out/obj" "$out/artifacts"

# The instrumented library, rebuilt when a source or any header is newer.
newest_header=$(ls -t include/*.h gateway/*/*.h | head -n 1)
objs=""
# The vendors' tables and the generated list of them (make writes it):
# the drivers' own forms (signal URCs, identity prefixes) are fuzzed too.
for src in gateway/*/*.c drivers/*.c drivers/*/*.c "$BUILD/gen/driver_table.c"; do
	[ -e "$src" ] || continue
	case "$src" in gateway/*/main_*) continue ;; esac
	obj="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] ||
	   [ "$newest_header" -nt "$obj" ]; then
		echo "fuzz: cc $src"
		# shellcheck disable=SC2086
		"$CLANG" $cflags $san -fsanitize=fuzzer-no-link -c \
			-o "$obj" "$src"
	fi
	objs="$objs $obj"
done
rm -f "$out/libsmsgw-fuzz.a"
# shellcheck disable=SC2086
ar rcs "$out/libsmsgw-fuzz.a" $objs

status=0
for target in tests/fuzz/fuzz_*.c; do
	[ -e "$target" ] || continue
	name=${target#tests/fuzz/fuzz_}
	name=${name%.c}
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	bin="$out/fuzz_$name"
	echo "fuzz: building $bin"
	# shellcheck disable=SC2086
	"$CLANG" $cflags $san -fsanitize=fuzzer -o "$bin" "$target" \
		"$out/libsmsgw-fuzz.a" $pkg_libs -lm
	corpus=tests/fuzz/corpus/$name
	scratch=$out/corpus/$name
	mkdir -p "$corpus" "$scratch"
	echo "fuzz: running fuzz_$name for ${FUZZ_SECONDS}s"
	# shellcheck disable=SC2086
	if ! "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
		-print_final_stats=1 \
		-artifact_prefix="$out/artifacts/$name-" $FUZZ_FLAGS \
		"$scratch" "$corpus"; then
		echo "fuzz: fuzz_$name FAILED; inputs in $out/artifacts/" >&2
		status=1
	fi
done
exit $status
