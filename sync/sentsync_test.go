package sync

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func TestParseZrepSnapshot(t *testing.T) {
	if fs, short, err := ParseZrepSnapshot(tag, "pa/a b@zrep_00001f"); err != nil || fs != "pa/a b" || short != "zrep_00001f" {
		t.Errorf("got %q %q %v", fs, short, err)
	}
	for _, bad := range []string{"pa/x", "pa/x@manual", "pa/x@zrep_0001", "pa/x@zrep_000001_unsent", "pa/x@zrep_0000001", "pa/x@other_000001", "pa/$(id)@zrep_000001", "-x@zrep_000001"} {
		if _, _, err := ParseZrepSnapshot(tag, bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// adopted is pa/x after changeconfig: configured, not master, with an
// old mark on zrep_000001 and zrep_000002 replicated by hand.
func adopted() string {
	rows := [][4]string{
		{"pa/x", "zrep:src-fs", "pa/x", "local"},
		{"pa/x", "zrep:src-host", "hosta", "local"},
		{"pa/x", "zrep:dest-fs", "pb/x", "local"},
		{"pa/x", "zrep:dest-host", "hostb", "local"},
	}
	rows = append(rows, snapRows("pa/x", "zrep_000001", "101", "11", "1600000000")...)
	rows = append(rows, snapRows("pa/x", "zrep_000002", "102", "12", "")...)
	return getLines(rows...)
}

func handCopy(master bool, guid string) string {
	rows := snapRows("pb/x", "zrep_000002", guid, "7", "")
	if master {
		rows = append(rows, [4]string{"pb/x", "zrep:master", "yes", "local"})
	}
	return getLines(rows...)
}

func TestSentSyncMarksBothSidesAndMakesMaster(t *testing.T) {
	local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
	env, errOut := testEnv(t, local, remote)
	local.Expect(detailArgv("pa/x")).Returns(adopted())
	expectLock(local)
	remote.Expect(detailArgv("pb/x")).Returns(handCopy(false, "102"))
	remote.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pb/x@zrep_000002"})
	local.Expect([]string{"zfs", "inherit", "zrep:sent", "pa/x@zrep_000001"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"})
	local.Expect([]string{"zfs", "set", "zrep:master=yes", "pa/x"})
	if err := env.SentSync(context.Background(), "pa/x@zrep_000002", SentSyncOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := errOut.String(); got != "WARNING: clearing sent value from pa/x@zrep_000001\n" {
		t.Errorf("stderr %q", got)
	}
}

func TestSentSyncLocalOnly(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/x")).Returns(adopted())
	expectLock(local)
	local.Expect([]string{"zfs", "inherit", "zrep:sent", "pa/x@zrep_000001"})
	local.Expect([]string{"zfs", "set", "zrep:sent=1700000100", "pa/x@zrep_000002"})
	local.Expect([]string{"zfs", "set", "zrep:master=yes", "pa/x"})
	if err := env.SentSync(context.Background(), "pa/x@zrep_000002", SentSyncOptions{Local: true}); err != nil {
		t.Fatal(err)
	}
}

// Refusals change nothing on either side: the fakes fail on any set but
// the lock's, which those that read the partner take first.
func TestSentSyncRefusals(t *testing.T) {
	for _, c := range []struct {
		name, snap, local, remote, want string
	}{
		{"partner master", "pa/x@zrep_000002", adopted(), handCopy(true, "102"), "split brain"},
		{"other data", "pa/x@zrep_000002", adopted(), handCopy(false, "999"), "are different snapshots"},
		{"partner lacks it", "pa/x@zrep_000001", adopted(), handCopy(false, "102"), "hostb:pb/x has no zrep_000001"},
		{"no such snapshot", "pa/x@zrep_000003", adopted(), "", "pa/x@zrep_000003 does not exist on hosta"},
		{"mark on the filesystem", "pa/x@zrep_000002", adopted() + getLines([4]string{"pa/x", "zrep:sent", "1", "local"}), "", "pa/x itself has zrep:sent set"},
		{"not configured", "pa/x@zrep_000002", getLines(snapRows("pa/x", "zrep_000002", "102", "12", "")...), "", "not initialised for zrep"},
		{"configured elsewhere", "pa/x@zrep_000002", strings.Replace(adopted(), "src-host\thosta", "src-host\thostb", 1), "", "names hostb as its source host"},
	} {
		local, remote := sshtest.New(t, "localhost"), sshtest.New(t, "hostb")
		env, _ := testEnv(t, local, remote)
		local.Expect(detailArgv("pa/x")).Returns(c.local)
		if c.remote != "" {
			expectLock(local)
			remote.Expect(detailArgv("pb/x")).Returns(c.remote)
		}
		err := env.SentSync(context.Background(), c.snap, SentSyncOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
		var sb *SplitBrainError
		if c.name == "partner master" && !errors.As(err, &sb) {
			t.Errorf("%s: %T, want *SplitBrainError", c.name, err)
		}
	}
}
