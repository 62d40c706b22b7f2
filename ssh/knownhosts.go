package ssh

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is a host key that no known_hosts file vouches for. The
// native client returns it wrapped in *UnreachableError; it never asks
// whether to trust a key, so cron runs cannot hang on a prompt.
type HostKeyError struct {
	// Host is the name looked up: HostName (or HostKeyAlias), in
	// known_hosts form ("hostb", "[hostb]:2222").
	Host        string
	KeyType     string // what the server offered
	Fingerprint string // SHA256:...
	// Files are the known_hosts files that were read; AddTo is where the
	// hint says to add a key.
	Files []string
	AddTo string
	// Known lists "file:line" of the entries for Host that hold other
	// keys: empty for an unknown host, set for a changed key.
	Known []string
	// Revoked is "file:line" of a @revoked entry for the offered key.
	Revoked string
	// scan is the ssh-keyscan command that fetches the key.
	scan string
	// Program is set when an external ssh program refused the key; Said
	// is the gist of what it printed, and Changed whether the key it
	// knows differs (else it knows none).
	Program string
	Said    string
	Changed bool
}

func (e *HostKeyError) Error() string {
	if e.Program != "" {
		return e.external()
	}
	offered := e.KeyType + " key " + e.Fingerprint
	switch {
	case e.Revoked != "":
		return fmt.Sprintf("host key for %s (%s) is marked @revoked at %s", e.Host, offered, e.Revoked)
	case len(e.Known) > 0:
		file := e.Known[0][:strings.LastIndex(e.Known[0], ":")]
		return fmt.Sprintf("host key for %s has changed: it offered %s, which does not match %s; "+
			"this can be a man-in-the-middle attack; if the host was reinstalled, remove the old entry with "+
			"`ssh-keygen -R '%s' -f %s` and add the new one",
			e.Host, offered, strings.Join(e.Known, ", "), e.Host, file)
	}
	checked := "no known_hosts file exists"
	if len(e.Files) > 0 {
		checked = "not in " + strings.Join(e.Files, ", ")
	}
	return fmt.Sprintf("host key for %s is unknown (%s; %s); after verifying the fingerprint, add it with `%s >> %s`",
		e.Host, offered, checked, e.scan, e.AddTo)
}

// hostKeyCheck returns the strict known_hosts check for c and the host key
// algorithms to ask for: those of the keys known for the host, so a server
// with several keys shows us the one we know rather than one that would
// look like a changed key.
func hostKeyCheck(c *Config) (gossh.HostKeyCallback, []string, error) {
	var files []string
	for _, f := range c.KnownHostsFiles {
		if _, err := os.Stat(f); err == nil {
			files = append(files, f)
		}
	}
	name := c.HostName
	if c.HostKeyAlias != "" {
		name = c.HostKeyAlias
	}
	addr := net.JoinHostPort(name, strconv.Itoa(c.Port))
	base := &HostKeyError{Host: knownhosts.Normalize(addr), Files: files}
	if len(c.KnownHostsFiles) > 0 {
		base.AddTo = c.KnownHostsFiles[0]
	}
	base.scan = fmt.Sprintf("ssh-keyscan -p %d %s", c.Port, c.HostName)
	if c.HostKeyAlias != "" {
		base.scan += fmt.Sprintf(" | sed 's/^[^ ]*/%s/'", base.Host)
	}

	var db gossh.HostKeyCallback
	if len(files) > 0 {
		var err error
		if db, err = knownhosts.New(files...); err != nil {
			return nil, nil, fmt.Errorf("known_hosts: %w", err)
		}
	}
	check := func(_ string, remote net.Addr, key gossh.PublicKey) error {
		e := *base
		e.KeyType, e.Fingerprint = key.Type(), gossh.FingerprintSHA256(key)
		if db == nil {
			return &e
		}
		err := db(addr, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &re):
			e.Revoked = fmt.Sprintf("%s:%d", re.Revoked.Filename, re.Revoked.Line)
		case errors.As(err, &ke):
			for _, k := range ke.Want {
				e.Known = append(e.Known, fmt.Sprintf("%s:%d", k.Filename, k.Line))
			}
		default:
			return err
		}
		return &e
	}
	if db == nil {
		return check, nil, nil
	}
	return check, knownAlgorithms(db, addr), nil
}

var probeKey = sync.OnceValue(func() gossh.PublicKey {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	k, _ := gossh.NewPublicKey(pub)
	return k
})

// knownAlgorithms asks db which keys it holds for addr, by offering a key
// it cannot know and reading the mismatch, and turns their types into
// host key algorithms, best first. nil (library default) if none.
func knownAlgorithms(db gossh.HostKeyCallback, addr string) []string {
	var ke *knownhosts.KeyError
	if !errors.As(db(addr, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 22}, probeKey()), &ke) {
		return nil
	}
	have := map[string]bool{}
	for _, k := range ke.Want {
		have[k.Key.Type()] = true
	}
	var algos []string
	for _, t := range []string{gossh.KeyAlgoED25519, gossh.KeyAlgoECDSA256, gossh.KeyAlgoECDSA384, gossh.KeyAlgoECDSA521, gossh.KeyAlgoRSA} {
		if !have[t] {
			continue
		}
		delete(have, t)
		if t == gossh.KeyAlgoRSA {
			algos = append(algos, gossh.KeyAlgoRSASHA512, gossh.KeyAlgoRSASHA256)
		}
		algos = append(algos, t)
	}
	rest := slices.Sorted(maps.Keys(have))
	return append(algos, rest...)
}

// externalHostKeyError recognises an external OpenSSH's refusal of a host
// key in its stderr ("Host key verification failed."), or returns nil.
// Its warning banner is boiled down to one line: what it said about the
// key and, for a changed key, the offending known_hosts line.
func externalHostKeyError(host, prog, stderr string) *HostKeyError {
	if !strings.Contains(stderr, "Host key verification failed") {
		return nil
	}
	e := &HostKeyError{Host: host, Program: prog}
	var said []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.Contains(line, "REMOTE HOST IDENTIFICATION HAS CHANGED"),
			strings.HasPrefix(line, "Host key for ") && strings.Contains(line, "has changed"):
			e.Changed = true
		case strings.HasPrefix(line, "No ") && strings.Contains(line, "host key is known for"),
			strings.HasPrefix(line, "Offending "), strings.HasPrefix(line, "SHA256:"),
			strings.HasPrefix(line, "The ") && strings.Contains(line, "key fingerprint is"):
			said = append(said, strings.TrimSuffix(line, "."))
		}
	}
	e.Said = strings.Join(said, "; ")
	return e
}

func (e *HostKeyError) external() string {
	said := ""
	if e.Said != "" {
		said = " (" + e.Said + ")"
	}
	if e.Changed {
		return fmt.Sprintf("host key for %s has changed, %s refused it%s; "+
			"this can be a man-in-the-middle attack; if the host was reinstalled, remove the old entry with "+
			"`ssh-keygen -R %s` and add the new one to ~/.ssh/known_hosts", e.Host, e.Program, said, e.Host)
	}
	return fmt.Sprintf("host key for %s is not in known_hosts, %s refused it without asking%s; "+
		"after verifying the fingerprint, add it with `ssh-keyscan %s >> ~/.ssh/known_hosts` (or the UserKnownHostsFile your ssh uses)",
		e.Host, e.Program, said, e.Host)
}
