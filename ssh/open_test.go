package ssh_test

import (
	"os"
	"strings"
	"testing"

	"github.com/zrep-go/zrep/ssh"
)

func TestOpen(t *testing.T) {
	home := t.TempDir()
	base := ssh.Options{Self: "hosta", Home: home, SystemConfig: os.DevNull}
	for _, tc := range []struct {
		name string
		o    ssh.Options
		want string // type
	}{
		{"localhost", base, "*ssh.Local"},
		{"LOCALHOST", base, "*ssh.Local"},
		{"hosta", base, "*ssh.Local"},
		{"HostA.example.com", base, "*ssh.Local"},
		{"hostb", base, "*ssh.Client"},
		{"root@hostb", base, "*ssh.Client"},
		{"hostb", ssh.Options{Self: "hosta", SSHCommand: "ssh -x"}, "*ssh.External"},
		{"localhost", ssh.Options{SSHCommand: "ssh -x"}, "*ssh.Local"},
	} {
		h, err := ssh.Open(tc.name, tc.o)
		if err != nil {
			t.Errorf("Open(%q): %v", tc.name, err)
			continue
		}
		if got := typeName(h); got != tc.want {
			t.Errorf("Open(%q) = %s, want %s", tc.name, got, tc.want)
		}
		if h.Name() != tc.name {
			t.Errorf("Open(%q).Name() = %q", tc.name, h.Name())
		}
		h.Close()
	}
}

func typeName(h ssh.Host) string {
	switch h.(type) {
	case *ssh.Local:
		return "*ssh.Local"
	case *ssh.Client:
		return "*ssh.Client"
	case *ssh.External:
		return "*ssh.External"
	}
	return "?"
}

func TestOpenRejectsBadName(t *testing.T) {
	_, err := ssh.Open("-oProxyCommand=x", ssh.Options{SSHCommand: "ssh"})
	if want := `invalid host name "-oProxyCommand=x": must not start with "-"`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

func TestIsLocal(t *testing.T) {
	for _, tc := range []struct {
		name, self string
		want       bool
	}{
		{"localhost", "", true},
		{"localhost", "hosta", true},
		{"hosta", "hosta", true},
		{"HOSTA", "hosta", true},
		{"hosta.example.com", "hosta", true},
		{"hosta", "hosta.example.com", true},
		{"hostb", "hosta", false},
		{"hostab", "hosta", false},
		{"hosta", "", false},
		{"127.0.0.1", "127", false},
		{"10.0.0.5", "10.0.0.6", false},
		{"root@hosta", "hosta", false},
	} {
		if got := ssh.IsLocal(tc.name, tc.self); got != tc.want {
			t.Errorf("IsLocal(%q, %q) = %v, want %v", tc.name, tc.self, got, tc.want)
		}
	}
}

func TestValidateHostName(t *testing.T) {
	for _, ok := range []string{"hostb", "host-b.example.com", "root@hostb", "127.0.0.12", "::1", "[fe80::1%eth0]", "host_b", "HOST9"} {
		if err := ssh.ValidateHostName(ok); err != nil {
			t.Errorf("ValidateHostName(%q): %v", ok, err)
		}
	}
	for name, want := range map[string]string{
		"":                 `invalid host name "": empty`,
		"-oProxyCommand=x": `invalid host name "-oProxyCommand=x": must not start with "-"`,
		"host b":           `invalid host name "host b": ' ' not allowed`,
		"host\tb":          `not allowed`,
		"a;b":              `';' not allowed`,
		"$(x)":             `'$' not allowed`,
		"a`b`":             "'`' not allowed",
		"a'b":              `'\'' not allowed`,
		`a"b`:              `'"' not allowed`,
		"a|b":              `'|' not allowed`,
		"a/b":              `'/' not allowed`,
		"a\nb":             `'\n' not allowed`,
		"hôst":             `'ô' not allowed`,
	} {
		err := ssh.ValidateHostName(name)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ValidateHostName(%q) = %v, want %s", name, err, want)
		}
	}
}

func TestShortHostName(t *testing.T) {
	h, err := ssh.ShortHostName()
	if err != nil {
		t.Fatal(err)
	}
	full, _ := os.Hostname()
	if h == "" || strings.Contains(h, ".") || !strings.HasPrefix(full, h) {
		t.Errorf("ShortHostName() = %q for %q", h, full)
	}
}
