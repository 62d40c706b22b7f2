package cmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
)

func writeDefaults(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "zrep")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// /etc/default/zrep is read as KEY=VALUE lines, never run; the environment
// wins over it.
func TestDefaultsFile(t *testing.T) {
	path := writeDefaults(t, "# comment\nZREP_SAVE_COUNT=10\nexport ZREPTAG=\"zrep-b\"\nZREP_SEND_FLAGS='-c -e'\nSSH=$(touch /tmp/pwned)\nnot a line\n")
	env := map[string]string{"ZREP_DEFAULTS_FILE": path, "ZREPTAG": "fromenv"}
	var warn bytes.Buffer
	get, _ := layeredEnv(func(k string) string { return env[k] }, &warn)
	for k, want := range map[string]string{
		"ZREP_SAVE_COUNT": "10", "ZREPTAG": "fromenv", "ZREP_SEND_FLAGS": "-c -e", "SSH": "", "ZREP_R": "",
	} {
		if got := get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	want := fmt.Sprintf("Warning: %s:5: cannot read \"SSH=$(touch /tmp/pwned)\", ignored\n"+
		"Warning: %s:6: cannot read \"not a line\", ignored\n", path, path)
	if warn.String() != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", warn.String(), want)
	}
}

// Each line on its own: the value read, or "!" for a line that is
// skipped with a warning. The environment has HOSTB=hostb and EMPTY="".
func TestDefaultsLines(t *testing.T) {
	cases := map[string]string{
		`V=plain`:                       "plain",
		`V=`:                            "",
		`V= # nothing`:                  "",
		`V=a#b`:                         "a#b",
		`V=a #b`:                        "a",
		"V=a\t# tab comment":            "a",
		`V="a b" # comment`:             "a b",
		`V='a b'   #comment`:            "a b",
		`V="a #b"`:                      "a #b",
		`V='a #b' # c`:                  "a #b",
		`V="x"#y`:                       "!",
		`export V=e`:                    "e",
		"export\tV=e":                   "e",
		`  V=indented  `:                "indented",
		`V='$(id) literal'`:             "$(id) literal",
		`V=$HOSTB`:                      "hostb",
		`V=${HOSTB}`:                    "hostb",
		`V="${HOSTB}"`:                  "hostb",
		`V=${HOSTB:-other}`:             "hostb",
		`V=${UNSET:-other host}`:        "other host",
		`V="${UNSET:-x}" # comment`:     "x",
		`V=${UNSET-dflt}`:               "dflt",
		`V=${EMPTY:-dflt}`:              "dflt",
		`V=${UNSET}`:                    "",
		`V=$UNSET`:                      "",
		`V=-c --raw`:                    "!",
		`V= bar`:                        "!",
		`V=$(id)`:                       "!",
		"V=`id`":                        "!",
		"V=\"`id`\"":                    "!",
		`V="$(id)"`:                     "!",
		`V=pre$HOSTB`:                   "prehostb",
		`V=$HOSTB/x`:                    "hostb/x",
		`V=$HOSTB:${UNSET:-/y}:$EMPTY`:  "hostb:/y:",
		`V="$HOSTB two"`:                "hostb two",
		`V=a$(id)`:                      "!",
		`V=$HOSTB;id`:                   "!",
		`V=$HOSTB x`:                    "!",
		`V="$HOSTB` + "`id`" + `"`:      "!",
		`V=${HOSTB:=x}`:                 "!",
		`V=${HOSTB:+x}`:                 "!",
		`V=${UNSET:-$(id)}`:             "!",
		`V=${UNSET:-$HOSTB}`:            "!",
		`V=${#HOSTB}`:                   "!",
		`V=$1`:                          "!",
		`V=a;reboot`:                    "!",
		`V=a|b`:                         "!",
		`V=~/x`:                         "!",
		`V="unclosed`:                   "!",
		`V='unclosed # x`:               "!",
		`V='a'b'`:                       "!",
		`V="a\"b"`:                      "!",
		`no equals sign`:                "!",
		`1V=x`:                          "!",
		`V X=x`:                         "!",
		`V-X=x`:                         "!",
		`=x`:                            "!",
		`export`:                        "!",
		`V=x=y`:                         "x=y",
		`V=/usr/bin/ssh`:                "/usr/bin/ssh",
		`V=%Y/%m/%d-%H:%M:%S`:           "%Y/%m/%d-%H:%M:%S",
		`V="%Y/%m/%d %H:%M"`:            "%Y/%m/%d %H:%M",
		`V=${ZREP_SAVE_COUNT:-10}`:      "10",
		`V="ssh -o BatchMode=yes"`:      "ssh -o BatchMode=yes",
		`V='ssh -o "Ciphers=aes"'`:      `ssh -o "Ciphers=aes"`,
		`V="-c -e"   # send compressed`: "-c -e",
	}
	env := map[string]string{"HOSTB": "hostb", "EMPTY": ""}
	for line, want := range cases {
		path := writeDefaults(t, line+"\n")
		var warn bytes.Buffer
		got, ok := loadDefaults(path, func(k string) string { return env[k] }, &warn)["V"]
		if want == "!" {
			wantWarn := fmt.Sprintf("Warning: %s:1: cannot read %q, ignored\n", path, strings.TrimSpace(line))
			if ok || warn.String() != wantWarn {
				t.Errorf("%s: got %q (set %v), warning %q; want skipped with %q", line, got, ok, warn.String(), wantWarn)
			}
			continue
		}
		if !ok || got != want || warn.Len() != 0 {
			t.Errorf("%s: got %q (set %v), warning %q; want %q", line, got, ok, warn.String(), want)
		}
	}
}

// Classic files are shell: `export NAME` lines only export, and PATH is
// extended with $PATH. Both are understood without a word.
func TestDefaultsClassicLines(t *testing.T) {
	path := writeDefaults(t, "ZREP_SAVE_COUNT=7\nexport ZREP_SAVE_COUNT\nexport A B\nexport\tC\nPATH=$PATH:/opt/zfs/bin\nexport MBUFFER=\"mbuffer -m 1G\"\n")
	var warn bytes.Buffer
	vals := loadDefaults(path, func(k string) string { return map[string]string{"PATH": "/usr/bin:/bin"}[k] }, &warn)
	want := map[string]string{"ZREP_SAVE_COUNT": "7", "PATH": "/usr/bin:/bin:/opt/zfs/bin", "MBUFFER": "mbuffer -m 1G"}
	if len(vals) != len(want) {
		t.Errorf("got %q, want %q", vals, want)
	}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %q, want %q", k, vals[k], v)
		}
	}
	if warn.Len() != 0 {
		t.Errorf("warnings: %q", warn.String())
	}
}

// A reference sees the environment first, then the file's earlier lines.
func TestDefaultsReferenceEarlierLines(t *testing.T) {
	path := writeDefaults(t, "A=one\nB=$A\nC=${TAG:-x}\nD=${A:-y}\nA=two\n")
	var warn bytes.Buffer
	vals := loadDefaults(path, func(k string) string { return map[string]string{"TAG": "t"}[k] }, &warn)
	want := map[string]string{"A": "two", "B": "one", "C": "t", "D": "one"}
	for k, v := range want {
		if vals[k] != v {
			t.Errorf("%s = %q, want %q", k, vals[k], v)
		}
	}
	if warn.Len() != 0 {
		t.Errorf("warnings: %q", warn.String())
	}
}

// The Factory reports bad lines on its own stderr, once per line, and a
// missing file is no error.
func TestFactoryDefaultsWarnings(t *testing.T) {
	path := writeDefaults(t, "ZREPTAG=zrep-b\nSSH=`id`\nZREP_R=-R # recursive\nbad line\n")
	io, out, errOut := TestIO()
	f := NewFactory(io, func(k string) string { return map[string]string{"ZREP_DEFAULTS_FILE": path}[k] })
	if f.Getenv("ZREPTAG") != "zrep-b" || f.Getenv("ZREP_R") != "-R" || f.Getenv("SSH") != "" {
		t.Errorf("ZREPTAG=%q ZREP_R=%q SSH=%q", f.Getenv("ZREPTAG"), f.Getenv("ZREP_R"), f.Getenv("SSH"))
	}
	want := fmt.Sprintf("Warning: %s:2: cannot read \"SSH=`id`\", ignored\nWarning: %s:4: cannot read \"bad line\", ignored\n", path, path)
	if errOut.String() != want || out.Len() != 0 {
		t.Errorf("stderr %q, stdout %q; want stderr %q", errOut.String(), out.String(), want)
	}

	io, _, errOut = TestIO()
	NewFactory(io, func(k string) string { return map[string]string{"ZREP_DEFAULTS_FILE": "/nonexistent/zrep"}[k] })
	if errOut.Len() != 0 {
		t.Errorf("missing file: stderr %q", errOut.String())
	}
}

// Classic knobs we do not implement yet are named once per run, by the
// commands that would use them, whether set in the environment or in the
// defaults file.
func TestUnsupportedKnobWarnings(t *testing.T) {
	all := map[string]string{"BBCP": "bbcp"}
	line := func(k string) string { return "Warning: " + k + " is set but not supported yet; ignored\n" }
	initWant := ""
	for _, k := range []string{"BBCP"} {
		initWant += line(k)
	}
	syncWant := line("BBCP")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"init", "pa/x", "hostb", "pb/x"}, initWant},
		{[]string{"sync", "all"}, syncWant},
		{[]string{"sync", "-c", "-r", "pa/x"}, syncWant},
	} {
		io, out, errOut := TestIO()
		env := map[string]string{"ZREP_DEFAULTS_FILE": "/nonexistent"}
		for k, v := range all {
			env[k] = v
		}
		f := NewFactory(io, func(k string) string { return env[k] })
		var cmd interface {
			SetArgs([]string)
			Execute() error
		}
		if c.args[0] == "init" {
			cmd = NewCmdInit(f, func(*InitOptions) error { return nil })
		} else {
			cmd = NewCmdSync(f, func(*SyncOptions) error { return nil })
		}
		cmd.SetArgs(c.args[1:])
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		f.warnUnsupported(c.args[0]) // a second look in the same run says nothing more
		if errOut.String() != c.want || out.Len() != 0 {
			t.Errorf("%v: stderr\n%s\nwant\n%s", c.args, errOut.String(), c.want)
		}
	}

	// From the defaults file too.
	path := writeDefaults(t, "BBCP=/usr/bin/bbcp\n")
	io, _, errOut := TestIO()
	f := NewFactory(io, func(k string) string { return map[string]string{"ZREP_DEFAULTS_FILE": path}[k] })
	cmd := NewCmdSync(f, func(*SyncOptions) error { return nil })
	cmd.SetArgs([]string{"all"})
	if err := cmd.Execute(); err != nil || errOut.String() != line("BBCP") {
		t.Errorf("from file: %v, stderr %q", err, errOut.String())
	}

	// Nothing set: nothing said.
	io, _, errOut = TestIO()
	f = NewFactory(io, func(k string) string { return map[string]string{"ZREP_DEFAULTS_FILE": "/nonexistent"}[k] })
	cmd = NewCmdSync(f, func(*SyncOptions) error { return nil })
	cmd.SetArgs([]string{"all"})
	if err := cmd.Execute(); err != nil || errOut.Len() != 0 {
		t.Errorf("no knobs: %v, stderr %q", err, errOut.String())
	}
}

// status, list and version never use these knobs and say nothing of them.
func TestUnsupportedKnobsQuietElsewhere(t *testing.T) {
	env := map[string]string{"ZREP_OUTFILTER": "gzip", "MBUFFER": "mbuffer", "BBCP": "bbcp", "ZREP_CREATE_FLAGS": "-p"}
	for _, args := range [][]string{{"status"}, {"list"}, {"version"}} {
		local := sshtest.New(t, "localhost")
		if args[0] != "version" {
			local.Expect(readAllArgv("zrep")).Returns("")
		}
		_, errOut, code := runWith(t, local, env, args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// A partner's name is its ZREP_SRC_HOST when its defaults file sets one,
// else its uname up to the first dot; the file is parsed, never run.
func TestIdentifyPartner(t *testing.T) {
	for _, c := range []struct{ out, want string }{
		{"hostb.example.com\n\n", "hostb"},
		{"hostb\n\nZREP_SAVE_COUNT=3\nZREP_SRC_HOST=\"b-zone\"  # zone name\n", "b-zone"},
		{"hostb\n\nZREP_SRC_HOST=$(hostname)\n", "hostb"},
	} {
		h := sshtest.New(t, "hostb")
		h.Expect([]string{"sh", "-c", identifyScript}).Returns(c.out)
		if got, err := identify(context.Background(), h); err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.out, got, err, c.want)
		}
	}
}

func TestEmptyFraction(t *testing.T) {
	for in, want := range map[string]float64{"": 0.5, "0": 0, "0.25": 0.25, "50%": 0.5, "1": 1, "10%": 0.1} {
		got, err := emptyFraction(in)
		if err != nil || got != want {
			t.Errorf("emptyFraction(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}

// The example /etc/default/zrep the package ships reads without a
// warning, with every commented knob switched on.
func TestExampleDefaultsFile(t *testing.T) {
	b, err := os.ReadFile("../contrib/default/zrep")
	if err != nil {
		t.Fatal(err)
	}
	var on []string
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "#"); ok && (strings.Contains(rest, "=") && !strings.Contains(rest, " ") || strings.HasPrefix(rest, "export ") || strings.Contains(rest, `="`)) {
			line = rest
		}
		on = append(on, line)
	}
	var warn bytes.Buffer
	vals := parseDefaults(strings.NewReader(strings.Join(on, "\n")), "default-zrep", func(k string) string { return map[string]string{"PATH": "/usr/bin:/bin"}[k] }, &warn)
	if warn.Len() != 0 || vals["PATH"] != "/usr/bin:/bin:/opt/zfs/bin" || vals["Z_LOCK_RETRY"] != "30" || vals["ZREP_SEND_FLAGS"] != "-c -L" {
		t.Errorf("warnings %q, values %q", warn.String(), vals)
	}
}
