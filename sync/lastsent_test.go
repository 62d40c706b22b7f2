package sync

import (
	"context"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/zfsprops/zfstest"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func TestLastSent(t *testing.T) {
	for _, c := range []struct{ detail, want string }{
		{masterDetail(), "pa/x@zrep_000001"},
		{getLines(snapRows("pa/x", "zrep_000000", "1", "1", "")...), ""},
		// Legacy fallback of ZFS without snapshot properties.
		{getLines([4]string{"pa/x", "zrep:lastsent", "pa/x@zrep_000007", "local"}), "pa/x@zrep_000007"},
	} {
		local := sshtest.New(t, "localhost")
		env, _ := testEnv(t, local, nil)
		local.Expect(detailArgv("pa/x")).Returns(c.detail)
		if got, err := env.LastSent(context.Background(), "pa/x"); err != nil || got != c.want {
			t.Errorf("got %q, %v; want %q", got, err, c.want)
		}
	}
}

const (
	modernUsage = "openzfs"
	fuseUsage   = "fuse"
)

func TestUpToDate(t *testing.T) {
	for _, c := range []struct {
		name, detail, usage, written string
		want                         bool
		wantErr                      string
	}{
		{"unchanged", masterDetail(), modernUsage, "0\n", true, ""},
		{"written since", masterDetail(), modernUsage, "4096\n", false, ""},
		{"newer snapshot not sent", masterDetail() + getLines(snapRows("pa/x", "zrep_000002_unsent", "102", "12", "")...), "", "", false, ""},
		{"never synced", getLines(snapRows("pa/x", "zrep_000000", "1", "1", "")...), "", "", false, ""},
		{"zfs cannot tell", masterDetail(), fuseUsage, "", false, "has no written property"},
	} {
		local := sshtest.New(t, "localhost")
		env, _ := testEnv(t, local, nil)
		local.Expect(detailArgv("pa/x")).Returns(c.detail)
		if c.usage != "" {
			local.Expect([]string{"zfs"}).Fails(2, zfstest.Usage(c.usage, "zfs"))
			local.Expect([]string{"zfs", "get"}).Fails(2, zfstest.Usage(c.usage, "zfs-get"))
		}
		if c.written != "" {
			local.Expect([]string{"zpool", "sync", "pa"})
			local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "written@zrep_000001", "pa/x"}).Returns(c.written)
		}
		got, err := env.UpToDate(context.Background(), "pa/x")
		if got != c.want || (err == nil) != (c.wantErr == "") || err != nil && !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: got %v, %v; want %v, %q", c.name, got, err, c.want, c.wantErr)
		}
	}
}
