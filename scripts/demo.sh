#!/usr/bin/env bash
# demo.sh: a narrated zrep session on the local test hosts (see testhosts.sh).
# Builds zrep, brings the hosts up, pairs hosta:pa/demo with hostb:pb/demo,
# syncs, shows status on both hosts, fails the pair over to hostb and back,
# and checks the data by checksum after each step.
# Safe to run again: it starts from a fresh pa/demo each time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Building zrep and starting three isolated ZFS hosts (hosta, hostb, hostc)"
eval "$(bash scripts/ensure-go.sh)" # a Go that builds zrep, also on a stock Debian 12
go build -o bin/zrep .
bash scripts/testhosts.sh up
STATE=${ZREP_TESTHOSTS_DIR:-/var/lib/zrep-testhosts}
ZREP=$PWD/bin/zrep
# on HOST CMD...: run on a test host, as root with the hosts' ssh config.
on() {
	local h=$1
	shift
	HOME=$STATE/home bash scripts/testhosts.sh exec "$h" "$@"
}
checksum() { on "$1" sh -c 'zfs mount "$1" 2>/dev/null; cd "$(zfs get -H -o value mountpoint "$1")" && find . -type f | sort | xargs sha256sum | sha256sum | cut -c1-16' sh "$2"; }

# gone HOST DS: destroy DS from an earlier run; zfs-fuse may say "busy" for a
# few seconds after an unmount.
gone() {
	local n
	for ((n = 0; n < 40; n++)); do
		on "$1" zfs list "$2" >/dev/null 2>&1 || return 0
		on "$1" zfs destroy -r "$2" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "demo: cannot destroy $1:$2 left by an earlier run; run scripts/testhosts.sh down, then this again" >&2
	exit 1
}
gone hosta pa/demo
gone hostb pb/demo

step "On hosta: a filesystem with some files"
on hosta zfs create pa/demo
on hosta sh -c 'cd /pa/demo && for i in 1 2 3; do head -c 2M /dev/urandom > file$i; done; ls -l'

step "On hosta: pair pa/demo with hostb:pb/demo (first full copy over SSH)"
on hosta "$ZREP" init pa/demo hostb pb/demo

step "On hosta: more data, then sync (silent on success, as under cron)"
on hosta sh -c 'head -c 4M /dev/urandom > /pa/demo/file4'
show on hosta "$ZREP" sync pa/demo
echo "(exit $?)"

step "Status on both hosts"
show on hosta "$ZREP" status -v -a
show on hostb "$ZREP" status -v -a
show on hostb "$ZREP" list -v pb/demo

step "Sync again, via the cron line"
on hosta sh -c 'echo changed >> /pa/demo/file1'
show on hosta "$ZREP" sync all
on hosta zfs list -t snapshot -o name,used -r pa/demo
on hostb zfs list -t snapshot -o name,used -r pb/demo

# same: the files on both sides are identical, or the demo fails.
same() {
	local a b
	a=$(checksum hosta pa/demo)
	b=$(checksum hostb pb/demo)
	echo "hosta:pa/demo $a"
	echo "hostb:pb/demo $b"
	if [[ $a != "$b" ]]; then
		echo "MISMATCH" >&2
		exit 1
	fi
	echo "identical."
}

step "Checksums of every file on both hosts"
same

step "Planned failover: hostb becomes master, hosta its read-only replica"
show on hosta "$ZREP" failover pa/demo
on hostb sh -c 'echo "written on hostb" > /pb/demo/from-b'
show on hostb "$ZREP" sync pb/demo
show on hostb "$ZREP" status -v
same

step "Fail back, from hosta's side this time"
show on hosta "$ZREP" takeover pa/demo
show on hosta "$ZREP" status -v
same
