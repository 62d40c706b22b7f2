package ssh

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kballard/go-shellquote"
	"github.com/kevinburke/ssh_config"
	gossh "golang.org/x/crypto/ssh"
)

// Config is how the native client reaches one host: what ssh_config says
// for it, with our defaults filled in and paths expanded.
type Config struct {
	Name     string // as the user gave it, e.g. "hostb" or "root@hostb"
	HostName string // what we dial
	Port     int
	User     string
	// IdentityFiles are tried in order after the agent's keys; missing ones
	// are skipped.
	IdentityFiles  []string
	IdentitiesOnly bool
	// AgentSocket is the ssh-agent to ask for keys; "" for none.
	AgentSocket string
	// KnownHostsFiles are the user's files, then the global ones; missing
	// ones are skipped. The first is where the hint says to add a key.
	KnownHostsFiles []string
	// HostKeyAlias, if set, is the name looked up in known_hosts instead
	// of HostName.
	HostKeyAlias        string
	ConnectTimeout      time.Duration
	ServerAliveInterval time.Duration // 0 turns keepalives off
	ServerAliveCountMax int
	Ciphers             []string
}

// Defaults where ssh_config says nothing. OpenSSH has no keepalive by
// default; we do, so a cron run cannot hang on a dead peer.
const (
	defaultConnectTimeout      = 10 * time.Second
	defaultServerAliveInterval = 15 * time.Second
	defaultServerAliveCountMax = 3
	systemConfigPath           = "/etc/ssh/ssh_config"
)

// fastCipher goes first: with AES-NI it streams about twice as fast as the
// library's other choices (design.md §4).
const fastCipher = "aes128-gcm@openssh.com"

// ResolveConfig reads ~/.ssh/config (under o.Home) and the system
// ssh_config for name, as OpenSSH would: the first value found wins, the
// user's file before the system's.
//
// ssh_config.UserSettings cannot be pointed at another HOME while still
// reading the system file, so both files are decoded here and looked up in
// order. Relative Include paths still resolve against the passwd home
// directory (the library's choice), not o.Home.
func ResolveConfig(name string, o Options) (*Config, error) {
	home, err := homeDir(o.Home)
	if err != nil {
		return nil, err
	}
	sys := o.SystemConfig
	if sys == "" {
		sys = systemConfigPath
	}
	var files sshConfigFiles
	for _, p := range []string{filepath.Join(home, ".ssh", "config"), sys} {
		c, err := decodeConfigFile(p)
		if err != nil {
			return nil, err
		}
		if c != nil {
			files = append(files, c)
		}
	}

	alias := name
	userFromName := ""
	if i := strings.LastIndex(name, "@"); i >= 0 {
		userFromName, alias = name[:i], name[i+1:]
	}
	alias = strings.TrimSuffix(strings.TrimPrefix(alias, "["), "]")
	if alias == "" {
		return nil, fmt.Errorf("invalid host name %q: no host after \"@\"", name)
	}
	get := func(key string) string { return files.get(alias, key) }

	for _, key := range []string{"ProxyJump", "ProxyCommand"} {
		if v := get(key); v != "" && !strings.EqualFold(v, "none") {
			return nil, fmt.Errorf("%s: ssh_config sets %s, which the built-in ssh client does not support: set SSH=ssh to use OpenSSH", name, key)
		}
	}

	local := localUserName()
	c := &Config{Name: name, HostName: alias, Port: 22, User: local}
	if v := get("HostName"); v != "" {
		c.HostName = strings.NewReplacer("%h", alias, "%%", "%").Replace(v)
	}
	if v := get("Port"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p <= 0 || p > 65535 {
			return nil, fmt.Errorf("%s: ssh_config: bad Port %q", name, v)
		}
		c.Port = p
	}
	if v := get("User"); v != "" {
		c.User = v
	}
	if userFromName != "" {
		c.User = userFromName
	}
	c.HostKeyAlias = get("HostKeyAlias")

	exp := expander{home: home, localUser: local, alias: alias, c: c}
	if c.IdentityFiles, err = exp.paths(files.getAll(alias, "IdentityFile"), false, "~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"); err != nil {
		return nil, fmt.Errorf("%s: ssh_config IdentityFile: %w", name, err)
	}
	c.IdentitiesOnly = strings.EqualFold(get("IdentitiesOnly"), "yes")
	switch v := get("IdentityAgent"); {
	case v == "" || v == "SSH_AUTH_SOCK" || v == "$SSH_AUTH_SOCK":
		c.AgentSocket = os.Getenv("SSH_AUTH_SOCK")
	case strings.EqualFold(v, "none"):
	default:
		p, err := exp.paths([]string{v}, false)
		if err != nil || len(p) == 0 {
			return nil, fmt.Errorf("%s: ssh_config: bad IdentityAgent %q", name, v)
		}
		c.AgentSocket = p[0]
	}
	userKH, err := exp.paths(nonEmpty(get("UserKnownHostsFile")), true, "~/.ssh/known_hosts", "~/.ssh/known_hosts2")
	if err != nil {
		return nil, fmt.Errorf("%s: ssh_config UserKnownHostsFile: %w", name, err)
	}
	globalKH, err := exp.paths(nonEmpty(get("GlobalKnownHostsFile")), true, "/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2")
	if err != nil {
		return nil, fmt.Errorf("%s: ssh_config GlobalKnownHostsFile: %w", name, err)
	}
	c.KnownHostsFiles = append(userKH, globalKH...)

	if c.ConnectTimeout, err = seconds(get("ConnectTimeout"), defaultConnectTimeout); err != nil {
		return nil, fmt.Errorf("%s: ssh_config ConnectTimeout: %w", name, err)
	}
	if c.ServerAliveInterval, err = seconds(get("ServerAliveInterval"), defaultServerAliveInterval); err != nil {
		return nil, fmt.Errorf("%s: ssh_config ServerAliveInterval: %w", name, err)
	}
	c.ServerAliveCountMax = defaultServerAliveCountMax
	if v := get("ServerAliveCountMax"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: ssh_config: bad ServerAliveCountMax %q", name, v)
		}
		c.ServerAliveCountMax = n
	}
	c.Ciphers = cipherList(get("Ciphers"))
	return c, nil
}

type sshConfigFiles []*ssh_config.Config

// get returns the first value for key. ssh_config strips quotes around a
// whole value but keeps inner ones: `~/a "~/b c"` lists two files.
func (fs sshConfigFiles) get(alias, key string) string {
	for _, f := range fs {
		if v, err := f.Get(alias, key); err == nil && v != "" {
			return v
		}
	}
	return ""
}

// getAll gathers a key that may repeat (IdentityFile) across all files.
func (fs sshConfigFiles) getAll(alias, key string) []string {
	var all []string
	for _, f := range fs {
		vs, _ := f.GetAll(alias, key)
		all = append(all, vs...)
	}
	return all
}

func decodeConfigFile(p string) (*ssh_config.Config, error) {
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := ssh_config.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (set SSH=ssh to use OpenSSH, which may read it)", p, err)
	}
	return c, nil
}

func homeDir(home string) (string, error) {
	if home != "" {
		return home, nil
	}
	if h := os.Getenv("HOME"); h != "" {
		return h, nil
	}
	u, err := user.Current()
	if err != nil || u.HomeDir == "" {
		return "", errors.New("cannot find the home directory for ~/.ssh: HOME is not set")
	}
	return u.HomeDir, nil
}

func localUserName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

func seconds(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	if strings.EqualFold(v, "none") {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad number of seconds %q", v)
	}
	return time.Duration(n) * time.Second, nil
}

// cipherList applies an ssh_config Ciphers value to our default order.
// Like OpenSSH, "+x" appends, "-x" removes (patterns allowed) and "^x"
// puts x first; a plain list replaces the default.
func cipherList(v string) []string {
	def := []string{fastCipher}
	for _, c := range gossh.SupportedAlgorithms().Ciphers {
		if c != fastCipher {
			def = append(def, c)
		}
	}
	if v == "" {
		return def
	}
	list := strings.Split(strings.TrimLeft(v, "+-^"), ",")
	var out []string
	switch v[0] {
	case '+':
		out = append(def, list...)
	case '-':
		out = slices.DeleteFunc(def, func(c string) bool {
			return slices.ContainsFunc(list, func(p string) bool {
				ok, _ := path.Match(p, c)
				return ok
			})
		})
	case '^':
		out = append(list, def...)
	default:
		out = list
	}
	return slices.Compact(dedupe(out))
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	return slices.DeleteFunc(list, func(s string) bool {
		if seen[s] {
			return true
		}
		seen[s] = true
		return false
	})
}

// expander expands the ~ and %-tokens OpenSSH allows in file names.
type expander struct {
	home, localUser, alias string
	c                      *Config
}

// paths expands file names; with split, each value lists several, quoted
// if they hold spaces. "none" means no file. With no values, def is used.
func (e expander) paths(values []string, split bool, def ...string) ([]string, error) {
	if len(values) == 0 {
		values, split = def, false
	}
	var out []string
	for _, v := range values {
		words := []string{v}
		if split {
			var err error
			if words, err = shellquote.Split(v); err != nil {
				return nil, fmt.Errorf("%q: %w", v, err)
			}
		}
		for _, w := range words {
			if strings.EqualFold(w, "none") {
				continue
			}
			p, err := e.expand(w)
			if err != nil {
				return nil, err
			}
			out = append(out, p)
		}
	}
	return out, nil
}

func (e expander) expand(s string) (string, error) {
	if s == "~" || strings.HasPrefix(s, "~/") {
		s = e.home + s[1:]
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		i++
		if i == len(s) {
			return "", fmt.Errorf("%q: lone %% at the end", s)
		}
		switch s[i] {
		case '%':
			b.WriteByte('%')
		case 'd':
			b.WriteString(e.home)
		case 'u':
			b.WriteString(e.localUser)
		case 'h':
			b.WriteString(e.c.HostName)
		case 'n':
			b.WriteString(e.alias)
		case 'p':
			b.WriteString(strconv.Itoa(e.c.Port))
		case 'r':
			b.WriteString(e.c.User)
		case 'k':
			if e.c.HostKeyAlias != "" {
				b.WriteString(e.c.HostKeyAlias)
			} else {
				b.WriteString(e.c.HostName)
			}
		case 'i':
			b.WriteString(strconv.Itoa(os.Getuid()))
		case 'l', 'L':
			h, _ := os.Hostname()
			if s[i] == 'L' {
				h, _, _ = strings.Cut(h, ".")
			}
			b.WriteString(h)
		default:
			return "", fmt.Errorf("%q: unknown token %%%c", s, s[i])
		}
	}
	return b.String(), nil
}
