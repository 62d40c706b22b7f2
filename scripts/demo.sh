#!/usr/bin/env bash
# demo.sh: a narrated zrep session on the local test hosts (see testhosts.sh).
# Builds zrep, brings the hosts up, pairs hosta:pa/demo with hostb:pb/demo,
# syncs, shows status on both hosts and checks the data by checksum.
# Safe to run again: it starts from a fresh pa/demo each time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

step "Building zrep and starting three isolated ZFS hosts (hosta, hostb, hostc)"
bash scripts/ensure-go.sh >/dev/null
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

on hosta zfs destroy -r pa/demo 2>/dev/null || true
on hostb zfs destroy -r pb/demo 2>/dev/null || true

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

step "Checksums of every file on both hosts"
a=$(checksum hosta pa/demo)
b=$(checksum hostb pb/demo)
echo "hosta:pa/demo $a"
echo "hostb:pb/demo $b"
if [[ $a != "$b" ]]; then
	echo "MISMATCH" >&2
	exit 1
fi
echo "identical."
