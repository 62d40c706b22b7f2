// Package ssh runs commands on a host: locally, over one x/crypto/ssh
// connection, or through an external ssh program. Everything above this
// package sees only Host, so tests can drive the logic with a fake.
package ssh

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Host runs commands on one machine. argv is never a shell string: the
// implementations that need a command line build it with shellquote, so
// quoting lives in one place.
type Host interface {
	// Name is the host name as the user gave it ("localhost" for local).
	Name() string
	// Run runs argv to completion, feeding it stdin (nil for none), and
	// returns its stdout. A non-zero exit returns *ExitError with stderr;
	// a transport failure returns *UnreachableError.
	Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error)
	// Start starts argv with stdin as above. The caller must read
	// Process.Stdout to EOF (or cancel ctx) before calling Wait.
	Start(ctx context.Context, argv []string, stdin io.Reader) (Process, error)
	// Close releases the connection, if any. Safe to call twice.
	Close() error
}

// Process is a command started by Host.Start.
type Process interface {
	Stdout() io.Reader
	// Wait waits for exit; errors are as for Host.Run.
	Wait() error
}

// ExitError is a command that ran and exited non-zero.
type ExitError struct {
	Host   string
	Argv   []string
	Code   int
	Stderr string
}

func (e *ExitError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = fmt.Sprintf("exit status %d", e.Code)
	}
	return fmt.Sprintf("%s: %s: %s", e.Host, Summary(e.Argv), msg)
}

// UnreachableError is a host we could not connect to or authenticate with.
type UnreachableError struct {
	Host string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s: %v", e.Host, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Summary shortens argv for messages: the first two words, as in "zfs recv".
func Summary(argv []string) string {
	if len(argv) > 2 {
		argv = argv[:2]
	}
	return strings.Join(argv, " ")
}
