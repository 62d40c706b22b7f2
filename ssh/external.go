package ssh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/kballard/go-shellquote"
)

// External runs commands through an external ssh program, the classic
// SSH=... behaviour, for setups that need OpenSSH features (ProxyJump,
// ControlMaster, GSSAPI, ...).
//
// It must never prompt or hang a cron run: the program gets
// `-o BatchMode=yes` before any option of the user's (OpenSSH keeps the
// first value it reads, so nothing can turn it off), a ConnectTimeout
// after them (so theirs wins), stdin from the pipe or /dev/null, and a
// session of its own with no controlling terminal, so it cannot open
// /dev/tty to ask, nor be stopped by SIGTTIN for reading one; askpass
// helpers are off (SSH_ASKPASS_REQUIRE=never). The program must take
// OpenSSH's -o options.
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
	argv := append([]string{prog[0], "-o", "BatchMode=yes"}, prog[1:]...)
	argv = append(argv, "-o", "ConnectTimeout="+strconv.Itoa(int(externalConnectTimeout/time.Second)))
	return &External{name: name, prog: argv}, nil
}

// externalConnectTimeout is the native client's default, for the TCP
// connect of an external ssh (the user's own -o ConnectTimeout wins).
const externalConnectTimeout = defaultConnectTimeout

func (e *External) Name() string { return e.name }

func (e *External) spec(argv []string) (execSpec, error) {
	if len(argv) == 0 {
		return execSpec{}, errors.New(e.name + ": empty command")
	}
	cmd := append(append(e.prog[:len(e.prog):len(e.prog)], e.name), remoteCommandLine(argv))
	return execSpec{host: e.name, argv: argv, cmd: cmd, viaSSH: true, detach: true}, nil
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
