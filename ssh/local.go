package ssh

import (
	"context"
	"errors"
	"io"
)

// Local runs commands on this machine.
type Local struct {
	name string
}

var _ Host = (*Local)(nil)

// NewLocal returns a Local host called name in messages ("localhost", or
// our own host name when the user named it).
func NewLocal(name string) *Local { return &Local{name: name} }

func (l *Local) Name() string { return l.name }

func (l *Local) Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
	if len(argv) == 0 {
		return nil, errors.New(l.name + ": empty command")
	}
	return execSpec{host: l.name, argv: argv, cmd: argv}.run(ctx, stdin)
}

func (l *Local) Start(ctx context.Context, argv []string, stdin io.Reader) (Process, error) {
	if len(argv) == 0 {
		return nil, errors.New(l.name + ": empty command")
	}
	c, err := execSpec{host: l.name, argv: argv, cmd: argv}.start(ctx, stdin, nil)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (l *Local) Close() error { return nil }
