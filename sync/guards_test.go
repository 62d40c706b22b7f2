package sync

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
)

// masterDetailWith is masterDetail with extra rows (sizes, more snapshots).
func masterDetailWith(rows ...[4]string) string { return masterDetail() + getLines(rows...) }

const bigSent = "209715200" // 200 MiB: the last sent snapshot's referenced

func guardSync(t *testing.T, fraction float64, force bool, rows ...[4]string) (*Env, *sshtest.Fake, *sshtest.Fake) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	env.EmptyFraction, env.ForceEmpty = fraction, force
	local.Expect(detailArgv("pa/x")).Returns(masterDetailWith(rows...))
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(false))
	oldZFS(remote)
	oldZFS(local)
	return env, local, remote
}

// An emptied source is not sent: the new snapshot is destroyed, nothing
// else changes, and the error names both sizes and the command that
// sends anyway.
func TestSyncEmptyGuardRefuses(t *testing.T) {
	env, local, _ := guardSync(t, 0.5, false, [4]string{"pa/x@zrep_000001", "referenced", bigSent, "-"})
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "referenced", "pa/x@zrep_000002"}).Returns("40960\n")
	local.Expect([]string{"zfs", "destroy", "pa/x@zrep_000002"}).Returns("")
	err := env.Sync(context.Background(), "pa/x", SyncOptions{})
	var ee *EmptySourceError
	if !errors.As(err, &ee) {
		t.Fatalf("got %v, want EmptySourceError", err)
	}
	for _, want := range []string{"pa/x@zrep_000002 refers to 40.0 KiB", "50%", "pa/x@zrep_000001 (200.0 MiB)", "hosta:pa/x", "destroyed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if h := zfsprops.HintOf(err); !strings.Contains(h, "zrep sync --force-empty pa/x") || !strings.Contains(h, "ZREP_FORCE_EMPTY=yes") {
		t.Errorf("hint %q", h)
	}
}

func TestSyncEmptyGuardForcedOrNotNeeded(t *testing.T) {
	for _, c := range []struct {
		name     string
		fraction float64
		force    bool
		lastSize string
	}{
		{"--force-empty", 0.5, true, bigSent},
		{"guard off", 0, false, bigSent},
		{"a new, small pair", 0.5, false, "102400"},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, local, remote := guardSync(t, c.fraction, c.force, [4]string{"pa/x@zrep_000001", "referenced", c.lastSize, "-"})
			local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"}).Returns("")
			local.Expect([]string{"zfs", "send", "-I", "pa/x@zrep_000001", "pa/x@zrep_000002"}).Returns("STREAM")
			remote.Expect([]string{"zfs", "recv", "pb/x"}).Returns("")
			remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"}).Returns("")
			local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"}).Returns("")
			if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A big enough new snapshot passes the guard with one extra zfs get.
func TestSyncEmptyGuardPasses(t *testing.T) {
	env, local, remote := guardSync(t, 0.5, false, [4]string{"pa/x@zrep_000001", "referenced", bigSent, "-"})
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "referenced", "pa/x@zrep_000002"}).Returns("157286400\n")
	local.Expect([]string{"zfs", "send", "-I", "pa/x@zrep_000001", "pa/x@zrep_000002"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "pb/x"}).Returns("")
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"}).Returns("")
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
}

// Each failing run leaves one _unsent snapshot; the ones of earlier
// failures go, so ten failures leave one, not ten.
func TestSyncFailedSendBoundsUnsent(t *testing.T) {
	var rows [][4]string
	rows = append(rows, snapRows("pa/x", "zrep_000002_unsent", "102", "12", "")...)
	rows = append(rows, snapRows("pa/x", "zrep_000003_unsent", "103", "13", "")...)
	env, local, remote := guardSync(t, 0, false, rows...)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000004"}).Returns("")
	local.ExpectPrefix([]string{"zfs", "send"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "pb/x"}).Fails(1, "cannot receive incremental stream: destination pb/x has been modified")
	local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pa/x@zrep_000004"}).Returns("pa/x@zrep_000004\t777\n")
	remote.Expect([]string{"zfs", "get", "-H", "-p", "-o", "name,value", "guid", "pb/x@zrep_000004"}).Fails(1, "cannot open 'pb/x@zrep_000004': dataset does not exist")
	local.Expect([]string{"zfs", "rename", "pa/x@zrep_000004", "pa/x@zrep_000004_unsent"}).Returns("")
	local.Expect([]string{"zfs", "destroy", "pa/x@zrep_000002_unsent"}).Returns("")
	local.Expect([]string{"zfs", "destroy", "pa/x@zrep_000003_unsent"}).Returns("")
	err := env.Sync(context.Background(), "pa/x", SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "renamed to zrep_000004_unsent") {
		t.Fatalf("got %v", err)
	}
}

func TestExpireUnsent(t *testing.T) {
	snaps := []zfsprops.Snapshot{
		{Name: "a@zrep_000001_unsent"}, // older than the last sent: savecount's
		{Name: "a@zrep_000002", Sent: zfsprops.Value{Value: "9", Source: zfsprops.SourceLocal}},
		{Name: "a@zrep_000003_unsent"}, {Name: "a@manual"}, {Name: "a@zrep_000004_unsent"}, {Name: "a@zrep_000005"},
	}
	got := ExpireUnsent(tag, snaps)
	if want := []string{"a@zrep_000003_unsent", "a@zrep_000004_unsent"}; !reflect.DeepEqual(got, want) {
		t.Errorf("ExpireUnsent = %v, want %v", got, want)
	}
}

// A garbage value in a zrep property fails the pair with the property,
// the host and the fix, before anything is changed.
func TestSyncCorruptProps(t *testing.T) {
	for _, c := range []struct {
		name, from, to, prop, fix string
	}{
		{"master", "zrep:master\tyes", "zrep:master\tgarbage", "zrep:master", "zfs inherit zrep:master"},
		{"savecount", "zrep:savecount\t5", "zrep:savecount\tfive", "zrep:savecount", "zfs set zrep:savecount=5"},
		{"dest-fs", "zrep:dest-fs\tpb/x", "zrep:dest-fs\tpb/x/..", "zrep:dest-fs", "changeconfig"},
		{"dest-host", "zrep:dest-host\thostb", "zrep:dest-host\t-oProxyCommand=x", "zrep:dest-host", "zfs set zrep:dest-host=HOST"},
	} {
		t.Run(c.name, func(t *testing.T) {
			local := sshtest.New(t, "localhost")
			env, _ := testEnv(t, local, nil)
			local.Expect(detailArgv("pa/x")).Returns(strings.Replace(masterDetail(), c.from, c.to, 1))
			err := env.Sync(context.Background(), "pa/x", SyncOptions{})
			var pe *zfsprops.PropError
			if !errors.As(err, &pe) || pe.Prop != c.prop || !strings.Contains(err.Error(), "pa/x on hosta") || !strings.Contains(zfsprops.HintOf(err), c.fix) {
				t.Fatalf("got %v (hint %q)", err, zfsprops.HintOf(err))
			}
		})
	}
}

func TestSyncCorruptPartnerProps(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(masterDetail())
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(strings.Replace(replicaDetail(false), "zrep:savecount\t5", "zrep:savecount\tx", 1))
	err := env.Sync(context.Background(), "pa/x", SyncOptions{})
	var pe *zfsprops.PropError
	if !errors.As(err, &pe) || pe.Host != "hostb" || pe.FS != "pb/x" || !strings.Contains(zfsprops.HintOf(err), "on hostb run: zfs set zrep:savecount=5") {
		t.Fatalf("got %v (hint %q)", err, zfsprops.HintOf(err))
	}
}

// A pair made with -R syncs recursively without -R.
func TestSyncRemembersRecursive(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(masterDetailWith([4]string{"pa/x", "zrep:recursive", "yes", "local"}))
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(replicaDetail(false) + getLines([4]string{"pb/x", "zrep:recursive", "yes", "received"}))
	oldZFS(remote)
	oldZFS(local)
	local.Expect([]string{"zfs", "snapshot", "-r", "pa/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "send", "-R", "-I", "pa/x@zrep_000001", "pa/x@zrep_000002"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "-u", "pb/x"}).Returns("")
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"}).Returns("")
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"}).Returns("")
	if err := env.Sync(context.Background(), "pa/x", SyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if env.Recursive {
		t.Error("the run's environment must not change: only this pair is recursive")
	}
}

// refreshStubs: pa/r on hosta is the replica of hostb:pb/m, whose
// lock-pid is 4242.
func refreshStubs(t *testing.T) (*Env, *sshtest.Fake, *sshtest.Fake) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, _ := testEnv(t, local, remote)
	rows := [][4]string{
		{"pa/r", "zrep:src-fs", "pb/m", "received"}, {"pa/r", "zrep:src-host", "hostb", "received"},
		{"pa/r", "zrep:dest-fs", "pa/r", "received"}, {"pa/r", "zrep:dest-host", "hosta", "received"},
		{"pa/r", "zrep:savecount", "5", "received"},
	}
	local.Expect(detailArgv("pa/r")).Returns(getLines(append(rows, snapRows("pa/r", "zrep_000001", "101", "6", "1700000000")...)...))
	local.Expect([]string{"zfs", "set", "zrep:lock-pid=" + itoa(pid()), "pa/r"}).Returns("")
	local.Expect([]string{"zfs", "set", "zrep:lock-time=20231114221500", "pa/r"}).Returns("")
	local.Expect([]string{"zfs", "inherit", "zrep:lock-time", "pa/r"}).Returns("")
	local.Expect([]string{"zfs", "inherit", "zrep:lock-pid", "pa/r"}).Returns("")
	mrows := [][4]string{
		{"pb/m", "zrep:master", "yes", "local"}, {"pb/m", "zrep:src-fs", "pb/m", "local"},
		{"pb/m", "zrep:src-host", "hostb", "local"}, {"pb/m", "zrep:dest-fs", "pa/r", "local"},
		{"pb/m", "zrep:dest-host", "hosta", "local"}, {"pb/m", "zrep:savecount", "5", "local"},
		{"pb/m", "zrep:lock-pid", "4242", "local"}, {"pb/m", "zrep:lock-time", "20231114000000", "local"},
	}
	remote.Expect(detailArgv("pb/m")).Returns(getLines(append(mrows, snapRows("pb/m", "zrep_000001", "101", "11", "1700000000")...)...))
	return env, local, remote
}

// A lock-pid left on the master by a killed zrep is cleared with a
// warning and the refresh goes on.
func TestRefreshClearsStaleRemoteLockPID(t *testing.T) {
	env, local, remote := refreshStubs(t)
	remote.Expect([]string{"ps", "-p", "4242", "-o", "args="}).Fails(1, "")
	remote.Expect([]string{"zfs", "inherit", "zrep:lock-time", "pb/m"}).Returns("")
	remote.Expect([]string{"zfs", "inherit", "zrep:lock-pid", "pb/m"}).Returns("")
	oldZFS(local)
	oldZFS(remote)
	// Past the lock, the refresh runs; a snapshot refused ends it here.
	remote.Expect([]string{"zfs", "snapshot", "pb/m@zrep_000002"}).Fails(1, "cannot create snapshot: out of space")
	err := env.Refresh(context.Background(), "pa/r", SyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "could not create snapshot") {
		t.Fatalf("got %v, want the refresh to go past the stale lock", err)
	}
	if w := env.Err.(interface{ String() string }).String(); !strings.Contains(w, "hostb:pb/m: clearing a stale zrep:lock-pid=4242") {
		t.Errorf("warning %q", w)
	}
}

// A live zrep on the master still blocks.
func TestRefreshLiveRemoteLockPIDBlocks(t *testing.T) {
	for _, ps := range []struct {
		name string
		stub func(*sshtest.Stub)
	}{
		{"a zrep runs as it", func(s *sshtest.Stub) { s.Returns("/usr/local/sbin/zrep sync all\n") }},
		{"ps cannot tell", func(s *sshtest.Stub) { s.Fails(127, "sh: ps: not found") }},
	} {
		t.Run(ps.name, func(t *testing.T) {
			env, _, remote := refreshStubs(t)
			ps.stub(remote.Expect([]string{"ps", "-p", "4242", "-o", "args="}))
			err := env.Refresh(context.Background(), "pa/r", SyncOptions{})
			var busy *lock.BusyError
			if !errors.As(err, &busy) || busy.PID != 4242 {
				t.Fatalf("got %v, want busy", err)
			}
		})
	}
}

// A pid alive but not zrep (reused) is stale too.
func TestRefreshReusedPIDIsStale(t *testing.T) {
	env, local, remote := refreshStubs(t)
	remote.Expect([]string{"ps", "-p", "4242", "-o", "args="}).Returns("/usr/sbin/cron -f\n")
	remote.Expect([]string{"zfs", "inherit", "zrep:lock-time", "pb/m"}).Returns("")
	remote.Expect([]string{"zfs", "inherit", "zrep:lock-pid", "pb/m"}).Returns("")
	oldZFS(local)
	oldZFS(remote)
	remote.Expect([]string{"zfs", "snapshot", "pb/m@zrep_000002"}).Fails(1, "cannot create snapshot: out of space")
	if err := env.Refresh(context.Background(), "pa/r", SyncOptions{}); err == nil || !strings.Contains(err.Error(), "could not create snapshot") {
		t.Fatalf("got %v", err)
	}
}

func pid() int          { return os.Getpid() }
func itoa(n int) string { return strconv.Itoa(n) }
