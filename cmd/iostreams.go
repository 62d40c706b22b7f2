package cmd

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// IOStreams are the process's streams; tests pass buffers.
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// ErrTTY is stderr being a terminal: someone watching, not cron.
	ErrTTY bool
}

// SystemIO is the real terminal, or cron's pipes.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, ErrTTY: isTerminal(os.Stderr)}
}

func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), ioctlGetTermios)
	return err == nil
}

// TestIO returns streams backed by buffers.
func TestIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut}, &out, &errOut
}

// Errorf prints err as zrep's one-line error.
func (s *IOStreams) Errorf(err error) { fmt.Fprintln(s.ErrOut, errorLine(err)) }
