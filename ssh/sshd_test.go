package ssh_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zrep-go/zrep/ssh"
	"github.com/zrep-go/zrep/ssh/hosttest"
)

// testHostsHome is the HOME that scripts/testhosts.sh sets up, with an
// ssh config for hosta, hostb and hostc (real sshd on 127.0.0.11-13).
const testHostsHome = "/var/lib/zrep-testhosts/home"

// hostbSSHD is hostb's sshd, the one these tests talk to.
const hostbSSHD = "127.0.0.12:22"

// needTestHosts returns testHostsHome, or skips the test when the test
// hosts are not up, unless ZREP_TEST_REQUIRE lists e2e (CI), where a skip
// would hide a broken setup. The config alone is not proof: it outlives a
// reboot, the hosts do not, so hostb's sshd must answer too.
func needTestHosts(t testing.TB) string {
	t.Helper()
	msg := ""
	if _, err := os.Stat(filepath.Join(testHostsHome, ".ssh", "config")); err != nil {
		msg = "test hosts are not set up (run bash scripts/testhosts.sh up): " + err.Error()
	} else if c, err := net.DialTimeout("tcp", hostbSSHD, 2*time.Second); err != nil {
		msg = "test hosts are down (run bash scripts/testhosts.sh up): " + err.Error()
	} else {
		c.Close()
		return testHostsHome
	}
	if strings.Contains(os.Getenv("ZREP_TEST_REQUIRE"), "e2e") {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func openTestHost(t testing.TB, name string, o ssh.Options) ssh.Host {
	t.Helper()
	o.Home = needTestHosts(t)
	h, err := ssh.Open(name, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func TestSSHD(t *testing.T) {
	h := openTestHost(t, "hostb", ssh.Options{})
	out, err := h.Run(context.Background(), []string{"hostname"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(out)) != "hostb" {
		t.Errorf("hostname on hostb: %q", out)
	}
	hosttest.Run(t, h)
}

// OpenSSH reads ~/.ssh from the passwd entry, not $HOME: point it at the
// test hosts' files.
func openSSHCommand(home string) string {
	return "ssh -F " + filepath.Join(home, ".ssh", "config")
}

func TestSSHDExternal(t *testing.T) {
	home := needTestHosts(t)
	hosttest.Run(t, openTestHost(t, "hostb", ssh.Options{SSHCommand: openSSHCommand(home)}))
}
