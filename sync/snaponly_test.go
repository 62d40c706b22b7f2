package sync

import (
	"context"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

// The next serial counts an _unsent snapshot, and the lock is advertised
// in the lock properties while the snapshot is made.
func TestSnapOnlyMakesNextSerial(t *testing.T) {
	local := sshtest.New(t, "localhost")
	env, _ := testEnv(t, local, nil)
	local.Expect(detailArgv("pa/x")).Returns(masterDetail() + getLines(snapRows("pa/x", "zrep_000004_unsent", "104", "14", "")...))
	expectLock(local)
	local.Expect([]string{"zfs", "snapshot", "pa/x@zrep_000005"})
	snap, err := env.SnapOnly(context.Background(), "pa/x")
	if err != nil || snap != "pa/x@zrep_000005" {
		t.Fatalf("got %q, %v", snap, err)
	}
}

func TestSnapOnlyRefusesReplicaAndOtherHost(t *testing.T) {
	for _, c := range []struct{ detail, want string }{
		{replicaDetail(false), "pb/x on hosta is not initialised"},
		{strings.Replace(masterDetail(), "src-host\thosta", "src-host\tzone2", 1), `of host "zone2", not hosta`},
		{strings.Replace(masterDetail(), "master\tyes\tlocal", "master\tyes\treceived", 1), "is not master on hosta"},
	} {
		local := sshtest.New(t, "localhost")
		env, _ := testEnv(t, local, nil)
		name := "pa/x"
		if strings.HasPrefix(c.detail, "pb/x") {
			name = "pb/x"
		}
		local.Expect(detailArgv(name)).Returns(c.detail)
		if _, err := env.SnapOnly(context.Background(), name); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
	}
}
