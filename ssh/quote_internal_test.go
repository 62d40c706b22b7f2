package ssh

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"zfs", "list", "-H", "pool/fs"}, `zfs list -H pool/fs`},
		{[]string{"zfs", "get", "all", "pool/my fs"}, `zfs get all 'pool/my fs'`},
		{[]string{"printf", "%s\n", ""}, `printf '%s` + "\n" + `' ''`},
		{[]string{"echo", "#x"}, `echo \#x`},
		{[]string{"echo", "a#b"}, `echo a#b`},
		{[]string{"echo", "it's"}, `echo it\'s`},
	} {
		if got := commandLine(tc.argv); got != tc.want {
			t.Errorf("commandLine(%q)\ngot  %s\nwant %s", tc.argv, got, tc.want)
		}
	}
}

// What sh makes of the command line is exactly the argv, for arguments a
// shell would otherwise mangle.
func TestCommandLineRoundTrip(t *testing.T) {
	args := []string{
		"two  spaces", "tab\there", "new\nline", "", "it's", `"dq"`, `back\slash`, "trailing\\",
		"$(echo pwned)", "`echo pwned`", "$HOME", "${HOME}", "; echo pwned", "|", "&", "&&",
		"#comment", "#", "~", "~root", "*", "?", "[a]", "{a,b}", "a=b", ">out", "<in", "!", "-n",
		"\x01ctl", "é", "\xff\xfe", "a\rb",
	}
	out, err := exec.Command("sh", "-c", commandLine(append([]string{"printf", `%s\0`}, args...))).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if !slices.Equal(got, args) {
		t.Errorf("sh -c %s\ngot  %q\nwant %q", commandLine(args), got, args)
	}
}

func TestTailBuffer(t *testing.T) {
	b := newTailBuffer(10)
	b.Write([]byte("hello "))
	if b.String() != "hello " {
		t.Errorf("got %q", b.String())
	}
	b.Write([]byte("world!"))
	if b.String() != "...\nllo world!" {
		t.Errorf("got %q", b.String())
	}
	b.Write([]byte(strings.Repeat("x", 30) + "end"))
	if b.String() != "...\nxxxxxxxend" {
		t.Errorf("got %q", b.String())
	}
}

// A remote shell whose PATH lacks the sbin directories (cron, a non-root
// SSH session) still finds a program there, and the user's own PATH
// comes first.
func TestRemoteCommandLinePath(t *testing.T) {
	for _, shell := range []string{"sh", "bash", "dash", "csh", "tcsh", "fish"} {
		if _, err := exec.LookPath(shell); err != nil {
			continue
		}
		cmd := exec.Command(shell, "-c", remoteCommandLine([]string{"printenv", "PATH"}))
		cmd.Env = []string{"PATH=/usr/bin:/bin"}
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s: %v", shell, err)
			continue
		}
		if got, want := strings.TrimSpace(string(out)), "/usr/bin:/bin:"+SbinDirs; got != want {
			t.Errorf("%s: PATH=%q, want %q", shell, got, want)
		}
	}
}
