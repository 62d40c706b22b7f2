package ssh_test

import (
	"context"
	"io"
	"os/exec"
	"testing"

	"github.com/zrep-go/zrep/ssh"
)

// Costs against a real sshd on loopback (the test hosts), to compare with
// OpenSSH and the figures in design.md §4:
//
//	go test ./ssh -run '^$' -bench . -benchtime 5x

const streamSize = 256 << 20

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func benchHost(b *testing.B) *ssh.Client {
	h := openTestHost(b, "hostb", ssh.Options{})
	c := h.(*ssh.Client)
	if err := c.Connect(context.Background()); err != nil {
		b.Fatal(err)
	}
	return c
}

// Dial, key exchange and authentication: once per host per run.
func BenchmarkDial(b *testing.B) {
	cfg := benchHost(b).Config()
	for b.Loop() {
		c := ssh.NewClient(cfg)
		if err := c.Connect(context.Background()); err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// One command on a connection already up: the cost of each zfs call.
func BenchmarkSession(b *testing.B) {
	c := benchHost(b)
	for b.Loop() {
		if _, err := c.Run(context.Background(), []string{"true"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// A zfs recv's direction: 256 MiB from us into `cat >/dev/null`.
func BenchmarkStreamToHost(b *testing.B) {
	c := benchHost(b)
	b.SetBytes(streamSize)
	for b.Loop() {
		if _, err := c.Run(context.Background(), []string{"sh", "-c", "cat >/dev/null"}, io.LimitReader(zeros{}, streamSize)); err != nil {
			b.Fatal(err)
		}
	}
}

// A zfs send's direction: 256 MiB from the host to us.
func BenchmarkStreamFromHost(b *testing.B) {
	c := benchHost(b)
	b.SetBytes(streamSize)
	for b.Loop() {
		p, err := c.Start(context.Background(), []string{"head", "-c", "268435456", "/dev/zero"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := io.Copy(io.Discard, p.Stdout()); n != streamSize {
			b.Fatalf("read %d bytes", n)
		}
		if err := p.Wait(); err != nil {
			b.Fatal(err)
		}
	}
}

// The same through OpenSSH, connection included, as the classic script
// and SSH=ssh do it.
func BenchmarkOpenSSHStreamToHost(b *testing.B) {
	home := needTestHosts(b)
	b.SetBytes(streamSize)
	for b.Loop() {
		cmd := exec.Command("ssh", "-F", home+"/.ssh/config", "hostb", "cat >/dev/null")
		cmd.Stdin = io.LimitReader(zeros{}, streamSize)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

func BenchmarkOpenSSHTrue(b *testing.B) {
	home := needTestHosts(b)
	for b.Loop() {
		if out, err := exec.Command("ssh", "-F", home+"/.ssh/config", "hostb", "true").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}
