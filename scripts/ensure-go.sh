#!/usr/bin/env bash
# ensure-go.sh: make sure a Go toolchain that builds zrep is reachable, also on a
# stock Debian 12 machine. Prints the export lines to evaluate (nothing when the
# go on PATH will do):
#   eval "$(scripts/ensure-go.sh)"
#
# Where it looks, in order: go on PATH, /usr/local/go (the go.dev tarball),
# Debian's /usr/lib/go-1.NN (package golang-1.NN-go: 1.19 in Debian 12,
# newer ones in bookworm-backports), then the cache below.
#  - A Go that is new enough is used as it is.
#  - A Go >= 1.21 fetches the release go.mod names by itself through the Go
#    module proxy (GOTOOLCHAIN=auto; Debian's go.env says GOTOOLCHAIN=local,
#    so this is exported).
#  - An older Go (Debian 12's 1.19) downloads that release the same way
#    GOTOOLCHAIN would, as the module golang.org/toolchain from the module
#    proxy, into $ZREP_GO_CACHE (default ~/.cache/zrep-go), once.
#  - No Go at all: as root with apt-get, golang-1.19-go is installed first
#    (it installs only under /usr/lib/go-1.19; set ZREP_NO_APT=1 to refuse).
set -euo pipefail
cd "$(dirname "$0")/.."

need=$(sed -n 's/^go \([0-9][0-9.]*\)$/\1/p' go.mod)
[[ $need == *.*.* ]] || need=$need.0
cache=${ZREP_GO_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/zrep-go}

# ver GO: its version as 1.NN.P ("" if it does not run).
ver() {
	local v
	v=$("$1" env GOVERSION 2>/dev/null) || v=$("$1" version 2>/dev/null | awk '{print $3}') || return 0
	v=${v#go}
	v=${v%%[!0-9.]*}
	[[ $v == *.*.* ]] || v=$v.0
	echo "$v"
}

# atleast A B: version A >= version B.
atleast() {
	[[ $(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1) == "$2" ]]
}

candidates() {
	command -v go 2>/dev/null || true
	[[ -x /usr/local/go/bin/go ]] && echo /usr/local/go/bin/go
	# Debian's versioned packages, newest first.
	ls -d /usr/lib/go-1.*/bin/go 2>/dev/null | sort -t. -k2 -n -r || true
	[[ -x $cache/go$need/bin/go ]] && echo "$cache/go$need/bin/go"
	return 0
}

# use GO [GOTOOLCHAIN]: print what makes GO the go on PATH.
use() {
	local dir
	dir=$(dirname "$1")
	if [[ $(command -v go 2>/dev/null) != "$1" ]]; then
		# shellcheck disable=SC2016 # $PATH is expanded by whoever evaluates the line
		printf 'export PATH=%q:$PATH\n' "$dir"
	fi
	if [[ -n ${2:-} ]]; then
		echo "export GOTOOLCHAIN=$2"
	fi
	exit 0
}

# bootstrap OLDGO: download go$need with OLDGO from the module proxy, as
# GOTOOLCHAIN does, and make it runnable (module zips keep no exec bits).
bootstrap() {
	local old=$1 arch mod dir tmp
	arch=$("$old" env GOARCH)
	mod=golang.org/toolchain@v0.0.1-go$need.$("$old" env GOOS)-$arch
	echo "ensure-go.sh: downloading $mod through the Go module proxy with $old ($(ver "$old"))" >&2
	tmp=$(mktemp -d)
	# Outside any module, with a module cache of our own (read-only files).
	dir=$(cd "$tmp" && GO111MODULE=on GOFLAGS=-mod=mod GOMODCACHE=$cache/modcache \
		"$old" mod download -json "$mod" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
	if [[ -z $dir || ! -f $dir/bin/go ]]; then
		echo "ensure-go.sh: downloading $mod failed" >&2
		exit 1
	fi
	rm -rf "$tmp" "$cache/go$need.tmp"
	cp -R "$dir" "$cache/go$need.tmp"
	chmod -R u+w "$cache/go$need.tmp"
	chmod +x "$cache/go$need.tmp"/bin/* "$cache/go$need.tmp"/pkg/tool/*/*
	mv "$cache/go$need.tmp" "$cache/go$need"
	chmod -R u+w "$cache/modcache" && rm -rf "$cache/modcache"
}

for pass in 1 2; do
	old=
	modern=
	while read -r g; do
		[[ -n $g ]] || continue
		v=$(ver "$g")
		[[ -n $v ]] || continue
		if atleast "$v" "$need"; then
			use "$g"
		fi
		if [[ -z $modern ]] && atleast "$v" 1.21.0; then
			modern=$g
		fi
		[[ -n $old ]] || old=$g
	done < <(candidates)
	if [[ -n $modern ]]; then
		use "$modern" auto
	fi
	if [[ -n $old ]]; then
		mkdir -p "$cache"
		bootstrap "$old"
		use "$cache/go$need/bin/go"
	fi
	if [[ $pass == 1 && $(id -u) == 0 && -z ${ZREP_NO_APT:-} ]] && command -v apt-get >/dev/null; then
		echo "ensure-go.sh: no Go found; installing Debian's golang-1.19-go (under /usr/lib/go-1.19 only)" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-1.19-go >&2 ||
			{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends golang-1.19-go >&2; }
		continue
	fi
	break
done
echo "ensure-go.sh: no Go toolchain found; install Debian's golang-1.19-go (or any Go >= 1.21)," \
	"or go$need from https://go.dev/dl/ into /usr/local/go" >&2
exit 1
