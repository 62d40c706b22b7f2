package ssh

import (
	"fmt"
	"net"
	"os"
	"strings"
)

// Options say how Open reaches a host.
type Options struct {
	// Self is our own short host name; a host of that name runs locally.
	Self string
	// SSHCommand is $SSH (or --ssh): "" uses the native client, anything
	// else runs that program as `SSHCommand HOST COMMANDLINE`.
	SSHCommand string
	// Home is where ~/.ssh is looked up; "" means $HOME.
	Home string
	// SystemConfig is the system-wide ssh_config; "" means
	// /etc/ssh/ssh_config. Tests point it elsewhere.
	SystemConfig string
}

// Open returns the Host for name. The native client resolves ssh_config
// now but dials on first use, so opening a host that is never used costs
// nothing.
func Open(name string, o Options) (Host, error) {
	if err := ValidateHostName(name); err != nil {
		return nil, err
	}
	if IsLocal(name, o.Self) {
		return NewLocal(name), nil
	}
	if o.SSHCommand != "" {
		return NewExternal(name, o.SSHCommand)
	}
	cfg, err := ResolveConfig(name, o)
	if err != nil {
		return nil, err
	}
	return NewClient(cfg), nil
}

// IsLocal reports whether name means this machine: "localhost" or self,
// compared case-insensitively and also by the part before the first dot
// ("hosta.example.com" is "hosta").
func IsLocal(name, self string) bool {
	if strings.EqualFold(name, "localhost") {
		return true
	}
	if self == "" || name == "" {
		return false
	}
	return strings.EqualFold(shortName(name), shortName(self))
}

// shortName cuts a DNS name at its first dot; an IP address stays whole.
func shortName(name string) string {
	if net.ParseIP(strings.Trim(name, "[]")) != nil {
		return name
	}
	short, _, _ := strings.Cut(name, ".")
	return short
}

// ShortHostName is this machine's host name up to the first dot.
func ShortHostName() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("host name: %w", err)
	}
	short, _, _ := strings.Cut(h, ".")
	return short, nil
}

// ValidateHostName rejects names that could be read as an ssh option or
// break out of a command line: a host name comes from the command line or
// from a zrep:dest-host property on a dataset, and ends up as an argument
// to an ssh program.
func ValidateHostName(name string) error {
	if name == "" {
		return fmt.Errorf("invalid host name %q: empty", name)
	}
	if strings.HasPrefix(name, "-") {
		return fmt.Errorf("invalid host name %q: must not start with \"-\"", name)
	}
	for _, r := range name {
		if !hostNameRune(r) {
			return fmt.Errorf("invalid host name %q: %q not allowed (use letters, digits and . - _ : @ [ ] %%)", name, r)
		}
	}
	return nil
}

func hostNameRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune(".-_:@[]%", r)
}
