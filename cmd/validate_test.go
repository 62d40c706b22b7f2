package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

// hostileRun runs args with env (ZREP_SRC_HOST defaults to hosta, the lock
// directory to a fresh one) and, when defaults is set, that
// /etc/default/zrep text. The local host is a fake that fails the test on
// any command: nothing may run.
func hostileRun(t *testing.T, env map[string]string, defaults string, args ...string) (string, int) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "defaults")
	os.WriteFile(file, []byte(defaults), 0o600)
	io, _, errOut := TestIO()
	f := NewFactory(io, func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "ZREP_SRC_HOST":
			return "hosta"
		case "ZREP_DEFAULTS_FILE":
			return file
		case "ZREP_RUNDIR":
			return dir
		}
		return ""
	})
	f.SetHost("localhost", sshtest.New(t, "localhost"))
	code := run(context.Background(), f, args)
	return errOut.String(), code
}

// Every bad flag value, name and knob is a usage error (exit 2) in one
// line that names it, before any command runs.
func TestHostileInputsAreUsageErrors(t *testing.T) {
	long := "pa/" + strings.Repeat("x", 253)
	pairMax := "pa/" + strings.Repeat("y", 234) // 237 bytes: no room for @zrep_000000_unsent
	cases := []struct {
		args     []string
		env      map[string]string
		defaults string
		want     string
	}{
		{args: []string{"sync", "-j", "0", "all"}, want: "-j must be a number of pairs from 1 to 1000, got 0"},
		{args: []string{"sync", "-j", "-3", "all"}, want: "-j must be a number of pairs"},
		{args: []string{"sync", "-j", "x", "all"}, want: `invalid argument "x" for "-j, --jobs"`},
		{args: []string{"sync", "-j", "1001", "all"}, want: "-j must be a number of pairs"},
		{args: []string{"refresh", "-j", "0", "all"}, want: "-j must be"},
		{args: []string{"synconly", "-j", "0", "all"}, want: "-j must be"},
		{args: []string{"sync", "-q", "-5", "all"}, want: "-q must be at least 30 seconds"},
		{args: []string{"sync", "-q", "5", "all"}, want: "-q must be at least 30 seconds"},
		{args: []string{"sync", "-q", "99999999999", "all"}, want: "-q must be at least 30 seconds (and at most"},
		{args: []string{"sync", "-q", "1e3", "all"}, want: `invalid argument "1e3"`},
		{args: []string{"sync", "--wait", "x", "all"}, want: `invalid argument "x" for "--wait" flag: strconv.ParseInt: parsing "x": invalid syntax; zrep sync --help lists its options`},
		{args: []string{"sync", "--wait", "-1", "all"}, want: `--wait "-1": give whole seconds`},
		{args: []string{"sync", "--nosuch", "all"}, want: "unknown flag: --nosuch; zrep sync --help lists its options"},
		{args: []string{"sync", "all"}, env: map[string]string{"Z_LOCK_RETRY": "10s"}, want: `Z_LOCK_RETRY "10s": give whole seconds`},
		{args: []string{"help", "nosuch"}, want: `no help topic "nosuch"; zrep help lists the commands`},
		{args: []string{"help", "sync", "x"}, want: `no help topic "sync x"`},
		{args: []string{"sync", "--jobs=", "all"}, want: `invalid argument ""`},
		{args: []string{"sync", "pa/x/.."}, want: `".." is not a dataset name`},
		{args: []string{"sync", "pa/./x"}, want: `"." is not a dataset name`},
		{args: []string{"sync", "pa//x"}, want: "doubled '/'"},
		{args: []string{"sync", "pa/x/"}, want: "trailing"},
		{args: []string{"sync", "/pa/x"}, want: "leading"},
		{args: []string{"sync", long}, want: "256 bytes long; ZFS allows at most 255"},
		{args: []string{"sync", "pa/x@"}, want: "nothing after '@'"},
		{args: []string{"sync", "pa/x@a@b"}, want: "cannot contain"},
		{args: []string{"sync", "pa/x@-f"}, want: "must not start with '-'"},
		{args: []string{"status", "mirror/x"}, want: `pool name "mirror" is reserved`},
		{args: []string{"list", "9pool/x"}, want: "must begin with a letter"},
		{args: []string{"expire", "pa/-rf"}, want: `component "-rf" starts with '-'`},
		{args: []string{"clear", "-f", "pa/x\ny"}, want: `character '\n' is not allowed`},
		{args: []string{"getlastsent", "pa/ü"}, want: "character 'ü' is not allowed"},
		{args: []string{"uptodate", "pa/x*"}, want: "character '*' is not allowed"},
		{args: []string{"snaponly", "pa/x|y"}, want: "character '|' is not allowed"},
		{args: []string{"init", "pa/x", "hostb", "pb/x/.."}, want: `".." is not a dataset name`},
		{args: []string{"init", "pa/x", "hostb", pairMax}, want: "need it to be at most 236 with tag zrep"},
		{args: []string{"init", "--from", "-oProxyCommand=x", "pa/x", "pb/x"}, want: `invalid host name "-oProxyCommand=x"`},
		{args: []string{"init", "pa/x", "host b", "pb/x"}, want: `invalid host name "host b"`},
		{args: []string{"init", "pa/x", "", "pb/x"}, want: "invalid host name \"\": empty"},
		{args: []string{"failover", "pa/x@"}, want: "nothing after '@'"},
		{args: []string{"takeover", "pa/../x"}, want: `".." is not a dataset name`},
		{args: []string{"failover", "pa/x", "-oX"}, want: "unknown shorthand flag"},
		{args: []string{"takeover", "pa/x", "a;b"}, want: `invalid host name "a;b"`},
		{args: []string{"sentsync", "pa/x/..@zrep_000001"}, want: `".." is not a dataset name`},
		{args: []string{"changeconfig", "pa/x", "hostb", "pb/.."}, want: `".." is not a dataset name`},
		{args: []string{"_refreshpull", "pa/x@$(id)"}, want: "character '$' is not allowed"},
		{args: []string{"_refreshcomplete", "pa/..@zrep_000001", "zrep:sent=1"}, want: `".." is not a dataset name`},
		{args: []string{"-t", "a:b", "status"}, want: `invalid tag "a:b"`},
		{args: []string{"status"}, env: map[string]string{"ZREPTAG": "$(id)"}, want: `invalid tag "$(id)"`},
		{args: []string{"status"}, env: map[string]string{"ZREPTAG": "-x"}, want: `invalid tag "-x"`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_SAVE_COUNT": "0"}, want: `ZREP_SAVE_COUNT: savecount "0" is not a positive integer`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_SAVE_COUNT": "x"}, want: "ZREP_SAVE_COUNT"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_SAVE_COUNT": "-1"}, want: "ZREP_SAVE_COUNT"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_R": "yes"}, want: `ZREP_R="yes": set it to -R`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_INC_FLAG": "-X"}, want: `ZREP_INC_FLAG="-X": it must be -i or -I`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_SEND_FLAGS": "-c ; rm"}, want: `ZREP_SEND_FLAGS: ";" is not a zfs send flag`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_SEND_FLAGS": `-c "unterminated`}, want: "ZREP_SEND_FLAGS: Unterminated"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_RESUME_FLAGS": "x"}, want: `ZREP_RESUME_FLAGS: "x" is not a zfs send flag`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_CREATE_FLAGS": "-o"}, want: "ZREP_CREATE_FLAGS: -o needs property=value"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_CREATE_FLAGS": "pb/evil"}, want: `ZREP_CREATE_FLAGS: "pb/evil" is not a zfs create flag`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_INIT_REMOTE_PROPERTIES": "Bad=1"}, want: `ZREP_INIT_REMOTE_PROPERTIES: "Bad=1" is not prop=value`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_INIT_REMOTE_PROPERTIES": "novalue"}, want: "ZREP_INIT_REMOTE_PROPERTIES"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_SRC_HOST": "-oX"}, want: `ZREP_SRC_HOST: invalid host name "-oX"`},
		{args: []string{"status"}, env: map[string]string{"ZREP_SRC_HOST": "a b"}, want: "ZREP_SRC_HOST: invalid host name"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_DATEFORMAT": "%Y\n%m"}, want: "ZREP_DATEFORMAT"},
		{args: []string{"sync", "all"}, env: map[string]string{"SSH": "   "}, want: "names no program"},
		{args: []string{"sync", "all"}, env: map[string]string{"SSH": `ssh "x`}, want: `SSH="ssh \"x"`},
		{args: []string{"--ssh", "-oProxyCommand=x", "sync", "all"}, want: "--ssh=\"-oProxyCommand=x\": the program name must not start with '-'"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_RUNDIR": "run"}, want: `ZREP_RUNDIR "run" is not an absolute path`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_EMPTY_FRACTION": "half"}, want: `ZREP_EMPTY_FRACTION: "half" is not a fraction`},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_EMPTY_FRACTION": "1.5"}, want: "ZREP_EMPTY_FRACTION"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_EMPTY_FRACTION": "150%"}, want: "ZREP_EMPTY_FRACTION"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_EMPTY_FRACTION": "NaN"}, want: "ZREP_EMPTY_FRACTION"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_FORCE_EMPTY": "1"}, want: `ZREP_FORCE_EMPTY: "1" is neither yes`},
		{args: []string{"sync", "--force-empty=maybe", "all"}, want: "force-empty"},
		// The same knobs from /etc/default/zrep.
		{args: []string{"sync", "all"}, defaults: "ZREP_SAVE_COUNT=0\n", want: "ZREP_SAVE_COUNT"},
		{args: []string{"sync", "all"}, defaults: "export ZREP_R=yes\n", want: "ZREP_R"},
		{args: []string{"sync", "all"}, defaults: "ZREPTAG='Upper'\n", want: `invalid tag "Upper"`},
		{args: []string{"sync", "all"}, defaults: "ZREP_SEND_FLAGS=\"-c ;reboot\"\n", want: "ZREP_SEND_FLAGS"},
		{args: []string{"sync", "all"}, env: map[string]string{"ZREP_SRC_HOST": ""}, defaults: "ZREP_SRC_HOST=${NOPE:-bad;host}\n", want: "ZREP_SRC_HOST"},
	}
	for _, c := range cases {
		errOut, code := hostileRun(t, c.env, c.defaults, c.args...)
		if code != ExitUsage || !strings.HasPrefix(errOut, "Error: ") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%q env %v defaults %q: exit %d, stderr %q; want exit 2 and one line with %q", c.args, c.env, c.defaults, code, errOut, c.want)
		}
	}
	t.Logf("%d hostile inputs", len(cases))
}
