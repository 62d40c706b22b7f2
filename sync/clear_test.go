package sync

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
	"github.com/zrep-go/zrep/zfsprops/zfstest"
)

func setPropsArgv(name string) []string {
	return []string{"zfs", "get", "-H", "-o", "name,property,value,source", "-s", "local,received", "all", name}
}

// replicaWithMarks is pb/x as init and two syncs leave it on the replica
// side: config received, readonly local, a hand-made snapshot.
func replicaWithMarks() string {
	rows := [][4]string{
		{"pb/x", "zrep:dest-fs", "pb/x", "received"},
		{"pb/x", "zrep:dest-host", "hostb", "received"},
		{"pb/x", "zrep:savecount", "5", "received"},
	}
	rows = append(rows, snapRows("pb/x", "zrep_000000", "100", "5", "")...)
	rows = append(rows, snapRows("pb/x", "manual", "150", "6", "")...)
	rows = append(rows, snapRows("pb/x", "zrep_000001_unsent", "101", "7", "1700000000")...)
	return getLines(rows...)
}

// Received properties are cleared too and checked afterwards (classic
// #212); a busy snapshot is left for deferred destruction; hand-made
// snapshots stay.
func TestClearRemovesSnapshotsAndReceivedProperties(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pb/x")).Returns(replicaWithMarks())
	expectLockOn(local, "pb/x")
	local.Expect(setPropsArgv("pb/x")).Returns(getLines(
		[4]string{"pb/x", "readonly", "on", "local"},
		[4]string{"pb/x", "zrep:dest-fs", "pb/x", "received"},
		[4]string{"pb/x", "zrep:savecount", "5", "received"},
		[4]string{"pb/x", "zrep:lastsenttime", "1", "local"},
		[4]string{"pb/x", "zrepother:dest-fs", "pc/x", "local"},
	))
	zfstest.Fuse(local)
	local.Expect([]string{"zfs", "destroy", "pb/x@zrep_000000"}).Fails(1, "cannot destroy snapshot pb/x@zrep_000000: dataset is busy")
	local.Expect([]string{"zfs", "destroy", "-d", "pb/x@zrep_000000"})
	local.Expect([]string{"zfs", "destroy", "pb/x@zrep_000001_unsent"})
	for _, p := range []string{"zrep:dest-fs", "zrep:savecount", "zrep:lastsenttime"} {
		local.Expect([]string{"zfs", "inherit", p, "pb/x"})
	}
	local.Expect(setPropsArgv("pb/x")).Returns(getLines([4]string{"pb/x", "readonly", "on", "local"}))
	if err := env.Clear(context.Background(), "pb/x", ClearOptions{}); err != nil {
		t.Fatal(err)
	}
	out := env.Out.(interface{ String() string }).String()
	for _, want := range []string{"WARNING: Removing all zrep configs and snapshots from pb/x\n (for TAG=zrep)\n", "zfs inherit readonly pb/x"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Continuing") {
		t.Errorf("no pause was asked for:\n%s", out)
	}
}

func TestClearReportsPropertiesZfsKept(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	kept := getLines([4]string{"pb/x", "zrep:dest-fs", "pb/x", "received"})
	local.Expect(detailArgv("pb/x")).Returns(getLines([4]string{"pb/x", "zrep:dest-fs", "pb/x", "received"}))
	expectLockOn(local, "pb/x")
	local.Expect(setPropsArgv("pb/x")).Returns(kept).Times(2)
	local.Expect([]string{"zfs", "inherit", "zrep:dest-fs", "pb/x"})
	err := env.Clear(context.Background(), "pb/x", ClearOptions{})
	if err == nil || !strings.Contains(err.Error(), "still has [zrep:dest-fs]") || zfsprops.HintOf(err) == "" {
		t.Fatalf("got %v", err)
	}
}

// A filesystem zrep never touched: an error, and nothing run.
func TestClearNothingToClear(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/y")).Returns(getLines(snapRows("pa/y", "manual", "1", "2", "")...))
	local.Expect(setPropsArgv("pa/y")).Returns(getLines([4]string{"pa/y", "zrepx:dest-fs", "pb/y", "local"}))
	err := env.Clear(context.Background(), "pa/y", ClearOptions{})
	if err == nil || !strings.Contains(err.Error(), "nothing to clear") {
		t.Fatalf("got %v", err)
	}
}

// The classic 10 s pause can be interrupted, and then nothing is changed.
func TestClearPauseIsCancellable(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pb/x")).Returns(replicaWithMarks())
	expectLockOn(local, "pb/x")
	local.Expect(setPropsArgv("pb/x")).Returns(getLines([4]string{"pb/x", "zrep:dest-fs", "pb/x", "received"}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := env.Clear(ctx, "pb/x", ClearOptions{Pause: time.Hour})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if out := env.Out.(interface{ String() string }).String(); !strings.Contains(out, "Continuing in 3600 seconds") {
		t.Errorf("output:\n%s", out)
	}
}
