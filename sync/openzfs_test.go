package sync

import (
	"context"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
	"github.com/zrep-go/zrep/zfsprops/zfstest"
)

// startOpenZFSSync is startSync with OpenZFS 2.3 on both sides and no
// pending receive on hostb; encryption is pa/x's encryption property.
func startOpenZFSSync(t *testing.T, srcDetail, encryption string) (*Env, *sshtest.Fake, *sshtest.Fake) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(srcDetail)
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(false))
	zfstest.OpenZFS(remote)
	zfstest.OpenZFS(local)
	local.Expect([]string{"zfs", "get", "-H", "-o", "value", "encryption", "pa/x"}).Returns(encryption + "\n")
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "receive_resume_token", "pb/x"}).Returns("-\n")
	return env, local, remote
}

// After the marks, the hold moves to the new sync point on both sides and
// the source's bookmark follows it; an encrypted source is sent raw.
func TestSyncOpenZFSMovesHoldAndBookmarkAndSendsRaw(t *testing.T) {
	env, local, remote := startOpenZFSSync(t, masterDetail(), "aes-256-gcm")
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"})
	local.Expect([]string{"zfs", "send", "-w", "-I", "pa/x@zrep_000001", "pa/x@zrep_000002"}).Returns("RAW")
	remote.Expect([]string{"zfs", "recv", "-s", "pb/x"})
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"})
	for _, f := range []struct {
		h  *sshtest.Fake
		fs string
	}{{local, "pa/x"}, {remote, "pb/x"}} {
		f.h.Expect([]string{"zfs", "hold", "zrep:syncpoint", f.fs + "@zrep_000002"})
		f.h.Expect([]string{"zfs", "release", "zrep:syncpoint", f.fs + "@zrep_000001"}).Fails(1, "cannot release hold from snapshot '"+f.fs+"@zrep_000001': no such tag on this dataset")
	}
	local.Expect([]string{"zfs", "bookmark", "pa/x@zrep_000002", "pa/x#zrep_000002"})
	local.Expect([]string{"zfs", "destroy", "pa/x#zrep_000001"})
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
}

// The sync point destroyed on the source: the next sync sends -i from its
// bookmark (matched to the replica's snapshot by GUID), not a failure.
func TestSyncFromBookmarkWhenSyncPointIsGone(t *testing.T) {
	rows := strings.SplitAfter(masterDetail(), "\n")
	var kept []string
	for _, r := range rows {
		if !strings.HasPrefix(r, "pa/x@zrep_000001") {
			kept = append(kept, r)
		}
	}
	// pa/x keeps only zrep_000000, which pb/x has too; pb/x also has
	// 000001 (GUID 101), of which pa/x has only the bookmark.
	env, local, remote := startOpenZFSSync(t, strings.Join(kept, ""), "off")
	local.Expect([]string{"zfs", "list", "-H", "-p", "-t", "bookmark", "-o", "name,guid,createtxg", "-d", "1", "pa/x"}).
		Returns("pa/x#zrep_000000\t99\t10\npa/x#zrep_000001\t101\t11\n")
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"})
	local.Expect([]string{"zfs", "send", "-i", "pa/x#zrep_000001", "pa/x@zrep_000002"}).Returns("INC")
	remote.Expect([]string{"zfs", "recv", "-s", "pb/x"})
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"})
	local.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pa/x@zrep_000002"})
	noTag := "cannot release hold from snapshot: no such tag on this dataset"
	local.Expect([]string{"zfs", "release", "zrep:syncpoint", "pa/x@zrep_000000"}).Fails(1, noTag)
	local.Expect([]string{"zfs", "release", "zrep:syncpoint", "pa/x@zrep_000001"}).Fails(1, "cannot open 'pa/x@zrep_000001': dataset does not exist")
	remote.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pb/x@zrep_000002"})
	remote.Expect([]string{"zfs", "release", "zrep:syncpoint", "pb/x@zrep_000000"}).Fails(1, noTag)
	remote.Expect([]string{"zfs", "release", "zrep:syncpoint", "pb/x@zrep_000001"})
	local.Expect([]string{"zfs", "bookmark", "pa/x@zrep_000002", "pa/x#zrep_000002"})
	local.Expect([]string{"zfs", "destroy", "pa/x#zrep_000000"}).Fails(1, "could not find any snapshots to destroy; check snapshot names.")
	local.Expect([]string{"zfs", "destroy", "pa/x#zrep_000001"})
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if w := env.Err.(interface{ String() string }).String(); !strings.Contains(w, "bookmark pa/x#zrep_000001") {
		t.Errorf("warning: %q", w)
	}
}

// On OpenZFS a new replica is received resumable, unmounted and read-only
// from its first block, without the source's local mountpoint (setting it
// afterwards would mount it); _000000 is held on both sides and bookmarked.
func TestInitOpenZFSReceivesReadonlyUnmounted(t *testing.T) {
	env, local, remote := startOpenZFSInit(t, "local", 7) // config, the sent mark, master
	local.Expect([]string{"zfs", "send", "-p", "pa/x@zrep_000000"}).Returns("FULL")
	remote.Expect([]string{"zfs", "recv", "-s", "-u", "-o", "readonly=on", "-x", "mountpoint", "pb/x"})
	remote.Expect(setPropsArgv("pb/x")).Returns("")
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "-s", "local", "readonly", "pb/x"}).Returns("on\n")
	local.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pa/x@zrep_000000"})
	remote.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pb/x@zrep_000000"})
	local.Expect([]string{"zfs", "bookmark", "pa/x@zrep_000000", "pa/x#zrep_000000"})
	if err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "pb/x"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range remote.Calls() {
		if len(c) > 2 && c[1] == "inherit" && c[2] == "mountpoint" {
			t.Errorf("inherited the mountpoint, which mounts the replica: %v", c)
		}
	}
}

// A full stream cut off mid-way leaves the receiver's partial receive: the
// init undoes nothing, and says that running it again resumes.
func TestInitInterruptedKeepsPartialReceive(t *testing.T) {
	env, local, remote := startOpenZFSInit(t, "default", 5) // config
	local.Expect([]string{"zfs", "send", "-p", "pa/x@zrep_000000"}).Returns("PART")
	remote.Expect([]string{"zfs", "recv", "-s", "-u", "-o", "readonly=on", "pb/x"}).Unreachable()
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "receive_resume_token", "pb/x"}).Returns("1-partial\n")
	err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "pb/x"})
	if err == nil || !strings.Contains(err.Error(), "was interrupted") || !strings.Contains(zfsprops.HintOf(err), "run the same zrep init again") {
		t.Fatalf("got %v (hint %q)", err, zfsprops.HintOf(err))
	}
}

// The same init run again sends only the rest (send -t) and finishes.
func TestInitResumesInterruptedInit(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	rows := [][4]string{
		{"pa/x", "zrep:src-fs", "pa/x", "local"}, {"pa/x", "zrep:src-host", "hosta", "local"},
		{"pa/x", "zrep:dest-fs", "pb/x", "local"}, {"pa/x", "zrep:dest-host", "hostb", "local"},
		{"pa/x", "zrep:savecount", "5", "local"},
	}
	local.Expect(detailArgv("pa/x")).Returns(getLines(append(rows, snapRows("pa/x", "zrep_000000", "100", "10", "")...)...))
	zfstest.OpenZFS(remote)
	zfstest.OpenZFS(local)
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "receive_resume_token", "pb/x"}).Returns("1-partial\n")
	local.Expect([]string{"zfs", "get", "-H", "-o", "source", "mountpoint", "pa/x"}).Returns("default\n")
	local.Expect([]string{"zfs", "send", "-t", "1-partial"}).Returns("REST")
	remote.Expect([]string{"zfs", "recv", "-s", "-u", "-o", "readonly=on", "pb/x"})
	remote.Expect(setPropsArgv("pb/x")).Returns("")
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "-s", "local", "readonly", "pb/x"}).Returns("on\n")
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000000"})
	local.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pa/x@zrep_000000"})
	remote.Expect([]string{"zfs", "hold", "zrep:syncpoint", "pb/x@zrep_000000"})
	local.Expect([]string{"zfs", "bookmark", "pa/x@zrep_000000", "pa/x#zrep_000000"})
	local.Expect([]string{"zfs", "set", "zrep:master=yes", "pa/x"})
	if err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "pb/x"}); err != nil {
		t.Fatal(err)
	}
}

// recv -o readonly=on without the readonly permission only warns and
// exits 0: the writable replica is an init failure, undone, whose hint
// names the permission.
func TestInitRefusesWritableReplica(t *testing.T) {
	env, local, remote := startOpenZFSInit(t, "default", 5) // config
	local.Expect([]string{"zfs", "send", "-p", "pa/x@zrep_000000"}).Returns("FULL")
	remote.Expect([]string{"zfs", "recv", "-s", "-u", "-o", "readonly=on", "pb/x"})
	remote.Expect(setPropsArgv("pb/x")).Returns("")
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "-s", "local", "readonly", "pb/x"}).Returns("")
	remote.Expect([]string{"zfs", "get", "-H", "-o", "value", "readonly", "pb/x"}).Returns("off\n")
	// Undo: our replica (same GUID) goes, then the source's snapshot and config.
	remote.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "guid", "pb/x@zrep_000000"}).Returns("5\n")
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "guid", "pa/x@zrep_000000"}).Returns("5\n")
	remote.Expect([]string{"zfs", "destroy", "-r", "pb/x"})
	local.Expect([]string{"zfs", "list", "-H", "-o", "name", "pa/x@zrep_000000"}).Returns("pa/x@zrep_000000\n")
	local.Expect([]string{"zfs", "destroy", "pa/x@zrep_000000"})
	local.ExpectPrefix([]string{"zfs", "inherit"}).Times(6)
	err := env.Init(context.Background(), InitOptions{Src: "pa/x", DestHost: "hostb", DestFS: "pb/x"})
	if err == nil || !strings.Contains(err.Error(), "received writable") || !strings.Contains(zfsprops.HintOf(err), "zfs allow -u USER readonly pb") {
		t.Fatalf("got %v (hint %q)", err, zfsprops.HintOf(err))
	}
}

// A receiver that only saw its stream end early is the sender's symptom:
// the sender's own error is the one reported.
func TestTransferReportsTheSendersCause(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect([]string{"zfs", "send", "-I", "pa/x@a", "pa/x@b"}).Fails(1, "cannot hold 'pa/x@a': permission denied")
	remote.Expect([]string{"zfs", "recv", "pb/x"}).Fails(1, "cannot receive: failed to read from stream")
	err := env.transfer(context.Background(), local, []string{"zfs", "send", "-I", "pa/x@a", "pa/x@b"}, remote, []string{"zfs", "recv", "pb/x"})
	if err == nil || !strings.Contains(err.Error(), "cannot hold 'pa/x@a': permission denied") {
		t.Fatalf("got %v", err)
	}
}

// startOpenZFSInit stubs what an init of pa/x to a new hostb:pb/x does on
// OpenZFS before its full stream: read, check the destination, write the
// config (sets zfs set calls in all) and snapshot. mountpoint is the
// source of pa/x's mountpoint.
func startOpenZFSInit(t *testing.T, mountpoint string, sets int) (*Env, *sshtest.Fake, *sshtest.Fake) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(plainFS("pa/x"))
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "pb/x"}).Fails(1, "cannot open 'pb/x': dataset does not exist")
	remote.Expect([]string{"zfs", "list", "-H", "-o", "name", "pb"}).Returns("pb\n")
	local.Expect([]string{"zfs", "get", "-H", "-o", "source", "mountpoint", "pa/x"}).Returns(mountpoint + "\n")
	local.ExpectPrefix([]string{"zfs", "set"}).Times(sets)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000000"})
	zfstest.OpenZFS(remote)
	zfstest.OpenZFS(local)
	local.Expect([]string{"zfs", "get", "-H", "-o", "value", "encryption", "pa/x"}).Returns("off\n")
	return env, local, remote
}
