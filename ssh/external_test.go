package ssh_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/ssh/hosttest"
)

// fakeSSH writes a stand-in for ssh: it checks it got HOST COMMANDLINE and
// runs the command line with sh, as sshd would.
func fakeSSH(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake ssh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

const passThrough = `[ "$1" = -x ] && [ "$2" = hostb ] && [ $# -eq 3 ] || { echo "bad args: $*" >&2; exit 255; }
exec sh -c "$3"
`

func TestExternal(t *testing.T) {
	h, err := ssh.NewExternal("hostb", `'`+fakeSSH(t, passThrough)+`' -x`)
	if err != nil {
		t.Fatal(err)
	}
	hosttest.Run(t, h)
}

func TestExternal255IsUnreachable(t *testing.T) {
	h, _ := ssh.NewExternal("hostb", `'`+fakeSSH(t, "echo 'ssh: connect to host hostb port 22: Connection refused' >&2; exit 255")+`'`)
	_, err := h.Run(context.Background(), []string{"zfs", "list"}, nil)
	var ue *ssh.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %T %v, want *ssh.UnreachableError", err, err)
	}
	if want := "cannot reach hostb: ssh: connect to host hostb port 22: Connection refused"; err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
}

func TestExternalMissingProgram(t *testing.T) {
	h, _ := ssh.NewExternal("hostb", "/nonexistent/ssh -x")
	_, err := h.Run(context.Background(), []string{"true"}, nil)
	var ue *ssh.UnreachableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "/nonexistent/ssh") {
		t.Fatalf("got %v, want an unreachable host naming the program", err)
	}
}

func TestExternalBadCommand(t *testing.T) {
	for _, cmd := range []string{"   ", `ssh "unterminated`} {
		if _, err := ssh.NewExternal("hostb", cmd); err == nil {
			t.Errorf("NewExternal(%q) succeeded", cmd)
		}
	}
}
