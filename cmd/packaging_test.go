package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
)

// --version and `version` print the stamped version and commit.
func TestVersionFlag(t *testing.T) {
	defer func(v, c string) { Version, Commit = v, c }(Version, Commit)
	Version, Commit = "1.2.3", "abc123"
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, errOut, code := runWith(t, nil, nil, args...)
		if code != 0 || errOut != "" || !strings.HasPrefix(out, "zrep 1.2.3 (commit abc123)\ncompatible with classic zrep 2.0.2\n") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	Version, Commit = "", ""
	if v, c := buildVersion(); v == "" || c == "" {
		t.Errorf("unstamped: %q %q", v, c)
	}
}

// Dataset arguments complete from this host's zfs list; init completes
// only its local filesystem; a failing zfs completes nothing.
func TestCompletion(t *testing.T) {
	names := "pa\npa/data\npa/my fs\npb/other\n"
	for _, c := range []struct {
		args  []string
		stub  bool
		fails bool
		want  string
	}{
		{[]string{"__complete", "sync", "pa/"}, true, false, "pa/data\npa/my fs\n:4\n"},
		{[]string{"__complete", "status", "-v", ""}, true, false, "pa\npa/data\npa/my fs\npb/other\n:4\n"},
		{[]string{"__complete", "init", "p"}, true, false, "pa\npa/data\npa/my fs\npb/other\n:4\n"},
		{[]string{"__complete", "init", "pa/data", ""}, false, false, ":4\n"},
		{[]string{"__complete", "init", "--from", "hosta", "pa/data", "pb"}, true, false, "pb/other\n:4\n"},
		{[]string{"__complete", "sync", ""}, true, true, ":4\n"},
		{[]string{"__complete", "help", "sy"}, false, false, "sync\nsynconly\n:4\n"},
	} {
		local := sshtest.New(t, "localhost")
		if c.stub {
			s := local.Expect(zfsprops.NamesArgv())
			if c.fails {
				s.Fails(1, "zfs: no pools")
			} else {
				s.Returns(names)
			}
		}
		out, _, code := runWith(t, local, nil, c.args...)
		if code != 0 || !strings.HasPrefix(out, c.want) {
			t.Errorf("%v: exit %d, stdout %q, want %q", c.args, code, out, c.want)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, errOut, code := runWith(t, nil, nil, "completion", shell)
		if code != 0 || errOut != "" || !strings.Contains(out, "__complete") {
			t.Errorf("completion %s: exit %d, stderr %q", shell, code, errOut)
		}
	}
}

// zrep man DIR writes zrep.8 and a page per command, from the help text.
func TestManPages(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "man8")
	_, errOut, code := runWith(t, nil, nil, "man", dir)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, page := range []string{"zrep.8", "zrep-sync.8", "zrep-failover.8", "zrep-completion-bash.8"} {
		b, err := os.ReadFile(filepath.Join(dir, page))
		if err != nil || !strings.Contains(string(b), `.TH "ZREP"`) {
			t.Errorf("%s: %v %.80q", page, err, b)
		}
	}
	b, _ := os.ReadFile(filepath.Join(dir, "zrep-sync.8"))
	if !strings.Contains(string(b), "every filesystem this host is master of") {
		t.Errorf("zrep-sync.8 lacks the sync help text")
	}
	if _, err := os.Stat(filepath.Join(dir, "zrep-_refreshpull.8")); err == nil {
		t.Errorf("a page for a hidden command")
	}
	_, errOut, code = runWith(t, nil, nil, "man")
	if code != ExitUsage || !strings.Contains(errOut, "man needs one directory") {
		t.Errorf("no dir: exit %d, stderr %q", code, errOut)
	}
}

// help TOPIC works for real commands; unknown topics are usage errors.
func TestHelpTopics(t *testing.T) {
	out, _, code := runWith(t, nil, nil, "help", "sync")
	if code != 0 || !strings.Contains(out, "Usage:") {
		t.Errorf("help sync: exit %d", code)
	}
	_, errOut, code := runWith(t, nil, nil, "help", "nosuch")
	if code != ExitUsage || errOut != "Error: no help topic \"nosuch\"; zrep help lists the commands\n" {
		t.Errorf("help nosuch: exit %d, stderr %q", code, errOut)
	}
}
