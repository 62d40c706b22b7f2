package cmd

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
)

// parse runs a command built with a recording runF, as zrep would, and
// returns the exit code and stderr. No host is touched.
func parse(t *testing.T, build func(*Factory) *cobra.Command, args ...string) (int, string) {
	t.Helper()
	io, _, errOut := TestIO()
	f := NewFactory(io, func(k string) string {
		if k == "ZREP_DEFAULTS_FILE" {
			return "/nonexistent"
		}
		return ""
	})
	c := build(f)
	c.SetArgs(args)
	c.SetOut(io.Out)
	c.SetErr(io.ErrOut)
	c.SilenceErrors, c.SilenceUsage = true, true
	return f.report(c.ExecuteContext(context.Background()), context.Background()), errOut.String()
}

// flagCase is one command line: what runF must receive, or the exit code.
type flagCase[T any] struct {
	args []string
	want T
	code int
}

// testFlags runs each case through a NewCmdX with a recording runF.
func testFlags[T any](t *testing.T, newCmd func(*Factory, func(*T) error) *cobra.Command, cases []flagCase[T]) {
	t.Helper()
	for _, c := range cases {
		var got T
		code, stderr := parse(t, func(f *Factory) *cobra.Command {
			return newCmd(f, func(o *T) error { got = *o; return nil })
		}, c.args...)
		if code != c.code || code == 0 && !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: exit %d (%s), %+v; want %d, %+v", c.args, code, stderr, got, c.code, c.want)
		}
	}
}

func TestExpireFlags(t *testing.T) {
	testFlags(t, NewCmdExpire, []flagCase[ExpireOptions]{
		{nil, ExpireOptions{Datasets: []string{}}, 0},
		{[]string{"all"}, ExpireOptions{All: true}, 0},
		{[]string{"-L", "pa/a", "pa/b c"}, ExpireOptions{Datasets: []string{"pa/a", "pa/b c"}, Local: true}, 0},
		{[]string{"pa/x@zrep_000001"}, ExpireOptions{}, ExitUsage},
		{[]string{"pa/$(id)"}, ExpireOptions{}, ExitUsage},
	})
}

func detailArgvCmd(name string) []string {
	return zfsprops.GetArgs([]string{"-d", "1"}, zfsprops.DetailProps("zrep"), name)
}

// A missing filesystem is reported and the others are still expired;
// the run exits 1 at the end.
func TestExpireGoesOnPastMissing(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(detailArgvCmd("pa/gone")).Fails(1, "cannot open 'pa/gone': dataset does not exist\n")
	local.Expect(detailArgvCmd("pa/copy")).Returns("pa/copy\tzrep:dest-fs\tpa/copy\treceived\npa/copy\tzrep:savecount\t5\treceived\n")
	local.ExpectPrefix([]string{"zfs", "set"}).Times(2)
	local.ExpectPrefix([]string{"zfs", "inherit"}).Times(2)
	out, errOut, code := runWith(t, local, map[string]string{"ZREP_RUNDIR": t.TempDir()}, "-e", "pa/gone", "pa/copy")
	wantErr := "Error: expire pa/gone: pa/gone does not exist on localhost; check the name with zfs list (zrep list shows the pairs)\n" +
		"Error: 1 of 2 filesystems failed to expire\n"
	if code != 1 || out != "Expiring zrep snaps on pa/copy\n" || errOut != wantErr {
		t.Fatalf("exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
}

func TestExpireRefusedUnderSkipExpire(t *testing.T) {
	_, errOut, code := runWith(t, sshtest.New(t, "localhost"), map[string]string{"ZREP_SKIP_EXPIRE": "1", "ZREP_RUNDIR": t.TempDir()}, "expire", "all")
	if code != 1 || !strings.HasPrefix(errOut, "Error: zrep expire was asked for, but ZREP_SKIP_EXPIRE is set; ") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}
