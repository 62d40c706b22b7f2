package failover

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zrep-go/zrep/zfsprops/zfstest"

	"github.com/zrep-go/zrep/lock"
	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/ssh/sshtest"
	zsync "github.com/zrep-go/zrep/sync"
	"github.com/zrep-go/zrep/zfsprops"
)

const tag = zfsprops.Tag("zrep")

func detail(name string) []string {
	return zfsprops.GetArgs([]string{"-d", "1"}, zfsprops.DetailProps(tag), name)
}

func rows(fs string, props map[string]string, source string, snaps ...string) string {
	var b strings.Builder
	for k, v := range props {
		b.WriteString(fs + "\tzrep:" + k + "\t" + v + "\t" + source + "\n")
	}
	for i, s := range snaps {
		short, sent, _ := strings.Cut(s, "=")
		b.WriteString(fs + "@" + short + "\tguid\t" + strconv.Itoa(100+i) + "\t-\n")
		b.WriteString(fs + "@" + short + "\tcreatetxg\t" + strconv.Itoa(10+i) + "\t-\n")
		if sent != "" {
			b.WriteString(fs + "@" + short + "\tzrep:sent\t" + sent + "\tlocal\n")
		}
	}
	return b.String()
}

func newRoles(t *testing.T, local, remote *sshtest.Fake) *Roles {
	locker, err := lock.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &Roles{
		Env: &zsync.Env{
			Tag: tag, Self: "hosta", Local: local, Locker: locker,
			Hosts: func(string) (ssh.Host, error) { return remote, nil },
			Out:   &bytes.Buffer{}, Err: &bytes.Buffer{}, Now: func() time.Time { return time.Unix(1700000100, 0) },
			IncFlag: "-I", RenameUnsent: true, SaveCount: "5",
			Identify: func(context.Context, ssh.Host) (string, error) { return "hostb", nil },
		},
	}
}

var masterProps = map[string]string{"master": "yes", "src-fs": "pa/x", "src-host": "hosta", "dest-fs": "pb/x", "dest-host": "hostb", "savecount": "5"}
var replicaProps = map[string]string{"src-fs": "pa/x", "src-host": "hosta", "dest-fs": "pb/x", "dest-host": "hostb", "savecount": "5"}

const intentBegun = "epoch=1 old=hosta:pa/x old-self=hosta new=hostb:pb/x new-self=hostb here=%s phase=begun readonly=inherit"

// expectIntent stubs the role-change intent a flip of pa/x to pb/x writes
// on both sides first, and clears at its end or in its undo.
func expectIntent(local, remote *sshtest.Fake) {
	local.Expect([]string{"zfs", "set", "zrep:role-change=" + fmt.Sprintf(intentBegun, "old"), "pa/x"})
	remote.Expect([]string{"zfs", "set", "zrep:role-change=" + fmt.Sprintf(intentBegun, "new"), "pb/x"})
	local.Expect([]string{"zfs", "inherit", "zrep:role-change", "pa/x"})
	remote.Expect([]string{"zfs", "inherit", "zrep:role-change", "pb/x"})
}

func expectLock(local *sshtest.Fake) {
	local.Expect([]string{"zfs", "set", "zrep:lock-pid=" + strconv.Itoa(os.Getpid()), "pa/x"})
	local.Expect([]string{"zfs", "set", "zrep:lock-time=20231114221500", "pa/x"})
	local.Expect([]string{"zfs", "inherit", "zrep:lock-time", "pa/x"})
	local.Expect([]string{"zfs", "inherit", "zrep:lock-pid", "pa/x"})
}

// When the partner refuses the master flag, every step is undone and the
// old master is master again: never zero masters, never two.
func TestFailoverUndoneWhenPartnerFails(t *testing.T) {
	time.Local = time.UTC
	local, remote := sshtest.New(t, "hosta"), sshtest.New(t, "hostb")
	r := newRoles(t, local, remote)
	local.Expect(detail("pa/x")).Returns(rows("pa/x", masterProps, "local", "zrep_000000=1700000000"))
	expectLock(local)
	remote.Expect(detail("pb/x")).Returns(rows("pb/x", replicaProps, "received", "zrep_000000"))
	zfstest.Fuse(remote)
	zfstest.Fuse(local)
	local.Expect([]string{"zfs", "get", "-H", "-o", "value,source", "readonly", "pa/x"}).Returns("off\tdefault\n")
	expectIntent(local, remote)
	local.Expect([]string{"zfs", "set", "readonly=on", "pa/x"})
	local.Expect([]string{"zfs", "inherit", "zrep:master", "pa/x"})
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000001"})
	local.Expect([]string{"zfs", "send", "-I", "pa/x@zrep_000000", "pa/x@zrep_000001"}).Returns("STREAM")
	remote.Expect([]string{"zfs", "recv", "pb/x"})
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000001"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000001"})
	remote.Expect([]string{"zfs", "set", "zrep:role-change=" + strings.Replace(fmt.Sprintf(intentBegun, "new"), "begun", "synced", 1), "pb/x"})
	for _, kv := range []string{"dest-fs=pa/x", "dest-host=hosta", "src-fs=pb/x", "src-host=hostb", "epoch=1"} {
		local.Expect([]string{"zfs", "set", "zrep:" + kv, "pa/x"})
		remote.Expect([]string{"zfs", "set", "zrep:" + kv, "pb/x"})
	}
	remote.Expect([]string{"zfs", "set", "zrep:master=yes", "pb/x"}).Fails(1, "cannot set property for 'pb/x': permission denied")
	// Undo, newest first: the epochs, the partner's config, ours, the
	// commit point, our master flag, readonly, the intent. zfs refused the
	// flag itself, so that needs no undo.
	remote.Expect([]string{"zfs", "inherit", "zrep:epoch", "pb/x"})
	local.Expect([]string{"zfs", "inherit", "zrep:epoch", "pa/x"})
	for _, kv := range []string{"src-host=hosta", "src-fs=pa/x", "dest-host=hostb", "dest-fs=pb/x"} {
		remote.Expect([]string{"zfs", "set", "zrep:" + kv, "pb/x"})
		local.Expect([]string{"zfs", "set", "zrep:" + kv, "pa/x"})
	}
	remote.Expect([]string{"zfs", "set", "zrep:role-change=" + fmt.Sprintf(intentBegun, "new"), "pb/x"})
	local.Expect([]string{"zfs", "set", "zrep:master=yes", "pa/x"})
	local.Expect([]string{"zfs", "inherit", "readonly", "pa/x"})

	err := r.Failover(context.Background(), Options{FS: "pa/x"})
	if err == nil || !strings.Contains(err.Error(), "changes undone, hosta:pa/x is still master") || !strings.Contains(err.Error(), "permission denied") {
		t.Fatalf("got %v", err)
	}
	calls := local.Calls()
	if last := calls[len(calls)-4]; strings.Join(last, " ") != "zfs inherit readonly pa/x" {
		t.Errorf("readonly is not the last thing undone before the intent goes and the lock: %v", calls[len(calls)-5:])
	}
}

// An undo step that fails is named with the command that finishes it.
func TestFailoverUndoFailureSaysWhatToRun(t *testing.T) {
	local := sshtest.New(t, "hosta")
	u := &undo{}
	u.add("zfs set zrep:master=yes pa/x on hosta", func(context.Context) error { return os.ErrPermission })
	u.add("zfs inherit readonly pa/x on hosta", func(context.Context) error { return nil })
	m := &end{Side: zsync.Side{Host: local, Name: "hosta", FS: &zfsprops.Filesystem{Name: "pa/x"}}}
	err := u.fail(context.Background(), "failover of hosta:pa/x", m, os.ErrDeadlineExceeded)
	if !strings.Contains(err.Error(), "could not be fully undone") || !strings.Contains(zfsprops.HintOf(err), "zfs set zrep:master=yes pa/x on hosta") ||
		strings.Contains(zfsprops.HintOf(err), "readonly") {
		t.Fatalf("got %v; hint %q", err, zfsprops.HintOf(err))
	}
}

// takeover -L refuses a filesystem that is already master (classic #9
// rewrote its partner to itself), before it even takes the lock.
func TestTakeoverLocalRefusesMaster(t *testing.T) {
	local, remote := sshtest.New(t, "hosta"), sshtest.New(t, "hostb")
	r := newRoles(t, local, remote)
	local.Expect(detail("pa/x")).Returns(rows("pa/x", masterProps, "local"))
	err := r.Takeover(context.Background(), Options{FS: "pa/x", Local: true})
	if err == nil || !strings.Contains(err.Error(), "already master") {
		t.Fatalf("got %v", err)
	}
}

// failover -L refuses to roll back over snapshots zrep did not make
// unless forced, and changes nothing.
func TestDemoteKeepsForeignSnapshots(t *testing.T) {
	local, remote := sshtest.New(t, "hosta"), sshtest.New(t, "hostb")
	r := newRoles(t, local, remote)
	local.Expect(detail("pa/x")).Returns(rows("pa/x", masterProps, "local", "zrep_000000=1700000000", "mine", "zrep_000001"))
	expectLock(local)
	err := r.Failover(context.Background(), Options{FS: "pa/x", Local: true})
	if err == nil || !strings.Contains(err.Error(), "snapshots zrep did not make: pa/x@mine") {
		t.Fatalf("got %v", err)
	}
}

// A first step that zfs refuses (non-root without the readonly
// permission) changed nothing: the failover is undone, not "could not be
// fully undone", and the hint names the missing permission.
func TestFailoverRefusedFirstStepChangedNothing(t *testing.T) {
	local, remote := sshtest.New(t, "hosta"), sshtest.New(t, "hostb")
	r := newRoles(t, local, remote)
	local.Expect(detail("pa/x")).Returns(rows("pa/x", masterProps, "local", "zrep_000000=1700000000"))
	expectLock(local)
	remote.Expect(detail("pb/x")).Returns(rows("pb/x", replicaProps, "received", "zrep_000000"))
	local.Expect([]string{"zfs", "get", "-H", "-o", "value,source", "readonly", "pa/x"}).Returns("off\tdefault\n")
	expectIntent(local, remote)
	local.Expect([]string{"zfs", "set", "readonly=on", "pa/x"}).Fails(1, "cannot set property for 'pa/x': permission denied")
	err := r.Failover(context.Background(), Options{FS: "pa/x"})
	if err == nil || !strings.Contains(err.Error(), "changes undone, hosta:pa/x is still master") || !strings.Contains(zfsprops.HintOf(err), "zfs allow -u USER readonly pa/x") {
		t.Fatalf("got %v (hint %q)", err, zfsprops.HintOf(err))
	}
}

// A non-root role change of a filesystem is refused before anything
// changes: Linux lets only root mount; a volume needs no mount.
func TestRoleChangeNeedsRootForFilesystems(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	defer func(f func() int) { euid = f }(euid)
	euid = func() int { return 1000 }
	for typ, refused := range map[string]bool{"filesystem": true, "volume": false} {
		local, remote := sshtest.New(t, "hosta"), sshtest.New(t, "hostb")
		r := newRoles(t, local, remote)
		local.Expect([]string{"zfs", "get", "-H", "-o", "value", "type", "pa/x"}).Returns(typ + "\n")
		err := r.needRoot(context.Background(), "pa/x")
		if (err != nil) != refused || refused && !strings.Contains(err.Error(), "needs root on Linux") {
			t.Errorf("%s: %v", typ, err)
		}
	}
}
