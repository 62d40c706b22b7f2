package sync

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

// masterOf7 is pa/x with savecount 2, seven zrep snapshots and the last
// sent one in the middle.
func masterOf7() string {
	d := strings.Replace(masterDetail(), "savecount\t5", "savecount\t2", 1)
	d += getLines(snapRows("pa/x", "zrep_000002", "102", "12", "")...)
	d += getLines(snapRows("pa/x", "zrep_000003", "103", "13", "")...)
	d += getLines(snapRows("pa/x", "zrep_000004", "104", "14", "1700000050")...)
	d += getLines(snapRows("pa/x", "zrep_000005", "105", "15", "")...)
	return d + getLines(snapRows("pa/x", "zrep_000006", "106", "16", "")...)
}

func TestExpireMasterThenPartner(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(masterOf7())
	expectLock(local)
	// Master rule: last sent zrep_000004 and newer stay, plus 1 older.
	for _, s := range []string{"zrep_000000", "zrep_000001", "zrep_000002"} {
		local.Expect([]string{"zfs", "destroy", "pa/x@" + s})
	}
	remote.Expect(detailArgv("pb/x")).Returns(strings.Replace(replicaDetail(false), "savecount\t5", "savecount\t1", 1))
	remote.Expect([]string{"zfs", "destroy", "pb/x@zrep_000000"})
	if err := env.Expire(context.Background(), "pa/x", ExpireOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "Expiring zrep snaps on pa/x\nAlso running expire on hostb:pb/x now...\n"
	if got := env.Out.(*bytes.Buffer).String(); got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

func TestExpireLocalOnlyAndReplica(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/x")).Returns(masterOf7())
	expectLock(local)
	for _, s := range []string{"zrep_000000", "zrep_000001", "zrep_000002"} {
		local.Expect([]string{"zfs", "destroy", "pa/x@" + s})
	}
	if err := env.Expire(context.Background(), "pa/x", ExpireOptions{Local: true}); err != nil {
		t.Fatal(err)
	}

	rep := sshtest.New(t, "localhost")
	env, _ = testEnv(t, rep, nil)
	rows := strings.Replace(replicaDetail(false), "savecount\t5", "savecount\t1", 1) + getLines([4]string{"pb/x", "zrep:dest-fs", "pb/x", "received"})
	rep.Expect(detailArgv("pb/x")).Returns(rows)
	rep.Expect([]string{"zfs", "set", "zrep:lock-pid=" + strconv.Itoa(os.Getpid()), "pb/x"})
	rep.Expect([]string{"zfs", "set", "zrep:lock-time=20231114221500", "pb/x"})
	rep.Expect([]string{"zfs", "inherit", "zrep:lock-time", "pb/x"})
	rep.Expect([]string{"zfs", "inherit", "zrep:lock-pid", "pb/x"})
	rep.Expect([]string{"zfs", "destroy", "pb/x@zrep_000000"})
	if err := env.Expire(context.Background(), "pb/x", ExpireOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Both sides master: nothing is expired on either (the fakes fail on
// any destroy).
func TestExpireSplitBrain(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(masterOf7())
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(true))
	var sb *SplitBrainError
	if err := env.Expire(context.Background(), "pa/x", ExpireOptions{}); !errors.As(err, &sb) {
		t.Fatalf("got %v", err)
	}
}

func TestExpireRefusesNonZrep(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/y")).Returns(getLines(snapRows("pa/y", "zrep_000001", "1", "1", "")...))
	if err := env.Expire(context.Background(), "pa/y", ExpireOptions{}); err == nil || !strings.Contains(err.Error(), "not initialised for zrep, cannot expire it") {
		t.Fatalf("got %v", err)
	}
}
