package ssh_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// passThrough checks the options zrep adds around the user's -x.
const passThrough = `[ "$1 $2 $3 $4 $5 $6" = "-o BatchMode=yes -x -o ConnectTimeout=10 hostb" ] && [ $# -eq 7 ] || { echo "bad args: $*" >&2; exit 255; }
exec sh -c "$7"
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

// The ssh program can never prompt: BatchMode comes before the user's
// options (OpenSSH keeps the first value), it runs in a session of its
// own with no controlling terminal, its stdin is /dev/null when there is
// no input, and askpass helpers are off.
func TestExternalCannotPrompt(t *testing.T) {
	script := `[ "$1 $2" = "-o BatchMode=yes" ] || { echo "BatchMode not first: $*" >&2; exit 1; }
case " $* " in *" -o BatchMode=no "*) ;; *) echo "user option lost: $*" >&2; exit 1;; esac
( : </dev/tty ) 2>/dev/null && { echo "has a controlling terminal" >&2; exit 1; }
[ "$(readlink /proc/self/fd/0)" = /dev/null ] || { echo "stdin is $(readlink /proc/self/fd/0)" >&2; exit 1; }
[ "$(ps -o sid= -p $$ | tr -d ' ')" = $$ ] || { echo "not a session leader" >&2; exit 1; }
[ "$SSH_ASKPASS_REQUIRE" = never ] || { echo "SSH_ASKPASS_REQUIRE=$SSH_ASKPASS_REQUIRE" >&2; exit 1; }
echo ok
`
	h, _ := ssh.NewExternal("hostb", `'`+fakeSSH(t, script)+`' -o BatchMode=no`)
	out, err := h.Run(context.Background(), []string{"zfs", "list"}, nil)
	if err != nil || string(out) != "ok\n" {
		t.Fatalf("Run: %q, %v", out, err)
	}
	p, err := h.Start(context.Background(), []string{"zfs", "list"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(p.Stdout())
	if err := p.Wait(); err != nil || string(b) != "ok\n" {
		t.Fatalf("Start: %q, %v", b, err)
	}
}

func TestExternalUserConnectTimeoutWins(t *testing.T) {
	// OpenSSH keeps the first value: the user's comes before ours.
	script := `[ "$3 $4 $5 $6" = "-o ConnectTimeout=3 -o ConnectTimeout=10" ] || { echo "got $*" >&2; exit 1; }`
	h, _ := ssh.NewExternal("hostb", `'`+fakeSSH(t, script)+`' -o ConnectTimeout=3`)
	if _, err := h.Run(context.Background(), []string{"true"}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestExternalHostKeyRefused(t *testing.T) {
	for _, c := range []struct {
		name, stderr string
		want         []string
	}{
		{"unknown, strict", "No ED25519 host key is known for 127.0.0.12 and you have requested strict checking.\r\nHost key verification failed.\r\n",
			[]string{"cannot reach hostb: host key for hostb is not in known_hosts", "refused it without asking (No ED25519 host key is known for 127.0.0.12 and you have requested strict checking)",
				"add it with `ssh-keyscan hostb >> ~/.ssh/known_hosts`"}},
		{"unknown, batch", "Host key verification failed.\r\n",
			[]string{"host key for hostb is not in known_hosts, ", "ssh-keyscan hostb"}},
		{"changed", `@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @
@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@
IT IS POSSIBLE THAT SOMEONE IS DOING SOMETHING NASTY!
The fingerprint for the ED25519 key sent by the remote host is
SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG.
Please contact your system administrator.
Add correct host key in /root/.ssh/known_hosts to get rid of this message.
Offending ED25519 key in /root/.ssh/known_hosts:3
  remove with:
  ssh-keygen -f "/root/.ssh/known_hosts" -R "127.0.0.12"
Host key for 127.0.0.12 has changed and you have requested strict checking.
Host key verification failed.
`, []string{"host key for hostb has changed", "SHA256:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG; Offending ED25519 key in /root/.ssh/known_hosts:3)", "`ssh-keygen -R hostb`"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			errFile := filepath.Join(t.TempDir(), "stderr")
			os.WriteFile(errFile, []byte(c.stderr), 0o600)
			h, _ := ssh.NewExternal("hostb", `'`+fakeSSH(t, "cat '"+errFile+"' >&2; exit 255")+`'`)
			_, err := h.Run(context.Background(), []string{"zfs", "list"}, nil)
			var ke *ssh.HostKeyError
			var ue *ssh.UnreachableError
			if !errors.As(err, &ke) || !errors.As(err, &ue) {
				t.Fatalf("got %T %v, want *ssh.HostKeyError in *ssh.UnreachableError", err, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("more than one line: %q", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q\nlacks %q", err, w)
				}
			}
		})
	}
}

// The real OpenSSH, against a server whose key is in no known_hosts file,
// with the most prompt-prone setting (StrictHostKeyChecking ask): it
// fails at once with the host named, it does not ask.
func TestExternalOpenSSHUnknownHostKey(t *testing.T) {
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("no OpenSSH client")
	}
	srv := startServer(t, newSigner(t, false).PublicKey(), newSigner(t, false))
	dir := t.TempDir()
	kh := filepath.Join(dir, "known_hosts")
	os.WriteFile(kh, nil, 0o600)
	cmd := fmt.Sprintf("ssh -F /dev/null -o StrictHostKeyChecking=ask -o UserKnownHostsFile=%s -o GlobalKnownHostsFile=/dev/null -p %d", kh, srv.port)
	h, err := ssh.NewExternal("127.0.0.1", cmd)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = h.Run(context.Background(), []string{"zfs", "list"}, nil)
	took := time.Since(start)
	var ke *ssh.HostKeyError
	if !errors.As(err, &ke) {
		t.Fatalf("got %T %v, want *ssh.HostKeyError", err, err)
	}
	if !strings.Contains(err.Error(), "host key for 127.0.0.1 is not in known_hosts") {
		t.Errorf("got %q", err)
	}
	if took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	t.Logf("failed in %v: %v", took, err)
}
