package ssh_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// testServer is an SSH server in the test process that runs each exec
// request with sh -c, like sshd does for a user whose shell is sh. It needs
// neither root nor sshd, so the client is tested everywhere.
type testServer struct {
	t        *testing.T
	ln       net.Listener
	port     int
	hostKeys []gossh.Signer
	user     string
	clientPK gossh.PublicKey // the only key let in

	// mute stops answering global requests (keepalives), as a peer that
	// went away without closing would.
	mute atomic.Bool

	mu    sync.Mutex
	conns []net.Conn
	dials int
}

func newSigner(t *testing.T, ecdsaKey bool) gossh.Signer {
	t.Helper()
	var key any
	var err error
	if ecdsaKey {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		_, key, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// startServer serves on 127.0.0.1 with the given host keys, letting in
// user "tester" with clientKey.
func startServer(t *testing.T, clientKey gossh.PublicKey, hostKeys ...gossh.Signer) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &testServer{t: t, ln: ln, port: ln.Addr().(*net.TCPAddr).Port, hostKeys: hostKeys, user: "tester", clientPK: clientKey}
	t.Cleanup(func() { ln.Close(); s.DropAll() })
	go s.serve()
	return s
}

func (s *testServer) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

func (s *testServer) Dials() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dials
}

// DropAll cuts every connection, as a network failure would.
func (s *testServer) DropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
}

func (s *testServer) serve() {
	cfg := &gossh.ServerConfig{
		PublicKeyCallback: func(md gossh.ConnMetadata, key gossh.PublicKey) (*gossh.Permissions, error) {
			if md.User() == s.user && bytes.Equal(key.Marshal(), s.clientPK.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("not authorized")
		},
	}
	for _, k := range s.hostKeys {
		cfg.AddHostKey(k)
	}
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns = append(s.conns, nc)
		s.dials++
		s.mu.Unlock()
		go s.handle(nc, cfg)
	}
}

func (s *testServer) handle(nc net.Conn, cfg *gossh.ServerConfig) {
	_, chans, reqs, err := gossh.NewServerConn(nc, cfg)
	if err != nil {
		return
	}
	go func() {
		for r := range reqs {
			if !s.mute.Load() && r.WantReply {
				r.Reply(false, nil) // as OpenSSH answers keepalive@openssh.com
			}
		}
	}()
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(gossh.UnknownChannelType, "only sessions")
			continue
		}
		ch, reqs, err := nch.Accept()
		if err != nil {
			continue
		}
		go session(ch, reqs)
	}
}

func session(ch gossh.Channel, reqs <-chan *gossh.Request) {
	var cmd *exec.Cmd
	for r := range reqs {
		switch r.Type {
		case "exec":
			var p struct{ Command string }
			if cmd != nil || gossh.Unmarshal(r.Payload, &p) != nil {
				r.Reply(false, nil)
				continue
			}
			cmd = exec.Command("sh", "-c", p.Command)
			// A group, so that KILL also reaches what dash forks rather
			// than execs; sshd's login shell (bash) execs a lone command.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			stdin, _ := cmd.StdinPipe()
			cmd.Stdout, cmd.Stderr = ch, ch.Stderr()
			if err := cmd.Start(); err != nil {
				r.Reply(false, nil)
				ch.Close()
				return
			}
			r.Reply(true, nil)
			go func() { io.Copy(stdin, ch); stdin.Close() }()
			go func() {
				err := cmd.Wait()
				var ee *exec.ExitError
				switch {
				case errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signaled():
					ch.SendRequest("exit-signal", false, gossh.Marshal(struct {
						Signal     string
						CoreDumped bool
						Error      string
						Lang       string
					}{Signal: "KILL"}))
				default:
					ch.SendRequest("exit-status", false, gossh.Marshal(struct{ Status uint32 }{uint32(cmd.ProcessState.ExitCode())}))
				}
				ch.Close()
			}()
		case "signal":
			var p struct{ Signal string }
			if cmd != nil && gossh.Unmarshal(r.Payload, &p) == nil && p.Signal == "KILL" {
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			}
		default:
			if r.WantReply {
				r.Reply(false, nil)
			}
		}
	}
}

// testHome is a HOME with ~/.ssh/{config,id_ed25519,known_hosts} for the
// server under the alias "testsrv".
type testHome struct {
	dir       string
	clientKey gossh.Signer
}

func newTestHome(t *testing.T) *testHome {
	t.Helper()
	t.Setenv("SSH_AUTH_SOCK", "")
	h := &testHome{dir: t.TempDir()}
	if err := os.MkdirAll(filepath.Join(h.dir, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	block, err := gossh.MarshalPrivateKey(key, "test")
	if err != nil {
		t.Fatal(err)
	}
	h.write(t, "id_ed25519", string(pem.EncodeToMemory(block)))
	h.clientKey, _ = gossh.NewSignerFromKey(key)
	return h
}

func (h *testHome) write(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(h.dir, ".ssh", name), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// sshConfig points "testsrv" at s, with extra lines for the Host block.
func (h *testHome) sshConfig(t *testing.T, s *testServer, extra string) {
	h.write(t, "config", "Host testsrv\n  HostName 127.0.0.1\n  Port "+strconv.Itoa(s.port)+"\n  User tester\n"+extra)
}

// knownHostsLine is the known_hosts entry for s with key, hashed if asked.
func knownHostsLine(s *testServer, key gossh.PublicKey, hashed bool) string {
	name := knownhosts.Normalize(s.addr())
	if hashed {
		name = knownhosts.HashHostname(name)
	}
	return knownhosts.Line([]string{name}, key) + "\n"
}
