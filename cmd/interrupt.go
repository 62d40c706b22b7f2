package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/zrep-go/zrep/zfsprops"
	"golang.org/x/sys/unix"
)

// InterruptError is the cause of a run's cancellation: the signal.
type InterruptError struct{ Signal os.Signal }

func (e *InterruptError) Error() string { return "interrupted by " + signalName(e.Signal) }

func signalName(s os.Signal) string {
	if n, ok := s.(syscall.Signal); ok {
		if name := unix.SignalName(n); name != "" {
			return name
		}
	}
	return s.String()
}

// interruptContext is cancelled, with the signal as its cause, on the
// first SIGINT, SIGTERM or SIGHUP. Later ones are ignored while the run
// puts things back (renames an unsent snapshot, drops its locks).
func interruptContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		if s, ok := <-sigs; ok {
			cancel(&InterruptError{Signal: s})
		}
	}()
	return ctx, func() { signal.Stop(sigs); close(sigs); cancel(nil) }
}

// printErr prints err's one line; after an interrupt it starts with the
// signal and says what the interrupted step left (the lower layers name
// it: "snapshot renamed to …_unsent", "changes undone"), instead of
// ending in "context canceled".
func (f *Factory) printErr(ctx context.Context, err error) {
	if ctx.Err() == nil || !errors.Is(err, context.Canceled) {
		f.IO.Errorf(err)
		return
	}
	fmt.Fprintln(f.IO.ErrOut, interruptLine(err, context.Cause(ctx)))
}

// interruptLine is `Error: interrupted by SIGINT; <what it left>; <hint>`.
func interruptLine(err, cause error) string {
	what := "interrupted"
	var ie *InterruptError
	if errors.As(cause, &ie) {
		what = ie.Error()
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", " ")
	for {
		trimmed := strings.TrimRight(strings.TrimSuffix(msg, context.Canceled.Error()), ": ")
		if trimmed == msg {
			break
		}
		msg = trimmed
	}
	line := "Error: " + what
	if msg != "" {
		line += "; " + msg
	}
	if hint := zfsprops.HintOf(err); hint != "" {
		line += "; " + hint
	}
	return line
}

// notStarted marks a pair that `sync all` never began because the run was
// interrupted first.
func notStarted(err error) error {
	if err != nil && err.Error() == context.Canceled.Error() {
		return fmt.Errorf("not started: %w", err)
	}
	return err
}
