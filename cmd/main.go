// Package cmd is zrep's command line: flags, output and exit codes. The
// replication logic lives in sync/ and failover/; nothing here builds a
// zfs command line.
package cmd

import (
	"context"
	"errors"
	"os"
)

// Exit codes, documented in the README.
const (
	ExitOK          = 0
	ExitFailure     = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// Main runs zrep with args (without the program name) and returns the exit
// code. It is the one place that turns an error into a code.
func Main(args []string) int {
	ctx, stop := interruptContext()
	defer stop()
	f := NewFactory(SystemIO(), os.Getenv)
	defer f.Close()
	// For every local command and what it starts; remote ones get the
	// same directories in ssh.
	os.Setenv("PATH", searchPath(os.Getenv("PATH"), f.file["PATH"]))
	return run(ctx, f, args)
}

// run executes one command line with f; tests call it with fake hosts.
func run(ctx context.Context, f *Factory, args []string) int {
	root := NewRootCmd(f)
	root.SetArgs(normalizeArgs(args))
	code := f.report(root.ExecuteContext(ctx), ctx)
	f.flushLogs()
	return code
}

func (f *Factory) report(err error, ctx context.Context) int {
	var silent *SilentError
	var usage *UsageError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &silent):
		if ctx.Err() != nil {
			return ExitInterrupted
		}
		return silent.Code
	case ctx.Err() != nil:
		f.printErr(ctx, err)
		return ExitInterrupted
	case errors.As(err, &usage):
		f.IO.Errorf(err)
		return ExitUsage
	}
	f.IO.Errorf(err)
	return ExitFailure
}
