package sync

import (
	"context"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/zfsprops"
	"github.com/zrep-go/zrep/zfsprops/zfstest"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func plainFS(name string) string {
	return getLines([4]string{name, "guid", "1", "-"}, [4]string{name, "createtxg", "1", "-"})
}

// An existing destination without -f: refused, and nothing is set or
// created anywhere (only reads happen).
func TestInitRefusesExistingDestination(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(plainFS("pa/x"))
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "pb/x"}).Returns("pb/x\n")
	err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "pb/x"})
	if err == nil || !strings.Contains(err.Error(), "hostb:pb/x already exists") {
		t.Fatalf("got %v", err)
	}
}

// A failed transfer into a destination that existed (-f) never destroys
// it; the source is put back as it was.
func TestInitFailureKeepsPreexistingDestination(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(plainFS("pa/x"))
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "pb/x"}).Returns("pb/x\n")
	local.Expect([]string{"zfs", "get", "-H", "-o", "source", "mountpoint", "pa/x"}).Returns("default\n")
	local.ExpectPrefix([]string{"zfs", "set"}).Times(5)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000000"})
	zfstest.Fuse(remote)
	zfstest.Fuse(local)
	local.Expect([]string{"zfs", "send", "-p", "pa/x@zrep_000000"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "-u", "-F", "pb/x"}).Fails(1, "cannot receive: I/O error")
	local.Expect([]string{"zfs", "list", "-H", "-o", "name", "pa/x@zrep_000000"}).Returns("pa/x@zrep_000000\n")
	local.Expect([]string{"zfs", "destroy", "pa/x@zrep_000000"})
	local.ExpectPrefix([]string{"zfs", "inherit"}).Times(6)
	err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "pb/x", Force: true})
	if err == nil || !strings.Contains(err.Error(), "changes undone") {
		t.Fatalf("got %v", err)
	}
	for _, c := range remote.Calls() {
		if len(c) > 1 && c[1] == "destroy" {
			t.Fatalf("destroyed on the destination: %v", c)
		}
	}
}

// Another init created the destination between our check and our receive:
// its _000000 is not ours, so the undo leaves it alone.
func TestInitUndoLeavesSomeoneElsesReplica(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(plainFS("pa/x"))
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "pb/x"}).Fails(1, "cannot open 'pb/x': dataset does not exist")
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "pb"}).Returns("pb\n")
	local.Expect([]string{"zfs", "get", "-H", "-o", "source", "mountpoint", "pa/x"}).Returns("default\n")
	local.ExpectPrefix([]string{"zfs", "set"}).Times(5)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000000"})
	zfstest.Fuse(remote)
	zfstest.Fuse(local)
	local.Expect([]string{"zfs", "send", "-p", "pa/x@zrep_000000"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "-u", "pb/x"}).Fails(1, "cannot receive new filesystem stream: destination 'pb/x' exists")
	remote.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "guid", "pb/x@zrep_000000"}).Returns("222\n")
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "guid", "pa/x@zrep_000000"}).Returns("111\n")
	local.Expect([]string{"zfs", "list", "-H", "-o", "name", "pa/x@zrep_000000"}).Returns("pa/x@zrep_000000\n")
	local.Expect([]string{"zfs", "destroy", "pa/x@zrep_000000"})
	local.ExpectPrefix([]string{"zfs", "inherit"}).Times(6)
	err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "pb/x"})
	if err == nil || !strings.Contains(err.Error(), "left hostb:pb/x alone") {
		t.Fatalf("got %v", err)
	}
}

// A destination in a pool that does not exist is named as a missing pool
// (no `zfs create -p POOL` advice), and nothing is set or created.
func TestInitMissingPool(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(plainFS("pa/x"))
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "nopool/x"}).Fails(1, "cannot open 'nopool/x': dataset does not exist")
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "nopool"}).Fails(1, "cannot open 'nopool': dataset does not exist")
	err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "nopool/x"})
	if err == nil || err.Error() != "pool nopool (for nopool/x) does not exist on hostb" ||
		zfsprops.HintOf(err) != "check the name: zpool list on hostb shows its pools" {
		t.Fatalf("got %v; hint %q", err, zfsprops.HintOf(err))
	}
}
