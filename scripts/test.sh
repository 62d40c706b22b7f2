#!/usr/bin/env bash
# test.sh: every test, unit and end-to-end, on real zfs-fuse pools over real
# SSH. Installs and starts what it needs (as root); CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
bash scripts/ensure-go.sh >/dev/null
bash scripts/testhosts.sh up
go vet ./...
# ZREP_TEST_REQUIRE=e2e turns "test hosts missing" skips into failures.
ZREP_TEST_REQUIRE=e2e go test -count=1 ./...
