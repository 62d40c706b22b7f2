package cmd

import (
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func TestSnapOnlyFlags(t *testing.T) {
	testFlags(t, NewCmdSnapOnly, []flagCase[SnapOnlyOptions]{
		{[]string{"all"}, SnapOnlyOptions{All: true}, 0},
		{[]string{"pa/a", "pa/b c"}, SnapOnlyOptions{Datasets: []string{"pa/a", "pa/b c"}}, 0},
		{nil, SnapOnlyOptions{}, ExitUsage},
		{[]string{"pa/a;id"}, SnapOnlyOptions{}, ExitUsage},
	})
}

// A classic partner's refresh parses the output: names separated by
// newlines (classic ran them together, §10.19), none after the last.
func TestSnapOnlyAllOutput(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(readAllArgv("zrep")).Returns(fixture(t, "inventory.txt"))
	local.Expect(detailArgvCmd("pa/prod")).Returns(fixture(t, "inventory.txt"))
	local.Expect(detailArgvCmd("pa/never")).Returns(fixture(t, "inventory.txt"))
	local.ExpectPrefix([]string{"zfs", "set"}).Times(4)
	local.ExpectPrefix([]string{"zfs", "inherit"}).Times(4)
	local.Expect([]string{"zfs", "snapshot", "pa/prod@zrep_000003"})
	local.Expect([]string{"zfs", "snapshot", "pa/never@zrep_000000"})
	out, errOut, code := runWith(t, local, map[string]string{"ZREP_RUNDIR": t.TempDir()}, "snaponly", "all")
	if code != 0 || errOut != "" || out != "pa/prod@zrep_000003\npa/never@zrep_000000" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestSnapOnlyNoMastersIsSilent(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(readAllArgv("zrep")).Returns("")
	out, errOut, code := runWith(t, local, map[string]string{"ZREP_RUNDIR": t.TempDir()}, "snaponly", "all")
	if code != 0 || out != "" || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
