// Package sshtest provides a recording fake ssh.Host for tests of logic
// that runs commands: each expected argv is stubbed with its answer, an
// unexpected command fails the test, and so does a stub never used.
//
//	f := sshtest.New(t, "hostb")
//	f.Expect([]string{"zfs", "list", "-H", "pool"}).Returns("pool\n")
//	f.Expect([]string{"zfs", "destroy", "pool/x"}).Fails(1, "cannot open 'pool/x': dataset does not exist")
//	f.ExpectPrefix([]string{"zfs", "recv"}).Returns("")
package sshtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/zrep-go/zrep/ssh"
)

// Fake is an ssh.Host that answers from stubs and records every call.
// It is safe for concurrent use.
type Fake struct {
	t    testing.TB
	name string

	mu     sync.Mutex
	stubs  []*Stub
	calls  []Call
	closed bool
}

var _ ssh.Host = (*Fake)(nil)

// Call is one command the fake was asked to run.
type Call struct {
	Argv  []string
	Stdin string // read fully, "" for none
}

// New returns a Fake called name. At the end of the test every stub that
// was not used as often as expected fails the test.
func New(t testing.TB, name string) *Fake {
	f := &Fake{t: t, name: name}
	t.Cleanup(f.checkUnmatched)
	return f
}

// Stub is the answer to one expected command.
type Stub struct {
	f      *Fake
	argv   []string
	prefix bool
	stdout string
	err    func(argv []string) error
	do     func(argv []string, stdin string) (string, error)
	times  int // uses expected; -1: any number
	used   int
}

// Expect stubs exactly argv, to be run once (see Times, Always). By
// default it succeeds with no output.
func (f *Fake) Expect(argv []string) *Stub { return f.add(argv, false) }

// ExpectPrefix stubs any argv that starts with prefix. An exact stub is
// preferred, then the longest prefix.
func (f *Fake) ExpectPrefix(prefix []string) *Stub { return f.add(prefix, true) }

func (f *Fake) add(argv []string, prefix bool) *Stub {
	s := &Stub{f: f, argv: slices.Clone(argv), prefix: prefix, times: 1}
	f.mu.Lock()
	f.stubs = append(f.stubs, s)
	f.mu.Unlock()
	return s
}

// Returns makes the command succeed with stdout.
func (s *Stub) Returns(stdout string) *Stub {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.stdout = stdout
	return s
}

// Fails makes the command exit with code and stderr (*ssh.ExitError).
func (s *Stub) Fails(code int, stderr string) *Stub {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.err = func(argv []string) error {
		return &ssh.ExitError{Host: s.f.name, Argv: argv, Code: code, Stderr: stderr}
	}
	return s
}

// Unreachable makes the command fail as if the host could not be reached
// (*ssh.UnreachableError).
func (s *Stub) Unreachable() *Stub {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.err = func([]string) error {
		return &ssh.UnreachableError{Host: s.f.name, Err: errors.New("sshtest: stubbed as unreachable")}
	}
	return s
}

// Do computes the answer from the argv and stdin, for stubs whose output
// depends on what was sent.
func (s *Stub) Do(fn func(argv []string, stdin string) (stdout string, err error)) *Stub {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.do = fn
	return s
}

// Times expects the command n times.
func (s *Stub) Times(n int) *Stub {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	s.times = n
	return s
}

// Always lets the command run any number of times, none included.
func (s *Stub) Always() *Stub { return s.Times(-1) }

func (s *Stub) matches(argv []string) bool {
	if s.prefix {
		return len(argv) >= len(s.argv) && slices.Equal(argv[:len(s.argv)], s.argv)
	}
	return slices.Equal(argv, s.argv)
}

func (s *Stub) left() bool { return s.times < 0 || s.used < s.times }

func (s *Stub) String() string {
	m := "Expect"
	if s.prefix {
		m = "ExpectPrefix"
	}
	n := "any number of times"
	if s.times >= 0 {
		n = fmt.Sprintf("used %d of %d", s.used, s.times)
	}
	return fmt.Sprintf("%s(%q) %s", m, s.argv, n)
}

func (f *Fake) Name() string { return f.name }

// Run records argv and its stdin and answers from the matching stub. An
// unexpected argv fails the test and returns an error: t.Fatalf is not
// allowed off the test's goroutine, where commands often run.
func (f *Fake) Run(ctx context.Context, argv []string, stdin io.Reader) ([]byte, error) {
	stdout, _, err := f.call(ctx, argv, stdin)
	return []byte(stdout), err
}

// Start is Run whose output is read from Process.Stdout. An unreachable
// stub fails Start itself, as a connection failure would.
func (f *Fake) Start(ctx context.Context, argv []string, stdin io.Reader) (ssh.Process, error) {
	stdout, startErr, err := f.call(ctx, argv, stdin)
	if startErr {
		return nil, err
	}
	return &process{stdout: strings.NewReader(stdout), err: err}, nil
}

func (f *Fake) call(ctx context.Context, argv []string, stdin io.Reader) (stdout string, startErr bool, err error) {
	if err := ctx.Err(); err != nil {
		return "", true, fmt.Errorf("%s: %s: %w", f.name, ssh.Summary(argv), err)
	}
	var in string
	if stdin != nil {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "", true, fmt.Errorf("sshtest %s: reading stdin of %q: %w", f.name, argv, err)
		}
		in = string(b)
	}
	f.mu.Lock()
	f.calls = append(f.calls, Call{Argv: slices.Clone(argv), Stdin: in})
	s := f.match(argv)
	if s == nil {
		left := f.leftLocked()
		f.mu.Unlock()
		f.t.Errorf("sshtest %s: unexpected command %q\nstubs left:%s", f.name, argv, left)
		return "", true, fmt.Errorf("sshtest %s: unexpected command %q", f.name, argv)
	}
	s.used++
	stdout, errFn, do := s.stdout, s.err, s.do
	f.mu.Unlock()

	if do != nil {
		stdout, err = do(slices.Clone(argv), in)
	} else if errFn != nil {
		err = errFn(slices.Clone(argv))
	}
	var unreachable *ssh.UnreachableError
	return stdout, errors.As(err, &unreachable), err
}

// match finds the stub for argv: exact first, then the longest prefix,
// first registered among equals.
func (f *Fake) match(argv []string) *Stub {
	var best *Stub
	for _, s := range f.stubs {
		if !s.left() || !s.matches(argv) {
			continue
		}
		if !s.prefix {
			return s
		}
		if best == nil || len(s.argv) > len(best.argv) {
			best = s
		}
	}
	return best
}

func (f *Fake) leftLocked() string {
	var b strings.Builder
	for _, s := range f.stubs {
		if s.left() {
			b.WriteString("\n\t" + s.String())
		}
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

func (f *Fake) checkUnmatched() {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, s := range f.stubs {
		if s.times >= 0 && s.used < s.times {
			b.WriteString("\n\t" + s.String())
		}
	}
	if b.Len() > 0 {
		f.t.Errorf("sshtest %s: unmatched stubs:%s", f.name, b.String())
	}
}

// Calls returns the argv of every command run so far, in order.
func (f *Fake) Calls() [][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([][]string, len(f.calls))
	for i, c := range f.calls {
		out[i] = slices.Clone(c.Argv)
	}
	return out
}

// Stdin returns what call i (as in Calls) was fed on stdin.
func (f *Fake) Stdin(i int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if i < 0 || i >= len(f.calls) {
		f.t.Errorf("sshtest %s: Stdin(%d): only %d calls", f.name, i, len(f.calls))
		return ""
	}
	return f.calls[i].Stdin
}

// Close marks the fake closed; see Closed.
func (f *Fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// Closed reports whether Close was called.
func (f *Fake) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

type process struct {
	stdout io.Reader
	err    error
}

func (p *process) Stdout() io.Reader { return p.stdout }
func (p *process) Wait() error       { return p.err }
