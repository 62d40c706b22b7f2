package sync

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func expectSets(h *sshtest.Fake, name string, kv ...string) {
	for i := 0; i < len(kv); i += 2 {
		h.Expect([]string{"zfs", "set", kv[i] + "=" + kv[i+1], name})
	}
}

// A custom savecount survives (classic reset it to ZREP_SAVE_COUNT) and
// the operator is told how to change it.
func TestChangeConfigKeepsSaveCount(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/x")).Returns(strings.Replace(masterDetail(), "savecount\t5", "savecount\t12", 1))
	expectLockOn(local, "pa/x")
	expectSets(local, "pa/x", "zrep:src-fs", "pa/x", "zrep:src-host", "hosta", "zrep:dest-fs", "pc/x", "zrep:dest-host", "hostc")
	if err := env.ChangeConfig(context.Background(), ChangeConfigOptions{FS: "pa/x", Host: "hostc", FS2: "pc/x"}); err != nil {
		t.Fatal(err)
	}
	want := "Keeping zrep:savecount=12 on pa/x; to change it: zfs set zrep:savecount=5 pa/x\n"
	if got := env.Out.(*bytes.Buffer).String(); got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
}

// -d: FS is the destination; an unset, broken or inherited savecount
// (a parent pair's) is written.
func TestChangeConfigDestination(t *testing.T) {
	for _, sc := range [][2]string{{}, {"-", "local"}, {"0", "local"}, {"7", "inherited from pb"}} {
		local := sshtest.New(t, "localhost")
		env, _ := testEnv(t, local, nil)
		rows := snapRows("pb/x", "zrep_000003", "103", "3", "")
		if sc[0] != "" {
			rows = append(rows, [4]string{"pb/x", "zrep:savecount", sc[0], sc[1]})
		}
		local.Expect(detailArgv("pb/x")).Returns(getLines(rows...))
		expectLockOn(local, "pb/x")
		expectSets(local, "pb/x", "zrep:src-fs", "pa/x", "zrep:src-host", "hostz", "zrep:dest-fs", "pb/x", "zrep:dest-host", "hosta", "zrep:savecount", "5")
		if err := env.ChangeConfig(context.Background(), ChangeConfigOptions{FS: "pb/x", Host: "hostz", FS2: "pa/x", Dest: true}); err != nil {
			t.Fatalf("savecount %q: %v", sc, err)
		}
		if out := env.Out.(*bytes.Buffer).String(); out != "" {
			t.Errorf("savecount %q: printed %q", sc, out)
		}
	}
}

func TestChangeConfigNeedsSnapshotsUnlessForced(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/y")).Returns(getLines(snapRows("pa/y", "manual", "1", "1", "")...)).Times(2)
	err := env.ChangeConfig(context.Background(), ChangeConfigOptions{FS: "pa/y", Host: "hostb", FS2: "pb/y"})
	if err == nil || !strings.Contains(err.Error(), "not initialised for zrep") {
		t.Fatalf("got %v", err)
	}
	expectLockOn(local, "pa/y")
	expectSets(local, "pa/y", "zrep:src-fs", "pa/y", "zrep:src-host", "hosta", "zrep:dest-fs", "pb/y", "zrep:dest-host", "hostb", "zrep:savecount", "5")
	if err := env.ChangeConfig(context.Background(), ChangeConfigOptions{FS: "pa/y", Host: "hostb", FS2: "pb/y", Force: true}); err != nil {
		t.Fatal(err)
	}
}
