#!/bin/sh
# Install the Debian packages smsgw needs to build and test, or say how.
#
# As root, anything missing is installed with apt-get. Otherwise the exact
# apt-get line is printed and the script fails, so `make check` stops with
# an instruction instead of a compiler error.
set -eu

build="gcc make pkg-config libserialport-dev libsqlite3-dev libconfuse-dev libpcre2-dev libssl-dev
       libmicrohttpd-dev libjansson-dev libcurl4-openssl-dev libpq-dev"
test="sqlite3 postgresql-15 python3 socat valgrind gammu smstools faketime tzdata util-linux chromium"
pkgs="$build $test ${SMSGW_EXTRA_DEPS:-}"

missing=""
for p in $pkgs; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# smstools' package would start its own smsd; nothing of ours needs it.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
	exit 0
fi

echo "deps: missing Debian packages:$missing" >&2
echo "deps: run:  sudo apt-get install -y$missing" >&2
exit 1
