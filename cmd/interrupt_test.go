package cmd

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/zrep-go/zrep/zfsprops"
)

// An interrupted run names the signal and what the lower layer left,
// never "context canceled".
func TestInterruptLine(t *testing.T) {
	term := &InterruptError{Signal: syscall.SIGTERM}
	for _, c := range []struct {
		err   error
		cause error
		want  string
	}{
		{context.Canceled, &InterruptError{Signal: syscall.SIGINT}, "Error: interrupted by SIGINT"},
		{fmt.Errorf("hosta: zfs list: %w", context.Canceled), term, "Error: interrupted by SIGTERM; hosta: zfs list"},
		{zfsprops.WithHint(fmt.Errorf("sending pa/x@zrep_000005 to hostb:pb/x failed (snapshot renamed to zrep_000005_unsent): %w",
			fmt.Errorf("hosta: zfs send: %w", context.Canceled)), "run zrep again; it resends from the last common snapshot"), term,
			"Error: interrupted by SIGTERM; sending pa/x@zrep_000005 to hostb:pb/x failed (snapshot renamed to zrep_000005_unsent): hosta: zfs send; run zrep again; it resends from the last common snapshot"},
		{fmt.Errorf("sync pa/y: %w", notStarted(context.Canceled)), term, "Error: interrupted by SIGTERM; sync pa/y: not started"},
		{context.Canceled, context.Canceled, "Error: interrupted"},
	} {
		if got := interruptLine(c.err, c.cause); got != c.want {
			t.Errorf("interruptLine(%v)\ngot  %s\nwant %s", c.err, got, c.want)
		}
	}
}

// The exit code after an interrupt is 130 and the line is interruptLine's.
func TestInterruptReport(t *testing.T) {
	io, _, errOut := TestIO()
	f := NewFactory(io, func(string) string { return "" })
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(&InterruptError{Signal: syscall.SIGINT})
	code := f.report(fmt.Errorf("hosta: zfs send: %w", context.Canceled), ctx)
	if code != ExitInterrupted || errOut.String() != "Error: interrupted by SIGINT; hosta: zfs send\n" {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	if errors.Is(notStarted(nil), context.Canceled) {
		t.Error("notStarted(nil)")
	}
}
