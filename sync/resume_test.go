package sync

import (
	"context"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/zfsprops/zfstest"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
)

// modernZFS answers the feature probe as OpenZFS does.
func modernZFS(f *sshtest.Fake) {
	zfstest.OpenZFS(f)
}

// startModernSync is startSync against OpenZFS whose receive of pb/x has
// the given resume token ("-" for none); pa/x has zrep_000002, whose
// transfer a previous run did not finish.
func startModernSync(t *testing.T, token string) (*Env, *sshtest.Fake, *sshtest.Fake) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(masterDetail() + getLines(snapRows("pa/x", "zrep_000002", "102", "12", "")...))
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(false))
	modernZFS(remote)
	oldZFS(local)
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "receive_resume_token", "pb/x"}).Returns(token + "\n")
	return env, local, remote
}

// A pending token is resumed first, with recv -s; the rest is then sent
// from the snapshot it completed, which is marked sent on both sides.
func TestSyncResumesPendingTransferFirst(t *testing.T) {
	env, local, remote := startModernSync(t, "1-abc")
	local.Expect([]string{"zfs", "send", "-n", "-t", "1-abc"})
	local.Expect([]string{"zfs", "send", "-t", "1-abc"}).Returns("RESUMED")
	remote.Expect([]string{"zfs", "recv", "-s", "pb/x"}).Times(2)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(false) + getLines(snapRows("pb/x", "zrep_000002", "102", "7", "")...))
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"})
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000003"})
	local.Expect([]string{"zfs", "send", "-I", "pa/x@zrep_000002", "pa/x@zrep_000003"}).Returns("REST")
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000003"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000003"})
	remote.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pb/x@zrep_000003"})
	// Both the sync point the run started from and the one the resume made.
	remote.Expect([]string{"zfs", "release", "zrep:syncpoint", "pb/x@zrep_000001"})
	remote.Expect([]string{"zfs", "release", "zrep:syncpoint", "pb/x@zrep_000002"}).Fails(1, "cannot release hold from snapshot 'pb/x@zrep_000002': no such tag on this dataset")
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	var stdins []string
	for i, c := range remote.Calls() {
		if len(c) > 1 && c[1] == "recv" {
			stdins = append(stdins, remote.Stdin(i))
		}
	}
	if strings.Join(stdins, ",") != "RESUMED,REST" {
		t.Errorf("receives got %q", stdins)
	}
}

// A token the sender cannot serve any more is aborted with a warning, and
// the sync goes on from the last common snapshot.
func TestSyncAbortsStaleToken(t *testing.T) {
	env, local, remote := startModernSync(t, "1-gone")
	local.Expect([]string{"zfs", "send", "-n", "-t", "1-gone"}).Fails(1, "cannot resume send: 'pa/x@zrep_000002' used in the initial send no longer exists")
	remote.Expect([]string{"zfs", "recv", "-A", "pb/x"})
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000003"})
	local.Expect([]string{"zfs", "send", "-I", "pa/x@zrep_000001", "pa/x@zrep_000003"}).Returns("S")
	remote.Expect([]string{"zfs", "recv", "-s", "pb/x"})
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000003"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000003"})
	remote.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pb/x@zrep_000003"})
	remote.Expect([]string{"zfs", "release", "zrep:syncpoint", "pb/x@zrep_000001"})
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if w := env.Err.(interface{ String() string }).String(); !strings.Contains(w, "cannot resume") || !strings.Contains(w, "aborting it") {
		t.Errorf("warning: %q", w)
	}
}

// An interrupted send that left a token keeps its snapshot under its own
// name (the token refers to it) instead of renaming it _unsent.
func TestSyncInterruptedKeepsSnapshotForResume(t *testing.T) {
	env, local, remote := startModernSync(t, "-")
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000003"})
	local.ExpectPrefix([]string{"zfs", "send"}).Returns("PARTIAL")
	remote.Expect([]string{"zfs", "recv", "-s", "pb/x"}).Unreachable()
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pa/x@zrep_000003"}).Returns("pa/x@zrep_000003\t777\n")
	remote.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pb/x@zrep_000003"}).Fails(1, "cannot open 'pb/x@zrep_000003': dataset does not exist")
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "receive_resume_token", "pb/x"}).Returns("1-partial\n")
	err := env.Sync(context.Background(), "pa/x", SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "was interrupted") || strings.Contains(err.Error(), "_unsent") {
		t.Fatalf("got %v", err)
	}
	for _, c := range local.Calls() {
		if len(c) > 1 && (c[1] == "rename" || c[1] == "destroy") {
			t.Errorf("touched the snapshot: %v", c)
		}
	}
}

// With -R, a receive that landed the parent but not a child is not
// "received despite the error": the child would never replicate again.
func TestReceivedChecksEveryChild(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	env.Recursive = true
	argv := func(fs string) []string {
		return []string{"zfs", "get", "-H", "-p", "-r", "-o", "name,value", "guid", fs}
	}
	local.Expect(argv("pa/x")).Returns("pa/x\t1\npa/x@s\t10\npa/x/c\t2\npa/x/c@s\t20\npa/x/c@old\t21\n").Times(2)
	remote.Expect(argv("pb/x")).Returns("pb/x\t3\npb/x@s\t10\npb/x/c\t4\npb/x/c@old\t21\n")
	remote.Expect(argv("pb/x")).Returns("pb/x\t3\npb/x@s\t10\npb/x/c\t4\npb/x/c@s\t20\n")
	src := Side{Host: local, Name: "hosta", FS: &zfsprops.Filesystem{Name: "pa/x"}}
	dst := Side{Host: remote, Name: "hostb", FS: &zfsprops.Filesystem{Name: "pb/x"}}
	if env.received(context.Background(), src, dst, "s") {
		t.Error("child missing: reported received")
	}
	if !env.received(context.Background(), src, dst, "s") {
		t.Error("all there: reported not received")
	}
}

// A classic partner's `_refreshpull FS@SNAP TOKEN` gets the rest of its
// interrupted stream, and nothing else, on stdout.
func TestSendLatestResumesWithToken(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	env.ResumeFlags = []string{"-v"}
	local.Expect(detailArgv("pa/x")).Returns(masterDetail())
	expectLock(local)
	zfstest.Fuse(local)
	local.Expect([]string{"zfs", "send", "-v", "-t", "1-tok"}).Returns("REST")
	var out strings.Builder
	if err := env.SendLatest(context.Background(), "pa/x@zrep_000001", "1-tok", &out); err != nil {
		t.Fatal(err)
	}
	if out.String() != "REST" {
		t.Errorf("stdout %q", out.String())
	}
}
