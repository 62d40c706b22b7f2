package cmd

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the process's streams; tests pass buffers.
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
	ErrTTY      bool // progress lines only on a terminal
}

// SystemIO is the real terminal, or cron's pipes.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, ErrTTY: term.IsTerminal(int(os.Stderr.Fd()))}
}

// TestIO returns streams backed by buffers.
func TestIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut}, &out, &errOut
}

// Errorf prints err as zrep's one-line error.
func (s *IOStreams) Errorf(err error) { fmt.Fprintln(s.ErrOut, errorLine(err)) }
