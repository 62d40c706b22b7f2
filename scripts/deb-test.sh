#!/usr/bin/env bash
# deb-test.sh: build the .deb, install it with dpkg into a throwaway root
# (dpkg --root, its own package database) and run zrep from there: the
# package installs, holds what it should, and `zrep --version` runs from it.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=$(bash scripts/deb.sh "$work/dist")
root=$work/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpkg --root="$root" --log=/dev/null -i "$deb" >/dev/null
fail() { echo "deb-test.sh: $*" >&2; exit 1; }
dpkg --root="$root" -s zrep | grep -q '^Status: install ok installed$' || fail "zrep not installed in $root"
for f in usr/sbin/zrep usr/share/man/man8/zrep.8.gz usr/share/man/man8/zrep-sync.8.gz \
	usr/share/bash-completion/completions/zrep usr/share/zsh/vendor-completions/_zrep \
	usr/share/fish/vendor_completions.d/zrep.fish lib/systemd/system/zrep-sync.timer \
	lib/systemd/system/zrep-sync.service lib/systemd/system/zrep-refresh.timer \
	lib/systemd/system/zrep-metrics.timer usr/share/doc/zrep/examples/default-zrep \
	usr/share/doc/zrep/examples/cron.d-zrep; do
	[[ -e $root/$f ]] || fail "missing /$f"
done
[[ ! -e $root/etc/default/zrep ]] || fail "the package must not install /etc/default/zrep"
# ldd (libc-bin, on every Debian) says so of a static binary.
linked=$(ldd "$root/usr/sbin/zrep" 2>&1 || true)
[[ $linked == *"not a dynamic executable"* ]] || fail "/usr/sbin/zrep is not static: $linked"
v=$(env -i PATH=/usr/bin:/bin "$root/usr/sbin/zrep" --version)
[[ $v == "zrep "*" (commit "*")"* ]] || fail "zrep --version: $v"
if command -v systemd-analyze >/dev/null; then
	# The units parse; /usr/sbin/zrep is in the throwaway root, not here.
	bad=$(cd "$root/lib/systemd/system" && systemd-analyze verify --man=no zrep-*.service zrep-*.timer 2>&1 |
		grep -v 'Command /usr/sbin/zrep is not executable' || true)
	[[ -z $bad ]] || fail "systemd-analyze verify: $bad"
fi
echo "deb-test.sh: $(basename "$deb") installs; $(echo "$v" | head -n1)"
