package cmd

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zrep-go/zrep/ssh/sshtest"
	"github.com/zrep-go/zrep/zfsprops"
)

var update = flag.Bool("update", false, "rewrite golden files")

// runWith runs a command line against a fake local host, as hosta, in UTC.
func runWith(t *testing.T, local *sshtest.Fake, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	io, out, errOut := TestIO()
	getenv := func(k string) string {
		if k == "ZREP_SRC_HOST" {
			return "hosta"
		}
		if k == "ZREP_DEFAULTS_FILE" {
			return "/nonexistent"
		}
		return env[k]
	}
	f := NewFactory(io, getenv)
	f.SetHost("localhost", local)
	code := run(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

func readAllArgv(tag zfsprops.Tag) []string {
	return zfsprops.GetArgs([]string{"-s", "local,received"}, tag.FilesystemProps())
}

func fixture(t *testing.T, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		os.MkdirAll(filepath.Dir(path), 0o755)
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s: output differs\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// The classic layouts, character for character (classic §8.1, §8.2).
func TestStatusAndListGolden(t *testing.T) {
	time.Local = time.UTC
	cases := []struct {
		golden string
		args   []string
		env    map[string]string
	}{
		{"status.txt", []string{"status"}, nil},
		{"status-v.txt", []string{"status", "-v"}, nil},
		{"status-a.txt", []string{"-s", "-a"}, nil},
		{"status-a-v.txt", []string{"status", "-a", "-v"}, nil},
		{"status-named.txt", []string{"status", "pa/copy"}, nil},
		{"status-epoch.txt", []string{"status"}, map[string]string{"ZREP_DATEFORMAT": "%s"}},
		{"list.txt", []string{"list"}, nil},
		{"list-L.txt", []string{"-l", "-L"}, nil},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			local := sshtest.New(t, "localhost")
			local.Expect(readAllArgv("zrep")).Returns(fixture(t, "inventory.txt"))
			out, errOut, code := runWith(t, local, c.env, c.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			golden(t, c.golden, out)
		})
	}
}

func TestListVerboseGolden(t *testing.T) {
	for _, c := range []struct {
		golden string
		args   []string
		names  []string
	}{
		{"list-v.txt", []string{"list", "-v"}, []string{"pa/prod", "pa/never", "pa/copy", "pa/zone"}},
		{"list-v-named.txt", []string{"list", "-v", "pa/prod"}, []string{"pa/prod"}},
	} {
		t.Run(c.golden, func(t *testing.T) {
			local := sshtest.New(t, "localhost")
			local.Expect(readAllArgv("zrep")).Returns(fixture(t, "inventory.txt"))
			argv := append([]string{"zfs", "get", "-H", "-o", "name,property,value,source", "-s", "local,received", "all"}, c.names...)
			local.Expect(argv).Returns(fixture(t, "setprops.txt"))
			out, errOut, code := runWith(t, local, nil, c.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			golden(t, c.golden, out)
		})
	}
}

// A no-op status of every pair costs exactly one zfs call.
func TestStatusIsOneZfsCall(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(readAllArgv("zrep")).Returns(fixture(t, "inventory.txt"))
	runWith(t, local, nil, "status", "-a", "-v")
	if n := len(local.Calls()); n != 1 {
		t.Fatalf("%d zfs calls, want 1", n)
	}
}

func TestStatusUnknownFilesystem(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(readAllArgv("zrep")).Returns(fixture(t, "inventory.txt"))
	_, errOut, code := runWith(t, local, nil, "status", "pa/nothere")
	if code != 1 || !strings.HasPrefix(errOut, "Error: pa/nothere is not a zrep filesystem on hosta") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
}

func TestTagSelectsProperties(t *testing.T) {
	local := sshtest.New(t, "localhost")
	local.Expect(readAllArgv("zrep-b")).Returns("")
	out, _, code := runWith(t, local, map[string]string{"ZREPTAG": "zrep-b"}, "status")
	if code != 0 || out != "" {
		t.Fatalf("exit %d, out %q", code, out)
	}
}
