#!/usr/bin/env bash
# test.sh: every test, unit and end-to-end, on real ZFS pools over real SSH.
# Installs and starts what it needs (as root); CI runs exactly this.
#
# Tiers (ZREP_TEST_TIERS=fuse|openzfs|all; default fuse until the openzfs tier is
# green and fits CI's time, see README "Test tiers"):
#   fuse     zfs-fuse namespace hosts on this machine (scripts/testhosts.sh)
#   openzfs  real in-kernel OpenZFS 2.3 in a qemu guest (scripts/openzfs.sh; the first
#            run builds the guest image, 6-15 min, cached afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PATH:/usr/local/go/bin
TIERS=${ZREP_TEST_TIERS:-fuse}
case $TIERS in
fuse | openzfs | all) ;;
*)
	echo "test.sh: ZREP_TEST_TIERS=$TIERS: want fuse, openzfs or all" >&2
	exit 2
	;;
esac
eval "$(bash scripts/ensure-go.sh)" # a Go that builds zrep, also on a stock Debian 12
go vet ./...

# ZREP_TEST_REQUIRE=e2e turns "test hosts missing" skips into failures.
# The ssh package's tests talk to hostb's real sshd: with the fuse tier the
# hosts come up first (state under /var/lib outlives a reboot, the hosts do
# not, so "up" checks them live) and those tests must run, not skip.
require=
if [[ $TIERS == fuse || $TIERS == all ]]; then
	t0=$SECONDS
	bash scripts/testhosts.sh up
	echo "test.sh: test hosts $((SECONDS - t0))s"
	require=e2e
fi

t0=$SECONDS
# Unit tests: everything but the end-to-end scenarios.
ZREP_TEST_REQUIRE=$require go test -count=1 -skip '^TestScripts' ./...
echo "test.sh: unit tests $((SECONDS - t0))s"

# The package: built, installed into a throwaway root, run from there
# (about 10 s with a warm build cache).
t0=$SECONDS
bash scripts/deb-test.sh
echo "test.sh: deb package $((SECONDS - t0))s"

if [[ $TIERS == fuse || $TIERS == all ]]; then
	t0=$SECONDS
	ZREP_TEST_ZFS=fuse ZREP_TEST_REQUIRE=e2e go test -count=1 -run '^TestScripts' .
	echo "test.sh: fuse tier $((SECONDS - t0))s"
fi
if [[ $TIERS == openzfs || $TIERS == all ]]; then
	t0=$SECONDS
	bash scripts/openzfs.sh up
	ZREP_TEST_ZFS=openzfs ZREP_TEST_REQUIRE=e2e go test -count=1 -timeout 40m -run '^TestScripts$' .
	echo "test.sh: openzfs tier $((SECONDS - t0))s (including the guest's image build and boot)"
fi
