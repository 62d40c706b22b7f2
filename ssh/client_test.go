package ssh_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/ssh/hosttest"
	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// testClient opens "testsrv" from home.
func testClient(t *testing.T, home *testHome) *ssh.Client {
	t.Helper()
	h, err := ssh.Open("testsrv", ssh.Options{Home: home.dir, SystemConfig: filepath.Join(home.dir, "no-system-config")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	c, ok := h.(*ssh.Client)
	if !ok {
		t.Fatalf("Open returned %T, want *ssh.Client", h)
	}
	return c
}

// serverAndHome starts a server with one ed25519 host key that home's
// known_hosts lists.
func serverAndHome(t *testing.T, hashed bool) (*testServer, *testHome) {
	home := newTestHome(t)
	hostKey := newSigner(t, false)
	srv := startServer(t, home.clientKey.PublicKey(), hostKey)
	home.sshConfig(t, srv, "")
	home.write(t, "known_hosts", knownHostsLine(srv, hostKey.PublicKey(), hashed))
	return srv, home
}

func TestClient(t *testing.T) {
	srv, home := serverAndHome(t, false)
	c := testClient(t, home)
	hosttest.Run(t, c)
	if n := srv.Dials(); n != 1 {
		t.Errorf("the suite took %d connections, want 1", n)
	}
}

func TestClientHashedKnownHosts(t *testing.T) {
	_, home := serverAndHome(t, true)
	if _, err := testClient(t, home).Run(context.Background(), []string{"true"}, nil); err != nil {
		t.Fatal(err)
	}
}

func unreachable(t *testing.T, err error) *ssh.UnreachableError {
	t.Helper()
	var ue *ssh.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("got %T %v, want *ssh.UnreachableError", err, err)
	}
	if ue.Host != "testsrv" {
		t.Errorf("UnreachableError.Host = %q", ue.Host)
	}
	return ue
}

func TestClientUnknownHostKey(t *testing.T) {
	home := newTestHome(t)
	srv := startServer(t, home.clientKey.PublicKey(), newSigner(t, false))
	home.sshConfig(t, srv, "")
	_, err := testClient(t, home).Run(context.Background(), []string{"true"}, nil)
	unreachable(t, err)
	var ke *ssh.HostKeyError
	if !errors.As(err, &ke) {
		t.Fatalf("%v: no *ssh.HostKeyError in it", err)
	}
	kh := filepath.Join(home.dir, ".ssh", "known_hosts")
	for _, want := range []string{
		"cannot reach testsrv",
		"tester@" + srv.addr(),
		"host key for [127.0.0.1]:" + strconv.Itoa(srv.port) + " is unknown",
		"SHA256:",
		fmt.Sprintf("ssh-keyscan -p %d 127.0.0.1 >> %s", srv.port, kh),
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q\nlacks %q", err, want)
		}
	}
	t.Log(err)
}

func TestClientChangedHostKey(t *testing.T) {
	home := newTestHome(t)
	srv := startServer(t, home.clientKey.PublicKey(), newSigner(t, false))
	home.sshConfig(t, srv, "")
	old := newSigner(t, false)
	home.write(t, "known_hosts", "# comment\n"+knownHostsLine(srv, old.PublicKey(), false))
	_, err := testClient(t, home).Run(context.Background(), []string{"true"}, nil)
	unreachable(t, err)
	want := filepath.Join(home.dir, ".ssh", "known_hosts") + ":2"
	if !strings.Contains(err.Error(), "has changed") || !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\nshould say the key changed and name %s", err, want)
	}
	t.Log(err)
}

// A server with several host keys must be asked for the one we know, not
// the library's favourite, or a known host looks like a changed key.
func TestClientPicksKnownKeyType(t *testing.T) {
	for _, known := range []string{"ed25519", "ecdsa"} {
		t.Run(known, func(t *testing.T) {
			home := newTestHome(t)
			ed, ec := newSigner(t, false), newSigner(t, true)
			srv := startServer(t, home.clientKey.PublicKey(), ec, ed)
			home.sshConfig(t, srv, "")
			k := ed
			if known == "ecdsa" {
				k = ec
			}
			home.write(t, "known_hosts", knownHostsLine(srv, k.PublicKey(), true))
			if _, err := testClient(t, home).Run(context.Background(), []string{"true"}, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestClientAuthFailure(t *testing.T) {
	home := newTestHome(t)
	hostKey := newSigner(t, false)
	srv := startServer(t, newSigner(t, false).PublicKey(), hostKey) // not our key
	home.sshConfig(t, srv, "")
	home.write(t, "known_hosts", knownHostsLine(srv, hostKey.PublicKey(), false))
	_, err := testClient(t, home).Run(context.Background(), []string{"true"}, nil)
	unreachable(t, err)
	if !strings.Contains(err.Error(), "offered "+filepath.Join(home.dir, ".ssh", "id_ed25519")) {
		t.Errorf("error %q does not say which key was offered", err)
	}
}

func TestClientEncryptedKeySkipped(t *testing.T) {
	home := newTestHome(t)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	block, err := gossh.MarshalPrivateKeyWithPassphrase(key, "", []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	home.write(t, "id_ed25519", string(pem.EncodeToMemory(block)))
	hostKey := newSigner(t, false)
	signer, _ := gossh.NewSignerFromKey(key)
	srv := startServer(t, signer.PublicKey(), hostKey)
	home.sshConfig(t, srv, "")
	home.write(t, "known_hosts", knownHostsLine(srv, hostKey.PublicKey(), false))
	_, err = testClient(t, home).Run(context.Background(), []string{"true"}, nil)
	unreachable(t, err)
	if !strings.Contains(err.Error(), "has a passphrase") || !strings.Contains(err.Error(), "ssh-add") {
		t.Errorf("error %q does not explain the skipped key", err)
	}
	t.Log(err)

	// The same key in an agent gets in.
	sock := startAgent(t, key)
	t.Setenv("SSH_AUTH_SOCK", sock)
	if _, err := testClient(t, home).Run(context.Background(), []string{"true"}, nil); err != nil {
		t.Fatalf("with the key in ssh-agent: %v", err)
	}
}

func startAgent(t *testing.T, key any) string {
	t.Helper()
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "agent") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go agent.ServeAgent(kr, c)
		}
	}()
	return sock
}

func TestClientDialFailureRemembered(t *testing.T) {
	home := newTestHome(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	home.write(t, "config", fmt.Sprintf("Host testsrv\n  HostName 127.0.0.1\n  Port %d\n  User tester\n", port))
	c := testClient(t, home)
	_, err1 := c.Run(context.Background(), []string{"true"}, nil)
	ue := unreachable(t, err1)
	if !strings.Contains(ue.Error(), fmt.Sprintf("tester@127.0.0.1:%d", port)) {
		t.Errorf("error %q does not name the address", ue)
	}
	_, err2 := c.Run(context.Background(), []string{"true"}, nil)
	if err2 != err1 {
		t.Errorf("second Run: %v, want the remembered dial error", err2)
	}
}

func TestClientReconnectsAfterDrop(t *testing.T) {
	srv, home := serverAndHome(t, false)
	c := testClient(t, home)
	ctx := context.Background()
	p, err := c.Start(ctx, []string{"sleep", "5"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.DropAll()
	unreachable(t, p.Wait())
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := c.Run(ctx, []string{"true"}, nil)
		if err == nil {
			break
		}
		// The drop may not have been noticed yet.
		if time.Now().After(deadline) {
			t.Fatalf("no reconnect after a drop: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n := srv.Dials(); n != 2 {
		t.Errorf("%d dials, want 2", n)
	}
}

func TestClientKeepaliveClosesDeadConnection(t *testing.T) {
	srv, home := serverAndHome(t, false)
	cfg, err := ssh.ResolveConfig("testsrv", ssh.Options{Home: home.dir, SystemConfig: os.DevNull})
	if err != nil {
		t.Fatal(err)
	}
	cfg.ServerAliveInterval, cfg.ServerAliveCountMax = 50*time.Millisecond, 2
	c := ssh.NewClient(cfg)
	defer c.Close()
	p, err := c.Start(context.Background(), []string{"sleep", "10"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.mute.Store(true)
	start := time.Now()
	unreachable(t, p.Wait())
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v to give up on a silent peer", d)
	}
}

func TestClientCancelDuringHandshake(t *testing.T) {
	home := newTestHome(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and say nothing
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	home.write(t, "config", fmt.Sprintf("Host testsrv\n  HostName 127.0.0.1\n  Port %d\n", ln.Addr().(*net.TCPAddr).Port))
	c := testClient(t, home)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = c.Connect(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Connect: %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Connect took %v after its deadline", d)
	}
	var ue *ssh.UnreachableError
	if errors.As(err, &ue) {
		t.Errorf("a canceled dial is not an unreachable host: %v", err)
	}
}

// A peer that accepts the connection and never speaks SSH fails the dial
// at the handshake deadline, with no deadline from the caller: no hang.
func TestClientSilentPeerHandshakeDeadline(t *testing.T) {
	defer ssh.SetHandshakeTimeout(300 * time.Millisecond)()
	home := newTestHome(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	home.write(t, "config", fmt.Sprintf("Host testsrv\n  HostName 127.0.0.1\n  Port %d\n  ConnectTimeout 0\n", ln.Addr().(*net.TCPAddr).Port))
	c := testClient(t, home)
	start := time.Now()
	unreachable(t, c.Connect(context.Background()))
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v to give up on a peer that never answered", d)
	}
}

func TestClientCloseTwice(t *testing.T) {
	_, home := serverAndHome(t, false)
	c := testClient(t, home)
	if err := c.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	if err := c.Close(); err != nil {
		t.Error(err)
	}
	if _, err := c.Run(context.Background(), []string{"true"}, nil); err == nil {
		t.Error("Run after Close succeeded")
	}
}

// A stdin that fails mid-stream must not reach the command as a clean end
// of input: the command is killed and the read error reported.
func TestClientStdinError(t *testing.T) {
	_, home := serverAndHome(t, false)
	c := testClient(t, home)
	_, err := c.Run(context.Background(), []string{"cat"}, io.MultiReader(strings.NewReader("part"), errReader{}))
	if err == nil || !strings.Contains(err.Error(), "reading stdin: broken stdin") {
		t.Fatalf("got %v, want the stdin error", err)
	}
	if _, err := c.Run(context.Background(), []string{"true"}, nil); err != nil {
		t.Errorf("the connection did not survive: %v", err)
	}
}

func TestClientKilledBySignal(t *testing.T) {
	_, home := serverAndHome(t, false)
	_, err := testClient(t, home).Run(context.Background(), []string{"sh", "-c", "kill -9 $$"}, nil)
	var ee *ssh.ExitError
	if !errors.As(err, &ee) || ee.Code != 137 {
		t.Errorf("got %v, want exit 137 as a shell reports SIGKILL", err)
	}
}
