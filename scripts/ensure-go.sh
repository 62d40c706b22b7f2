#!/usr/bin/env bash
# ensure-go.sh: make sure a Go toolchain is reachable. Prints the export line to
# evaluate when go is only in /usr/local/go; prints nothing when go is on PATH.
#   eval "$(scripts/ensure-go.sh)"
set -euo pipefail

if command -v go >/dev/null 2>&1; then
	exit 0
fi
if [[ -x /usr/local/go/bin/go ]]; then
	# shellcheck disable=SC2016 # $PATH is expanded by whoever evaluates the line
	echo 'export PATH=/usr/local/go/bin:$PATH'
	exit 0
fi
echo "ensure-go.sh: no go on PATH and no /usr/local/go; install the version go.mod names" \
	"from https://go.dev/dl/ into /usr/local/go (Debian's golang-go is too old)" >&2
exit 1
