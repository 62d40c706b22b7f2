#!/usr/bin/env bash
# build.sh [OUT]: the release build of zrep (default ./zrep): a static binary
# (CGO_ENABLED=0 unless set: no libc dependency, runs on any Linux of its
# architecture) with its version and commit stamped, as `zrep --version`
# prints them. ZREP_VERSION overrides the version (default: the newest vX.Y.Z
# tag, else cmd's baseVersion with -dev); GOOS/GOARCH cross-compile as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(bash scripts/ensure-go.sh)"
out=${1:-zrep}

version=${ZREP_VERSION:-}
if [[ -z $version ]]; then
	version=$(git describe --tags --match 'v[0-9]*' 2>/dev/null | sed 's/^v//') || true
fi
if [[ -z $version ]]; then
	version=$(sed -n 's/^const baseVersion = "\(.*\)"$/\1/p' cmd/version.go)-dev
fi
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown && -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
	commit+=-dirty
fi

pkg=github.com/zrep-go/zrep/cmd
CGO_ENABLED=${CGO_ENABLED:-0} go build -trimpath \
	-ldflags "-s -w -X $pkg.Version=$version -X $pkg.Commit=$commit" -o "$out" .
echo "build.sh: $out: zrep $version (commit $commit)" >&2
