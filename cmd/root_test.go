package cmd

import (
	"reflect"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func TestNormalizeArgs(t *testing.T) {
	cases := map[string]string{
		"-S all":             "sync all",
		"-t foo -S all":      "-t foo sync all",
		"-R -t foo -i a b c": "-R -t foo init a b c",
		"-tfoo -s -v":        "-tfoo status -v",
		"-D -l -v":           "-D list -v",
		"status -s":          "status -s", // only the subcommand position
		"lastsent pa/x":      "getlastsent pa/x",
	}
	for in, want := range cases {
		if got := strings.Join(normalizeArgs(strings.Fields(in)), " "); got != want {
			t.Errorf("normalizeArgs(%q) = %q, want %q", in, got, want)
		}
	}
}

// Flag parsing and validation, with no host touched (gh's runF pattern).
func TestSyncFlags(t *testing.T) {
	cases := []struct {
		args    []string
		env     map[string]string
		want    SyncOptions
		wantErr string
	}{
		{args: []string{"all"}, want: SyncOptions{All: true, Jobs: 1}},
		{args: []string{"-f", "-q", "60", "pa/a", "pa/b c"}, want: SyncOptions{Datasets: []string{"pa/a", "pa/b c"}, Force: true, NoCountdown: true, Quiet: 60, Jobs: 1}},
		{args: []string{"-j", "4", "all"}, want: SyncOptions{All: true, Jobs: 4}},
		// Classic -c and -r: accepted, and nothing printed (cron lines).
		{args: []string{"-c", "pa/x"}, want: SyncOptions{Datasets: []string{"pa/x"}, ChangedOnly: true, Jobs: 1}},
		{args: []string{"-r", "all"}, want: SyncOptions{All: true, Resume: true, Jobs: 1}},
		{args: []string{"-f", "-v", "-r", "-c", "-q", "30", "all"}, want: SyncOptions{All: true, Force: true, NoCountdown: true, Verbose: true, Resume: true, ChangedOnly: true, Quiet: 30, Jobs: 1}},
		{args: []string{"-frc", "all"}, want: SyncOptions{All: true, Force: true, NoCountdown: true, Resume: true, ChangedOnly: true, Jobs: 1}},
		{args: []string{"all"}, env: map[string]string{"ZREP_CHANGEDONLY": "yes", "ZREP_RESUME": "1"}, want: SyncOptions{All: true, ChangedOnly: true, Resume: true, Jobs: 1}},
		{args: []string{"--force-empty", "pa/x"}, want: SyncOptions{Datasets: []string{"pa/x"}, ForceEmpty: true, Jobs: 1}},
		{args: []string{"-q", "20", "all"}, wantErr: "-q must be at least 30"},
		{args: []string{}, wantErr: "sync needs FS"},
		{args: []string{"pa/$(reboot)"}, wantErr: "not allowed"},
		{args: []string{"pa/x;rm"}, wantErr: "not allowed"},
		{args: []string{"pa/x@zrep_000001"}, want: SyncOptions{Snap: "pa/x@zrep_000001", Jobs: 1}},
		// ZREP_FORCE is recv -F only: a rollback keeps its countdown.
		{args: []string{"pa/x@zrep_000001"}, env: map[string]string{"ZREP_FORCE": "-f"}, want: SyncOptions{Snap: "pa/x@zrep_000001", Force: true, Jobs: 1}},
		{args: []string{"pa/x@zrep_000001", "pa/y"}, wantErr: "is a snapshot"},
		{args: []string{"pa/$(x)@zrep_000001"}, wantErr: "not allowed"},
	}
	for _, c := range cases {
		io, out, errOut := TestIO()
		f := NewFactory(io, func(k string) string {
			if k == "ZREP_DEFAULTS_FILE" {
				return "/nonexistent" // hermetic: not this machine's /etc/default/zrep
			}
			return c.env[k]
		})
		var got *SyncOptions
		cmd := NewCmdSync(f, func(o *SyncOptions) error { got = o; return nil })
		cmd.SetArgs(c.args)
		cmd.SetOut(io.Out)
		cmd.SetErr(io.ErrOut)
		err := cmd.Execute()
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%v: err %v, want %q", c.args, err, c.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%v: got %+v, %v; want %+v", c.args, got, err, c.want)
		}
		if out.Len() != 0 || errOut.Len() != 0 {
			t.Errorf("%v: printed %q, %q", c.args, out.String(), errOut.String())
		}
	}
}

func TestInitValidatesBeforeRunning(t *testing.T) {
	for _, args := range [][]string{
		{"init", "pa/x", "-oProxyCommand=x", "pb/x"},
		{"init", "pa/x", "hostb", "pb/`id`"},
		{"init", "pa/'x", "hostb", "pb/x"},
		{"init", "pa/x", "host;b", "pb/x"},
		{"init", "pa/x", "hostb"},
	} {
		local := sshtest.New(t, "localhost") // any call would fail the test
		_, errOut, code := runWith(t, local, nil, args...)
		if code != ExitUsage || !strings.HasPrefix(errOut, "Error: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

func TestUnknownSubcommandIsUsage(t *testing.T) {
	_, errOut, code := runWith(t, sshtest.New(t, "localhost"), nil, "frobnicate")
	if code != ExitUsage || !strings.Contains(errOut, `unknown zrep subcommand "frobnicate"`) {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

// ZFS user property names are lowercase: an uppercase tag is refused
// before any zfs call, with the spelling that would work.
func TestUppercaseTagIsUsage(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"ZREPTAG": "Backup"}, []string{"status"}},
		{nil, []string{"-t", "Backup", "list"}},
		{nil, []string{"-t", "Backup", "sync", "all"}},
	} {
		_, errOut, code := runWith(t, sshtest.New(t, "localhost"), c.env, c.args...)
		if code != ExitUsage || !strings.Contains(errOut, `invalid tag "Backup"`) || !strings.Contains(errOut, `"backup"`) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, errOut)
		}
	}
}
