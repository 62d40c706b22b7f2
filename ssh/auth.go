package ssh

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	gossh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// keys are the identities offered to one host: the agent's first, as
// OpenSSH does, then the identity files'. Only unencrypted files are used
// directly: there is nobody to ask for a passphrase.
type keys struct {
	signers []gossh.Signer
	tried   []string // for the error when the server accepts none
	skipped []string // "why" for each identity we could not use
	agent   net.Conn
}

func loadKeys(c *Config) *keys {
	k := &keys{}
	var fromAgent []gossh.Signer
	if c.AgentSocket != "" {
		conn, err := net.DialTimeout("unix", c.AgentSocket, 5*time.Second)
		if err == nil {
			// A stuck agent (or one waiting for a confirmation nobody
			// will give) fails the handshake instead of hanging it.
			conn.SetDeadline(time.Now().Add(handshakeTimeout))
		}
		if err != nil {
			k.skipped = append(k.skipped, fmt.Sprintf("ssh-agent: %v", err))
		} else if fromAgent, err = agent.NewClient(conn).Signers(); err != nil {
			conn.Close()
			k.skipped = append(k.skipped, fmt.Sprintf("ssh-agent: %v", err))
		} else {
			k.agent = conn
		}
	}

	var files []gossh.Signer
	var filePubs [][]byte // public keys of the files, for IdentitiesOnly
	for _, path := range c.IdentityFiles {
		data, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			k.skipped = append(k.skipped, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		s, err := gossh.ParsePrivateKey(data)
		var pme *gossh.PassphraseMissingError
		switch {
		case errors.As(err, &pme):
			pub := pme.PublicKey
			if pub == nil {
				pub = readPublicKey(path + ".pub")
			}
			if pub != nil {
				filePubs = append(filePubs, pub.Marshal())
				if hasKey(fromAgent, pub) {
					continue // the agent offers it
				}
			}
			k.skipped = append(k.skipped, fmt.Sprintf("%s: has a passphrase; load it into ssh-agent with `ssh-add %s`", path, path))
			continue
		case err != nil:
			k.skipped = append(k.skipped, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		filePubs = append(filePubs, s.PublicKey().Marshal())
		if !hasKey(fromAgent, s.PublicKey()) {
			files = append(files, s)
			k.tried = append(k.tried, path)
		}
	}

	if c.IdentitiesOnly {
		var kept []gossh.Signer
		for _, s := range fromAgent {
			for _, p := range filePubs {
				if bytes.Equal(p, s.PublicKey().Marshal()) {
					kept = append(kept, s)
				}
			}
		}
		fromAgent = kept
	}
	if len(fromAgent) > 0 {
		k.tried = append([]string{fmt.Sprintf("%d key(s) from ssh-agent", len(fromAgent))}, k.tried...)
	}
	k.signers = append(fromAgent, files...)
	return k
}

func (k *keys) auth() gossh.AuthMethod {
	return gossh.PublicKeysCallback(func() ([]gossh.Signer, error) { return k.signers, nil })
}

// close drops the agent connection; signing is over once authenticated.
func (k *keys) close() {
	if k.agent != nil {
		k.agent.Close()
	}
}

// refused describes an authentication failure by what was offered.
func (k *keys) refused(c *Config) error {
	var why string
	if len(k.tried) == 0 {
		why = "no usable key: no ssh-agent key and no unencrypted identity file (looked for " + strings.Join(c.IdentityFiles, ", ") + ")"
	} else {
		why = "offered " + strings.Join(k.tried, ", ")
	}
	if len(k.skipped) > 0 {
		why += "; skipped " + strings.Join(k.skipped, "; ")
	}
	return fmt.Errorf("permission denied for user %s (%s)", c.User, why)
}

func hasKey(signers []gossh.Signer, pub gossh.PublicKey) bool {
	for _, s := range signers {
		if bytes.Equal(s.PublicKey().Marshal(), pub.Marshal()) {
			return true
		}
	}
	return false
}

func readPublicKey(path string) gossh.PublicKey {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	pub, _, _, _, err := gossh.ParseAuthorizedKey(data)
	if err != nil {
		return nil
	}
	return pub
}
