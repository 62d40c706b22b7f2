package sync

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
	"github.com/zrep-go/zrep/zfsprops/zfstest"
)

// Every suggested command is spelled by one helper, with -t for another
// tag and -R for a recursive pair.
func TestZrepSpellsTagAndRecursive(t *testing.T) {
	for _, c := range []struct {
		tag       zfsprops.Tag
		recursive bool
		want      string
	}{
		{zfsprops.DefaultTag, false, "zrep sync p/x"},
		{"bk", false, "zrep -t bk sync p/x"},
		{zfsprops.DefaultTag, true, "zrep -R sync p/x"},
		{"bk", true, "zrep -t bk -R sync p/x"},
	} {
		e := &Env{Tag: c.tag, Recursive: c.recursive}
		if got := e.Zrep("sync %s", "p/x"); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.tag, c.recursive, got, c.want)
		}
	}
}

// A refusal's hint lives on its typed error, not in the message, and a
// pair that remembers -R (TAG:recursive) gets -R in it without -R typed.
func TestPairRefusalHintsRememberRecursive(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pb/x")).Returns(getLines(
		[4]string{"pb/x", "zrep:src-fs", "pa/x", "received"},
		[4]string{"pb/x", "zrep:src-host", "hostb", "received"},
		[4]string{"pb/x", "zrep:dest-fs", "pb/x", "received"},
		[4]string{"pb/x", "zrep:dest-host", "hosta", "received"},
		[4]string{"pb/x", "zrep:recursive", "yes", "received"},
	))
	err := env.Sync(context.Background(), "pb/x", SyncOptions{})
	var nm *NotMasterError
	if !errors.As(err, &nm) {
		t.Fatalf("got %v", err)
	}
	hint := zfsprops.HintOf(err)
	if !strings.Contains(hint, "run zrep -R sync pa/x on hostb, or zrep -R refresh pb/x here") || strings.Contains(err.Error(), hint) {
		t.Errorf("error %q, hint %q", err, hint)
	}
}

// sync FS@SNAP of a pair made with -R rolls each child of the partner
// back to its own @SNAP too (it used to roll back the parent only).
func TestRollbackPartnerRecursive(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(masterDetail() + getLines([4]string{"pa/x", "zrep:recursive", "yes", "local"}))
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(false))
	remote.Expect(zfsprops.DescendantsArgv("pb/x")).Returns("pb/x\npb/x@zrep_000000\npb/x@zrep_000001\npb/x/c\npb/x/c@zrep_000000\npb/x/c@zrep_000001\n")
	local.Expect(zfsprops.ValueArgv("creation", "pa/x@zrep_000000", false)).Returns("Tue Nov 14 22:13 2023\n")
	zfstest.Fuse(remote)
	remote.Expect(zfsprops.RollbackArgv("pb/x@zrep_000000"))
	remote.Expect(zfsprops.RollbackArgv("pb/x/c@zrep_000000"))
	local.Expect([]string{"zfs", "inherit", "zrep:sent", "pa/x@zrep_000001"})
	if err := env.RollbackPartner(context.Background(), "pa/x@zrep_000000", 0); err != nil {
		t.Fatal(err)
	}
}
