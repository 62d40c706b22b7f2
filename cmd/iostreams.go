package cmd

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// IOStreams are the process's streams; tests pass buffers.
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
}

// SystemIO is the real terminal, or cron's pipes.
func SystemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
}

// TestIO returns streams backed by buffers.
func TestIO() (*IOStreams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IOStreams{In: &bytes.Buffer{}, Out: &out, ErrOut: &errOut}, &out, &errOut
}

// Errorf prints err as zrep's one-line error.
func (s *IOStreams) Errorf(err error) { fmt.Fprintln(s.ErrOut, errorLine(err)) }
