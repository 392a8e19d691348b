#!/bin/sh
# The users, groups and directories smsgw runs with; what a Debian postinst
# would do. Idempotent: what exists is kept (a missing membership is added).
# `make install` runs it when installing as root without DESTDIR; run it
# yourself (as root) after a DESTDIR or package build.
#
#   smsgw        the daemon's user and group: reads /etc/smsgw/smsgw.conf
#                (0640 root:smsgw: SIM PINs, secrets), owns the database
#   smsgw-send   senders: may write into the spool, never read the config
#   smsgw-read   readers of replies and reports: may read the database
#
# Neither smsgw-send nor smsgw-read is the daemon's group, so neither can
# read the configuration. The daemon is in smsgw-send (it reads the files
# senders drop) and dialout (the modems' ttys).
#
# DESTDIR=/some/root applies the changes to that tree's /etc/passwd and
# /etc/group (useradd --prefix) and chowns with its numeric ids.
set -eu
D=${DESTDIR:-}
DAEMON=${SMSGW_USER:-smsgw}
SEND=${SMSGW_SEND_GROUP:-smsgw-send}
READ=${SMSGW_READ_GROUP:-smsgw-read}
SPOOL=${SMSGW_SPOOL:-/var/spool/smsgw}
STATE=${SMSGW_STATE:-/var/lib/smsgw}
CONF=${SMSGW_CONF:-/etc/smsgw/smsgw.conf}

[ "$(id -u)" -eq 0 ] || { echo "install-users: run as root" >&2; exit 1; }
prefix=""
[ -n "$D" ] && prefix="--prefix $D"

# Numeric ids from the tree's own files, so DESTDIR trees work too.
gid_of() { awk -F: -v n="$1" '$1 == n { print $3 }' "$D/etc/group"; }
uid_of() { awk -F: -v n="$1" '$1 == n { print $3 }' "$D/etc/passwd"; }
members() { awk -F: -v n="$1" '$1 == n { print $4 }' "$D/etc/group"; }

for g in "$DAEMON" "$SEND" "$READ"; do
	if [ -z "$(gid_of "$g")" ]; then
		echo "install-users: group $g"
		# shellcheck disable=SC2086
		groupadd $prefix --system "$g"
	fi
done
supp="$SEND"
[ -n "$(gid_of dialout)" ] && supp="dialout,$SEND"
if [ -z "$(uid_of "$DAEMON")" ]; then
	echo "install-users: user $DAEMON (groups $supp)"
	# shellcheck disable=SC2086
	useradd $prefix --system --gid "$DAEMON" --groups "$supp" \
		--home-dir "$STATE" --no-create-home --shell /usr/sbin/nologin \
		--comment "smsgw SMS gateway" "$DAEMON"
else
	for g in $(echo "$supp" | tr , ' '); do
		case ",$(members "$g")," in
		*",$DAEMON,"*) ;;
		*)
			echo "install-users: adding $DAEMON to $g"
			# shellcheck disable=SC2086
			usermod $prefix --append --groups "$g" "$DAEMON"
			;;
		esac
	done
fi

uid=$(uid_of "$DAEMON")
gid=$(gid_of "$DAEMON")
send=$(gid_of "$SEND")
read=$(gid_of "$READ")
# The spool: senders write, new files take the group (setgid).
install -d -o "$uid" -g "$send" -m 2770 "$D$SPOOL"
# The database: the daemon writes, readers read; -wal/-shm take the group.
install -d -o "$uid" -g "$read" -m 2750 "$D$STATE"
# The configuration: root writes, the daemon and administrators read.
if [ -e "$D$CONF" ]; then
	chown 0:"$gid" "$D$CONF"
	chmod 0640 "$D$CONF"
fi
# Before the groups were split, senders were told to join the daemon's
# group: they would read the config now.
others=$(members "$DAEMON" | tr , '\n' | grep -vx "$DAEMON" | tr '\n' ' ' || true)
if [ -n "$others" ]; then
	echo "install-users: warning: group $DAEMON has members who can read $CONF:" \
	     "$others; senders belong in $SEND, readers in $READ" \
	     "(gpasswd -d USER $DAEMON)" >&2
fi
echo "install-users: $DAEMON ($uid:$gid), $SEND ($send), $READ ($read);" \
     "$SPOOL 2770 $DAEMON:$SEND, $STATE 2750 $DAEMON:$READ, $CONF 0640 root:$DAEMON"
