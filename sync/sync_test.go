package sync

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zrep-go/zrep/zfsprops/zfstest"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
)

const tag = zfsprops.Tag("zrep")

func detailArgv(name string) []string {
	return zfsprops.GetArgs([]string{"-d", "1"}, zfsprops.DetailProps(tag), name)
}

// getLines renders zfs get -H -p output: name, prop, value, source.
func getLines(rows ...[4]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r[:], "\t") + "\n")
	}
	return b.String()
}

func snapRows(fs, short, guid, txg, sent string) [][4]string {
	rows := [][4]string{{fs + "@" + short, "guid", guid, "-"}, {fs + "@" + short, "createtxg", txg, "-"}}
	if sent != "" {
		rows = append(rows, [4]string{fs + "@" + short, "zrep:sent", sent, "local"})
	}
	return rows
}

func masterDetail() string {
	rows := [][4]string{
		{"pa/x", "zrep:master", "yes", "local"},
		{"pa/x", "zrep:src-fs", "pa/x", "local"},
		{"pa/x", "zrep:src-host", "hosta", "local"},
		{"pa/x", "zrep:dest-fs", "pb/x", "local"},
		{"pa/x", "zrep:dest-host", "hostb", "local"},
		{"pa/x", "zrep:savecount", "5", "local"},
	}
	rows = append(rows, snapRows("pa/x", "zrep_000000", "100", "10", "")...)
	rows = append(rows, snapRows("pa/x", "zrep_000001", "101", "11", "1700000000")...)
	return getLines(rows...)
}

func replicaDetail(master bool) string {
	rows := [][4]string{{"pb/x", "zrep:savecount", "5", "received"}}
	if master {
		rows = append(rows, [4]string{"pb/x", "zrep:master", "yes", "local"})
	}
	rows = append(rows, snapRows("pb/x", "zrep_000000", "100", "5", "")...)
	rows = append(rows, snapRows("pb/x", "zrep_000001", "101", "6", "1700000000")...)
	return getLines(rows...)
}

func testEnv(t *testing.T, local, remote *sshtest.Fake) (*Env, *bytes.Buffer) {
	time.Local = time.UTC
	locker, err := lock.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var errOut bytes.Buffer
	return &Env{
		Tag: tag, Self: "hosta", Local: local, Locker: locker,
		Hosts: func(name string) (ssh.Host, error) {
			if name != "hostb" {
				t.Fatalf("unexpected host %q", name)
			}
			return remote, nil
		},
		Out: &bytes.Buffer{}, Err: &errOut, Now: func() time.Time { return time.Unix(1700000100, 0) },
		IncFlag: "-I", RenameUnsent: true, SaveCount: "5",
	}, &errOut
}

func expectLock(local *sshtest.Fake) { expectLockOn(local, "pa/x") }

// expectLockOn stubs the lock-pid/lock-time every guarded operation
// advertises on fs, and clears at its end.
func expectLockOn(h *sshtest.Fake, fs string) {
	h.Expect([]string{"zfs", "set", "zrep:lock-pid=" + strconv.Itoa(os.Getpid()), fs}).Returns("")
	h.Expect([]string{"zfs", "set", "zrep:lock-time=20231114221500", fs}).Returns("")
	h.Expect([]string{"zfs", "inherit", "zrep:lock-time", fs}).Returns("")
	h.Expect([]string{"zfs", "inherit", "zrep:lock-pid", fs}).Returns("")
}

// startSync stubs what every sync of pa/x to hostb:pb/x does before its
// snapshot: read the source, lock it, read the partner.
func startSync(t *testing.T, partnerIsMaster bool) (*Env, *sshtest.Fake, *sshtest.Fake) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(masterDetail())
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(partnerIsMaster))
	if !partnerIsMaster {
		oldZFS(remote)
		oldZFS(local)
	}
	return env, local, remote
}

// oldZFS answers the feature probe as zfs-fuse does: no resume tokens.
func oldZFS(f *sshtest.Fake) {
	zfstest.Fuse(f)
}

func TestSyncSendsFromCommonAndMarksBothSides(t *testing.T) {
	env, local, remote := startSync(t, false)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "send", "-I", "pa/x@zrep_000001", "pa/x@zrep_000002"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "pb/x"}).Returns("")
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"}).Returns("")
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	for i, c := range remote.Calls() {
		if len(c) > 1 && c[1] == "recv" && remote.Stdin(i) != "STREAM" {
			t.Errorf("recv got %q", remote.Stdin(i))
		}
	}
}

// Split brain is found before any snapshot is taken (classic bug #4).
func TestSyncSplitBrainBeforeSnapshot(t *testing.T) {
	env, _, _ := startSync(t, true)
	err := env.Sync(context.Background(), "pa/x", SyncOptions{})
	var sb *SplitBrainError
	if !errors.As(err, &sb) || zfsprops.HintOf(err) == "" {
		t.Fatalf("got %v, want split brain with a hint", err)
	}
}

// A failed transfer the receiver did not get renames the snapshot _unsent
// and releases the lock.
func TestSyncFailedSendRenamesUnsent(t *testing.T) {
	env, local, remote := startSync(t, false)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"}).Returns("")
	local.ExpectPrefix([]string{"zfs", "send"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "pb/x"}).Fails(1, "cannot receive incremental stream: destination pb/x has been modified")
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pa/x@zrep_000002"}).Returns("pa/x@zrep_000002\t777\n")
	remote.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pb/x@zrep_000002"}).Fails(1, "cannot open 'pb/x@zrep_000002': dataset does not exist")
	local.Expect([]string{"zfs", "rename", "pa/x@zrep_000002", "pa/x@zrep_000002_unsent"}).Returns("")
	err := env.Sync(context.Background(), "pa/x", SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "renamed to zrep_000002_unsent") || !strings.Contains(err.Error(), "has been modified") {
		t.Fatalf("got %v", err)
	}
	if h, err := env.Locker.TryLock("hosta", "pa/x"); err != nil {
		t.Fatalf("lock left held: %v", err)
	} else {
		h.Unlock()
	}
}

// The connection died after the receive completed: the partner is asked,
// has the snapshot, and both sides are marked as for a clean sync.
func TestSyncReceivedDespiteError(t *testing.T) {
	env, local, remote := startSync(t, false)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"})
	local.ExpectPrefix([]string{"zfs", "send"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "pb/x"}).Unreachable()
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pa/x@zrep_000002"}).Returns("pa/x@zrep_000002\t777\n")
	remote.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pb/x@zrep_000002"}).Returns("pb/x@zrep_000002\t777\n")
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"})
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.Err.(*bytes.Buffer).String(), "hostb has zrep_000002: marking it sent") {
		t.Errorf("warning: %q", env.Err)
	}
}

// The receive worked but the marks did not: the next sync repairs them on
// both sides from the GUIDs instead of failing forever (classic #5).
func TestSyncRepairsMissingMark(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	rows := [][4]string{{"pa/x", "zrep:master", "yes", "local"}, {"pa/x", "zrep:src-host", "hosta", "local"}, {"pa/x", "zrep:dest-fs", "pb/x", "local"}, {"pa/x", "zrep:dest-host", "hostb", "local"}, {"pa/x", "zrep:savecount", "5", "local"}}
	rows = append(rows, snapRows("pa/x", "zrep_000001", "101", "11", "1700000000")...)
	rows = append(rows, snapRows("pa/x", "zrep_000002", "102", "12", "")...) // received, never marked
	local.Expect(detailArgv("pa/x")).Returns(getLines(rows...))
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(getLines(append(snapRows("pb/x", "zrep_000001", "101", "6", ""), snapRows("pb/x", "zrep_000002", "102", "7", "")...)...))
	oldZFS(remote)
	oldZFS(local)
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000003"}).Returns("")
	local.Expect([]string{"zfs", "send", "-I", "pa/x@zrep_000002", "pa/x@zrep_000003"}).Returns("")
	remote.Expect([]string{"zfs", "recv", "pb/x"}).Returns("")
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000003"}).Returns("")
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000003"}).Returns("")
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
}

// A master flag on a pool that another zone or host also sees: only the
// host named in src-host syncs it (classic §4.1).
func TestSyncRefusesOtherSrcHost(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/x")).Returns(strings.Replace(masterDetail(), "zrep:src-host\thosta", "zrep:src-host\totherzone", 1))
	err := env.Sync(context.Background(), "pa/x", SyncOptions{})
	var fm *ForeignMasterError
	if !errors.As(err, &fm) || !strings.Contains(zfsprops.HintOf(err), `"otherzone"`) {
		t.Fatalf("got %v (%s)", err, zfsprops.HintOf(err))
	}
}

func TestSyncNotMaster(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/x")).Returns(getLines(
		[4]string{"pa/x", "zrep:dest-fs", "pa/x", "received"},
		[4]string{"pa/x", "zrep:dest-host", "hosta", "received"},
		[4]string{"pa/x", "zrep:master", "yes", "received"},
	))
	var nm *NotMasterError
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); !errors.As(err, &nm) {
		t.Fatalf("got %v, want NotMasterError (a received master flag does not count)", err)
	}
}
