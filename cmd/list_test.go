package cmd

import (
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func snapListArgv(names ...string) []string {
	return append([]string{"zfs", "list", "-r", "-t", "snapshot", "-o", "name,creation"}, names...)
}

// A table as zfs-fuse prints it, header included; list -s passes it on
// untouched.
const snapTable = "NAME                       CREATION\n" +
	"pa/prod@zrep_000001        Sun Nov 22  1:26 2026\n" +
	"pa/prod@manual             Sun Nov 22  1:27 2026\n" +
	"pa/prod/child@zrep_000001  Sun Nov 22  1:26 2026\n" +
	"pa/never@zrep_000000       Sun Nov 22  1:20 2026\n"

// list -s (classic §8.2): the masters' snapshots in one zfs call.
func TestListSnapshotsMasters(t *testing.T) {
	for _, args := range [][]string{{"list", "-s"}, {"-l", "-s"}} {
		local := sshtest.New(t, "localhost")
		local.Expect(readAllArgv("zrep")).Returns(fixture(t, "inventory.txt"))
		local.Expect(snapListArgv("pa/prod", "pa/never")).Returns(snapTable)
		out, errOut, code := runWith(t, local, nil, args...)
		if code != 0 || errOut != "" || out != snapTable {
			t.Errorf("%v: exit %d, stderr %q, stdout\n%s", args, code, errOut, out)
		}
	}
}

// Named filesystems go to zfs as they are, zrep's or not, as in classic.
func TestListSnapshotsNamed(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(snapListArgv("pa/prod", "pa/b c")).Returns(snapTable)
	out, errOut, code := runWith(t, local, nil, "list", "-s", "pa/prod", "pa/b c")
	if code != 0 || errOut != "" || out != snapTable {
		t.Fatalf("exit %d, stderr %q, stdout\n%s", code, errOut, out)
	}
}

func TestListSnapshotsNoMasters(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(readAllArgv("zrep")).Returns("")
	out, errOut, code := runWith(t, local, nil, "list", "-s")
	if code != 0 || out != "" || errOut != "No zrep master filesystems found\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestListSnapshotsMissing(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(snapListArgv("pa/gone")).Fails(1, "cannot open 'pa/gone': dataset does not exist\n")
	_, errOut, code := runWith(t, local, nil, "list", "-s", "pa/gone")
	if code != 1 || errOut != "Error: pa/gone does not exist on localhost\n" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// -s is its own listing: with -v or -L it is a usage error, before any
// zfs call (the fake fails the test on any).
func TestListSnapshotsConflicts(t *testing.T) {
	for _, args := range [][]string{{"list", "-s", "-v"}, {"list", "-v", "-s"}, {"list", "-L", "-s"}, {"-l", "-sL", "pa/x"}} {
		_, errOut, code := runWith(t, sshtest.New(t, "localhost"), nil, args...)
		if code != ExitUsage || !strings.Contains(errOut, "list -s cannot be combined with -v or -L") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}
