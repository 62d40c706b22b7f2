package cmd

import (
	"testing"

	"github.com/zrep-go/zrep/zfsprops/zfstest"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func TestGetLastSent(t *testing.T) {
	for _, args := range [][]string{{"getlastsent", "pa/prod"}, {"lastsent", "pa/prod"}} {
		local := sshtest.New(t, "localhost")
		local.Expect(detailArgvCmd("pa/prod")).Returns(fixture(t, "inventory.txt"))
		out, errOut, code := runWith(t, local, map[string]string{"ZREP_RUNDIR": t.TempDir()}, args...)
		if code != 0 || errOut != "" || out != "pa/prod@zrep_000002\n" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}

func TestGetLastSentAndUpToDateNeedOneFS(t *testing.T) {
	for _, args := range [][]string{{"getlastsent"}, {"uptodate"}, {"uptodate", "a/b", "c/d"}, {"lastsent", "pa/x@zrep_000001"}} {
		_, errOut, code := runWith(t, sshtest.New(t, "localhost"), nil, args...)
		if code != ExitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestSetLastSentIsClassicStub(t *testing.T) {
	out, errOut, code := runWith(t, sshtest.New(t, "localhost"), nil, "setlastsent", "pa/x@zrep_000001")
	if code != 1 || errOut != "" || out != "Nothing to see here. You might want sentsync. You might not.\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// zfs-fuse has no written property: uptodate cannot tell and says so.
func TestUpToDateWithoutWritten(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(detailArgvCmd("pa/prod")).Returns(fixture(t, "inventory.txt"))
	zfstest.Fuse(local)
	out, errOut, code := runWith(t, local, map[string]string{"ZREP_RUNDIR": t.TempDir()}, "uptodate", "pa/prod")
	if code != 1 || out != "" || errOut != "Error: zfs on hosta has no written property, cannot tell whether pa/prod changed since zrep_000002; classic zrep answered 1 (not up to date) here too\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestUpToDateExitCodes(t *testing.T) {
	for written, want := range map[string]int{"0\n": 0, "8192\n": 1} {
		local := sshtest.New(t, "localhost")
		local.Expect(detailArgvCmd("pa/prod")).Returns(fixture(t, "inventory.txt"))
		zfstest.OpenZFS(local)
		local.Expect([]string{"zpool", "sync", "pa"})
		local.Expect([]string{"zfs", "get", "-H", "-p", "-o", "value", "written@zrep_000002", "pa/prod"}).Returns(written)
		out, errOut, code := runWith(t, local, map[string]string{"ZREP_RUNDIR": t.TempDir()}, "uptodate", "pa/prod")
		if code != want || out != "" || errOut != "" {
			t.Errorf("written %q: exit %d, stdout %q, stderr %q", written, code, out, errOut)
		}
	}
}
