package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/kballard/go-shellquote"
)

// External runs commands through an external ssh program, the classic
// SSH=... behaviour, for setups that need OpenSSH features (ProxyJump,
// ControlMaster, GSSAPI, ...).
type External struct {
	name string
	prog []string
}

var _ Host = (*External)(nil)

// NewExternal returns a host reached as `SSH... name COMMANDLINE`. sshCommand
// is split like a shell would split it ("ssh -i key" is two words).
func NewExternal(name, sshCommand string) (*External, error) {
	prog, err := shellquote.Split(sshCommand)
	if err != nil {
		return nil, fmt.Errorf("ssh command %q: %w", sshCommand, err)
	}
	if len(prog) == 0 {
		return nil, errors.New("ssh command is empty")
	}
	return &External{name: name, prog: prog}, nil
}

func (e *External) Name() string { return e.name }

func (e *External) spec(argv []string) (execSpec, error) {
	if len(argv) == 0 {
		return execSpec{}, errors.New(e.name + ": empty command")
	}
	cmd := append(append(e.prog[:len(e.prog):len(e.prog)], e.name), commandLine(argv))
	return execSpec{host: e.name, argv: argv, cmd: cmd, viaSSH: true}, nil
}

func (e *External) Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
	s, err := e.spec(argv)
	if err != nil {
		return nil, err
	}
	return s.run(ctx, stdin)
}

func (e *External) Start(ctx context.Context, argv []string, stdin io.Reader) (Process, error) {
	s, err := e.spec(argv)
	if err != nil {
		return nil, err
	}
	c, err := s.start(ctx, stdin, nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (e *External) Close() error { return nil }
