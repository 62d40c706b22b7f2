package ssh_test

import (
	"os"
	"os/user"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zrep-go/zrep/ssh"
)

// resolve reads name's config from a HOME holding userConfig and a system
// file holding systemConfig.
func resolve(t *testing.T, name, userConfig, systemConfig string) (*ssh.Config, string, error) {
	t.Helper()
	home := t.TempDir()
	os.Mkdir(filepath.Join(home, ".ssh"), 0o700)
	if userConfig != "" {
		os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte(userConfig), 0o600)
	}
	sys := filepath.Join(home, "ssh_config")
	os.WriteFile(sys, []byte(systemConfig), 0o644)
	c, err := ssh.ResolveConfig(name, ssh.Options{Home: home, SystemConfig: sys})
	return c, home, err
}

func TestResolveConfigDefaults(t *testing.T) {
	t.Setenv("SSH_AUTH_SOCK", "/tmp/agent.sock")
	c, home, err := resolve(t, "hostb", "", "")
	if err != nil {
		t.Fatal(err)
	}
	me, _ := user.Current()
	s := filepath.Join(home, ".ssh")
	want := &ssh.Config{
		Name: "hostb", HostName: "hostb", Port: 22, User: me.Username,
		IdentityFiles:       []string{s + "/id_ed25519", s + "/id_ecdsa", s + "/id_rsa"},
		AgentSocket:         "/tmp/agent.sock",
		KnownHostsFiles:     []string{s + "/known_hosts", s + "/known_hosts2", "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"},
		ConnectTimeout:      10 * time.Second,
		ServerAliveInterval: 15 * time.Second,
		ServerAliveCountMax: 3,
	}
	if c.Ciphers[0] != "aes128-gcm@openssh.com" {
		t.Errorf("Ciphers = %v, want aes128-gcm@openssh.com first", c.Ciphers)
	}
	c.Ciphers = nil
	assertConfig(t, c, want)
}

func assertConfig(t *testing.T, got, want *ssh.Config) {
	t.Helper()
	g, w := *got, *want
	if !slices.Equal(g.IdentityFiles, w.IdentityFiles) {
		t.Errorf("IdentityFiles\ngot  %q\nwant %q", g.IdentityFiles, w.IdentityFiles)
	}
	if !slices.Equal(g.KnownHostsFiles, w.KnownHostsFiles) {
		t.Errorf("KnownHostsFiles\ngot  %q\nwant %q", g.KnownHostsFiles, w.KnownHostsFiles)
	}
	if !slices.Equal(g.Ciphers, w.Ciphers) {
		t.Errorf("Ciphers\ngot  %q\nwant %q", g.Ciphers, w.Ciphers)
	}
	g.IdentityFiles, g.KnownHostsFiles, g.Ciphers = nil, nil, nil
	w.IdentityFiles, w.KnownHostsFiles, w.Ciphers = nil, nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("got  %+v\nwant %+v", g, w)
	}
}

func TestResolveConfigFromFiles(t *testing.T) {
	userConfig := `
Host other
  Port 1
Host hostb
  HostName %h.example.com
  Port 2222
  IdentityFile ~/keys/one
  IdentityFile "%d/keys/two words"
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile ~/kh1 "~/kh 2"
  HostKeyAlias bee
  ConnectTimeout 3
  ServerAliveInterval 7
  ServerAliveCountMax 5
  Ciphers aes256-ctr,chacha20-poly1305@openssh.com
Host *
  Port 9
  User fromuser
`
	systemConfig := "Host *\n  User fromsystem\n  GlobalKnownHostsFile /etc/kh_global\n  ConnectTimeout 99\n"
	c, home, err := resolve(t, "hostb", userConfig, systemConfig)
	if err != nil {
		t.Fatal(err)
	}
	assertConfig(t, c, &ssh.Config{
		Name: "hostb", HostName: "hostb.example.com", Port: 2222, User: "fromuser",
		IdentityFiles:       []string{home + "/keys/one", home + "/keys/two words"},
		IdentitiesOnly:      true,
		KnownHostsFiles:     []string{home + "/kh1", home + "/kh 2", "/etc/kh_global"},
		HostKeyAlias:        "bee",
		ConnectTimeout:      3 * time.Second,
		ServerAliveInterval: 7 * time.Second,
		ServerAliveCountMax: 5,
		Ciphers:             []string{"aes256-ctr", "chacha20-poly1305@openssh.com"},
	})
}

func TestResolveConfigSystemFallback(t *testing.T) {
	c, _, err := resolve(t, "root@hostc", "Host hostc\n  Port 2200\n", "Host *\n  User nobody\n  Port 1\n  ServerAliveInterval 0\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "root" || c.Port != 2200 || c.ServerAliveInterval != 0 || c.HostName != "hostc" {
		t.Errorf("got %+v; want user root (from the name), port 2200 (user file), no keepalive (system file)", c)
	}
}

func TestResolveConfigCiphers(t *testing.T) {
	for v, check := range map[string]func([]string) bool{
		"^chacha20-poly1305@openssh.com": func(c []string) bool {
			return c[0] == "chacha20-poly1305@openssh.com" && c[1] == "aes128-gcm@openssh.com"
		},
		"-aes128-gcm@openssh.com": func(c []string) bool { return !slices.Contains(c, "aes128-gcm@openssh.com") && len(c) > 0 },
		"-aes*": func(c []string) bool {
			return !slices.ContainsFunc(c, func(s string) bool { return strings.HasPrefix(s, "aes") })
		},
		"+aes128-cbc": func(c []string) bool { return c[0] == "aes128-gcm@openssh.com" && c[len(c)-1] == "aes128-cbc" },
	} {
		c, _, err := resolve(t, "h", "Ciphers "+v+"\n", "")
		if err != nil {
			t.Fatal(err)
		}
		if !check(c.Ciphers) {
			t.Errorf("Ciphers %s gave %v", v, c.Ciphers)
		}
	}
}

func TestResolveConfigErrors(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{"Host hostb\n  ProxyJump bastion\n", "ProxyJump, which the built-in ssh client does not support: set SSH=ssh"},
		{"Host hostb\n  ProxyCommand nc %h %p\n", "ProxyCommand"},
		{"Host hostb\n  Port many\n", `bad Port "many"`},
		{"Match exec true\n  Port 1\n", "Match Exec is not supported"},
		{"Host hostb\n  ConnectTimeout soon\n", "ConnectTimeout"},
		{"Host hostb\n  IdentityFile ~/%z\n", "unknown token %z"},
	} {
		_, _, err := resolve(t, "hostb", tc.config, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: got %v, want %q", tc.config, err, tc.want)
		}
	}
	if _, _, err := resolve(t, "hostb", "Host hostb\n  ProxyJump none\n", ""); err != nil {
		t.Errorf("ProxyJump none: %v", err)
	}
}

// HOME is read at the time of the call, not once per process.
func TestResolveConfigFollowsHOME(t *testing.T) {
	for _, port := range []string{"2201", "2202"} {
		home := t.TempDir()
		os.Mkdir(filepath.Join(home, ".ssh"), 0o700)
		os.WriteFile(filepath.Join(home, ".ssh", "config"), []byte("Port "+port+"\n"), 0o600)
		t.Setenv("HOME", home)
		c, err := ssh.ResolveConfig("hostb", ssh.Options{SystemConfig: os.DevNull})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Port; got != atoi(port) {
			t.Errorf("HOME=%s: port %d, want %s", home, got, port)
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}
